import { createHmac } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import { v4 as uuid } from 'uuid';
import { catalogV1, orderV1, PROTO_FILES } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import {
  aCatalogSku,
  aCheckout,
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  runServiceCommand,
  startServiceProcess,
  testEnv,
  testLogger,
  uniqueSuffix,
  type ServiceProcess,
  grpcFailure,
} from '@emporia/testing';
import { orderConfigSchema } from '../src/config';
import { startOrder } from '../src/order.app';

jest.setTimeout(180_000);

const SECRET = 'order-returns-sandbox-secret-0123456789';
const CARRIER_SECRET = 'order-returns-carrier-secret-0123456789';

/**
 * Issue 24 on real servers (a catalog process, Postgres, Kafka): refund-only approvals,
 * mismatched receipts and their review, and the order events risk keeps its return-abuse
 * signals from — `ReturnSettled` once per return, in the outbox with the change that settled it,
 * and delivered line counts on `ShipmentTracked`.
 */
describe('order: returns, refund-only and mismatched receipts (real catalog, Postgres, Kafka)', () => {
  const suffix = uniqueSuffix();
  const dbs: { url: string; drop: () => Promise<void> }[] = [];
  let catalog: ServiceProcess;
  let order: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let catalogClient: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  let catalogPg: Client;
  let categoryId: string;

  const call = <T>(method: string, req: unknown, c = client) => c.call<T>(method, req);
  const failure = grpcFailure;
  const address = {
    recipient: '张伟',
    phone: '+8613800138000',
    country: 'CN',
    province: '上海市',
    city: '上海市',
    district: '浦东新区',
    line1: '世纪大道 100 号',
  };
  const sku = (stock: number, priceMinor: number) =>
    aCatalogSku(catalogClient, categoryId)
      .named('R')
      .pricedAt(priceMinor)
      .stocked(stock, ['SH-1'])
      .create();
  const onHand = async (skuId: string) =>
    (
      await catalogPg.query(
        `SELECT COALESCE(sum(on_hand), 0)::int AS n FROM stock_levels WHERE sku_id = $1`,
        [skuId],
      )
    ).rows[0].n as number;
  const signedPayment = (o: orderV1.Order) => {
    const cb = {
      provider: 'sandbox',
      providerTxnId: `txn-${uuid()}`,
      orderId: o.id,
      amountMinor: Number(o.total!.amountMinor),
      currency: o.total!.currency,
      status: 'SUCCEEDED',
      timestamp: Math.floor(Date.now() / 1000),
    };
    const canonical = [
      cb.provider,
      cb.providerTxnId,
      cb.orderId,
      cb.amountMinor,
      cb.currency,
      cb.status,
      cb.timestamp,
    ].join('\n');
    return { ...cb, signature: createHmac('sha256', SECRET).update(canonical).digest('hex') };
  };
  /** A paid order of the given lines, its stock committed (on hand down by what it bought). */
  const paidOrder = async (lines: { skuId: string; quantity: number; stock: number }[]) => {
    const accountId = uuid();
    for (const l of lines)
      await call('setCartLine', { owner: { accountId }, skuId: l.skuId, quantity: l.quantity });
    const o = (
      await call<orderV1.CheckoutResponse>(
        'checkout',
        aCheckout(accountId).withKey(uuid()).to(address).build(),
      )
    ).order!;
    await call('handlePaymentCallback', signedPayment(o));
    for (const l of lines)
      await eventually(async () =>
        (await onHand(l.skuId)) === l.stock - l.quantity ? true : undefined,
      );
    return { o, accountId };
  };
  const ask = (o: orderV1.Order, accountId: string, lines: { skuId: string; quantity: number }[]) =>
    call<orderV1.RequestReturnResponse>('requestReturn', {
      orderId: o.id,
      accountId,
      lines,
      reason: 'not as described',
    }).then((r) => r.return!);
  /** The order's outbox rows of one event type, decoded. */
  const outbox = async <T>(orderId: string, type: { decode(b: Uint8Array): T }, name: string) =>
    (
      await pg.query(
        `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = $2 ORDER BY seq`,
        [orderId, `emporia.order.v1.${name}`],
      )
    ).rows.map((r: { payload: Buffer }) => type.decode(r.payload));
  const settled = (orderId: string) =>
    outbox(orderId, orderV1.ReturnSettled, 'ReturnSettled').then((events) =>
      events.map((e) => ({ ...e, unitCount: Number(e.unitCount) })),
    );
  /** A carrier's signed tracking event for a shipment handed over with `trackingNumber`. */
  const trackAs = async (trackingNumber: string, eventId: string, st: string) => {
    const body = JSON.stringify({
      trackingNumber,
      eventId,
      status: st,
      description: st.toLowerCase(),
      occurredAt: new Date().toISOString(),
    });
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', CARRIER_SECRET).update(`${t}.sf.${body}`).digest('hex');
    await call('recordTrackingEvent', {
      carrier: 'sf',
      payload: Buffer.from(body),
      signatureHeader: `t=${t},v1=${v1}`,
    });
  };
  const refunds = (orderId: string) =>
    outbox(orderId, orderV1.OrderRefunded, 'OrderRefunded').then((events) =>
      events.map((e) => [Number(e.amountRefunded!.amountMinor), e.full]),
    );

  beforeAll(async () => {
    const catalogDb = await createTestDatabase('order_ret_catalog');
    const orderDb = await createTestDatabase('order_ret_order');
    dbs.push(catalogDb, orderDb);
    const kafka = {
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `ret${suffix}.`,
      BIND_HOST: '127.0.0.1',
    };
    const [catalogGrpc, catalogHttp] = [await freePort(), await freePort()];
    const catalogEnv = {
      ...kafka,
      CATALOG_DATABASE_URL: catalogDb.url,
      CATALOG_CONSUMER_GROUP: `catalog-ret${suffix}`,
    };
    await runServiceCommand('catalog', catalogEnv, ['migrate']);
    catalog = await startServiceProcess(
      'catalog',
      {
        ...catalogEnv,
        CATALOG_GRPC_PORT: String(catalogGrpc),
        CATALOG_HTTP_PORT: String(catalogHttp),
      },
      `http://127.0.0.1:${catalogHttp}/readyz`,
    );
    const catalogUrl = `127.0.0.1:${catalogGrpc}`;
    order = await startOrder(
      orderConfigSchema.parse({
        ...kafka,
        ORDER_DATABASE_URL: orderDb.url,
        ORDER_HTTP_PORT: '0',
        ORDER_GRPC_PORT: String(await freePort()),
        ORDER_MIGRATE_ON_START: 'true',
        ORDER_CONSUMER_GROUP: `order-ret-${suffix}`,
        CATALOG_GRPC_URL: catalogUrl,
        PAYMENT_SANDBOX_ENABLED: 'true',
        PAYMENT_SANDBOX_SECRET: SECRET,
        CARRIER_WEBHOOK_SECRET: CARRIER_SECRET,
        ORDER_SWEEP_INTERVAL_MS: '200',
      }),
      testLogger('order-returns'),
    );
    client = grpcTestClient(PROTO_FILES.order, 'emporia.order.v1.OrderService', order.grpcUrl!);
    catalogClient = grpcTestClient(
      PROTO_FILES.catalog,
      'emporia.catalog.v1.CatalogService',
      catalogUrl,
    );
    pg = new Client({ connectionString: orderDb.url });
    await pg.connect();
    catalogPg = new Client({ connectionString: catalogDb.url });
    await catalogPg.connect();
    categoryId = (
      await call<catalogV1.CreateCategoryResponse>(
        'createCategory',
        { name: 'Returns', slug: `returns-${suffix}` },
        catalogClient,
      )
    ).category!.id;
  });

  afterAll(async () => {
    for (const c of [client, catalogClient]) c?.close();
    await pg?.end();
    await catalogPg?.end();
    await order?.close();
    await catalog?.stop();
    for (const d of dbs) await d.drop();
  });

  it('a refund-only approval refunds the units’ exact shares at once, restocks nothing and settles REFUND_ONLY once', async () => {
    const skuId = await sku(5, 3333);
    const { o, accountId } = await paidOrder([{ skuId, quantity: 3, stock: 5 }]);
    const r = await ask(o, accountId, [{ skuId, quantity: 2 }]);
    expect(
      await failure(call('reviewReturn', { returnId: r.id, approve: false, refundOnly: true })),
    ).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'RETURN_REFUND_ONLY_NEEDS_APPROVE',
      details: { field: 'refund_only' },
    });
    expect(
      await failure(call('reviewReturn', { returnId: r.id, approve: true, note: 'x'.repeat(501) })),
    ).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'RETURN_NOTE_TOO_LONG',
      details: { field: 'note' },
    });

    const done = (
      await call<orderV1.ReviewReturnResponse>('reviewReturn', {
        returnId: r.id,
        approve: true,
        refundOnly: true,
        note: '仅退款: lost by the carrier',
      })
    ).return!;
    expect(done).toMatchObject({
      status: 'REFUNDED',
      kind: 'REFUND_ONLY',
      restocked: false,
      itemsMismatch: false,
      refund: { amountMinor: 6666, currency: 'CNY' },
      note: '仅退款: lost by the carrier',
    });
    expect(await onHand(skuId)).toBe(2);
    expect(await refunds(o.id)).toEqual([[6666, false]]);
    expect(await settled(o.id)).toEqual([
      {
        returnId: r.id,
        orderId: o.id,
        accountId,
        kind: 'REFUND_ONLY',
        lineCount: 1,
        unitCount: 2,
        itemsMismatch: false,
        settledAt: expect.any(String),
      },
    ]);
    // a second approval is refused and changes nothing
    expect(
      await failure(call('reviewReturn', { returnId: r.id, approve: true, refundOnly: true })),
    ).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'RETURN_REFUND_ONLY_NOT_REQUESTED',
    });
    expect(await settled(o.id)).toHaveLength(1);
    expect(
      (await pg.query(`SELECT kind, restocked FROM returns WHERE id = $1`, [r.id])).rows[0],
    ).toEqual({ kind: 'REFUND_ONLY', restocked: false });
  });

  it('a mismatched receipt is DISPUTED (nothing restocked or refunded, settled once); approved, it is restocked and refunded without a second ReturnSettled', async () => {
    const skuId = await sku(5, 2500);
    const { o, accountId } = await paidOrder([{ skuId, quantity: 2, stock: 5 }]);
    const r = await ask(o, accountId, [{ skuId, quantity: 1 }]);
    await call('reviewReturn', { returnId: r.id, approve: true });
    expect(
      await failure(
        call('receiveReturn', { returnId: r.id, itemsMismatch: true, note: '货'.repeat(501) }),
      ),
    ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'RETURN_NOTE_TOO_LONG' });
    const disputed = (
      await call<orderV1.ReceiveReturnResponse>('receiveReturn', {
        returnId: r.id,
        itemsMismatch: true,
        note: '货'.repeat(500),
      })
    ).return!;
    expect(disputed).toMatchObject({
      status: 'DISPUTED',
      itemsMismatch: true,
      restocked: false,
      note: '货'.repeat(500),
    });
    expect(disputed.refund).toBeFalsy();
    const once = [
      {
        returnId: r.id,
        orderId: o.id,
        accountId,
        kind: 'REFUND',
        lineCount: 1,
        unitCount: 1,
        itemsMismatch: true,
        settledAt: expect.any(String),
      },
    ];
    expect(await settled(o.id)).toEqual(once);
    // it waits for an operator: sweeps pass it by, a second receipt is refused
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const listed = await call<orderV1.ListReturnsResponse>('listReturns', { orderId: o.id });
    expect(listed.returns.find((x) => x.id === r.id)).toMatchObject({
      status: 'DISPUTED',
      itemsMismatch: true,
    });
    expect(await failure(call('receiveReturn', { returnId: r.id }))).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'RETURN_TRANSITION_INVALID',
    });
    expect(await onHand(skuId)).toBe(3);
    expect(await refunds(o.id)).toEqual([]);

    const approved = (
      await call<orderV1.ReviewReturnResponse>('reviewReturn', { returnId: r.id, approve: true })
    ).return!;
    expect(approved).toMatchObject({
      status: 'REFUNDED',
      restocked: true,
      itemsMismatch: true,
      refund: { amountMinor: 2500 },
      note: '货'.repeat(500),
    });
    expect(await onHand(skuId)).toBe(4);
    expect(await refunds(o.id)).toEqual([[2500, false]]);
    expect(await settled(o.id)).toEqual(once);
  });

  it('a rejected dispute refunds and restocks nothing', async () => {
    const skuId = await sku(3, 1000);
    const { o, accountId } = await paidOrder([{ skuId, quantity: 1, stock: 3 }]);
    const r = await ask(o, accountId, [{ skuId, quantity: 1 }]);
    await call('reviewReturn', { returnId: r.id, approve: true });
    await call('receiveReturn', { returnId: r.id, itemsMismatch: true, note: 'empty box' });
    const rejected = (
      await call<orderV1.ReviewReturnResponse>('reviewReturn', {
        returnId: r.id,
        approve: false,
      })
    ).return!;
    expect(rejected).toMatchObject({ status: 'REJECTED', restocked: false, note: 'empty box' });
    expect(await onHand(skuId)).toBe(2);
    expect(await refunds(o.id)).toEqual([]);
    expect((await settled(o.id)).map((e) => e.itemsMismatch)).toEqual([true]);
  });

  it('a DELIVERED tracking event carries the shipment’s line count; a normal receipt settles REFUND once', async () => {
    const [a, b] = [await sku(5, 1200), await sku(5, 800)];
    const { o, accountId } = await paidOrder([
      { skuId: a, quantity: 2, stock: 5 },
      { skuId: b, quantity: 1, stock: 5 },
    ]);
    const shipments = await eventually(async () => {
      const r = await call<orderV1.ListShipmentsResponse>('listShipments', { orderId: o.id });
      return r.shipments.length ? r.shipments : undefined;
    });
    expect(shipments).toHaveLength(1);
    const trackingNumber = `SF${suffix}`.replace(/[^A-Za-z0-9-]/g, '');
    await call('shipShipment', { shipmentId: shipments[0].id, carrier: 'sf', trackingNumber });
    const track = async (eventId: string, st: string) => {
      const body = JSON.stringify({
        trackingNumber,
        eventId,
        status: st,
        description: st.toLowerCase(),
        occurredAt: new Date().toISOString(),
      });
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac('sha256', CARRIER_SECRET).update(`${t}.sf.${body}`).digest('hex');
      await call('recordTrackingEvent', {
        carrier: 'sf',
        payload: Buffer.from(body),
        signatureHeader: `t=${t},v1=${v1}`,
      });
    };
    await track('t1', 'IN_TRANSIT');
    await track('t2', 'DELIVERED');
    expect(
      (await call<orderV1.GetOrderResponse>('getOrder', { orderId: o.id })).order!.status,
    ).toBe('DELIVERED');
    const tracked = await outbox(o.id, orderV1.ShipmentTracked, 'ShipmentTracked');
    expect(tracked).toEqual([
      expect.objectContaining({
        shipmentId: shipments[0].id,
        status: 'DELIVERED',
        lineCount: 2,
        replacement: false,
      }),
    ]);

    const r = await ask(o, accountId, [
      { skuId: a, quantity: 2 },
      { skuId: b, quantity: 1 },
    ]);
    await call('reviewReturn', { returnId: r.id, approve: true });
    const done = (
      await call<orderV1.ReceiveReturnResponse>('receiveReturn', {
        returnId: r.id,
        note: 'all there',
      })
    ).return!;
    expect(done).toMatchObject({
      status: 'REFUNDED',
      restocked: true,
      itemsMismatch: false,
      refund: { amountMinor: 3200 },
      note: 'all there',
    });
    expect(await settled(o.id)).toEqual([
      expect.objectContaining({
        returnId: r.id,
        kind: 'REFUND',
        lineCount: 2,
        unitCount: 3,
        itemsMismatch: false,
      }),
    ]);
    expect(await refunds(o.id)).toEqual([[3200, true]]);
    // every event of the order, in commit order: the settlement before the refund it led to
    const types = (
      await pg.query(`SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY seq`, [o.id])
    ).rows.map((x: { event_type: string }) => x.event_type.replace('emporia.order.v1.', ''));
    expect(types.slice(-2)).toEqual(['ReturnSettled', 'OrderRefunded']);
    // the relay published them
    await eventually(async () =>
      (
        await pg.query(
          `SELECT count(*)::int AS n FROM outbox WHERE message_key = $1 AND published_at IS NULL`,
          [o.id],
        )
      ).rows[0].n === 0
        ? true
        : undefined,
    );
  });

  it('an exchange of a delivered order ships a replacement that never moves the order, tracked as a replacement; settled EXCHANGE once', async () => {
    const a = await sku(5, 1500);
    const { o, accountId } = await paidOrder([{ skuId: a, quantity: 1, stock: 5 }]);
    const [first] = await eventually(async () => {
      const r = await call<orderV1.ListShipmentsResponse>('listShipments', { orderId: o.id });
      return r.shipments.length ? r.shipments : undefined;
    });
    const tracking = `SFX${suffix}`.replace(/[^A-Za-z0-9-]/g, '');
    await call('shipShipment', { shipmentId: first.id, carrier: 'sf', trackingNumber: tracking });
    await trackAs(tracking, 'x1', 'DELIVERED');
    const r = (
      await call<orderV1.RequestReturnResponse>('requestReturn', {
        orderId: o.id,
        accountId,
        lines: [{ skuId: a, quantity: 1 }],
        reason: 'wrong size',
        exchange: true,
      })
    ).return!;
    await call('reviewReturn', { returnId: r.id, approve: true });
    const exchanged = (
      await call<orderV1.ReceiveReturnResponse>('receiveReturn', { returnId: r.id })
    ).return!;
    expect(exchanged).toMatchObject({ status: 'EXCHANGED', kind: 'EXCHANGE' });
    const replacement = (
      await call<orderV1.ListShipmentsResponse>('listShipments', { orderId: o.id })
    ).shipments.find((s) => s.returnId === r.id)!;
    expect(replacement).toMatchObject({ status: 'PENDING' });
    // the replacement leaves and arrives; the order stays DELIVERED throughout
    const again = `SFY${suffix}`.replace(/[^A-Za-z0-9-]/g, '');
    await call('shipShipment', {
      shipmentId: replacement.id,
      carrier: 'sf',
      trackingNumber: again,
    });
    const status = async () =>
      (await call<orderV1.GetOrderResponse>('getOrder', { orderId: o.id })).order!.status;
    expect(await status()).toBe('DELIVERED');
    await trackAs(again, 'y1', 'DELIVERED');
    expect(await status()).toBe('DELIVERED');
    const tracked = await outbox(o.id, orderV1.ShipmentTracked, 'ShipmentTracked');
    expect(tracked.map((t) => [t.shipmentId, t.status, t.replacement])).toEqual([
      [first.id, 'DELIVERED', false],
      [replacement.id, 'DELIVERED', true],
    ]);
    expect(await settled(o.id)).toEqual([
      expect.objectContaining({ returnId: r.id, kind: 'EXCHANGE', lineCount: 1, unitCount: 1 }),
    ]);
    expect(await refunds(o.id)).toEqual([]);
  });
});
