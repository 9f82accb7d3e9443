import { status } from '@grpc/grpc-js';
import { v4 as uuid } from 'uuid';
import { catalogV1 } from '@emporia/contracts';
import { fromGrpcError } from '@emporia/platform';
import { aCatalogSku, eventually, uniqueSuffix } from '@emporia/testing';
import { UnitsSold1764000000180 } from '../src/infrastructure/migrations/1764000000180-units-sold';
import {
  type CatalogUnderTest,
  failure,
  rerunMigration,
  startTestCatalog,
} from './support/catalog-under-test';

jest.setTimeout(120_000);

/** Stock reservations for checkout, on real Postgres, under concurrency. */
describe('catalog stock reservations (real Postgres)', () => {
  let catalog: CatalogUnderTest;
  let categoryId: string;

  const call = <T>(method: string, req: unknown) => catalog.call<T>(method, req);
  /** An active product with one SKU holding `stock` units in each of `warehouses`. */
  const sku = (stock: number, warehouses = ['SH-1']) =>
    aCatalogSku(catalog.client, categoryId)
      .named('R', 'Reservable')
      .pricedAt(1000)
      .stocked(stock, warehouses)
      .create();
  const levels = async (skuId: string) =>
    (
      await catalog.pg.query(
        `SELECT warehouse_code, on_hand::int, reserved::int FROM stock_levels WHERE sku_id = $1 ORDER BY warehouse_code`,
        [skuId],
      )
    ).rows as { warehouse_code: string; on_hand: number; reserved: number }[];
  const reserve = (skuId: string, quantity: number, id = uuid(), ttlSeconds = 0) =>
    call<catalogV1.ReserveStockResponse>('reserveStock', {
      reservationId: id,
      lines: [{ skuId, quantity }],
      ttlSeconds,
    });

  beforeAll(async () => {
    catalog = await startTestCatalog('catalog_res_it', {
      KAFKA_TOPIC_PREFIX: `res${uniqueSuffix()}.`,
      RESERVATION_SWEEP_INTERVAL_MS: '100',
      DB_POOL_SIZE: '20',
    });
    categoryId = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Reservations',
        slug: `reservations-${uniqueSuffix()}`,
      })
    ).category!.id;
  });

  afterAll(() => catalog?.close());

  it('50 concurrent reservations of the last 10 units: exactly 10 win, and commits leave 0', async () => {
    const skuId = await sku(10);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => reserve(skuId, 1)));
    const won = results.filter(
      (r) => r.status === 'fulfilled',
    ) as PromiseFulfilledResult<catalogV1.ReserveStockResponse>[];
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(10);
    expect(lost.map((r) => fromGrpcError(r.reason).code)).toEqual(
      Array(40).fill('STOCK_INSUFFICIENT'),
    );
    expect(await levels(skuId)).toEqual([{ warehouse_code: 'SH-1', on_hand: 10, reserved: 10 }]);
    const facts = await call<catalogV1.GetSkusResponse>('getSkus', { skuIds: [skuId] });
    expect(Number(facts.skus[0].available)).toBe(0);
    const stock = await call<catalogV1.GetStockResponse>('getStock', { skuId });
    expect(Number(stock.totalOnHand)).toBe(10);
    expect(Number(stock.totalAvailable)).toBe(0);
    expect(stock.levels.map((l) => [Number(l.reserved), Number(l.available)])).toEqual([[10, 0]]);
    // adjusting stock cannot take away held units
    expect(
      await failure(
        call('adjustStock', { skuId, warehouseCode: 'SH-1', delta: -1, reason: 'shrinkage' }),
      ),
    ).toMatchObject({ status: status.FAILED_PRECONDITION, code: 'STOCK_INSUFFICIENT' });

    await Promise.all(
      won.map((w) => call('commitReservation', { reservationId: w.value.reservation!.id })),
    );
    expect(await levels(skuId)).toEqual([{ warehouse_code: 'SH-1', on_hand: 0, reserved: 0 }]);
    const [{ sum }] = (
      await catalog.pg.query(
        `SELECT sum(delta)::int AS sum FROM stock_movements WHERE sku_id = $1`,
        [skuId],
      )
    ).rows;
    expect(sum).toBe(0);
    const [{ n }] = (
      await catalog.pg.query(
        `SELECT count(*)::int AS n FROM stock_movements WHERE sku_id = $1 AND delta = -1`,
        [skuId],
      )
    ).rows;
    expect(n).toBe(10);
    // one 'order' movement per committed reservation, naming it
    const movements = (
      await catalog.pg.query(
        `SELECT reference FROM stock_movements WHERE sku_id = $1 AND reason = 'order' ORDER BY reference`,
        [skuId],
      )
    ).rows.map((r: { reference: string }) => r.reference);
    expect(movements).toEqual(won.map((w) => w.value.reservation!.id).sort());
    // and a snapshot event per commit, through the outbox
    const { rows: events } = await catalog.pg.query(
      `SELECT o.payload FROM outbox o JOIN skus s ON o.message_key = s.product_id::text
       WHERE s.id = $1 AND o.event_type = 'emporia.catalog.v1.ProductStockChanged' ORDER BY o.seq`,
      [skuId],
    );
    const commits = events
      .map((e: { payload: Buffer }) => catalogV1.ProductStockChanged.decode(e.payload))
      .filter((e) => e.reason === 'order');
    expect(commits).toHaveLength(10);
    expect(commits.map((e) => e.reference).sort()).toEqual(movements);
    expect(commits.every((e) => Number(e.delta) === -1 && e.skuId === skuId)).toBe(true);
    expect(Number(commits.at(-1)!.product!.skus[0].stockOnHand)).toBe(0);
    // ten concurrent commits counted ten units sold, none lost
    expect(Number(commits.at(-1)!.product!.skus[0].unitsSold)).toBe(10);
    expect(Number(commits.at(-1)!.product!.unitsSold)).toBe(10);
  });

  it('counts units sold once per committed reservation, never lowered by a restocked return', async () => {
    const codes = [`U-${uniqueSuffix()}`, `U-${uniqueSuffix()}`];
    const { product } = await call<catalogV1.CreateProductResponse>('createProduct', {
      title: 'Sold counter',
      categoryId,
      skus: codes.map((code) => ({
        code,
        attributes: {},
        price: { amountMinor: 1000, currency: 'CNY' },
      })),
    });
    const productId = product!.id;
    const [a, b] = product!.skus.map((s) => s.id);
    expect([product!.unitsSold, ...product!.skus.map((s) => s.unitsSold)].map(Number)).toEqual([
      0, 0, 0,
    ]);
    for (const [skuId, warehouseCode] of [
      [a, 'BJ-1'],
      [a, 'SH-1'],
      [b, 'SH-1'],
    ])
      await call('adjustStock', { skuId, warehouseCode, delta: 5, reason: 'receive' });
    const sold = async () => {
      const p = (await call<catalogV1.GetProductResponse>('getProduct', { id: productId }))
        .product!;
      return [Number(p.unitsSold), ...p.skus.map((s) => Number(s.unitsSold))];
    };
    const orderEvents = async (reference: string) =>
      (
        await catalog.pg.query(
          `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'emporia.catalog.v1.ProductStockChanged' ORDER BY seq`,
          [productId],
        )
      ).rows
        .map((e: { payload: Buffer }) => catalogV1.ProductStockChanged.decode(e.payload))
        .filter((e) => e.reason === 'order' && e.reference === reference);

    // 7 of `a` (split over both warehouses) and 2 of `b` in one reservation
    const id = uuid();
    const reserved = await call<catalogV1.ReserveStockResponse>('reserveStock', {
      reservationId: id,
      lines: [
        { skuId: a, quantity: 7 },
        { skuId: b, quantity: 2 },
      ],
    });
    expect(reserved.reservation!.lines).toHaveLength(3);
    expect(await sold()).toEqual([0, 0, 0]); // held is not sold
    await call('commitReservation', { reservationId: id });
    expect(await sold()).toEqual([9, 7, 2]);
    // every snapshot of the commit carries the new figures (one event per reserved line)
    const events = await orderEvents(id);
    expect(events).toHaveLength(3);
    for (const e of events) {
      expect(Number(e.product!.unitsSold)).toBe(9);
      expect(e.product!.skus.map((s) => Number(s.unitsSold))).toEqual([7, 2]);
    }

    // repeated commits, one after the other and at once, count nothing more
    await call('commitReservation', { reservationId: id });
    await Promise.all(
      Array.from({ length: 5 }, () => call('commitReservation', { reservationId: id })),
    );
    expect(await sold()).toEqual([9, 7, 2]);
    expect(await orderEvents(id)).toHaveLength(3);

    // released and expired reservations sell nothing
    const released = uuid();
    await reserve(b, 1, released);
    await call('releaseReservation', { reservationId: released });
    const expired = uuid();
    await reserve(b, 1, expired);
    await catalog.pg.query(
      `UPDATE stock_reservations SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [expired],
    );
    await failure(call('commitReservation', { reservationId: expired }));
    expect(await sold()).toEqual([9, 7, 2]);

    // a return put back on the shelf is stock again, but was still sold (a gross figure)
    const back = await call<catalogV1.AdjustStockResponse>('adjustStock', {
      skuId: a,
      warehouseCode: 'SH-1',
      delta: 2,
      reason: 'return',
    });
    expect(Number(back.level!.onHand)).toBeGreaterThan(0);
    expect(await sold()).toEqual([9, 7, 2]);
    const { rows } = await catalog.pg.query(
      `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'emporia.catalog.v1.ProductStockChanged' ORDER BY seq DESC LIMIT 1`,
      [productId],
    );
    const restock = catalogV1.ProductStockChanged.decode(rows[0].payload);
    expect(restock.reason).toBe('return');
    expect(Number(restock.product!.unitsSold)).toBe(9);

    // ListProducts carries the same figures
    const listed = (
      await call<catalogV1.ListProductsResponse>('listProducts', { categoryId, pageSize: 500 })
    ).products.find((p) => p.id === productId)!;
    expect([Number(listed.unitsSold), ...listed.skus.map((s) => Number(s.unitsSold))]).toEqual([
      9, 7, 2,
    ]);
  });

  it('concurrent calls with one reservation id hold the units once', async () => {
    const skuId = await sku(5);
    const id = uuid();
    const results = await Promise.all(Array.from({ length: 8 }, () => reserve(skuId, 2, id)));
    expect(new Set(results.map((r) => r.reservation!.id))).toEqual(new Set([id]));
    expect(results.every((r) => r.reservation!.status === 'ACTIVE')).toBe(true);
    expect((await levels(skuId))[0]).toMatchObject({ on_hand: 5, reserved: 2 });
  });

  it('reserves all lines or none, splitting a line over warehouses when needed', async () => {
    const plenty = await sku(5, ['BJ-1', 'SH-1']);
    const scarce = await sku(1);
    const id = uuid();
    expect(
      await failure(
        call('reserveStock', {
          reservationId: id,
          lines: [
            { skuId: plenty, quantity: 2 },
            { skuId: scarce, quantity: 2 },
          ],
        }),
      ),
    ).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'STOCK_INSUFFICIENT',
      details: { skuId: scarce },
    });
    expect((await levels(plenty)).map((l) => l.reserved)).toEqual([0, 0]);
    expect(await failure(call('getReservation', { reservationId: id }))).toMatchObject({
      status: status.NOT_FOUND,
    });

    const split = await reserve(plenty, 7);
    expect(split.reservation!.lines.map((l) => Number(l.quantity)).sort()).toEqual([2, 5]);
    expect((await levels(plenty)).reduce((a, l) => a + l.reserved, 0)).toBe(7);

    // lines naming one SKU twice are merged into one holding the sum
    const merged = await call<catalogV1.ReserveStockResponse>('reserveStock', {
      reservationId: uuid(),
      lines: [
        { skuId: plenty, quantity: 1 },
        { skuId: plenty, quantity: 2 },
      ],
    });
    expect(merged.reservation!.lines.map((l) => Number(l.quantity))).toEqual([3]);
    expect((await levels(plenty)).reduce((a, l) => a + l.reserved, 0)).toBe(10);
  });

  it('is idempotent: the same id reserves once, commits and releases once', async () => {
    const skuId = await sku(3);
    const id = uuid();
    await reserve(skuId, 2, id);
    await reserve(skuId, 2, id);
    expect((await levels(skuId))[0].reserved).toBe(2);
    expect(await failure(reserve(skuId, 1, id))).toMatchObject({
      status: status.ALREADY_EXISTS,
      code: 'RESERVATION_CONFLICT',
    });
    const released = await call<catalogV1.ReleaseReservationResponse>('releaseReservation', {
      reservationId: id,
      reason: 'order cancelled',
    });
    expect(released.reservation!.status).toBe('RELEASED');
    await call('releaseReservation', { reservationId: id });
    expect((await levels(skuId))[0]).toMatchObject({ on_hand: 3, reserved: 0 });
    expect(await failure(call('commitReservation', { reservationId: id }))).toMatchObject({
      code: 'RESERVATION_NOT_ACTIVE',
    });

    const other = uuid();
    await reserve(skuId, 1, other);
    await call('commitReservation', { reservationId: other });
    await call('commitReservation', { reservationId: other });
    expect((await levels(skuId))[0]).toMatchObject({ on_hand: 2, reserved: 0 });
    expect(await failure(call('releaseReservation', { reservationId: other }))).toMatchObject({
      code: 'RESERVATION_COMMITTED',
    });
  });

  it('adjusting stock cannot take on hand below what is reserved', async () => {
    const skuId = await sku(5);
    await reserve(skuId, 3);
    const adjust = (delta: number) =>
      call<catalogV1.AdjustStockResponse>('adjustStock', {
        skuId,
        warehouseCode: 'SH-1',
        delta,
        reason: 'count',
      });
    const level = (await adjust(-2)).level!;
    expect([level.onHand, level.reserved, level.available].map(Number)).toEqual([3, 3, 0]);
    expect(await failure(adjust(-1))).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'STOCK_INSUFFICIENT',
      details: { skuId, reserved: 3, onHand: 3 },
    });
    expect(await failure(reserve(skuId, 1))).toMatchObject({ code: 'STOCK_INSUFFICIENT' });
    expect((await levels(skuId))[0]).toMatchObject({ on_hand: 3, reserved: 3 });
    // restocking keeps what is held
    await adjust(4);
    expect((await levels(skuId))[0]).toMatchObject({ on_hand: 7, reserved: 3 });
    expect(Number((await reserve(skuId, 4)).reservation!.lines[0].quantity)).toBe(4);
    expect(await failure(reserve(skuId, 1))).toMatchObject({ code: 'STOCK_INSUFFICIENT' });
  });

  it('a named warehouse is used, and a repeat of the request must name the same one', async () => {
    const skuId = await sku(3, ['BJ-1', 'SH-1']);
    const id = uuid();
    const req = (warehouseCode: string) =>
      call<catalogV1.ReserveStockResponse>('reserveStock', {
        reservationId: id,
        lines: [{ skuId, quantity: 2, warehouseCode }],
      });
    expect((await req('sh-1')).reservation!.lines).toEqual([
      expect.objectContaining({ skuId, warehouseCode: 'SH-1' }),
    ]);
    expect((await req('SH-1')).reservation!.id).toBe(id);
    expect(await failure(req('BJ-1'))).toMatchObject({ code: 'RESERVATION_CONFLICT' });
    expect(await levels(skuId)).toEqual([
      { warehouse_code: 'BJ-1', on_hand: 3, reserved: 0 },
      { warehouse_code: 'SH-1', on_hand: 3, reserved: 2 },
    ]);
  });

  it('a reservation past its time cannot be committed even before the sweep frees it', async () => {
    const skuId = await sku(2);
    const id = uuid();
    await reserve(skuId, 1, id);
    await catalog.pg.query(
      `UPDATE stock_reservations SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    expect(await failure(call('commitReservation', { reservationId: id }))).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'RESERVATION_NOT_ACTIVE',
    });
    const [row] = (
      await catalog.pg.query(`SELECT status FROM stock_reservations WHERE id = $1`, [id])
    ).rows;
    expect(row.status).toBe('EXPIRED');
    expect((await levels(skuId))[0]).toMatchObject({ on_hand: 2, reserved: 0 });
    // releasing it afterwards is a no-op that reports the expiry
    expect(
      (
        await call<catalogV1.ReleaseReservationResponse>('releaseReservation', {
          reservationId: id,
        })
      ).reservation!.status,
    ).toBe('EXPIRED');
  });

  it('expires on its own, making the units available again', async () => {
    const skuId = await sku(2);
    const id = uuid();
    await reserve(skuId, 2, id, 1);
    expect((await levels(skuId))[0].reserved).toBe(2);
    await eventually(async () => ((await levels(skuId))[0].reserved === 0 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the reservation to expire',
    });
    expect(
      (await call<catalogV1.GetReservationResponse>('getReservation', { reservationId: id }))
        .reservation!.status,
    ).toBe('EXPIRED');
    expect(await failure(call('commitReservation', { reservationId: id }))).toMatchObject({
      code: 'RESERVATION_NOT_ACTIVE',
    });
  });

  it('refuses bad requests clearly, holding nothing', async () => {
    const skuId = await sku(1);
    for (const [req, code] of [
      [{ reservationId: 'x', lines: [{ skuId, quantity: 1 }] }, 'RESERVATION_ID_INVALID'],
      [{ reservationId: uuid(), lines: [] }, 'RESERVATION_LINES_INVALID'],
      [{ reservationId: uuid(), lines: [{ skuId, quantity: 0 }] }, 'QUANTITY_INVALID'],
      [
        { reservationId: uuid(), lines: [{ skuId, quantity: 1 }], ttlSeconds: 700000 },
        'RESERVATION_TTL_INVALID',
      ],
    ] as const)
      expect(await failure(call('reserveStock', req))).toMatchObject({
        status: status.INVALID_ARGUMENT,
        code,
      });
    expect(
      await failure(
        call('reserveStock', { reservationId: uuid(), lines: [{ skuId: uuid(), quantity: 1 }] }),
      ),
    ).toMatchObject({ status: status.NOT_FOUND, code: 'SKU_NOT_FOUND' });
    expect(
      await failure(
        call('reserveStock', {
          reservationId: uuid(),
          lines: Array.from({ length: 101 }, () => ({ skuId, quantity: 1 })),
        }),
      ),
    ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'RESERVATION_LINES_INVALID' });
    for (const method of ['commitReservation', 'releaseReservation', 'getReservation'])
      expect(await failure(call(method, { reservationId: uuid() }))).toMatchObject({
        status: status.NOT_FOUND,
        code: 'RESERVATION_NOT_FOUND',
      });
    expect((await levels(skuId))[0].reserved).toBe(0);
    expect(
      await catalog.pg.query(`SELECT 1 FROM stock_reservation_lines WHERE sku_id = $1`, [skuId]),
    ).toMatchObject({ rowCount: 0 });
  });

  // last: it drops and re-adds the column over everything the tests above sold
  it('the migration counts reservations committed before it exactly as commits count them', async () => {
    const counted = async () =>
      (await catalog.pg.query(`SELECT id, units_sold::int AS n FROM skus ORDER BY id`)).rows as {
        id: string;
        n: number;
      }[];
    const live = await counted();
    expect(live.filter((r) => r.n > 0).length).toBeGreaterThan(2);
    await rerunMigration(new UnitsSold1764000000180(), catalog.pg);
    expect(await counted()).toEqual(live);
  });
});
