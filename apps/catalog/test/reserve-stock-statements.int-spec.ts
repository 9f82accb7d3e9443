import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { v4 as uuid } from 'uuid';
import { catalogV1 } from '@emporia/contracts';
import { newContext } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  oneConnectionDataSource,
  withRoundTrips,
} from '@emporia/testing';
import { AdjustStockUseCase } from '../src/application/adjust-stock.use-case';
import { CreateCategoryUseCase } from '../src/application/create-category.use-case';
import { CreateProductUseCase } from '../src/application/create-product.use-case';
import { ReservationsUseCase } from '../src/application/reservations.use-case';
import { StockThresholdUseCase } from '../src/application/stock-threshold.use-case';
import type { CatalogError } from '../src/domain/catalog-error';
import type { Reservation } from '../src/domain/reservation';
import { CATALOG_MIGRATIONS } from '../src/infrastructure/migrations';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from '../src/infrastructure/typeorm-unit-of-work';
import { aLine, aProductInput, aSkuInput } from '../src/testing';

jest.setTimeout(120_000);

/**
 * ReserveStock's round trips to Postgres (issue 19), through the services' own client (named
 * statements, `BEGIN` sent with the first statement, held writes sent with the next statement or
 * the COMMIT) on one warmed connection: each call of pg's own `Client.query` is one round trip.
 * The stock rows stay locked from the claim's statement to the COMMIT, so every round trip here
 * is also lock hold time for the next checkout of the same SKU.
 */
