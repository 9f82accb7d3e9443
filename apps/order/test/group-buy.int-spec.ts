import { createHmac, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { v4 as uuid } from 'uuid';
import { catalogV1, marketingV1, orderV1, PROTO_FILES } from '@emporia/contracts';
import { createKafka, HEADER } from '@emporia/messaging';
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
  type ServiceProcess,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { PAYMENT_PROVIDERS, type PaymentProvider } from '../src/application/ports';
import { orderConfigSchema } from '../src/config';
import { startOrder } from '../src/order.app';
import { flashToken, startFakeMarketing } from './fake-marketing';

jest.setTimeout(180_000);

const SECRET = 'order-gb-test-sandbox-secret-0123456789';
/** The fake marketing's groups close this long after they open. */
const GROUP_DEADLINE_MS = 3 * 3_600_000;

/**
 * Flash sales and group buying against a real catalog (its own process and database), on real
 * Postgres and Kafka, with a marketing stand-in for PriceCart and group-buy events published to
 * `marketing.group-buy` as marketing publishes them.
 */
describe('order: flash sales and group buying (real catalog, Postgres, Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `gb${suffix}.`;
  const dbs: { url: string; drop: () => Promise<void> }[] = [];
  let catalog: ServiceProcess;
  let promoOrder: RunningService;
  let plainOrder: RunningService;
  let marketing: Awaited<ReturnType<typeof startFakeMarketing>>;
  let catalogClient: ReturnType<typeof grpcTestClient>;
  let client: ReturnType<typeof grpcTestClient>;
  let plainClient: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  let catalogPg: Client;
  let producer: Producer;
  let categoryId: string;
  /** Every refund asked of the payment provider, by either order instance. */
  const refunds: { refundId: string; amountMinor: number }[] = [];

  const call = <T>(method: string, req: unknown, c = client) => c.call<T>(method, req);
  const failure = grpcFailure;
  const address = {
    recipient: '李娜',
    phone: '+8613800138001',
    country: 'CN',
    province: '上海市',
    city: '上海市',
    district: '浦东新区',
    line1: '世纪大道 200 号',
  };
  const sku = (stock: number, priceMinor = 12900) =>
    aCatalogSku(catalogClient, categoryId)
      .named('GB', 'Deal')
      .pricedAt(priceMinor)
      .stocked(stock)
      .create();
  const stock = async (skuId: string) =>
    (
      await catalogPg.query(
        `SELECT COALESCE(sum(on_hand), 0)::int AS on_hand, COALESCE(sum(reserved), 0)::int AS reserved FROM stock_levels WHERE sku_id = $1`,
        [skuId],
      )
    ).rows[0] as { on_hand: number; reserved: number };
  /** A new account with `quantity` of the SKU in its cart checks out. */
  const buy = async (
    skuId: string,
    extra: object = {},
    quantity = 1,
    key = uuid(),
    c = client,
  ): Promise<orderV1.Order> => {
    const accountId = uuid();
    await call('setCartLine', { owner: { accountId }, skuId, quantity }, c);
    return (
      await call<orderV1.CheckoutResponse>(
        'checkout',
        aCheckout(accountId).withKey(key).to(address).with(extra).build(),
        c,
      )
    ).order!;
  };
  const join = (skuId: string, groupId = '', key = uuid()) =>
    buy(skuId, { groupDealId: 'deal-1', groupId }, 1, key);
  const pay = async (o: orderV1.Order) => {
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
    const signature = createHmac('sha256', SECRET).update(canonical).digest('hex');
    return (
      await call<orderV1.HandlePaymentCallbackResponse>('handlePaymentCallback', {
        ...cb,
        signature,
      })
    ).outcome;
  };
  const get = async (id: string) =>
    (await call<orderV1.GetOrderResponse>('getOrder', { orderId: id })).order!;
  const shipments = async (id: string) =>
    (await call<orderV1.ListShipmentsResponse>('listShipments', { orderId: id })).shipments;
  const events = async (orderId: string, type: string) =>
    (
      await pg.query(
        `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = $2 ORDER BY seq`,
        [orderId, `emporia.order.v1.${type}`],
      )
    ).rows.map((r: { payload: Buffer }) => r.payload);
  const publish = async (
    type: 'GroupBuySucceeded' | 'GroupBuyFailed',
    groupId: string,
    value: Uint8Array,
    eventId: string = randomUUID(),
  ) => {
    await producer.send({
      topic: `${prefix}marketing.group-buy`,
      acks: -1,
      messages: [
        {
          key: groupId,
          value: Buffer.from(value),
          headers: {
            [HEADER.eventId]: eventId,
            [HEADER.eventType]: `emporia.marketing.v1.${type}`,
            [HEADER.occurredAt]: new Date().toISOString(),
            [HEADER.contentType]: 'application/x-protobuf',
          },
        },
      ],
    });
    return eventId;
  };
  const succeeded = (groupId: string, orderIds: string[], eventId?: string) =>
    publish(
      'GroupBuySucceeded',
      groupId,
      marketingV1.GroupBuySucceeded.encode({
        groupId,
        dealId: 'deal-1',
        orderIds,
        succeededAt: new Date().toISOString(),
      }).finish(),
      eventId,
    );
  const failed = (groupId: string, orderIds: string[], eventId?: string) =>
    publish(
      'GroupBuyFailed',
      groupId,
      marketingV1.GroupBuyFailed.encode({
        groupId,
        dealId: 'deal-1',
        orderIds,
        reason: 'DEADLINE_PASSED',
        failedAt: new Date().toISOString(),
      }).finish(),
      eventId,
    );
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    const catalogDb = await createTestDatabase('order_gb_catalog');
    const orderDb = await createTestDatabase('order_gb_order');
    dbs.push(catalogDb, orderDb);
    const kafkaEnv = {
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      BIND_HOST: '127.0.0.1',
    };
    const [catalogGrpc, catalogHttp] = [await freePort(), await freePort()];
    const catalogEnv = {
      ...kafkaEnv,
      CATALOG_DATABASE_URL: catalogDb.url,
      CATALOG_CONSUMER_GROUP: `catalog-gb-it-${suffix}`,
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
    marketing = await startFakeMarketing({ groupDeadlineMs: GROUP_DEADLINE_MS });
    const orderEnv = {
      ...kafkaEnv,
      ORDER_DATABASE_URL: orderDb.url,
      ORDER_HTTP_PORT: '0',
      ORDER_MIGRATE_ON_START: 'true',
      ORDER_CONSUMER_GROUP: `order-gb-it-${suffix}`,
      CATALOG_GRPC_URL: `127.0.0.1:${catalogGrpc}`,
      PAYMENT_SANDBOX_ENABLED: 'true',
      PAYMENT_SANDBOX_SECRET: SECRET,
      ORDER_SWEEP_INTERVAL_MS: '200',
    };
    // two replicas on one database and consumer group: one prices through marketing, the
    // other has no marketing configured (list prices)
    promoOrder = await startOrder(
      orderConfigSchema.parse({
        ...orderEnv,
        ORDER_GRPC_PORT: String(await freePort()),
        MARKETING_GRPC_URL: marketing.url,
      }),
      testLogger('order-gb'),
    );
    plainOrder = await startOrder(
      orderConfigSchema.parse({ ...orderEnv, ORDER_GRPC_PORT: String(await freePort()) }),
      testLogger('order-gb-plain'),
    );
    for (const service of [promoOrder, plainOrder]) {
      const sandbox = service.app
        .get<Map<string, PaymentProvider>>(PAYMENT_PROVIDERS)
        .get('sandbox')!;
      const refund = sandbox.refund.bind(sandbox);
      jest.spyOn(sandbox, 'refund').mockImplementation(async (input) => {
        refunds.push({ refundId: input.refundId, amountMinor: input.amount.amountMinor });
        return refund(input);
      });
    }
    client = grpcTestClient(
      PROTO_FILES.order,
      'emporia.order.v1.OrderService',
      promoOrder.grpcUrl!,
    );
    plainClient = grpcTestClient(
      PROTO_FILES.order,
      'emporia.order.v1.OrderService',
      plainOrder.grpcUrl!,
    );
    catalogClient = grpcTestClient(
      PROTO_FILES.catalog,
      'emporia.catalog.v1.CatalogService',
      `127.0.0.1:${catalogGrpc}`,
    );
    pg = new Client({ connectionString: orderDb.url });
    await pg.connect();
    catalogPg = new Client({ connectionString: catalogDb.url });
    await catalogPg.connect();
    const kafka = createKafka({
      brokers: testEnv.kafkaBrokers().split(','),
      clientId: 'order-gb-it',
      logger: testLogger('kafka'),
    });
    producer = kafka.producer();
    await producer.connect();
    categoryId = (
      await call<catalogV1.CreateCategoryResponse>(
        'createCategory',
        { name: 'Deals', slug: `deals-${suffix}` },
        catalogClient,
      )
    ).category!.id;
  });

  afterAll(async () => {
    for (const c of [client, plainClient, catalogClient]) c?.close();
    await producer?.disconnect();
    await promoOrder?.close();
    await plainOrder?.close();
    await marketing?.stop();
    await pg?.end();
    await catalogPg?.end();
    await catalog?.stop();
    for (const d of dbs) await d.drop();
  });

  it('a flash token prices its SKU at the sale price; its checkout key is bound to the token', async () => {
    const skuId = await sku(5, 12900);
    const key = uuid();
    const accountId = uuid();
    await call('setCartLine', { owner: { accountId }, skuId, quantity: 2 });
    const checkout = (token: string) =>
      call<orderV1.CheckoutResponse>(
        'checkout',
        aCheckout(accountId).withKey(key).to(address).with({ flashToken: token }).build(),
      );
    const o = (await checkout(flashToken(skuId, 5000))).order!;
    expect(o).toMatchObject({ total: { amountMinor: 10000 }, groupId: '', groupStatus: '' });
    expect(o.lines[0].unitPrice).toMatchObject({ amountMinor: 5000 });
    expect(o.priceExplanation).toEqual([`flash sale: ${skuId}`]);
    // the same key and token: the same order; another token: a different checkout
    expect((await checkout(flashToken(skuId, 5000))).order!.id).toBe(o.id);
    expect(await failure(checkout(flashToken(skuId, 4000)))).toMatchObject({
      status: status.ALREADY_EXISTS,
      code: 'CHECKOUT_KEY_REUSED',
    });
  });

  it('without marketing, flash-sale and group-buy checkouts are refused, never sold at list price', async () => {
    const skuId = await sku(3);
    for (const extra of [{ flashToken: flashToken(skuId, 100) }, { groupDealId: 'deal-1' }]) {
      expect(await failure(buy(skuId, extra, 1, uuid(), plainClient))).toMatchObject({
        status: status.FAILED_PRECONDITION,
        code: 'MARKETING_UNAVAILABLE',
      });
    }
    expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 0 });
    expect(await failure(buy(skuId, { groupId: uuid() }))).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'GROUP_DEAL_REQUIRED',
    });
  });

  it('paid group orders wait uncommitted; a failure delivered twice refunds each once, cancels the unpaid one and frees the stock', async () => {
    const skuId = await sku(10, 8800);
    const first = await join(skuId);
    expect(first).toMatchObject({ status: 'PENDING_PAYMENT', groupStatus: 'PENDING' });
    const groupId = first.groupId;
    expect(marketing.groups.get(groupId)).toBeDefined();
    const second = await join(skuId, groupId);
    const unpaid = await join(skuId, groupId);
    expect(second.groupId).toBe(groupId);
    // an order of another group, named by mistake in this group's event
    const otherSku = await sku(2);
    const other = await join(otherSku);
    expect(other.groupId).not.toBe(groupId);

    // the stock is held until the group closes (plus the margin), not just the payment window
    const deadline = marketing.groups.get(groupId)!.deadline.getTime();
    const reservation = (
      await pg.query(`SELECT reservation_id FROM orders WHERE id = $1`, [first.id])
    ).rows[0] as { reservation_id: string };
    const { expires_at } = (
      await catalogPg.query(`SELECT expires_at FROM stock_reservations WHERE id = $1`, [
        reservation.reservation_id,
      ])
    ).rows[0] as { expires_at: Date };
    expect(expires_at.getTime()).toBeGreaterThanOrEqual(deadline + 4 * 60_000);

    expect(await pay(first)).toBe('PAID');
    expect(await pay(second)).toBe('PAID');
    await pay(other);
    // several sweep rounds later: paid, but neither committed nor shipped while the group is open
    await sleep(1500);
    for (const o of [first, second])
      expect(await get(o.id)).toMatchObject({ status: 'PAID', groupStatus: 'PENDING' });
    expect(await stock(skuId)).toEqual({ on_hand: 10, reserved: 3 });
    expect(await shipments(first.id)).toEqual([]);

    const eventId = await failed(groupId, [first.id, second.id, unpaid.id, other.id]);
    await failed(groupId, [first.id, second.id, unpaid.id, other.id], eventId); // redelivered
    await failed(groupId, [first.id, second.id, unpaid.id]); // published again

    await eventually(async () => {
      const s = await stock(skuId);
      const statuses = await Promise.all([first, second, unpaid].map((o) => get(o.id)));
      return s.reserved === 0 &&
        statuses.every((o) => o.status === 'REFUNDED' || o.status === 'CANCELLED')
        ? true
        : undefined;
    });
    await sleep(1000); // let every delivery and sweep run out
    expect(await stock(skuId)).toEqual({ on_hand: 10, reserved: 0 });
    for (const o of [first, second]) {
      expect(await get(o.id)).toMatchObject({
        status: 'REFUNDED',
        groupStatus: 'FAILED',
        cancelReason: 'GROUP_BUY_FAILED',
      });
      expect(refunds.filter((r) => r.refundId === `group-${o.id}`)).toEqual([
        { refundId: `group-${o.id}`, amountMinor: 8800 },
      ]);
      const refunded = (await events(o.id, 'OrderRefunded')).map((p) =>
        orderV1.OrderRefunded.decode(p),
      );
      expect(refunded).toEqual([
        expect.objectContaining({
          refundId: `group-${o.id}`,
          full: true,
          amountRefunded: { amountMinor: 8800, currency: 'CNY' },
        }),
      ]);
      expect(
        (await pg.query(`SELECT status FROM payments WHERE order_id = $1`, [o.id])).rows,
      ).toEqual([{ status: 'REFUNDED' }]);
    }
    expect(await get(unpaid.id)).toMatchObject({
      status: 'CANCELLED',
      groupStatus: 'FAILED',
      cancelReason: 'GROUP_BUY_FAILED',
    });
    expect(await events(unpaid.id, 'OrderCancelled')).toHaveLength(1);
    expect(await events(unpaid.id, 'OrderRefunded')).toHaveLength(0);
    // the other group's order is not this group's to fail
    expect(await get(other.id)).toMatchObject({ status: 'PAID', groupStatus: 'PENDING' });
    expect(await stock(otherSku)).toEqual({ on_hand: 2, reserved: 1 });
    expect(refunds.filter((r) => r.refundId === `group-${other.id}`)).toEqual([]);
  });

  it('a group succeeding commits and ships its paid orders; an unpaid one follows once paid', async () => {
    const skuId = await sku(6, 5000);
    const paid = await join(skuId);
    const groupId = paid.groupId;
    const later = await join(skuId, groupId);
    expect(await pay(paid)).toBe('PAID');
    await sleep(600);
    expect(await stock(skuId)).toEqual({ on_hand: 6, reserved: 2 });

    const eventId = await succeeded(groupId, [paid.id, later.id]);
    await succeeded(groupId, [paid.id, later.id], eventId); // redelivered
    const planned = await eventually(async () => {
      const s = await shipments(paid.id);
      return s.length ? s : undefined;
    });
    expect(planned.map((s) => s.lines)).toEqual([[{ skuId, quantity: 1 }]]);
    expect(await get(paid.id)).toMatchObject({ status: 'FULFILLING', groupStatus: 'CONFIRMED' });
    expect(await stock(skuId)).toEqual({ on_hand: 5, reserved: 1 });
    expect(await get(later.id)).toMatchObject({
      status: 'PENDING_PAYMENT',
      groupStatus: 'CONFIRMED',
    });

    expect(await pay(later)).toBe('PAID');
    await eventually(async () =>
      (await get(later.id)).status === 'FULFILLING' ? true : undefined,
    );
    expect(await stock(skuId)).toEqual({ on_hand: 4, reserved: 0 });
    expect(
      refunds.filter((r) => [paid.id, later.id].some((id) => r.refundId.includes(id))),
    ).toEqual([]);
  });

  it('a decision about an order still being placed is applied when its checkout finishes', async () => {
    const skuId = await sku(4, 3000);
    const opener = await join(skuId);
    const groupId = opener.groupId;
    // marketing decided while these checkouts were between pricing and placing
    const [confirmedKey, failedKey] = [uuid(), uuid()];
    await succeeded(groupId, [opener.id, confirmedKey]);
    await failed(groupId, [failedKey]);
    await eventually(async () => {
      const r = await pg.query(
        `SELECT count(*)::int AS n FROM group_decisions WHERE order_id IN ($1, $2)`,
        [confirmedKey, failedKey],
      );
      return (r.rows[0] as { n: number }).n === 2 ? true : undefined;
    });
    const confirmed = await join(skuId, groupId, confirmedKey);
    expect(confirmed).toMatchObject({ id: confirmedKey, groupStatus: 'CONFIRMED' });
    expect(await failure(join(skuId, groupId, failedKey))).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'GROUP_BUY_FAILED',
    });
    // the refused checkout held nothing: the opener and the confirmed order hold one each
    expect(await stock(skuId)).toEqual({ on_hand: 4, reserved: 2 });
    expect(await pay(confirmed)).toBe('PAID');
    await eventually(async () =>
      (await get(confirmed.id)).status === 'FULFILLING' ? true : undefined,
    );
  });
});
