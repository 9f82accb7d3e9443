import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { analyticsV1, orderV1, PROTO_FILES, userV1 } from '@emporia/contracts';
import { createKafka, HEADER } from '@emporia/messaging';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { Money } from '@emporia/money';
import { DataSource } from 'typeorm';
import { startAnalytics } from '../src/analytics.app';
import { CustomersProjection } from '../src/infrastructure/customers.projection';
import { SqlFactSink } from '../src/infrastructure/sql-fact-sink';
import { analyticsConfigSchema } from '../src/config';
import { DAY_MS, lifecycleStage, scoreRfm, type Buyer } from '../src/domain/customers';
import { dayOf } from '../src/domain/facts';

jest.setTimeout(120_000);

const TZ = 'Asia/Shanghai';
const T0 = Date.now();
/** d days (and half a day, away from day and window edges) before the test started. */
const daysAgo = (d: number) => new Date(T0 - d * DAY_MS - DAY_MS / 2);

interface Paid {
  account: string;
  order: string;
  at: Date;
  minor: number;
}

/** Analytics' customers area on real Postgres and Kafka: order events in, figures out. */
describe('analytics customers (real Postgres + Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `ancust${suffix}.`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  let consumer: Consumer;
  const audienceEvents: analyticsV1.AudienceExported[] = [];
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'analytics-customers-it',
    logger: testLogger('kafka'),
  });
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;

  const send = (
    topic: string,
    type: string,
    key: string,
    value: Uint8Array,
    id: string = randomUUID(),
  ) =>
    producer.send({
      topic: `${prefix}${topic}`,
      messages: [
        {
          key,
          value: Buffer.from(value),
          headers: {
            [HEADER.eventId]: id,
            [HEADER.eventType]: type,
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
  const paid = (p: Paid, id?: string) =>
    send(
      'order.order',
      'emporia.order.v1.OrderPaid',
      p.order,
      orderV1.OrderPaid.encode({
        orderId: p.order,
        accountId: p.account,
        amountPaid: { amountMinor: p.minor, currency: 'CNY' },
        paidAt: p.at.toISOString(),
      }).finish(),
      id,
    );

  beforeAll(async () => {
    db = await createTestDatabase('analytics_customers_it');
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
      OUTBOX_POLL_MS: '100',
    });
    service = await startAnalytics(config, testLogger('analytics'));
    client = grpcTestClient(
      PROTO_FILES.analytics,
      'emporia.analytics.v1.AnalyticsService',
      service.grpcUrl!,
    );
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    consumer = kafka.consumer({ groupId: `ancust-it-${suffix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}analytics.audience`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        audienceEvents.push(analyticsV1.AudienceExported.decode(message.value!));
      },
    });
  });

  afterAll(async () => {
    client?.close();
    await consumer?.disconnect();
    await producer?.disconnect();
    await service?.close();
    await db?.drop();
  });

  // ground truth: accounts and their paid orders (days ago), refunds, one deleted account
  const acct = Array.from({ length: 8 }, () => randomUUID());
  const orders: Paid[] = (
    [
      [0, 5, 30_000], // woken up: 5 days ago after 95 days without an order
      [0, 100, 12_000],
      [0, 200, 8_000],
      [1, 10, 5_000], // new
      [2, 60, 7_000], // active
      [2, 40, 9_900],
      [3, 120, 25_000], // dormant
      [4, 15, 4_400], // active (first order 80 days ago, a gap under 90), refunded in part
      [4, 80, 6_600],
      [5, 20, 99_000], // deleted
      [6, 1, 1_000], // active, frequent
      [6, 2, 2_000],
      [6, 3, 3_000],
      [6, 50, 4_000],
      [7, 95, 15_500], // dormant
    ] as const
  ).map(([a, d, minor]) => ({ account: acct[a], order: randomUUID(), at: daysAgo(d), minor }));
  const refunds = [{ order: orders[7], minor: 1_400 }];

  const truth = (): Buyer[] =>
    [0, 1, 2, 3, 4, 6, 7].map((a) => {
      const own = orders.filter((o) => o.account === acct[a]);
      const times = own.map((o) => o.at.getTime()).sort((x, y) => y - x);
      const refunded = refunds
        .filter((r) => r.order.account === acct[a])
        .reduce((s, r) => s + r.minor, 0);
      return {
        accountId: acct[a],
        firstPaidAt: new Date(times[times.length - 1]),
        lastPaidAt: new Date(times[0]),
        previousPaidAt: times.length > 1 ? new Date(times[1]) : null,
        paidOrders: own.length,
        spentMinor: own.reduce((s, o) => s + o.minor, 0) - refunded,
      };
    });

  it('keeps exact figures from out-of-order, duplicated and late events', async () => {
    // newest first: every account's later orders arrive before its earlier ones
    const newestFirst = [...orders].sort((x, y) => y.at.getTime() - x.at.getTime());
    const dupId = randomUUID();
    for (const o of newestFirst) await paid(o, o === orders[3] ? dupId : undefined);
    await paid(orders[3], dupId); // the same event again
    await paid(orders[4]); // the same order under another event id
    for (const r of refunds)
      await send(
        'order.order',
        'emporia.order.v1.OrderRefunded',
        r.order.order,
        orderV1.OrderRefunded.encode({
          orderId: r.order.order,
          accountId: r.order.account,
          refundId: randomUUID(),
          amountRefunded: { amountMinor: r.minor, currency: 'CNY' },
          refundedAt: new Date().toISOString(),
          full: false,
        }).finish(),
      );
    await send(
      'user.account',
      'emporia.user.v1.AccountDeleted',
      acct[5],
      userV1.AccountDeleted.encode({
        accountId: acct[5],
        deletedAt: new Date().toISOString(),
      }).finish(),
    );

    const buyers = truth();
    const expected = scoreRfm(buyers, new Date());
    const rfm = await eventually(
      async () => {
        const r = await call<analyticsV1.GetRfmResponse>('getRfm', { segment: '', limit: 1000 });
        const got = r.accounts.map((a) => [
          a.accountId,
          a.paidOrders,
          Number(a.spent?.amountMinor),
        ]);
        const want = expected.map((e) => [e.accountId, e.paidOrders, e.spentMinor]);
        return JSON.stringify(got) === JSON.stringify(want) ? r : undefined;
      },
      { what: 'every event applied', timeoutMs: 30_000 },
    );
    expect(
      rfm.accounts.map((a) => ({
        accountId: a.accountId,
        recency: a.recency,
        frequency: a.frequency,
        monetary: a.monetary,
        segment: a.segment,
        daysSinceLastOrder: a.daysSinceLastOrder,
        paidOrders: Number(a.paidOrders),
        spentMinor: Number(a.spent?.amountMinor),
      })),
    ).toEqual(expected);
    expect(rfm.accounts[0].spent?.currency).toBe('CNY');
    // segment totals: every segment listed; counts and money add up per segment
    expect(rfm.segments.map((s) => s.name)).toHaveLength(8);
    for (const s of rfm.segments) {
      const members = expected.filter((e) => e.segment === s.name);
      expect([Number(s.accounts), Number(s.monetary?.amountMinor)]).toEqual([
        members.length,
        members.reduce((sum, e) => sum + e.spentMinor, 0),
      ]);
    }

    const retention = await call<analyticsV1.GetRetentionResponse>('getRetention', {
      fromMonth: '',
      toMonth: '',
    });
    expect([Number(retention.buyers), Number(retention.repeatBuyers)]).toEqual([7, 4]);
    expect(retention.repurchaseRate).toBeCloseTo(4 / 7, 12);
    // cohorts from the ground truth, computed here month by month
    const month = (d: Date) => dayOf(d, TZ).slice(0, 7);
    const current = month(new Date());
    const addMonths = (m: string, k: number) => {
      const [y, mo] = m.split('-').map(Number);
      const t = y * 12 + (mo - 1) + k;
      return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
    };
    const cohorts = new Map<string, string[]>();
    for (const b of buyers) {
      const c = month(b.firstPaidAt);
      cohorts.set(c, [...(cohorts.get(c) ?? []), b.accountId]);
    }
    const expectedCohorts = [...cohorts.keys()].sort().map((c) => {
      const retained: number[] = [];
      for (let k = 0; addMonths(c, k) <= current; k++)
        retained.push(
          cohorts
            .get(c)!
            .filter((a) => orders.some((o) => o.account === a && month(o.at) === addMonths(c, k)))
            .length,
        );
      return { month: c, buyers: cohorts.get(c)!.length, retained };
    });
    expect(
      retention.cohorts.map((c) => ({
        month: c.month,
        buyers: Number(c.buyers),
        retained: c.retained.map(Number),
      })),
    ).toEqual(expectedCohorts);

    const life = await call<analyticsV1.GetLifecycleResponse>('getLifecycle', {});
    const stages = Object.fromEntries(life.stages.map((s) => [s.stage, Number(s.accounts)]));
    expect(stages).toEqual({ new: 1, active: 3, dormant: 2, woken_up: 1 });
    const now = new Date(life.asOf);
    for (const st of ['new', 'active', 'dormant', 'woken_up'])
      expect(stages[st]).toBe(
        buyers.filter((b) => lifecycleStage(b, now, { newDays: 30, dormantDays: 90 }) === st)
          .length,
      );
  });

  it('exports a segment to marketing as AudienceExported, once per idempotency key', async () => {
    const rfm = await call<analyticsV1.GetRfmResponse>('getRfm', { segment: '', limit: 1000 });
    const segment = rfm.accounts.find((a) => a.accountId === acct[0])!.segment;
    const members = rfm.accounts.filter((a) => a.segment === segment).map((a) => a.accountId);
    const template = randomUUID();
    const req = {
      segment,
      couponTemplateId: template,
      requestedBy: 'ops@example.com',
      idempotencyKey: `export-${suffix}`,
    };
    const first = await call<analyticsV1.ExportAudienceResponse>('exportAudience', req);
    expect(Number(first.accounts)).toBe(members.length);
    const events = await eventually(async () => {
      const got = audienceEvents.filter((e) => e.audienceId === first.audienceId);
      return got.length ? got : undefined;
    });
    expect(events).toEqual([
      expect.objectContaining({
        audienceId: first.audienceId,
        segment,
        couponTemplateId: template,
        accountIds: [...members].sort(),
        part: 1,
        partCount: 1,
        requestedBy: 'ops@example.com',
      }),
    ]);
    // the same key: the same audience, no second export
    expect(await call('exportAudience', req)).toEqual(first);
    const stage = await call<analyticsV1.ExportAudienceResponse>('exportAudience', {
      ...req,
      segment: 'dormant',
      idempotencyKey: `stage-${suffix}`,
    });
    expect(Number(stage.accounts)).toBe(2);
    await eventually(async () =>
      audienceEvents.some(
        (e) =>
          e.audienceId === stage.audienceId &&
          [...e.accountIds].sort().join() === [acct[3], acct[7]].sort().join(),
      )
        ? true
        : undefined,
    );
    expect(audienceEvents.filter((e) => e.audienceId === first.audienceId)).toHaveLength(1);

    const empty = rfm.segments.find((s) => Number(s.accounts) === 0)!.name;
    expect(
      await failure(call('exportAudience', { ...req, segment: empty, idempotencyKey: 'e' })),
    ).toMatchObject({ code: 'AUDIENCE_EMPTY' });
    expect(
      await failure(call('exportAudience', { ...req, segment: 'vip', idempotencyKey: 'v' })),
    ).toMatchObject({ code: 'SEGMENT_UNKNOWN', details: { field: 'segment' } });
    expect(await failure(call('getRfm', { segment: 'vip', limit: 0 }))).toMatchObject({
      code: 'SEGMENT_UNKNOWN',
      details: { field: 'segment' },
    });
    expect(await failure(call('getRfm', { segment: '', limit: 1001 }))).toMatchObject({
      code: 'LIMIT_INVALID',
      details: { field: 'limit' },
    });
  });

  it('counts an account exactly when its orders are recorded at the same time', async () => {
    const ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 30 } });
    await ds.initialize();
    try {
      const sink = new SqlFactSink(ds, [new CustomersProjection()], {
        consumer: `race-${suffix}`,
        timeZone: TZ,
        topic: (t) => t,
      });
      const account = randomUUID();
      const ctx = { traceId: '0'.repeat(32), spanId: '0'.repeat(16) };
      const facts = Array.from({ length: 60 }, (_, i) => {
        const paidAt = daysAgo(i);
        return {
          kind: 'order_paid' as const,
          eventId: randomUUID(),
          orderId: randomUUID(),
          accountId: account,
          paidAt,
          day: dayOf(paidAt, TZ),
          amountPaid: Money.of(100 + i, 'CNY'),
        };
      });
      const record = (f: (typeof facts)[number], i: number) =>
        sink.record(ctx, f, {
          eventId: f.eventId,
          eventType: 'OrderPaid',
          topic: 'race',
          partition: i,
          offset: '0',
        });
      // the account has a row already (the race is on updating it), then 59 orders at once
      await record(facts[0], 0);
      await Promise.all(facts.slice(1).map((f, i) => record(f, i + 1)));
      const [row] = (await ds.query(
        `SELECT paid_orders, paid_minor::int AS paid_minor, first_paid_at, last_paid_at,
           previous_paid_at FROM customer_stats WHERE account_id = $1`,
        [account],
      )) as {
        paid_orders: number;
        paid_minor: number;
        first_paid_at: Date;
        last_paid_at: Date;
        previous_paid_at: Date;
      }[];
      expect(row).toEqual({
        paid_orders: 60,
        paid_minor: facts.reduce((s, f) => s + f.amountPaid.amountMinor, 0),
        first_paid_at: daysAgo(59),
        last_paid_at: daysAgo(0),
        previous_paid_at: daysAgo(1),
      });
    } finally {
      await ds.destroy();
    }
  });
});