describe('catalog: ReserveStock round trips (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  /** A connection of its own, beside the unit of work's one pooled connection. */
  let pg: Client;
  let uow: TypeormUnitOfWork;
  let reservations: ReservationsUseCase;
  let adjustStock: AdjustStockUseCase;
  let thresholds: StockThresholdUseCase;
  let categoryId: string;
  const ctx = newContext();

  /** The work's outcome (its error when it fails), and the round trips it made. */
  const counted = <T>(work: () => Promise<T>): Promise<[T | CatalogError, number]> =>
    withRoundTrips(() => work().catch((e: CatalogError) => e));
  const reserve = (lines: ReturnType<typeof aLine>[], id = uuid()) =>
    reservations.reserve(ctx, { id, lines, ttlSeconds: 600 });
  /** A product of `skus` SKUs with `stock` units of each in each warehouse given. */
  const stocked = async (stock: Record<string, number>, skus = 1) => {
    const n = uuid().slice(0, 8);
    const view = await new CreateProductUseCase(
      uow,
      systemClock,
      uuidV7Generator,
      new Set(['CNY']),
    ).execute(
      ctx,
      aProductInput(categoryId, {
        skus: Array.from({ length: skus }, (_, i) => aSkuInput(`RT-${n}-${i}`)),
      }),
    );
    const ids = view.product.skus.map((s) => s.id);
    for (const skuId of ids)
      for (const [warehouseCode, delta] of Object.entries(stock))
        await adjustStock.execute(ctx, skuId, { warehouseCode, delta, reason: 'receipt' });
    return ids;
  };
  const levels = async (skuId: string) =>
    (
      await pg.query(
        `SELECT warehouse_code, on_hand::int, reserved::int FROM stock_levels WHERE sku_id = $1 ORDER BY warehouse_code`,
        [skuId],
      )
    ).rows;
  const lines = async (reservationId: string) =>
    (
      await pg.query(
        `SELECT sku_id, warehouse_code, quantity::int FROM stock_reservation_lines WHERE reservation_id = $1 ORDER BY sku_id, warehouse_code`,
        [reservationId],
      )
    ).rows;
  const crossings = async (skuId: string) =>
    (
      await pg.query<{ event_type: string; payload: Buffer }>(
        `SELECT event_type, payload FROM outbox WHERE message_key = $1 AND topic = 'rt.catalog.stock' ORDER BY seq`,
        [skuId],
      )
    ).rows.map((r) =>
      r.event_type === 'emporia.catalog.v1.StockLow'
        ? `StockLow:${catalogV1.StockLow.decode(r.payload).available}`
        : `StockRecovered:${catalogV1.StockRecovered.decode(r.payload).available}`,
    );

  beforeAll(async () => {
    db = await createTestDatabase('catalog_reserve_trips');
    // one connection: every transaction below runs on it, so its statements are prepared once
    ds = await oneConnectionDataSource(db.url, CATALOG_MIGRATIONS);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    uow = new TypeormUnitOfWork(ds, {
      product: 'rt.catalog.product',
      category: 'rt.catalog.category',
      stock: 'rt.catalog.stock',
    });
    reservations = new ReservationsUseCase(uow, systemClock);
    adjustStock = new AdjustStockUseCase(uow, systemClock);
    thresholds = new StockThresholdUseCase(uow, systemClock);
    categoryId = (
      await new CreateCategoryUseCase(uow, systemClock, uuidV7Generator).execute(ctx, {
        name: 'Round trips',
        slug: 'round-trips',
      })
    ).id;
    // warm-up: each statement of the paths below named and parsed on the connection (a text is
    // named at its second use, and carries held writes once the connection has parsed it)
    const [warm] = await stocked({ 'WU-1': 100 });
    await thresholds.set(ctx, warm, { warehouseCode: 'WU-1', threshold: 10 });
    for (let i = 0; i < 3; i++) {
      const low = await reserve([aLine(warm, 95)]); // 5 available: low
      await reservations.release(ctx, low.id, 'warm-up'); // 100: recovered
      const id = uuid();
      await reserve([aLine(warm, 1)], id);
      await reserve([aLine(warm, 1)], id);
      await reservations.release(ctx, id, 'warm-up');
      await reserve([aLine(warm, 1000)]).catch(() => undefined);
    }
    expect(await crossings(warm)).toEqual(
      Array(3).fill(['StockLow:5', 'StockRecovered:100']).flat(),
    );
  });

  afterAll(async () => {
    await pg?.end();
    await ds?.destroy();
    await db?.drop();
  });

  it('holds one line in 3 round trips: claim with the stock locked; thresholds after the held writes; COMMIT', async () => {
    const [skuId] = await stocked({ 'SH-1': 10 });
    const id = uuid();
    const [r, trips] = await counted(() => reserve([aLine(skuId, 2)], id));
    expect(trips).toBe(3);
    expect(r).toMatchObject({ id, status: 'ACTIVE', lines: [aLine(skuId, 2, 'SH-1')] });
    expect(await levels(skuId)).toEqual([{ warehouse_code: 'SH-1', on_hand: 10, reserved: 2 }]);
    expect(await lines(id)).toEqual([{ sku_id: skuId, warehouse_code: 'SH-1', quantity: 2 }]);
  });

  it('holds many lines over several warehouses in the same 3 round trips', async () => {
    const [a, b, c] = await stocked({ 'BJ-1': 3, 'SH-1': 4 }, 3);
    const id = uuid();
    const [r, trips] = await counted(() =>
      reserve([aLine(a, 6), aLine(b, 1, 'BJ-1'), aLine(c, 2)], id),
    );
    expect(trips).toBe(3);
    expect((r as Reservation).lines).toHaveLength(4);
    expect(await lines(id)).toEqual(
      [
        { sku_id: a, warehouse_code: 'BJ-1', quantity: 2 },
        { sku_id: a, warehouse_code: 'SH-1', quantity: 4 },
        { sku_id: b, warehouse_code: 'BJ-1', quantity: 1 },
        { sku_id: c, warehouse_code: 'SH-1', quantity: 2 },
      ].sort((x, y) => (x.sku_id + x.warehouse_code).localeCompare(y.sku_id + y.warehouse_code)),
    );
    expect((await levels(a)).map((l) => l.reserved)).toEqual([2, 4]);
  });

  it('an "any" line and a line naming a warehouse, both served there: one line held, replayed alike', async () => {
    const [skuId] = await stocked({ 'SH-1': 10 });
    const id = uuid();
    const r = await reserve([aLine(skuId, 2), aLine(skuId, 3, 'SH-1')], id);
    expect(r).toMatchObject({ id, status: 'ACTIVE', lines: [aLine(skuId, 5, 'SH-1')] });
    expect(await lines(id)).toEqual([{ sku_id: skuId, warehouse_code: 'SH-1', quantity: 5 }]);
    expect(await levels(skuId)).toEqual([{ warehouse_code: 'SH-1', on_hand: 10, reserved: 5 }]);
    // the same request again: the reservation held, nothing more
    expect(await reserve([aLine(skuId, 2), aLine(skuId, 3, 'SH-1')], id)).toMatchObject({ id });
    expect(await levels(skuId)).toEqual([{ warehouse_code: 'SH-1', on_hand: 10, reserved: 5 }]);
  });

  it('a reservation crossing a threshold: the threshold row and StockLow go with the COMMIT, still 3 round trips', async () => {
    const [skuId] = await stocked({ 'SH-1': 10 });
    await thresholds.set(ctx, skuId, { warehouseCode: 'SH-1', threshold: 4 });
    const [, trips] = await counted(() => reserve([aLine(skuId, 6)]));
    expect(trips).toBe(3);
    expect(await crossings(skuId)).toEqual(['StockLow:4']);
    const [t] = await thresholds.list(ctx, skuId);
    expect(t).toMatchObject({ threshold: 4, low: true });
  });

  it('refuses a shortfall with STOCK_INSUFFICIENT in 2 round trips, holding nothing', async () => {
    const [skuId] = await stocked({ 'SH-1': 3 });
    const id = uuid();
    const [err, trips] = await counted(() => reserve([aLine(skuId, 5)], id));
    expect(trips).toBe(2); // the claim with the locked read; ROLLBACK
    expect(err).toMatchObject({
      code: 'STOCK_INSUFFICIENT',
      message: `SKU ${skuId} has 3 available; 5 requested`,
      details: { skuId, requested: 5, available: 3 },
    });
    expect(await levels(skuId)).toEqual([{ warehouse_code: 'SH-1', on_hand: 3, reserved: 0 }]);
    expect((await pg.query(`SELECT 1 FROM stock_reservations WHERE id = $1`, [id])).rowCount).toBe(
      0,
    );
  });

  it('a replay answers the reservation held, in 3 round trips, without locking the stock rows', async () => {
    const [skuId] = await stocked({ 'SH-1': 5 });
    const id = uuid();
    const first = await reserve([aLine(skuId, 2)], id);
    // another transaction holds the stock row: a replay that locked it would wait for it
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM stock_levels WHERE sku_id = $1 FOR UPDATE`, [skuId]);
      const [again, trips] = await counted(() => reserve([aLine(skuId, 2)], id));
      expect(trips).toBe(3); // the claim (refused, nothing locked); the reservation; COMMIT
      expect(again).toMatchObject(first); // its lines read back with their product
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect(await levels(skuId)).toEqual([{ warehouse_code: 'SH-1', on_hand: 5, reserved: 2 }]);
  });

  it('reads thresholds after the stock locks: one set while the reservation waits for them is evaluated', async () => {
    const [skuId] = await stocked({ 'SH-1': 10 });
    // as SetStockThreshold does: the stock row locked, then the threshold written (not low yet)
    const setter = new Client({ connectionString: db.url });
    await setter.connect();
    try {
      await setter.query('BEGIN');
      await setter.query(`SELECT 1 FROM stock_levels WHERE sku_id = $1 FOR UPDATE`, [skuId]);
      await setter.query(
        `INSERT INTO stock_thresholds (sku_id, warehouse_code, threshold, low, low_since, updated_at)
         VALUES ($1, 'SH-1', 5, false, NULL, now())`,
        [skuId],
      );
      const reserving = reserve([aLine(skuId, 6)]);
      await eventually(
        async () =>
          (
            await pg.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          ).rowCount === 1 || undefined,
        { timeoutMs: 10_000, what: 'the reservation to wait for the stock row' },
      );
      await setter.query('COMMIT');
      await reserving;
    } finally {
      await setter.end();
    }
    expect(await crossings(skuId)).toEqual(['StockLow:4']);
  });
});
