import { createHash, createHmac } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import { v4 as uuid } from 'uuid';
import { catalogV1, orderV1, PROTO_FILES } from '@emporia/contracts';
import { fromGrpcError, newContext, type RunningService } from '@emporia/platform';
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
import type { CheckoutStep, SagaFaults } from '../src/application/ports';
import { ReturnsUseCase } from '../src/application/returns.use-case';
import { startFakeMarketing } from './fake-marketing';
import { orderConfigSchema } from '../src/config';
import { startOrder } from '../src/order.app';

jest.setTimeout(180_000);

const SECRET = 'order-test-sandbox-secret-0123456789';
const CARRIER_SECRET = 'order-test-carrier-secret-0123456789';

/**
 * The checkout saga against a real catalog (its own process state and database), on real
 * Postgres and Kafka: no oversell under concurrency, every compensation, payments once.
 */
describe('order: carts, checkout saga and payments (real catalog, Postgres, Kafka)', () => {
  const suffix = uniqueSuffix();
  const dbs: { url: string; drop: () => Promise<void> }[] = [];
  let catalog: ServiceProcess;
  let catalogUrl: string;
  let order: RunningService;
  let heldOrder: RunningService;
  let promoOrder: RunningService;
  let promoClient: ReturnType<typeof grpcTestClient>;
  let marketing: Awaited<ReturnType<typeof startFakeMarketing>>;
  let catalogClient: ReturnType<typeof grpcTestClient>;
  let client: ReturnType<typeof grpcTestClient>;
  let heldClient: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  let catalogPg: Client;
  let categoryId: string;
  const faults: SagaFaults & { step?: CheckoutStep } = {
    after(step) {
      if (step === this.step) throw new Error(`injected failure after ${step}`);
    },
  };

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
  const sku = (stock: number, priceMinor = 12900, warehouses = ['SH-1']) =>
    aCatalogSku(catalogClient, categoryId)
      .named('O')
      .pricedAt(priceMinor)
      .stocked(stock, warehouses)
      .create();
  const stock = async (skuId: string) =>
    (
      await catalogPg.query(
        `SELECT COALESCE(sum(on_hand), 0)::int AS on_hand, COALESCE(sum(reserved), 0)::int AS reserved FROM stock_levels WHERE sku_id = $1`,
        [skuId],
      )
    ).rows[0] as { on_hand: number; reserved: number };
  const fill = (accountId: string, skuId: string, quantity = 1, c = client) =>
    call('setCartLine', { owner: { accountId }, skuId, quantity }, c);
  const checkout = (accountId: string, key = uuid(), c = client, extra: object = {}) =>
    call<orderV1.CheckoutResponse>(
      'checkout',
      aCheckout(accountId).withKey(key).to(address).with(extra).build(),
      c,
    );
  const signed = (
    o: { id: string; total?: { amountMinor: number; currency: string } },
    over: object = {},
  ) => {
    const cb = {
      provider: 'sandbox',
      providerTxnId: `txn-${uuid()}`,
      orderId: o.id,
      amountMinor: Number(o.total!.amountMinor),
      currency: o.total!.currency,
      status: 'SUCCEEDED',
      timestamp: Math.floor(Date.now() / 1000),
      ...over,
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
  const outbox = async (orderId: string) =>
    (
      (
        await pg.query(`SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY seq`, [
          orderId,
        ])
      ).rows as {
        event_type: string;
      }[]
    ).map((r) => r.event_type);

  beforeAll(async () => {
    const catalogDb = await createTestDatabase('order_it_catalog');
    const orderDb = await createTestDatabase('order_it_order');
    dbs.push(catalogDb, orderDb);
    const kafka = {
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `ord${suffix}.`,
      BIND_HOST: '127.0.0.1',
    };
    // the catalog runs as its own process, as in production
    const [catalogGrpc, catalogHttp] = [await freePort(), await freePort()];
    const catalogEnv = {
      ...kafka,
      CATALOG_DATABASE_URL: catalogDb.url,
      CATALOG_CONSUMER_GROUP: `catalog-ord${suffix}`,
      DB_POOL_SIZE: '20',
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
    catalogUrl = `127.0.0.1:${catalogGrpc}`;
    const orderEnv = {
      ...kafka,
      ORDER_DATABASE_URL: orderDb.url,
      ORDER_HTTP_PORT: '0',
      ORDER_MIGRATE_ON_START: 'true',
      // its own consumer group: kafkajs groups must not mix members of different topics
      ORDER_CONSUMER_GROUP: `order-it-${suffix}`,
      CATALOG_GRPC_URL: catalogUrl,
      PAYMENT_SANDBOX_ENABLED: 'true',
      PAYMENT_SANDBOX_SECRET: SECRET,
      CARRIER_WEBHOOK_SECRET: CARRIER_SECRET,
      CARRIER_WEBHOOK_MAX_AGE_SECONDS: '120',
      ORDER_SWEEP_INTERVAL_MS: '200',
      DB_POOL_SIZE: '20',
      // the routing test registers warehouses between checkouts: ask the catalog every time
      CATALOG_WAREHOUSES_CACHE_MS: '0',
    };
    order = await startOrder(
      orderConfigSchema.parse({ ...orderEnv, ORDER_GRPC_PORT: String(await freePort()) }),
      testLogger('order'),
      { faults },
    );
    // a second instance whose risk service is configured but down
    heldOrder = await startOrder(
      orderConfigSchema.parse({
        ...orderEnv,
        ORDER_GRPC_PORT: String(await freePort()),
        RISK_GRPC_URL: `127.0.0.1:${await freePort()}`,
      }),
      testLogger('order-held'),
    );
    // a third instance prices through a marketing service (a stand-in speaking its contract)
    marketing = await startFakeMarketing();
    promoOrder = await startOrder(
      orderConfigSchema.parse({
        ...orderEnv,
        ORDER_GRPC_PORT: String(await freePort()),
        MARKETING_GRPC_URL: marketing.url,
      }),
      testLogger('order-promo'),
      { faults },
    );
    promoClient = grpcTestClient(
      PROTO_FILES.order,
      'emporia.order.v1.OrderService',
      promoOrder.grpcUrl!,
    );
    catalogClient = grpcTestClient(
      PROTO_FILES.catalog,
      'emporia.catalog.v1.CatalogService',
      catalogUrl,
    );
    client = grpcTestClient(PROTO_FILES.order, 'emporia.order.v1.OrderService', order.grpcUrl!);
    heldClient = grpcTestClient(
      PROTO_FILES.order,
      'emporia.order.v1.OrderService',
      heldOrder.grpcUrl!,
    );
    pg = new Client({ connectionString: orderDb.url });
    await pg.connect();
    catalogPg = new Client({ connectionString: catalogDb.url });
    await catalogPg.connect();
    categoryId = (
      await call<catalogV1.CreateCategoryResponse>(
        'createCategory',
        { name: 'Orders', slug: `orders-${suffix}` },
        catalogClient,
      )
    ).category!.id;
  });

  afterAll(async () => {
    for (const c of [client, heldClient, promoClient, catalogClient]) c?.close();
    await promoOrder?.close();
    await marketing?.stop();
    await pg?.end();
    await catalogPg?.end();
    await heldOrder?.close();
    await order?.close();
    await catalog?.stop();
    for (const d of dbs) await d.drop();
  });

  it('keeps carts per account or guest, checks SKUs, and merges at sign-in', async () => {
    const skuId = await sku(5);
    const { guestToken } = await call<orderV1.IssueGuestTokenResponse>('issueGuestToken', {});
    await call('setCartLine', { owner: { guestToken }, skuId, quantity: 2 });
    const accountId = uuid();
    await fill(accountId, skuId, 1);
    expect(await failure(fill(accountId, uuid()))).toMatchObject({
      status: status.NOT_FOUND,
      code: 'SKU_NOT_FOUND',
    });
    for (const chosen of ['short', 'aaaaaaaaaaaaaaaa', `guest-${uuid()}`])
      expect(
        await failure(call('setCartLine', { owner: { guestToken: chosen }, skuId, quantity: 1 })),
      ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'GUEST_TOKEN_UNKNOWN' });
    // the token is kept only as its hash
    expect(
      (await pg.query(`SELECT count(*)::int AS n FROM carts WHERE guest_token = $1`, [guestToken]))
        .rows[0].n,
    ).toBe(0);
    const merged = await call<orderV1.MergeCartsResponse>('mergeCarts', { accountId, guestToken });
    expect(merged.cart!.lines).toEqual([{ skuId, quantity: 3 }]);
    expect(await failure(call('getCart', { owner: { guestToken } }))).toMatchObject({
      code: 'GUEST_TOKEN_UNKNOWN',
    });
    expect(await failure(call('mergeCarts', { accountId, guestToken }))).toMatchObject({
      code: 'GUEST_TOKEN_UNKNOWN',
    });
  });

  it('sweeps guest tokens and carts left unused, and carts of tokens it never issued', async () => {
    const skuId = await sku(5);
    const issue = async () =>
      (await call<orderV1.IssueGuestTokenResponse>('issueGuestToken', {})).guestToken;
    const [idle, unused, fresh, freshEmpty] = [
      await issue(),
      await issue(),
      await issue(),
      await issue(),
    ];
    for (const t of [idle, fresh])
      await call('setCartLine', { owner: { guestToken: t }, skuId, quantity: 1 });
    const hash = (t: string) => createHash('sha256').update(t).digest('hex');
    const legacy = uuid();
    const left = async () =>
      (
        await pg.query(
          `SELECT (SELECT count(*)::int FROM guest_tokens WHERE token_hash = ANY($1)) AS tokens,
                  (SELECT count(*)::int FROM carts WHERE guest_token = ANY($1) OR id = $2) AS carts`,
          [[idle, unused, fresh, freshEmpty].map(hash), legacy],
        )
      ).rows[0] as { tokens: number; carts: number };
    expect(await left()).toEqual({ tokens: 4, carts: 2 });
    // at once (the sweep runs every 200 ms): idle past GUEST_CART_TTL_SECONDS (30 days), never
    // carted and idle past a day, and a cart of a client-chosen token of an earlier release
    const day = 86_400_000;
    const ago = (days: number) => new Date(Date.now() - days * day);
    await pg.query('BEGIN');
    await pg.query(`UPDATE guest_tokens SET last_used_at = $2 WHERE token_hash = $1`, [
      hash(idle),
      ago(31),
    ]);
    await pg.query(`UPDATE carts SET updated_at = $2 WHERE guest_token = $1`, [
      hash(idle),
      ago(31),
    ]);
    await pg.query(`UPDATE guest_tokens SET last_used_at = $2 WHERE token_hash = $1`, [
      hash(unused),
      ago(2),
    ]);
    await pg.query(
      `INSERT INTO carts (id, guest_token, lines, updated_at) VALUES ($1, $2, '[]'::jsonb, $3)`,
      [legacy, 'aaaaaaaaaaaaaaaa', ago(31)],
    );
    await pg.query('COMMIT');
    await eventually(async () => {
      const now = await left();
      return now.tokens === 2 && now.carts === 1 ? true : undefined;
    });
    for (const t of [idle, unused])
      expect(await failure(call('getCart', { owner: { guestToken: t } }))).toMatchObject({
        code: 'GUEST_TOKEN_UNKNOWN',
      });
    expect(
      (await call<orderV1.GetCartResponse>('getCart', { owner: { guestToken: fresh } })).cart!
        .lines,
    ).toEqual([{ skuId, quantity: 1 }]);
    expect(
      (await call<orderV1.GetCartResponse>('getCart', { owner: { guestToken: freshEmpty } })).cart!
        .lines,
    ).toEqual([]);
  });

  it('announces account carts on order.cart and orders with lines and channel, through the relay', async () => {
    const skuId = await sku(5, 4200);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const o = (await checkout(accountId, uuid(), client, { channel: 'app' })).order!;
    expect(
      (await pg.query(`SELECT channel FROM orders WHERE id = $1`, [o.id])).rows[0].channel,
    ).toBe('app');
    // every row published by the relay (it marks a row once Kafka acknowledged it)
    const rows = await eventually(
      async () => {
        const r = await pg.query<{
          topic: string;
          event_type: string;
          payload: Buffer;
          published_at: Date | null;
        }>(
          `SELECT topic, event_type, payload, published_at FROM outbox WHERE message_key = ANY($1) ORDER BY seq`,
          [[accountId, o.id]],
        );
        return r.rows.every((x) => x.published_at) ? r.rows : undefined;
      },
      { what: 'the cart and order events published' },
    );
    expect(rows.map((r) => [r.topic.endsWith('order.cart'), r.event_type])).toEqual([
      [true, 'emporia.order.v1.CartChanged'],
      [false, 'emporia.order.v1.OrderPlaced'],
      [true, 'emporia.order.v1.CartChanged'],
    ]);
    const filled = orderV1.CartChanged.decode(rows[0].payload);
    expect(filled).toMatchObject({
      accountId,
      cause: 'set_line',
      lines: [{ skuId, quantity: 2, unitPrice: { amountMinor: 4200, currency: 'CNY' } }],
      subtotal: { amountMinor: 8400, currency: 'CNY' },
    });
    expect(filled.lines[0].productId).not.toBe('');
    const placedEvent = orderV1.OrderPlaced.decode(rows[1].payload);
    expect(placedEvent).toMatchObject({
      orderId: o.id,
      channel: 'app',
      lines: [
        {
          skuId,
          productId: filled.lines[0].productId,
          quantity: 2,
          unitPrice: { amountMinor: 4200, currency: 'CNY' },
          total: { amountMinor: 8400, currency: 'CNY' },
        },
      ],
    });
    expect(orderV1.CartChanged.decode(rows[2].payload)).toMatchObject({
      accountId,
      cause: 'checkout',
      lines: [],
      subtotal: undefined,
    });
  });

  it('50 concurrent checkouts for 10 units sell exactly 10; paying commits the stock', async () => {
    const skuId = await sku(10);
    const accounts = Array.from({ length: 50 }, () => uuid());
    for (const a of accounts) await fill(a, skuId);
    const results = await Promise.allSettled(accounts.map((a) => checkout(a)));
    const placed = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.order!] : []));
    const refused = results.flatMap((r) =>
      r.status === 'rejected' ? [fromGrpcError(r.reason).code] : [],
    );
    expect(placed).toHaveLength(10);
    expect(refused).toEqual(Array(40).fill('STOCK_INSUFFICIENT'));
    expect(placed.every((o) => o.status === 'PENDING_PAYMENT')).toBe(true);
    expect(await stock(skuId)).toEqual({ on_hand: 10, reserved: 10 });
    expect(
      Number(
        (
          await pg.query(`SELECT count(*) FROM orders WHERE lines @> $1::jsonb`, [
            JSON.stringify([{ skuId }]),
          ])
        ).rows[0].count,
      ),
    ).toBe(10);

    for (const o of placed) {
      const r = await call<orderV1.HandlePaymentCallbackResponse>(
        'handlePaymentCallback',
        signed(o),
      );
      expect(r.outcome).toBe('PAID');
    }
    await eventually(async () => {
      const s = await stock(skuId);
      return s.on_hand === 0 && s.reserved === 0 ? true : undefined;
    });
    expect(await outbox(placed[0].id)).toEqual([
      'emporia.order.v1.OrderPlaced',
      'emporia.order.v1.OrderPaid',
    ]);
  });

  it.each<CheckoutStep>(['PRICED', 'SCORED', 'RESERVED', 'PLACED'])(
    'a failure after %s leaves stock untouched and no order; the same key then succeeds',
    async (step) => {
      const skuId = await sku(3);
      const accountId = uuid();
      await fill(accountId, skuId, 2);
      const key = uuid();
      faults.step = step;
      try {
        expect((await failure(checkout(accountId, key))).status).toBe(status.INTERNAL);
      } finally {
        faults.step = undefined;
      }
      expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 0 });
      expect(
        Number((await pg.query(`SELECT count(*) FROM orders WHERE id = $1`, [key])).rows[0].count),
      ).toBe(0);
      expect(
        (await call<orderV1.GetCartResponse>('getCart', { owner: { accountId } })).cart!.lines,
      ).toEqual([{ skuId, quantity: 2 }]);
      const retried = await checkout(accountId, key);
      expect(retried.order!.id).toBe(key);
      expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 2 });
    },
  );

  it('a checkout key places one order; reused for another request it is refused', async () => {
    const skuId = await sku(5);
    const accountId = uuid();
    await fill(accountId, skuId, 1);
    const key = uuid();
    const [a, b] = await Promise.allSettled([checkout(accountId, key), checkout(accountId, key)]);
    const ids = [a, b].flatMap((r) => (r.status === 'fulfilled' ? [r.value.order!.id] : []));
    const errors = [a, b].flatMap((r) =>
      r.status === 'rejected' ? [fromGrpcError(r.reason).code] : [],
    );
    // one wins; a concurrent twin either sees the same order or that it is still running
    expect(ids.length + errors.length).toBe(2);
    expect(errors.every((e) => e === 'CHECKOUT_IN_PROGRESS')).toBe(true);
    expect((await checkout(accountId, key)).order!.id).toBe(key);
    expect(await stock(skuId)).toEqual({ on_hand: 5, reserved: 1 });
    expect(
      await failure(checkout(accountId, key, client, { couponCodes: ['OTHER'] })),
    ).toMatchObject({ status: status.ALREADY_EXISTS, code: 'CHECKOUT_KEY_REUSED' });
  });

  it('callbacks: bad signatures refused, duplicates pay once, wrong amounts never pay, late money refunded', async () => {
    const skuId = await sku(4, 5000);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const o = (await checkout(accountId)).order!;
    expect(Number(o.total!.amountMinor)).toBe(10000);

    const forged = { ...signed(o), signature: 'ab'.repeat(32) };
    expect(await failure(call('handlePaymentCallback', forged))).toMatchObject({
      status: status.UNAUTHENTICATED,
      code: 'PAYMENT_SIGNATURE_INVALID',
    });
    const stale = signed(o, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(await failure(call('handlePaymentCallback', stale))).toMatchObject({
      code: 'PAYMENT_CALLBACK_STALE',
    });
    const short = await call<orderV1.HandlePaymentCallbackResponse>(
      'handlePaymentCallback',
      signed(o, { amountMinor: 9999 }),
    );
    expect(short.outcome).toBe('AMOUNT_MISMATCH');
    expect(
      (await call<orderV1.GetOrderResponse>('getOrder', { orderId: o.id })).order!.status,
    ).toBe('PENDING_PAYMENT');

    const cb = signed(o);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        call<orderV1.HandlePaymentCallbackResponse>('handlePaymentCallback', cb),
      ),
    );
    expect(outcomes.map((r) => r.outcome).sort()).toEqual([
      'DUPLICATE',
      'DUPLICATE',
      'DUPLICATE',
      'DUPLICATE',
      'PAID',
    ]);
    expect((await outbox(o.id)).filter((t) => t === 'emporia.order.v1.OrderPaid')).toHaveLength(1);

    // a second, different transaction for a paid order is refunded, not taken twice
    const second = await call<orderV1.HandlePaymentCallbackResponse>(
      'handlePaymentCallback',
      signed(o),
    );
    expect(second.outcome).toBe('REFUND_LATE_PAYMENT');
    const statuses = (
      await pg.query(`SELECT status FROM payments WHERE order_id = $1 ORDER BY created_at`, [o.id])
    ).rows.map((r: { status: string }) => r.status);
    expect(statuses.sort()).toEqual(['MISMATCH', 'REFUNDED', 'SUCCEEDED']);
  });

  it('metrics: an order placed and paid is counted once, however often its checkout and callback are replayed; lag and outbox gauges reported', async () => {
    /** The process's /metrics (the three order instances here share one registry), by series. */
    const scrape = async () => {
      const text = await (await fetch(`${order.httpUrl}/metrics`)).text();
      const series = new Map<string, number>();
      for (const l of text.split('\n'))
        if (l.startsWith('emporia_')) series.set(l.split(' ')[0], Number(l.split(' ')[1]));
      return series;
    };
    const counted = (m: Map<string, number>) => ({
      accept: m.get('emporia_orders_placed_total{decision="accept"}') ?? 0,
      review: m.get('emporia_orders_placed_total{decision="review"}') ?? 0,
      paid: m.get('emporia_orders_paid_total') ?? 0,
      gmv: m.get('emporia_gmv_minor_units_total{currency="CNY"}') ?? 0,
    });
    const skuId = await sku(4, 2500);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const before = counted(await scrape());
    const key = uuid();
    // the same checkout twice at once, then again: one order
    const twins = await Promise.allSettled([checkout(accountId, key), checkout(accountId, key)]);
    const o = (await checkout(accountId, key)).order!;
    expect(twins.some((t) => t.status === 'fulfilled')).toBe(true);
    expect(Number(o.total!.amountMinor)).toBe(5000);
    // the provider's notification five times at once, then once more: paid once
    const cb = signed(o);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () =>
        call<orderV1.HandlePaymentCallbackResponse>('handlePaymentCallback', cb),
      ),
    );
    expect(outcomes.filter((r) => r.outcome === 'PAID')).toHaveLength(1);
    await call('handlePaymentCallback', cb);
    const after = counted(await scrape());
    expect({
      accept: after.accept - before.accept,
      review: after.review - before.review,
      paid: after.paid - before.paid,
      gmv: after.gmv - before.gmv,
    }).toEqual({ accept: 1, review: 0, paid: 1, gmv: 5000 });
    // the service's consumer group and its topic's dead letters are measured (lag poll), and its
    // relay reports its backlog
    const group = `order-it-${suffix}`;
    const topic = `ord${suffix}.marketing.group-buy`;
    const gauges = await eventually(async () => {
      const m = await scrape();
      const lag = m.get(`emporia_kafka_consumer_lag{group="${group}",topic="${topic}"}`);
      const dead = m.get(`emporia_dead_letter_messages{topic="${topic}.dlq"}`);
      return lag === undefined || dead === undefined ? undefined : { lag, dead, m };
    });
    expect([gauges.lag, gauges.dead]).toEqual([0, 0]);
    expect(gauges.m.get('emporia_outbox_pending{service="order"}')).toBeGreaterThanOrEqual(0);
    expect(
      gauges.m.get('emporia_outbox_oldest_pending_age_seconds{service="order"}'),
    ).toBeGreaterThanOrEqual(0);
  });

  it('payment creation is idempotent here: the open payment again (other keys, none, concurrent), a declined one closes, a paid order answers only a replayed key', async () => {
    const skuId = await sku(5, 2000);
    const accountId = uuid();
    const order = async () => {
      await fill(accountId, skuId, 1);
      return (await checkout(accountId)).order!;
    };
    const o = await order();
    const pay = (over: object = {}, orderId = o.id) =>
      call<orderV1.CreatePaymentResponse>('createPayment', { orderId, accountId, ...over });
    const rows = async (orderId = o.id) =>
      Number(
        (await pg.query(`SELECT count(*) FROM payments WHERE order_id = $1`, [orderId])).rows[0]
          .count,
      );
    // as if the gateway had lost its records: other keys, or none, get the same payment and page
    const first = await pay({ idempotencyKey: 'key-a-0001' });
    expect(first.redirectUrl).toContain(`/sandbox/pay/${first.paymentId}`);
    expect(await pay()).toEqual(first);
    expect(await pay({ idempotencyKey: 'key-b-0001' })).toEqual(first);
    expect(await rows()).toBe(1);
    // concurrent creations for an order without a payment make one
    const other = await order();
    const raced = await Promise.all(
      Array.from({ length: 8 }, (_, i) => pay({ idempotencyKey: `key-r-000${i}` }, other.id)),
    );
    expect(new Set(raced.map((p) => p.paymentId)).size).toBe(1);
    expect(await rows(other.id)).toBe(1);

    // the provider reports the attempt failed: the next creation opens a new one
    const declined = await call<orderV1.CompleteSandboxPaymentResponse>('completeSandboxPayment', {
      paymentId: first.paymentId,
      accountId,
      succeed: false,
    });
    expect(declined.outcome).toBe('FAILED');
    const second = await pay({ idempotencyKey: 'key-c-0001' });
    expect(second.paymentId).not.toBe(first.paymentId);
    expect(await pay()).toEqual(second);
    // a replayed key answers what it answered the first time
    expect(await pay({ idempotencyKey: 'key-a-0001' })).toEqual(first);

    const paid = await call<orderV1.CompleteSandboxPaymentResponse>('completeSandboxPayment', {
      paymentId: second.paymentId,
      accountId,
      succeed: true,
    });
    expect(paid.outcome).toBe('PAID');
    // paid: the replayed key still answers its payment; a new request is refused, nothing made
    expect(await pay({ idempotencyKey: 'key-c-0001' })).toEqual(second);
    const before = await rows();
    expect(await failure(pay({ idempotencyKey: 'key-d-0001' }))).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'ORDER_NOT_PAYABLE',
    });
    expect(await failure(pay())).toMatchObject({ code: 'ORDER_NOT_PAYABLE' });
    expect(await rows()).toBe(before);
    // another account's order stays unknown, whatever the key
    expect(
      await failure(
        call('createPayment', { orderId: o.id, accountId: uuid(), idempotencyKey: 'key-c-0001' }),
      ),
    ).toMatchObject({ status: status.NOT_FOUND });
  });

  it('an unpaid order past its deadline is cancelled and its stock released', async () => {
    const skuId = await sku(2);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const o = (await checkout(accountId)).order!;
    expect(await stock(skuId)).toEqual({ on_hand: 2, reserved: 2 });
    await pg.query(
      `UPDATE orders SET payment_deadline = now() - interval '1 second' WHERE id = $1`,
      [o.id],
    );
    await eventually(async () => {
      const r = await call<orderV1.GetOrderResponse>('getOrder', { orderId: o.id });
      return r.order!.status === 'CANCELLED' ? r.order : undefined;
    });
    await eventually(async () => ((await stock(skuId)).reserved === 0 ? true : undefined));
    expect(
      (await call<orderV1.GetOrderResponse>('getOrder', { orderId: o.id })).order!.cancelReason,
    ).toBe('PAYMENT_TIMEOUT');
    expect(await outbox(o.id)).toEqual([
      'emporia.order.v1.OrderPlaced',
      'emporia.order.v1.OrderCancelled',
    ]);
    // money arriving now is refunded
    expect(
      (await call<orderV1.HandlePaymentCallbackResponse>('handlePaymentCallback', signed(o)))
        .outcome,
    ).toBe('REFUND_LATE_PAYMENT');
  });

  it('when risk is down the order is held for review, not lost; rejection releases the stock', async () => {
    const skuId = await sku(3);
    const accountId = uuid();
    await fill(accountId, skuId, 1, heldClient);
    const held = (await checkout(accountId, uuid(), heldClient)).order!;
    expect(held).toMatchObject({
      status: 'PENDING_REVIEW',
      riskDecision: 'REVIEW',
      riskReasons: ['RISK_UNAVAILABLE'],
    });
    expect(await failure(call('createPayment', { orderId: held.id, accountId }))).toMatchObject({
      code: 'ORDER_NOT_PAYABLE',
    });
    const rejected = await call<orderV1.ReviewOrderResponse>('reviewOrder', {
      orderId: held.id,
      approve: false,
      note: 'brushing',
    });
    expect(rejected.order!.status).toBe('CANCELLED');
    await eventually(async () => ((await stock(skuId)).reserved === 0 ? true : undefined));

    await fill(accountId, skuId, 1, heldClient);
    const second = (await checkout(accountId, uuid(), heldClient)).order!;
    const approved = await call<orderV1.ReviewOrderResponse>('reviewOrder', {
      orderId: second.id,
      approve: true,
    });
    expect(approved.order!.status).toBe('PENDING_PAYMENT');
    const pay = await call<orderV1.CreatePaymentResponse>('createPayment', {
      orderId: second.id,
      accountId,
    });
    expect(pay.redirectUrl).toMatch(/\/sandbox\/pay\//);
    expect(
      await failure(call('getOrder', { orderId: second.id, accountId: uuid() })),
    ).toMatchObject({
      status: status.NOT_FOUND,
    });
  });

  it('a customer cancels before paying; cancelling twice is an illegal transition', async () => {
    const skuId = await sku(1);
    const accountId = uuid();
    await fill(accountId, skuId, 1);
    const o = (await checkout(accountId)).order!;
    expect(await failure(call('cancelOrder', { orderId: o.id, accountId: uuid() }))).toMatchObject({
      status: status.NOT_FOUND,
    });
    const c = await call<orderV1.CancelOrderResponse>('cancelOrder', {
      orderId: o.id,
      accountId,
      reason: 'changed my mind',
    });
    expect(c.order!.status).toBe('CANCELLED');
    expect(await failure(call('cancelOrder', { orderId: o.id, accountId }))).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'ORDER_TRANSITION_INVALID',
    });
    await eventually(async () => ((await stock(skuId)).reserved === 0 ? true : undefined));
  });

  it('ships a split order in parts and follows carrier tracking to delivery', async () => {
    const skuId = await sku(2, 3000, ['BJ-1', 'SH-1']);
    const accountId = uuid();
    await fill(accountId, skuId, 3);
    const o = (await checkout(accountId)).order!;
    await call('handlePaymentCallback', signed(o));
    const shipments = await eventually(async () => {
      const r = await call<orderV1.ListShipmentsResponse>('listShipments', {
        orderId: o.id,
        accountId,
      });
      return r.shipments.length ? r.shipments : undefined;
    });
    expect(shipments.map((x) => x.warehouseCode)).toEqual(['BJ-1', 'SH-1']);
    expect(
      shipments.reduce((a, x) => a + x.lines.reduce((b, l) => b + Number(l.quantity), 0), 0),
    ).toBe(3);
    expect(shipments).toHaveLength(2);
    const orderStatus = async () =>
      (await call<orderV1.GetOrderResponse>('getOrder', { orderId: o.id })).order!.status;
    expect(await orderStatus()).toBe('FULFILLING');
    expect(
      await failure(call('listShipments', { orderId: o.id, accountId: uuid() })),
    ).toMatchObject({ status: status.NOT_FOUND });

    const tracking = (i: number) => `SF${suffix}${i}`.replace(/[^A-Za-z0-9-]/g, '');
    await call('shipShipment', {
      shipmentId: shipments[0].id,
      carrier: 'sf',
      trackingNumber: tracking(0),
    });
    expect(await orderStatus()).toBe('FULFILLING');
    await call('shipShipment', {
      shipmentId: shipments[1].id,
      carrier: 'sf',
      trackingNumber: tracking(1),
    });
    expect(await orderStatus()).toBe('SHIPPED');

    /** A carrier's event as the gateway forwards it: the body's bytes and the signature header. */
    const event = (
      i: number,
      eventId: string,
      st: string,
      t = Math.floor(Date.now() / 1000),
      description = st.toLowerCase(),
    ) => {
      const body = JSON.stringify({
        trackingNumber: tracking(i),
        eventId,
        status: st,
        description,
        occurredAt: new Date().toISOString(),
      });
      const v1 = createHmac('sha256', CARRIER_SECRET).update(`${t}.sf.${body}`).digest('hex');
      return { carrier: 'sf', payload: Buffer.from(body), signatureHeader: `t=${t},v1=${v1}` };
    };
    const refused = async (req: object) => failure(call('recordTrackingEvent', req));
    expect(
      await refused({
        ...event(0, 'e0', 'DELIVERED'),
        signatureHeader: `t=1,v1=${'0'.repeat(64)}`,
      }),
    ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'WEBHOOK_SIGNATURE_INVALID' });
    // the old scheme: fields signed without the description
    const fields = ['sf', tracking(0), 'e0', 'DELIVERED', new Date().toISOString()];
    expect(
      await refused({
        carrier: 'sf',
        trackingNumber: tracking(0),
        eventId: 'e0',
        status: 'DELIVERED',
        occurredAt: fields[4],
        description: 'anything',
        signature: createHmac('sha256', CARRIER_SECRET).update(fields.join('\n')).digest('hex'),
      }),
    ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'WEBHOOK_SIGNATURE_INVALID' });
    const genuine = event(0, 'e0', 'DELIVERED', undefined, 'left at the door');
    const tampered = Buffer.from(
      genuine.payload.toString().replace('at the door', 'with a neighbour'),
    );
    expect(await refused({ ...genuine, payload: tampered })).toMatchObject({
      code: 'WEBHOOK_SIGNATURE_INVALID',
    });
    const old = Math.floor(Date.now() / 1000) - 121;
    expect(await refused(event(0, 'e0', 'DELIVERED', old))).toMatchObject({
      status: status.UNAUTHENTICATED,
      code: 'WEBHOOK_STALE',
    });
    const first = event(0, 'e0', 'DELIVERED');
    expect(
      (await call<orderV1.RecordTrackingEventResponse>('recordTrackingEvent', first)).applied,
    ).toBe(true);
    expect(
      (await call<orderV1.RecordTrackingEventResponse>('recordTrackingEvent', first)).applied,
    ).toBe(false);
    expect(await orderStatus()).toBe('SHIPPED');
    await call('recordTrackingEvent', event(1, 'e1', 'IN_TRANSIT'));
    await call('recordTrackingEvent', event(1, 'e2', 'DELIVERED'));
    expect(await orderStatus()).toBe('DELIVERED');
    const types = await outbox(o.id);
    expect(types.filter((t) => t === 'emporia.order.v1.ShipmentShipped')).toHaveLength(2);
    expect(types.filter((t) => t === 'emporia.order.v1.ShipmentTracked')).toHaveLength(2);
  });

  it('returns: approve, receive, restock and refund exact shares until the order is refunded', async () => {
    const skuId = await sku(5, 3333);
    const accountId = uuid();
    await fill(accountId, skuId, 3);
    const o = (await checkout(accountId)).order!;
    await call('handlePaymentCallback', signed(o));
    await eventually(async () => ((await stock(skuId)).on_hand === 2 ? true : undefined));

    expect(
      await failure(
        call('requestReturn', {
          orderId: o.id,
          accountId: uuid(),
          lines: [{ skuId, quantity: 1 }],
          reason: 'x',
        }),
      ),
    ).toMatchObject({ status: status.NOT_FOUND });
    const ask = (quantity: number) =>
      call<orderV1.RequestReturnResponse>('requestReturn', {
        orderId: o.id,
        accountId,
        lines: [{ skuId, quantity }],
        reason: 'too small',
      });
    const rejectedOne = (await ask(3)).return!;
    expect(await failure(ask(1))).toMatchObject({ code: 'RETURN_QUANTITY_EXCEEDED' });
    await call('reviewReturn', { returnId: rejectedOne.id, approve: false, note: 'worn' });

    const first = (await ask(1)).return!;
    expect(await failure(call('receiveReturn', { returnId: first.id }))).toMatchObject({
      code: 'RETURN_TRANSITION_INVALID',
    });
    await call('reviewReturn', { returnId: first.id, approve: true });
    const done = (
      await call<orderV1.ReceiveReturnResponse>('receiveReturn', { returnId: first.id })
    ).return!;
    expect(done).toMatchObject({
      status: 'REFUNDED',
      restocked: true,
      refund: { amountMinor: 3333, currency: 'CNY' },
    });
    expect((await stock(skuId)).on_hand).toBe(3);
    expect(
      (await call<orderV1.GetOrderResponse>('getOrder', { orderId: o.id })).order!.status,
    ).not.toBe('REFUNDED');

    const rest = (await ask(2)).return!;
    await call('reviewReturn', { returnId: rest.id, approve: true });
    // a receipt whose worker died before restocking: six finishers race (the sweep, retries),
    // and the units come back once, the money once
    await pg.query(`UPDATE returns SET status = 'RECEIVED' WHERE id = $1`, [rest.id]);
    const returns = order.app.get(ReturnsUseCase);
    await Promise.all(Array.from({ length: 6 }, () => returns.finish(newContext(), rest.id)));
    const last = await eventually(async () => {
      const all = await call<orderV1.ListReturnsResponse>('listReturns', { orderId: o.id });
      const r = all.returns.find((x) => x.id === rest.id)!;
      return r.status === 'REFUNDED' ? r : undefined;
    });
    expect(Number(last.refund!.amountMinor)).toBe(6666);
    expect(
      (await call<orderV1.GetOrderResponse>('getOrder', { orderId: o.id })).order!.status,
    ).toBe('REFUNDED');
    expect((await stock(skuId)).on_hand).toBe(5);
    const refunds = (
      await pg.query(
        `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'emporia.order.v1.OrderRefunded' ORDER BY seq`,
        [o.id],
      )
    ).rows.map((r: { payload: Buffer }) => orderV1.OrderRefunded.decode(r.payload));
    expect(refunds.map((e) => [Number(e.amountRefunded!.amountMinor), e.full])).toEqual([
      [3333, false],
      [6666, true],
    ]);
    expect(await failure(ask(1))).toMatchObject({ code: 'ORDER_NOT_RETURNABLE' });
  });

  it('imports a marketplace order once, even when it arrives twice at the same moment', async () => {
    const a = await sku(10, 1000);
    const b = await sku(10, 2000);
    const accountId = uuid();
    const payload = {
      externalId: `tmall-${uuid()}`,
      accountId,
      currency: 'CNY',
      paidMinor: 3900, // 2 × 1000 + 1 × 2000 = 4000, less 100 marketplace discount
      paidAt: new Date().toISOString(),
      address,
      lines: [
        { skuId: a, quantity: 2, unitPriceMinor: 1000 },
        { skuId: b, quantity: 1, unitPriceMinor: 2000 },
      ],
    };
    const twice = await Promise.all(
      [1, 2].map(() =>
        call<orderV1.ImportOrderResponse>('importOrder', {
          source: 'generic-json',
          payloadJson: JSON.stringify(payload),
        }),
      ),
    );
    expect(twice.map((r) => r.created).sort()).toEqual([false, true]);
    expect(twice[0].order!.id).toBe(twice[1].order!.id);
    const o = twice[0].order!;
    expect(o).toMatchObject({ total: { amountMinor: 3900 }, discount: { amountMinor: 100 } });
    expect(o.lines.map((l) => Number(l.discount!.amountMinor))).toEqual([50, 50]);
    await eventually(async () => {
      const [sa, sb] = [await stock(a), await stock(b)];
      return sa.on_hand === 8 && sa.reserved === 0 && sb.on_hand === 9 && sb.reserved === 0
        ? true
        : undefined;
    });
    await eventually(async () => {
      const r = await call<orderV1.GetOrderResponse>('getOrder', { orderId: o.id });
      return r.order!.status === 'FULFILLING' ? true : undefined;
    });
    const again = await call<orderV1.ImportOrderResponse>('importOrder', {
      source: 'generic-json',
      payloadJson: JSON.stringify(payload),
    });
    expect([again.created, again.order!.id]).toEqual([false, o.id]);
    // an imported order's channel is its source
    expect(
      (await pg.query(`SELECT channel FROM orders WHERE id = $1`, [o.id])).rows[0].channel,
    ).toBe('generic-json');

    expect(await failure(call('importOrder', { source: 'ebay', payloadJson: '{}' }))).toMatchObject(
      {
        code: 'IMPORT_SOURCE_UNKNOWN',
      },
    );
    expect(
      await failure(
        call('importOrder', {
          source: 'generic-json',
          payloadJson: JSON.stringify({
            ...payload,
            externalId: `${payload.externalId}-b`,
            paidMinor: 9999,
          }),
        }),
      ),
    ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'IMPORT_INVALID' });
    expect(
      await failure(call('importOrder', { source: 'generic-json', payloadJson: 'nope' })),
    ).toMatchObject({
      code: 'IMPORT_INVALID',
    });
  });

  it('an exchange restocks the returned unit and ships a replacement, without a refund', async () => {
    const skuId = await sku(5, 2500);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const o = (await checkout(accountId)).order!;
    await call('handlePaymentCallback', signed(o));
    await eventually(async () => ((await stock(skuId)).on_hand === 3 ? true : undefined));
    const r = (
      await call<orderV1.RequestReturnResponse>('requestReturn', {
        orderId: o.id,
        accountId,
        lines: [{ skuId, quantity: 1 }],
        reason: 'wrong colour',
        exchange: true,
      })
    ).return!;
    expect(r.kind).toBe('EXCHANGE');
    await call('reviewReturn', { returnId: r.id, approve: true });
    const done = (await call<orderV1.ReceiveReturnResponse>('receiveReturn', { returnId: r.id }))
      .return!;
    expect(done).toMatchObject({ status: 'EXCHANGED', restocked: true });
    expect(done.refund).toBeFalsy();
    // one unit back in, one unit out again
    expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 0 });
    const shipments = (
      await call<orderV1.ListShipmentsResponse>('listShipments', { orderId: o.id })
    ).shipments;
    expect(shipments.filter((s) => s.returnId === r.id).map((s) => s.lines)).toEqual([
      [{ skuId, quantity: 1 }],
    ]);
    expect(await outbox(o.id)).not.toContain('emporia.order.v1.OrderRefunded');
  });

  it.each<CheckoutStep>(['PRICED', 'SCORED', 'RESERVED', 'PLACED'])(
    'with marketing, a failure after %s gives back both the stock and the coupon',
    async (step) => {
      const skuId = await sku(4, 1500);
      const accountId = uuid();
      await fill(accountId, skuId, 2, promoClient);
      const key = uuid();
      faults.step = step;
      try {
        await failure(checkout(accountId, key, promoClient, { couponCodes: ['SAVE10'] }));
      } finally {
        faults.step = undefined;
      }
      expect(await stock(skuId)).toEqual({ on_hand: 4, reserved: 0 });
      expect(marketing.reserved.has(key)).toBe(false);
      const placed = (await checkout(accountId, key, promoClient, { couponCodes: ['SAVE10'] }))
        .order!;
      expect(placed).toMatchObject({
        total: { amountMinor: 2700 },
        discount: { amountMinor: 300 },
      });
      expect(placed.priceExplanation).toEqual(['SAVE10: 10% off']);
      expect(marketing.reserved.get(key)).toEqual(['SAVE10']);
    },
  );

  it('routes each order to the nearest warehouse, then the cheapest, and splits only when it must', async () => {
    const tag = uuid().slice(0, 6).toUpperCase();
    const wh = (code: string, province: string, city: string, cost: number) =>
      call(
        'upsertWarehouse',
        {
          code,
          name: code,
          country: 'CN',
          province,
          city,
          shippingCost: { amountMinor: cost, currency: 'CNY' },
        },
        catalogClient,
      );
    const [sh, bj, hz] = [`SH-${tag}`, `BJ-${tag}`, `HZ-${tag}`];
    await wh(sh, '上海市', '上海市', 1200);
    await wh(bj, '北京市', '北京市', 600);
    await wh(hz, '浙江省', '杭州市', 900);
    const skuId = await sku(2, 1000, [sh, bj, hz]);
    const routedTo = async (province: string, city: string, quantity: number, district = '') => {
      const accountId = uuid();
      await fill(accountId, skuId, quantity);
      const o = (
        await checkout(accountId, uuid(), client, {
          address: { ...address, province, city, district },
        })
      ).order!;
      await call('handlePaymentCallback', signed(o));
      const shipments = await eventually(async () => {
        const r = await call<orderV1.ListShipmentsResponse>('listShipments', { orderId: o.id });
        return r.shipments.length ? r.shipments : undefined;
      });
      return shipments.map((x) => [
        x.warehouseCode,
        x.lines.reduce((a, l) => a + Number(l.quantity), 0),
      ]);
    };
    // same city wins over a cheaper warehouse elsewhere
    expect(await routedTo('上海市', '上海市', 1, '浦东新区')).toEqual([[sh, 1]]);
    // same province (Zhejiang) beats the rest
    expect(await routedTo('浙江省', '宁波市', 1, '鄞州区')).toEqual([[hz, 1]]);
    // nowhere near: the cheapest that can send everything
    expect(await routedTo('广东省', '深圳市', 2, '南山区')).toEqual([[bj, 2]]);
    // now SH 1, HZ 1, BJ 0 are left: no single warehouse holds two units, so the order splits
    // over the two that have them
    expect((await routedTo('广东省', '深圳市', 2, '南山区')).map(([c]) => c).sort()).toEqual(
      [hz, sh].sort(),
    );
  });
});
