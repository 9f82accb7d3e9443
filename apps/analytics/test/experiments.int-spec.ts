import { createHash, randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import {
  ANALYTICS_BEHAVIOUR,
  ORDER_ORDER,
  PROTO_FILES,
  type analyticsV1,
  type orderV1,
} from '@emporia/contracts';
import { createKafka, HEADER } from '@emporia/messaging';
import { createDataSource, Sql } from '@emporia/persistence';
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
import { analyticsConfigSchema } from '../src/config';
import { startAnalytics } from '../src/analytics.app';
import { SqlRecommendationStore } from '../src/infrastructure/experiment.sql-store';

jest.setTimeout(180_000);

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

/** A behaviour event with every field set (the generated encoder writes what it is given). */
function behaviour(over: Partial<analyticsV1.BehaviourEvent>): analyticsV1.BehaviourEvent {
  return {
    eventId: randomUUID(),
    type: 'page_view',
    anonymousId: '',
    accountId: '',
    sessionId: '',
    occurredAt: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
    channel: 'web',
    utm: { source: '', medium: '', campaign: '', term: '', content: '' },
    referrer: '',
    device: { type: 'desktop', os: '', browser: '' },
    page: '/',
    productId: '',
    skuId: '',
    quantity: 0,
    query: '',
    resultCount: 0,
    bannerId: '',
    experimentKey: '',
    variant: '',
    ...over,
  };
}

/**
 * Experiments and recommendations on real Postgres and Kafka: behaviour events and order
 * events published to the service's topics (as the collector and the order service do), the
 * figures read over gRPC and compared with what the events say, counted here by hand.
 */
describe('analytics experiments and recommendations (real Postgres + Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `anx${suffix}.`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  let admin: Admin;
  const group = `analytics-exp-it${suffix}`;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'analytics-experiments-it',
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

  const sent: { topic: string; key: string; value: Buffer; headers: Record<string, string> }[] = [];
  async function publish(
    topic: string,
    key: string,
    type: string,
    value: Uint8Array,
    eventId: string = randomUUID(),
  ) {
    const message = {
      topic: `${prefix}${topic}`,
      key,
      value: Buffer.from(value),
      headers: {
        [HEADER.eventId]: eventId,
        [HEADER.eventType]: type,
        [HEADER.occurredAt]: new Date().toISOString(),
      },
    };
    sent.push(message);
    await producer.send({ topic: message.topic, messages: [message] });
    return message;
  }
  const { BehaviourEventReceived } = ANALYTICS_BEHAVIOUR.events;
  const { OrderPlaced, OrderPaid } = ORDER_ORDER.events;
  /** Publishes a behaviour event on analytics.behaviour, its event id the event's own. */
  const track = (over: Partial<analyticsV1.BehaviourEvent>) => {
    const event = behaviour(over);
    return publish(
      ANALYTICS_BEHAVIOUR.name,
      event.anonymousId,
      BehaviourEventReceived.name,
      BehaviourEventReceived.codec.encode({ event }).finish(),
      event.eventId,
    );
  };
  const placed = (orderId: string, accountId: string, products: string[]) => {
    const m: orderV1.OrderPlaced = {
      orderId,
      accountId,
      total: cny(1000 * products.length),
      status: 'PENDING_PAYMENT',
      placedAt: new Date().toISOString(),
      couponCodes: [],
      lines: products.map((productId) => ({
        skuId: randomUUID(),
        productId,
        quantity: 1,
        unitPrice: cny(1000),
        total: cny(1000),
      })),
      channel: 'web',
    };
    return publish(
      ORDER_ORDER.name,
      orderId,
      OrderPlaced.name,
      OrderPlaced.codec.encode(m).finish(),
    );
  };
  const paid = (
    orderId: string,
    accountId: string,
    paidAt: number,
    eventId: string = randomUUID(),
  ) => {
    const m: orderV1.OrderPaid = { orderId, accountId, amountPaid: cny(1000), paidAt: iso(paidAt) };
    return publish(
      ORDER_ORDER.name,
      orderId,
      OrderPaid.name,
      OrderPaid.codec.encode(m).finish(),
      eventId,
    );
  };
  /** Waits until the service's group has committed every message of the topics it was sent. */
  const drained = () =>
    eventually(
      async () => {
        for (const base of [ANALYTICS_BEHAVIOUR.name, ORDER_ORDER.name]) {
          const topic = `${prefix}${base}`;
          const high = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          for (const p of high) {
            const c = committed.partitions.find((x) => x.partition === p.partition);
            if (Number(p.high) > 0 && Number(c?.offset ?? -1) < Number(p.high)) return undefined;
          }
        }
        return true;
      },
      { timeoutMs: 60_000, what: 'the consumer to catch up' },
    );
  /** Sends an already sent message again: the same event id, a new Kafka offset. */
  const redeliver = (m: (typeof sent)[number]) =>
    producer.send({ topic: m.topic, messages: [{ ...m }] });

  beforeAll(async () => {
    db = await createTestDatabase('analytics_exp_it');
    const config = analyticsConfigSchema.parse({
      ANALYTICS_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      ANALYTICS_GRPC_PORT: String(await freePort()),
      ANALYTICS_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      ANALYTICS_MIGRATE_ON_START: 'true',
      ANALYTICS_CONSUMER_GROUP: group,
    });
    service = await startAnalytics(config, testLogger('analytics'));
    client = grpcTestClient(
      PROTO_FILES.analytics,
      'emporia.analytics.v1.AnalyticsService',
      service.grpcUrl!,
    );
    producer = kafka.producer();
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    client?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await service?.close();
    await db?.drop();
  });

  const now = Date.now();
  /** An experiment key of this run (keys are [a-z0-9_-]). */
  const keyOf = (name: string) => `${name}-${suffix}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
  const experiment = (over: Partial<analyticsV1.Experiment> = {}): analyticsV1.Experiment => ({
    key: keyOf('checkout'),
    name: 'Green checkout button',
    variants: [
      { key: 'control', weight: 1 },
      { key: 'green', weight: 1 },
    ],
    startAt: iso(now - 60 * MIN),
    stopAt: iso(now + 24 * 60 * MIN),
    primaryMetric: 'checkout_started',
    status: '',
    ...over,
  });
  const results = (key: string) =>
    call<analyticsV1.GetExperimentResultsResponse>('getExperimentResults', { key });
  const counts = (r: analyticsV1.GetExperimentResultsResponse) =>
    r.variants.map((v) => [v.variant, v.users, v.conversions]);

  it('defines experiments: checks, status, the started rule, and deterministic assignments', async () => {
    const e = experiment({ key: keyOf('def') });
    const created = await call<analyticsV1.UpsertExperimentResponse>('upsertExperiment', {
      experiment: e,
    });
    expect(created.experiment).toEqual({ ...e, status: 'RUNNING' });
    const bad = await failure(
      call('upsertExperiment', { experiment: { ...e, variants: [{ key: 'only', weight: 1 }] } }),
    );
    expect(bad).toMatchObject({
      code: 'VARIANTS_INVALID',
      details: { field: 'experiment.variants' },
    });
    const started = await failure(
      call('upsertExperiment', {
        experiment: {
          ...e,
          variants: [
            { key: 'control', weight: 1 },
            { key: 'green', weight: 2 },
          ],
        },
      }),
    );
    expect(started.code).toBe('EXPERIMENT_STARTED');
    const renamed = await call<analyticsV1.UpsertExperimentResponse>('upsertExperiment', {
      experiment: { ...e, name: 'renamed', primaryMetric: 'add_to_cart' },
    });
    expect(renamed.experiment).toMatchObject({ name: 'renamed', primaryMetric: 'add_to_cart' });
    const later = experiment({ key: keyOf('later'), startAt: iso(now + 60 * MIN) });
    await call('upsertExperiment', { experiment: later });
    const listed = await call<analyticsV1.ListExperimentsResponse>('listExperiments', {});
    expect(listed.experiments.find((x) => x.key === later.key)?.status).toBe('SCHEDULED');

    // the assignment is the domain's hash, computed here from its definition
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    const expected = (unit: string) =>
      parseInt(sha(`${e.key}:${unit}`).slice(0, 8), 16) % 10000 < 5000 ? 'control' : 'green';
    for (const anonymousId of ['a1', 'b2', 'c3', 'd4', 'e5']) {
      const got = await call<analyticsV1.GetAssignmentsResponse>('getAssignments', {
        anonymousId,
        accountId: '',
      });
      // only running experiments (never the scheduled one)
      expect(got.assignments.find((a) => a.experimentKey === later.key)).toBeUndefined();
      expect(got.assignments.find((a) => a.experimentKey === e.key)?.variant).toBe(
        expected(anonymousId),
      );
    }
    const account = randomUUID();
    const byAccount = await call<analyticsV1.GetAssignmentsResponse>('getAssignments', {
      anonymousId: 'whoever',
      accountId: account,
    });
    expect(byAccount.assignments.find((a) => a.experimentKey === e.key)?.variant).toBe(
      expected(account),
    );
    expect(
      await failure(call('getAssignments', { anonymousId: 'bad id!', accountId: '' })),
    ).toMatchObject({ code: 'ANONYMOUS_ID_INVALID', details: { field: 'anonymous_id' } });
    expect((await failure(results('no-such-experiment'))).code).toBe('EXPERIMENT_NOT_FOUND');
  });

  it('counts first exposures and conversions exactly; duplicates and late events change nothing', async () => {
    const e = experiment();
    await call('upsertExperiment', { experiment: e });
    const t0 = now - 30 * MIN;
    const expose = (anonymousId: string, variant: string, at: number, accountId = '') =>
      track({
        type: 'experiment_exposure',
        anonymousId,
        accountId,
        experimentKey: e.key,
        variant,
        occurredAt: iso(at),
      });
    const checkout = (anonymousId: string, at: number, accountId = '') =>
      track({ type: 'checkout_started', anonymousId, accountId, occurredAt: iso(at) });
    const a4 = randomUUID();
    const kept: Awaited<ReturnType<typeof track>>[] = [];
    // v1: control, converts after its exposure
    kept.push(await expose('v1', 'control', t0));
    kept.push(await checkout('v1', t0 + MIN));
    // v2: control, never converts; v3: green, checked out only before its exposure
    await expose('v2', 'control', t0);
    await checkout('v3', t0 - MIN);
    await expose('v3', 'green', t0);
    // the account is the unit when signed in; its checkout (with its visitor id) counts
    await expose('v4', 'green', t0, a4);
    await checkout('v4', t0 + 2 * MIN, a4);
    // v5: its green exposure arrives first but its control one happened earlier: control
    await expose('v5', 'green', t0 + 5 * MIN);
    await checkout('v5', t0 + 2 * MIN);
    await expose('v5', 'control', t0);
    // not counted: an unknown variant, an exposure before the start, another experiment
    await expose('v6', 'purple', t0);
    await expose('v7', 'control', now - 2 * 60 * MIN);
    await track({
      type: 'experiment_exposure',
      anonymousId: 'v8',
      experimentKey: 'unknown',
      variant: 'control',
      occurredAt: iso(t0),
    });

    // control: v1 (converted), v2, v5 (converted); green: v3, a4 (converted)
    const first = await eventually(
      async () => {
        const r = await results(e.key);
        return JSON.stringify(counts(r)) ===
          JSON.stringify([
            ['control', 3, 2],
            ['green', 2, 1],
          ])
          ? r
          : undefined;
      },
      { timeoutMs: 60_000, what: 'exposures and conversions' },
    );
    const control = first.variants[0];
    const green = first.variants[1];
    expect(control).toMatchObject({
      rate: 2 / 3,
      absoluteUplift: 0,
      pValue: 1,
      significant: false,
    });
    expect(green.rate).toBe(0.5);
    expect(green.absoluteUplift).toBeCloseTo(0.5 - 2 / 3, 15);
    expect(green.relativeUplift).toBeCloseTo((0.5 - 2 / 3) / (2 / 3), 15);
    // pooled p = 3/5; se = sqrt(0.6 · 0.4 · (1/3 + 1/2)) = 0.4472; z = −0.1667/0.4472 = −0.3727
    expect(green.pValue).toBeCloseTo(0.70939, 4);
    expect(first.srmPValue).toBeCloseTo(0.65472, 4); // χ² = 0.2, df 1
    expect(first.sampleRatioMismatch).toBe(false);

    // every event again with its own id, and a second copy of v1's checkout: nothing changes;
    // then a new unit, whose exposure shows the duplicates before it were processed
    for (const m of kept) await redeliver(m);
    await redeliver(sent[sent.length - 1]);
    await expose('v9', 'green', t0 + 10 * MIN);
    await drained();
    const after = await eventually(
      async () => {
        const r = await results(e.key);
        return r.variants[1].users === 3 ? r : undefined;
      },
      { timeoutMs: 60_000, what: 'the new exposure' },
    );
    expect(counts(after)).toEqual([
      ['control', 3, 2],
      ['green', 3, 1],
    ]);
  });

  it('counts paid orders of the account, and of a visitor linked to it later', async () => {
    const e = experiment({
      key: keyOf('paid'),
      primaryMetric: 'paid_order',
    });
    await call('upsertExperiment', { experiment: e });
    const t0 = now - 20 * MIN;
    const p1 = randomUUID();
    const p2 = randomUUID();
    const p3 = randomUUID();
    // p1 visits anonymously, pays as its account, and only then signs in on that browser
    await track({
      type: 'experiment_exposure',
      anonymousId: 'w1',
      experimentKey: e.key,
      variant: 'control',
      occurredAt: iso(t0),
    });
    await paid(randomUUID(), p1, t0 + MIN);
    // p2 is exposed signed in and pays; p3 paid only before its exposure
    await track({
      type: 'experiment_exposure',
      anonymousId: 'w2',
      accountId: p2,
      experimentKey: e.key,
      variant: 'green',
      occurredAt: iso(t0),
    });
    const p2Paid = await paid(randomUUID(), p2, t0 + 3 * MIN);
    await paid(randomUUID(), p3, t0 - MIN);
    await track({
      type: 'experiment_exposure',
      anonymousId: 'w3',
      accountId: p3,
      experimentKey: e.key,
      variant: 'green',
      occurredAt: iso(t0),
    });
    await eventually(
      async () => {
        const r = await results(e.key);
        return JSON.stringify(counts(r)) ===
          JSON.stringify([
            ['control', 1, 0],
            ['green', 2, 1],
          ])
          ? r
          : undefined;
      },
      { timeoutMs: 60_000, what: 'paid conversions' },
    );
    await redeliver(p2Paid);
    await drained();
    expect(counts(await results(e.key))).toEqual([
      ['control', 1, 0],
      ['green', 2, 1],
    ]);
    await track({
      type: 'page_view',
      anonymousId: 'w1',
      accountId: p1,
      occurredAt: iso(t0 + 5 * MIN),
    });
    const r = await eventually(
      async () => {
        const x = await results(e.key);
        return x.variants[0].conversions === 1 ? x : undefined;
      },
      { timeoutMs: 60_000, what: 'the link' },
    );
    expect(counts(r)).toEqual([
      ['control', 1, 1],
      ['green', 2, 1],
    ]);
  });

  it('keeps bought-together and viewed-together exactly; duplicates change nothing', async () => {
    const [A, B, C, D] = [0, 1, 2, 3].map(() => randomUUID()).sort();
    const account = randomUUID();
    const t = now - 10 * MIN;
    // ground truth: paid orders' distinct products, and the product sets of sessions
    const orders: string[][] = [];
    const order = async (products: string[], opts: { paid: boolean; paidFirst?: boolean }) => {
      const id = randomUUID();
      if (opts.paid) orders.push([...new Set(products)]);
      if (opts.paidFirst) await paid(id, account, t);
      await placed(id, account, products);
      if (opts.paid && !opts.paidFirst) return paid(id, account, t);
      return undefined;
    };
    const o1Paid = await order([A, A, B, C], { paid: true });
    await order([A, B], { paid: true, paidFirst: true });
    await order([A, D], { paid: false });
    await order([B, D], { paid: true });
    const sessions: Record<string, Set<string>> = {};
    const view = (sessionId: string, productId: string, anonymousId = 'viewer') => {
      const key = sessionId || `${anonymousId}:day`;
      (sessions[key] ??= new Set()).add(productId);
      return track({ type: 'product_view', sessionId, anonymousId, productId, occurredAt: iso(t) });
    };
    await view('s1', A);
    const dupView = await view('s1', B);
    await view('s1', A);
    await view('s1', C);
    await view('s2', A);
    await view('s2', D);
    await view('', B, `anon-${suffix}`);
    await view('', D, `anon-${suffix}`);

    const expected = (groups: string[][], p: string, limit = 10) => {
      const n = (q: string) => groups.filter((g) => g.includes(q)).length;
      return [A, B, C, D]
        .filter((q) => q !== p)
        .map((q) => ({
          productId: q,
          together: groups.filter((g) => g.includes(p) && g.includes(q)).length,
        }))
        .filter((x) => x.together > 0)
        .map((x) => ({ ...x, score: x.together / Math.sqrt(n(p) * n(x.productId)) }))
        .sort(
          (x, y) =>
            y.score - x.score || y.together - x.together || (x.productId < y.productId ? -1 : 1),
        )
        .slice(0, limit);
    };
    const get = (kind: string, productId: string, limit = 0) =>
      call<analyticsV1.GetRecommendationsResponse>('getRecommendations', {
        productId,
        kind,
        limit,
      });
    const settled = async (kind: string, groups: () => string[][]) => {
      for (const p of [A, B, C, D])
        await eventually(
          async () => {
            const got = (await get(kind, p)).items;
            return JSON.stringify(got) === JSON.stringify(expected(groups(), p)) ? got : undefined;
          },
          { timeoutMs: 60_000, what: `${kind} of ${p}` },
        );
    };
    await settled('bought_together', () => orders);
    await settled('viewed_together', () => Object.values(sessions).map((s) => [...s]));
    // e.g. bought together with B: A (2 of B's 3 orders, A's 2) then C and D (1 each) by id
    expect((await get('bought_together', B)).items).toEqual([
      { productId: A, together: 2, score: 2 / Math.sqrt(6) },
      ...[C, D].map((q) => ({ productId: q, together: 1, score: 1 / Math.sqrt(3) })),
    ]);
    expect((await get('bought_together', B, 1)).items).toHaveLength(1);

    // duplicates: the same events again, and the same order paid under a new event id
    await redeliver(o1Paid!);
    await redeliver(dupView);
    // an order paid but never seen placed has no products: it counts for nothing
    await paid(randomUUID(), account, t);
    const o1Id = OrderPaid.codec.decode(o1Paid!.value).orderId;
    await paid(o1Id, account, t);
    // a last order shows everything before it was processed
    await order([C, D], { paid: true });
    await drained();
    await settled('bought_together', () => orders);
    await settled('viewed_together', () => Object.values(sessions).map((s) => [...s]));

    expect(
      await failure(call('getRecommendations', { productId: A, kind: 'similar', limit: 5 })),
    ).toMatchObject({ code: 'RECOMMENDATION_KIND_INVALID', details: { field: 'kind' } });
    expect(
      await failure(
        call('getRecommendations', { productId: A, kind: 'bought_together', limit: 51 }),
      ),
    ).toMatchObject({ code: 'LIMIT_INVALID' });
  });

  it('prunes the product sets of old view sessions, in batches, keeping newer ones', async () => {
    const ds = createDataSource({ url: db.url, entities: [], migrations: [] });
    await ds.initialize();
    try {
      const sql = new Sql(ds);
      await sql.run(
        `INSERT INTO recommendation_session_products (session_key, product_id, day)
         SELECT 'old:' || g, gen_random_uuid(), DATE '2020-01-01' FROM generate_series(1, 5) g
         UNION ALL SELECT 'new:1', gen_random_uuid(), DATE '2020-01-02'`,
      );
      const count = async (prefix: string) =>
        (
          await sql.one<{ n: number }>(
            `SELECT count(*)::int AS n FROM recommendation_session_products
              WHERE session_key LIKE $1 || '%'`,
            [prefix],
          )
        )?.n;
      const store = new SqlRecommendationStore(ds);
      expect(await store.pruneViewSessions('2020-01-02', 2)).toBe(5);
      expect(await count('old:')).toBe(0);
      expect(await count('new:')).toBe(1);
      expect(await store.pruneViewSessions('2020-01-02', 2)).toBe(0);
    } finally {
      await ds.destroy();
    }
  });
});
