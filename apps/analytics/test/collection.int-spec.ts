import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { Client } from 'pg';
import {
  ANALYTICS_CART,
  ORDER_CART,
  ORDER_ORDER,
  PROTO_FILES,
  type analyticsV1,
  type EventType,
} from '@emporia/contracts';
import { createKafka, HEADER, newEvent, toWireMessage } from '@emporia/messaging';
import { fromGrpcError, type RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
} from '@emporia/testing';
import { startAnalytics } from '../src/analytics.app';
import { analyticsConfigSchema } from '../src/config';
import { addDays } from '../src/domain/days';
import { dayOf } from '../src/domain/facts';

jest.setTimeout(120_000);

const TZ = 'Asia/Shanghai';
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

/** Collection on real Postgres and Kafka: ingestion, facts, KPIs, funnel, attribution, carts. */
describe('analytics collection (real Postgres + Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `an${suffix}.`;
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  let cartConsumer: Consumer;
  const abandoned: { key: string; eventId: string; accountId: string }[] = [];
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'analytics-it',
    logger: testLogger('kafka'),
  });
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: unknown) => fromGrpcError(e),
    );
  /** Publishes an event as its owning service would (registry type, standard headers). */
  const publish = async <T>(
    type: EventType<T>,
    key: string,
    message: T,
    eventId = randomUUID(),
  ) => {
    const wire = toWireMessage(newEvent(type, `${prefix}${type.topic}`, key, message, { eventId }));
    await producer.send({
      topic: wire.topic,
      messages: [{ key: wire.key, value: wire.value, headers: wire.headers }],
    });
  };
  const count = async (sqlText: string, params: unknown[] = []) =>
    Number((await pg.query<{ n: string }>(sqlText, params)).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase('analytics_it');
    const config = analyticsConfigSchema.parse({
      ANALYTICS_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      ANALYTICS_GRPC_PORT: String(await freePort()),
      ANALYTICS_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      ANALYTICS_MIGRATE_ON_START: 'true',
      ANALYTICS_CONSUMER_GROUP: `analytics-it${suffix}`,
      ANALYTICS_TIME_ZONE: TZ,
      ANALYTICS_MAX_BATCH: '10',
      ANALYTICS_PARTITION_SWEEP_MS: '300',
      ANALYTICS_CART_SWEEP_MS: '300',
      OUTBOX_POLL_MS: '100',
    });
    service = await startAnalytics(config, testLogger('analytics'));
    client = grpcTestClient(
      PROTO_FILES.analytics,
      'emporia.analytics.v1.AnalyticsService',
      service.grpcUrl!,
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    producer = kafka.producer();
    await producer.connect();
    cartConsumer = kafka.consumer({ groupId: `analytics-it-cart${suffix}` });
    await cartConsumer.connect();
    await cartConsumer.subscribe({ topic: `${prefix}${ANALYTICS_CART.name}`, fromBeginning: true });
    await cartConsumer.run({
      eachMessage: async ({ message }) => {
        const m = ANALYTICS_CART.events.CartAbandoned.codec.decode(message.value!);
        abandoned.push({
          key: message.key!.toString(),
          eventId: message.headers![HEADER.eventId]!.toString(),
          accountId: m.accountId,
        });
      },
    });
  });

  afterAll(async () => {
    client?.close();
    await cartConsumer?.disconnect();
    await producer?.disconnect();
    await service?.close();
    await pg?.end();
    await db?.drop();
  });

  // ---- ingestion, funnel, attribution ----
  const X = randomUUID(); // signs in as visitor v1 and pays
  const Y = randomUUID(); // pays without any touch
  const PRODUCT = randomUUID();
  const v = (n: number) => `v${n}-${suffix.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const base = minutesAgo(180);
  const at = (offsetMin: number) => new Date(base.getTime() + offsetMin * 60_000).toISOString();
  const ev = (over: Partial<analyticsV1.BehaviourEvent>): Partial<analyticsV1.BehaviourEvent> => ({
    eventId: randomUUID(),
    type: 'page_view',
    anonymousId: v(1),
    occurredAt: at(0),
    channel: 'web',
    ...over,
  });
  const utm = (source: string, medium: string, campaign: string) => ({
    source,
    medium,
    campaign,
    term: '',
    content: '',
  });
  const lateAt = minutesAgo(3 * 24 * 60);
  const batch = [
    ev({
      type: 'product_view',
      productId: PRODUCT,
      utm: utm('google', 'cpc', 'c1'),
      device: { type: 'mobile', os: '', browser: '' },
    }),
    ev({
      type: 'add_to_cart',
      productId: PRODUCT,
      quantity: 1,
      occurredAt: at(1),
      utm: utm('google', 'cpc', 'c1'),
      device: { type: 'mobile', os: '', browser: '' },
    }),
    ev({
      type: 'checkout_started',
      occurredAt: at(2),
      accountId: X,
      utm: utm('facebook', 'social', 'f1'),
      device: { type: 'mobile', os: '', browser: '' },
    }),
    ev({ type: 'teleport' }),
    ev({
      type: 'product_view',
      anonymousId: v(2),
      channel: 'app',
      utm: utm('newsletter', 'email', 'n1'),
      device: { type: 'desktop', os: '', browser: '' },
      productId: PRODUCT,
    }),
    ev({
      type: 'add_to_cart',
      anonymousId: v(2),
      channel: 'app',
      productId: PRODUCT,
      quantity: 2,
      occurredAt: at(5),
      device: { type: 'desktop', os: '', browser: '' },
    }),
    ev({ type: 'product_view', anonymousId: v(3), productId: '' }),
    ev({
      type: 'product_view',
      anonymousId: v(3),
      productId: PRODUCT,
      occurredAt: lateAt.toISOString(),
      utm: utm('bing', 'cpc', 'b1'),
    }),
  ];
  const range = { fromDay: dayOf(minutesAgo(6 * 24 * 60), TZ), toDay: dayOf(new Date(), TZ) };
  const funnel = (filters: Partial<analyticsV1.GetFunnelRequest> = {}) =>
    call<analyticsV1.GetFunnelResponse>('getFunnel', {
      range,
      channel: '',
      utmSource: '',
      device: '',
      ...filters,
    }).then((r) => r.steps.map((s) => s.visitors));

  it('keeps the good events of a batch, names the bad ones, and files a late event on its own day', async () => {
    const r = await call<analyticsV1.IngestBehaviourEventsResponse>('ingestBehaviourEvents', {
      events: batch,
      receivedAt: '',
      accountId: '',
    });
    expect(r.accepted).toBe(6);
    expect(r.rejected).toEqual([
      expect.objectContaining({
        index: 3,
        eventId: batch[3].eventId,
        field: 'type',
        code: 'UNKNOWN_VALUE',
      }),
      expect.objectContaining({
        index: 6,
        eventId: batch[6].eventId,
        field: 'product_id',
        code: 'REQUIRED',
      }),
    ]);
    await eventually(
      async () =>
        (await count(`SELECT count(*) AS n FROM behaviour_events`)) === 6 ? true : undefined,
      {
        what: 'six behaviour events stored',
      },
    );
    const late = await pg.query<{ part: string; day: string }>(
      `SELECT tableoid::regclass::text AS part, to_char(day, 'YYYY-MM-DD') AS day FROM behaviour_events WHERE event_id = $1`,
      [batch[7].eventId],
    );
    const lateDay = dayOf(lateAt, TZ);
    expect(late.rows).toEqual([
      { part: `behaviour_events_${lateDay.replace(/-/g, '')}`, day: lateDay },
    ]);
    expect(
      await count(
        `SELECT count(*) AS n FROM visitor_accounts WHERE anonymous_id = $1 AND account_id = $2`,
        [v(1), X],
      ),
    ).toBe(1);
  });

  it('refuses a batch above the limit and a bad range, naming the field', async () => {
    const tooMany = await failure(
      call('ingestBehaviourEvents', {
        events: Array.from({ length: 11 }, () => ev({})),
        receivedAt: '',
        accountId: '',
      }),
    );
    expect(tooMany).toMatchObject({ code: 'BATCH_TOO_LARGE', details: { field: 'events' } });
    const bad = await failure(
      call('getKpis', { range: { fromDay: '2026-02-30', toDay: '2026-03-01' }, channel: '' }),
    );
    expect(bad).toMatchObject({ code: 'DAY_INVALID', details: { field: 'range.from_day' } });
    const long = await failure(
      call('getFunnel', { range: { fromDay: '2025-01-01', toDay: '2026-12-01' } }),
    );
    expect(long).toMatchObject({ code: 'RANGE_TOO_LONG', details: { field: 'range' } });
  });

  it('the same batch again changes nothing', async () => {
    const before = await funnel();
    // the batch again, then one new event per visitor (same key, so after the duplicates)
    const sentinels = [1, 2, 3].map((n) => ev({ anonymousId: v(n) }));
    await call('ingestBehaviourEvents', { events: batch, receivedAt: '', accountId: '' });
    await call('ingestBehaviourEvents', { events: sentinels, receivedAt: '', accountId: '' });
    await eventually(
      async () =>
        (await count(`SELECT count(*) AS n FROM behaviour_events`)) === 9 ? true : undefined,
      {
        what: 'the sentinels stored',
      },
    );
    expect(await count(`SELECT count(*) AS n FROM behaviour_events`)).toBe(9);
    expect(await count(`SELECT count(*) AS n FROM utm_touches`)).toBe(5);
    expect(await funnel()).toEqual(before);
  });

  it('gives the funnel with step conversion, and by channel, UTM source and device', async () => {
    const placedAt = minutesAgo(60);
    const paidAt = minutesAgo(50);
    for (const [account, orderId, amount] of [
      [X, randomUUID(), 7000],
      [Y, randomUUID(), 3000],
    ] as const) {
      await publish(ORDER_ORDER.events.OrderPlaced, orderId, {
        orderId,
        accountId: account,
        total: cny(amount),
        status: 'PENDING_PAYMENT',
        placedAt: placedAt.toISOString(),
        couponCodes: [],
        lines: [
          {
            skuId: randomUUID(),
            productId: PRODUCT,
            quantity: 1,
            unitPrice: cny(amount),
            total: cny(amount),
          },
        ],
        channel: 'web',
      });
      await publish(ORDER_ORDER.events.OrderPaid, orderId, {
        orderId,
        accountId: account,
        amountPaid: cny(amount),
        paidAt: paidAt.toISOString(),
      });
    }
    await eventually(async () => ((await funnel())[3] === 1 ? true : undefined), {
      what: 'the paid step',
    });
    const steps = await call<analyticsV1.GetFunnelResponse>('getFunnel', {
      range,
      channel: '',
      utmSource: '',
      device: '',
    });
    expect(steps.steps).toEqual([
      { step: 'view', visitors: 3, conversion: 1, dropOff: 0 },
      { step: 'cart', visitors: 2, conversion: 2 / 3, dropOff: 1 - 2 / 3 },
      { step: 'checkout', visitors: 1, conversion: 0.5, dropOff: 0.5 },
      { step: 'paid', visitors: 1, conversion: 1, dropOff: 0 },
    ]);
    expect(await funnel({ channel: 'web' })).toEqual([2, 1, 1, 1]);
    expect(await funnel({ channel: 'app' })).toEqual([1, 1, 0, 0]);
    // v2's add_to_cart carried no UTM: not selected by utm_source
    expect(await funnel({ utmSource: 'newsletter' })).toEqual([1, 0, 0, 0]);
    expect(await funnel({ device: 'desktop' })).toEqual([1, 1, 0, 0]);
    expect(await funnel({ utmSource: 'google', device: 'mobile' })).toEqual([1, 1, 0, 0]);
  });

  it('attributes paid orders to the first or the last touch, (direct) without one', async () => {
    const rows = (model: string) =>
      call<analyticsV1.GetAttributionResponse>('getAttribution', { range, model }).then((r) =>
        r.rows.map((x) => [
          x.utmSource,
          x.utmMedium,
          x.utmCampaign,
          x.paidOrders,
          x.gmv?.amountMinor,
        ]),
      );
    expect(await rows('first_touch')).toEqual([
      ['google', 'cpc', 'c1', 1, 7000],
      ['(direct)', '', '', 1, 3000],
    ]);
    expect(await rows('last_touch')).toEqual([
      ['facebook', 'social', 'f1', 1, 7000],
      ['(direct)', '', '', 1, 3000],
    ]);
    expect(await failure(call('getAttribution', { range, model: 'linear' }))).toMatchObject({
      code: 'MODEL_INVALID',
      details: { field: 'model' },
    });
  });

  // ---- KPIs ----
  it('gives exact KPIs by day and channel, whatever order the paid events come in', async () => {
    const A = randomUUID();
    const B = randomUUID();
    const o = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const line = (quantity: number, unit: number) => ({
      skuId: randomUUID(),
      productId: randomUUID(),
      quantity,
      unitPrice: cny(unit),
      total: cny(quantity * unit),
    });
    const placed = (
      i: number,
      account: string,
      channel: string,
      placedAt: string,
      lines: ReturnType<typeof line>[],
    ) =>
      publish(ORDER_ORDER.events.OrderPlaced, o[i], {
        orderId: o[i],
        accountId: account,
        total: cny(lines.reduce((s, l) => s + l.total!.amountMinor, 0)),
        status: 'PENDING_PAYMENT',
        placedAt,
        couponCodes: [],
        lines,
        channel,
      });
    const paidEvent = (i: number, account: string, amount: number, paidAt: string) => ({
      orderId: o[i],
      accountId: account,
      amountPaid: cny(amount),
      paidAt,
    });
    // days in Asia/Shanghai: 2026-10-01T20:00Z is 2026-10-02 04:00 there
    await placed(0, A, 'web', '2026-10-01T02:00:00Z', [line(2, 3000), line(1, 4000)]);
    await placed(1, A, 'app', '2026-10-02T01:00:00Z', [line(1, 5000)]);
    await placed(2, B, 'web', '2026-10-01T20:00:00Z', [line(3, 1000)]);
    await placed(3, B, '', '2026-10-03T01:00:00Z', [line(1, 900)]);
    // A's later order is paid (and processed) before its first one
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[1],
      paidEvent(1, A, 5000, '2026-10-02T02:00:00Z'),
    );
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[2],
      paidEvent(2, B, 3000, '2026-10-02T05:00:00Z'),
    );
    await eventually(async () =>
      (await count(
        `SELECT count(*) AS n FROM order_facts WHERE order_id = ANY($1) AND paid_at IS NOT NULL`,
        [[o[1], o[2]]],
      )) === 2
        ? true
        : undefined,
    );
    const firstPaid = randomUUID();
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[0],
      paidEvent(0, A, 10000, '2026-10-01T03:00:00Z'),
      firstPaid,
    );
    // delivered twice, and paid "again" under another id: counted once
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[0],
      paidEvent(0, A, 10000, '2026-10-01T03:00:00Z'),
      firstPaid,
    );
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[0],
      paidEvent(0, A, 10000, '2026-10-01T04:00:00Z'),
    );
    await publish(ORDER_ORDER.events.OrderRefunded, o[0], {
      orderId: o[0],
      accountId: A,
      refundId: randomUUID(),
      amountRefunded: cny(2000),
      refundedAt: '2026-10-03T01:00:00Z',
      full: false,
    });
    const kpis = (r: { fromDay: string; toDay: string }, channel: string) =>
      call<analyticsV1.GetKpisResponse>('getKpis', { range: r, channel });
    const oct = { fromDay: '2026-10-01', toDay: '2026-10-03' };
    await eventually(
      async () => {
        const t = (await kpis(oct, 'all')).total!;
        return t.refunds?.amountMinor === 2000 && t.orders === 4 ? true : undefined;
      },
      { what: 'every order event processed' },
    ); // the refund came after o[0]'s repeated payments
    const flat = (x: analyticsV1.KpiRow) => [
      x.day,
      x.channel,
      x.orders,
      x.paidOrders,
      x.gmv?.amountMinor,
      x.units,
      x.refunds?.amountMinor,
      x.newBuyers,
      x.returningBuyers,
      x.aov?.amountMinor,
    ];
    const per = await kpis(oct, '');
    expect(per.rows.map(flat)).toEqual([
      ['2026-10-01', 'web', 1, 1, 10000, 3, 0, 1, 0, 10000],
      ['2026-10-02', 'app', 1, 1, 5000, 1, 0, 0, 1, 5000],
      ['2026-10-02', 'web', 1, 1, 3000, 3, 0, 1, 0, 3000],
      ['2026-10-03', 'unknown', 1, 0, 0, 0, 0, 0, 0, 0],
      ['2026-10-03', 'web', 0, 0, 0, 0, 2000, 0, 0, 0],
    ]);
    const all = await kpis(oct, 'all');
    expect(all.rows.map(flat)).toEqual([
      ['2026-10-01', 'all', 1, 1, 10000, 3, 0, 1, 0, 10000],
      ['2026-10-02', 'all', 2, 2, 8000, 4, 0, 1, 1, 4000],
      ['2026-10-03', 'all', 1, 0, 0, 0, 2000, 0, 0, 0],
    ]);
    expect(flat(all.total!)).toEqual(['', 'all', 4, 3, 18000, 7, 2000, 2, 0, 6000]);
    // from the 2nd: B is new there, A paid there but first paid on the 1st
    expect(
      flat((await kpis({ fromDay: '2026-10-02', toDay: '2026-10-03' }, 'all')).total!),
    ).toEqual(['', 'all', 3, 2, 8000, 4, 2000, 1, 1, 4000]);
    const web = await kpis(oct, 'web');
    expect(flat(web.total!)).toEqual(['', 'web', 2, 2, 13000, 6, 2000, 2, 0, 6500]);
    expect(flat((await kpis(oct, 'app')).total!)).toEqual([
      '',
      'app',
      1,
      1,
      5000,
      1,
      0,
      0,
      1,
      5000,
    ]);
  });

  // ---- abandoned carts ----
  it('raises one CartAbandoned for a cart left with items, and not again within the cap', async () => {
    const C = randomUUID(); // leaves the cart
    const D = randomUUID(); // orders after changing the cart
    const E = randomUUID(); // changed the cart just now
    const cart = (account: string, changedAt: Date, quantities: number[]) =>
      publish(ORDER_CART.events.CartChanged, account, {
        accountId: account,
        lines: quantities.map((quantity) => ({
          skuId: randomUUID(),
          productId: randomUUID(),
          quantity,
          unitPrice: cny(1000),
        })),
        subtotal: cny(quantities.reduce((s, q) => s + q * 1000, 0)),
        changedAt: changedAt.toISOString(),
        cause: 'set_line',
      });
    // D's order is seen first (order.order and order.cart are separate topics: any order)
    const orderId = randomUUID();
    await publish(ORDER_ORDER.events.OrderPlaced, orderId, {
      orderId,
      accountId: D,
      total: cny(1000),
      status: 'PENDING_PAYMENT',
      placedAt: minutesAgo(100).toISOString(),
      couponCodes: [],
      lines: [],
      channel: 'web',
    });
    await eventually(async () =>
      (await count(`SELECT count(*) AS n FROM order_facts WHERE order_id = $1`, [orderId])) === 1
        ? true
        : undefined,
    );
    await cart(D, minutesAgo(120), [1]);
    await cart(E, minutesAgo(5), [4]);
    await cart(C, minutesAgo(120), [1, 2]);
    await eventually(async () => (abandoned.length >= 1 ? true : undefined), {
      what: 'CartAbandoned',
    });
    expect(abandoned).toEqual([{ key: C, eventId: expect.any(String), accountId: C }]);
    const listed = await call<analyticsV1.ListAbandonedCartsResponse>('listAbandonedCarts', {
      limit: 10,
    });
    expect(listed.carts).toEqual([
      expect.objectContaining({ accountId: C, items: 3, subtotal: cny(3000), recovered: false }),
    ]);
    // D ordered after its cart's last change, E's cart is too fresh: neither is raised
    expect(
      await count(`SELECT count(*) AS n FROM cart_state WHERE account_id = ANY($1)`, [[D, E]]),
    ).toBe(2);
    // C changes the cart again (still long ago enough to be due): the cap holds it back
    await cart(C, minutesAgo(90), [1]);
    await eventually(async () =>
      (await count(`SELECT count(*) AS n FROM cart_state WHERE account_id = $1 AND items = 1`, [
        C,
      ])) === 1
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 1500)); // five sweeps
    expect(abandoned).toHaveLength(1);
    expect(await count(`SELECT count(*) AS n FROM cart_abandonments`)).toBe(1);
    // once the cap is over (moved back here), the newer change is raised
    await pg.query(
      `UPDATE cart_state SET last_raised_at = now() - interval '73 hours' WHERE account_id = $1`,
      [C],
    );
    await eventually(async () => (abandoned.length === 2 ? true : undefined), {
      what: 'the second CartAbandoned',
    });
    expect(abandoned.map((a) => a.accountId)).toEqual([C, C]);
    // an order placed afterwards marks the abandoned carts recovered
    const later = randomUUID();
    await publish(ORDER_ORDER.events.OrderPlaced, later, {
      orderId: later,
      accountId: C,
      total: cny(1000),
      status: 'PENDING_PAYMENT',
      placedAt: new Date().toISOString(),
      couponCodes: [],
      lines: [],
      channel: 'app',
    });
    await eventually(
      async () => {
        const r = await call<analyticsV1.ListAbandonedCartsResponse>('listAbandonedCarts', {
          limit: 10,
        });
        return r.carts.length === 2 && r.carts.every((c) => c.recovered) ? true : undefined;
      },
      { what: 'recovered carts' },
    );
  });

  // ---- partitions ----
  it('makes partitions ahead and drops those past the retention', async () => {
    const ahead = `behaviour_events_${addDays(dayOf(new Date(), TZ), 2).replace(/-/g, '')}`;
    await eventually(
      async () =>
        (await count(`SELECT count(*) AS n FROM pg_class WHERE relname = $1`, [ahead])) === 1
          ? true
          : undefined,
      { what: 'the partition two days ahead' },
    );
    await pg.query(
      `CREATE TABLE behaviour_events_20200101 PARTITION OF behaviour_events FOR VALUES FROM ('2020-01-01') TO ('2020-01-02')`,
    );
    await pg.query(
      `INSERT INTO behaviour_events (day, event_id, type, anonymous_id, occurred_at, received_at)
       VALUES ('2020-01-01', $1, 'page_view', 'old', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')`,
      [randomUUID()],
    );
    await eventually(
      async () =>
        (await count(
          `SELECT count(*) AS n FROM pg_class WHERE relname = 'behaviour_events_20200101'`,
        )) === 0
          ? true
          : undefined,
      { what: 'the old partition dropped' },
    );
    expect(await count(`SELECT count(*) AS n FROM behaviour_events WHERE day = '2020-01-01'`)).toBe(
      0,
    );
    // the late event's partition (3 days ago) is within the retention and stays
    expect(
      await count(`SELECT count(*) AS n FROM behaviour_events WHERE event_id = $1`, [
        batch[7].eventId,
      ]),
    ).toBe(1);
  });
});
