import type { Admin, Producer } from 'kafkajs';
import { type analyticsV1, PROTO_FILES } from '@emporia/contracts';
import { createKafka } from '@emporia/messaging';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  DAY_MS,
  eventually,
  expectedAttribution,
  expectedExperiment,
  expectedFunnel,
  expectedInventory,
  expectedKpis,
  expectedLifecycle,
  expectedRecommendations,
  expectedRetention,
  expectedRfm,
  freePort,
  generateMonth,
  grpcTestClient,
  localDay,
  monthDomainEvents,
  Prng,
  rfmSegmentCounts,
  SEGMENTS,
  testEnv,
  testLogger,
  uniqueSuffix,
} from '@emporia/testing';
import { analyticsConfigSchema } from '../src/config';
import { startAnalytics } from '../src/analytics.app';
import { FACT_TOPICS } from '../src/interface/fact-events.consumer';
import { behaviourBatches, domainDelivery, drained, ingest, publishDomain } from './month-publish';

jest.setTimeout(900_000);

const RATE = 1e-9;
/** Two-sided p-values come from another implementation of the normal and chi-square tails. */
const P_VALUE = 1e-6;
const near = (got: number, want: number, tol: number, what: string) => {
  if (!(Math.abs(got - want) <= tol))
    throw new Error(`${what}: got ${got}, want ${want} (±${tol})`);
};
const minor = (m: { amountMinor?: number | string } | undefined) => Number(m?.amountMinor ?? 0);

/**
 * The proof (issue 16): a synthetic month published to analytics as the storefronts and the
 * services would (behaviour through the collector, shuffled, 5% duplicated, some late; domain
 * events to their topics, duplicated, some payments out of order), then every figure the API
 * answers compared with the independent calculator's: exactly for counts and money, within 1e-9
 * for rates. A second delivery of duplicates must change nothing. `now` is the test's start: the
 * month's payments keep clear of the day boundaries relative to it (see generateMonth).
 */
describe('analytics: a synthetic month against figures computed independently', () => {
  const now = new Date();
  const truth = generateMonth({ now });
  const domain = monthDomainEvents(truth);
  const rng = new Prng(2016);
  const suffix = uniqueSuffix();
  const prefix = `analytics-month${suffix}.`;
  const group = `analytics-month${suffix}`;
  const from = truth.days[0];
  const to = truth.days[truth.days.length - 1];
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  let admin: Admin;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'analytics-month-it',
    logger: testLogger('kafka'),
  });
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const caughtUp = () =>
    drained(
      admin,
      group,
      FACT_TOPICS.map((t) => `${prefix}${t}`),
    );

  beforeAll(async () => {
    db = await createTestDatabase('analytics_month');
    const config = analyticsConfigSchema.parse({
      ANALYTICS_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      ANALYTICS_CONSUMER_GROUP: group,
      ANALYTICS_GRPC_PORT: String(await freePort()),
      ANALYTICS_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      ANALYTICS_MIGRATE_ON_START: 'true',
      ANALYTICS_TIME_ZONE: truth.timeZone,
      // the month's events are up to 31 days old: keep their own times
      ANALYTICS_MAX_LATE_DAYS: '40',
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
    for (const x of truth.experiments)
      await call('upsertExperiment', {
        experiment: {
          key: x.key,
          name: x.name,
          variants: x.variants,
          startAt: x.startAt.toISOString(),
          stopAt: x.stopAt.toISOString(),
          primaryMetric: x.primaryMetric,
        },
      });
  });

  afterAll(async () => {
    client?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await service?.close();
    await db?.drop();
  });

  const funnel = (q: {
    from: string;
    to: string;
    channel?: string;
    utmSource?: string;
    device?: string;
  }) =>
    call<analyticsV1.GetFunnelResponse>('getFunnel', {
      range: { fromDay: q.from, toDay: q.to },
      channel: q.channel ?? '',
      utmSource: q.utmSource ?? '',
      device: q.device ?? '',
    });

  async function compareFunnels(): Promise<void> {
    const mid = truth.days[14];
    for (const q of [
      { from, to },
      { from: mid, to: mid },
      { from, to, channel: 'app' },
      { from, to, utmSource: 'google' },
      { from, to, device: 'desktop' },
      { from, to: mid, channel: 'web', utmSource: 'wechat', device: 'mobile' },
    ]) {
      const got = (await funnel(q)).steps;
      const want = expectedFunnel(truth, q);
      expect(got.map((s) => [s.step, Number(s.visitors)])).toEqual(
        want.map((s) => [s.step, s.visitors]),
      );
      want.forEach((w, i) => {
        near(
          got[i].conversion,
          w.conversion,
          RATE,
          `funnel ${JSON.stringify(q)} ${w.step} conversion`,
        );
        near(got[i].dropOff, w.dropOff, RATE, `funnel ${JSON.stringify(q)} ${w.step} drop-off`);
      });
    }
  }

  async function compareKpis(): Promise<void> {
    const week = { from: truth.days[10], to: truth.days[16] };
    for (const range of [{ from, to }, week])
      for (const channel of ['', 'all', 'web', 'app', 'mini_program']) {
        const got = await call<analyticsV1.GetKpisResponse>('getKpis', {
          range: { fromDay: range.from, toDay: range.to },
          channel,
        });
        const want = expectedKpis(truth, { ...range, channel });
        const figures = (r: analyticsV1.KpiRow | undefined) => [
          minor(r?.gmv),
          Number(r?.orders ?? 0),
          Number(r?.paidOrders ?? 0),
          minor(r?.aov),
          Number(r?.units ?? 0),
          minor(r?.refunds),
          Number(r?.newBuyers ?? 0),
          Number(r?.returningBuyers ?? 0),
        ];
        const byKey = new Map(got.rows.map((r) => [`${r.day}|${r.channel}`, r]));
        for (const w of want.rows) {
          const k = `${w.day}|${w.channel}`;
          expect([k, ...figures(byKey.get(k))]).toEqual([
            k,
            w.gmvMinor,
            w.orders,
            w.paidOrders,
            w.aovMinor,
            w.units,
            w.refundsMinor,
            w.newBuyers,
            w.returningBuyers,
          ]);
          byKey.delete(k);
        }
        // rows the calculator has not (days without activity) may only hold zeros
        for (const [k, r] of byKey) expect([k, ...figures(r)]).toEqual([k, 0, 0, 0, 0, 0, 0, 0, 0]);
        const t = want.total;
        expect(['total', channel, ...figures(got.total)]).toEqual([
          'total',
          channel,
          t.gmvMinor,
          t.orders,
          t.paidOrders,
          t.aovMinor,
          t.units,
          t.refundsMinor,
          t.newBuyers,
          t.returningBuyers,
        ]);
      }
  }

  async function compareAttribution(): Promise<void> {
    for (const model of ['first_touch', 'last_touch'] as const) {
      const got = await call<analyticsV1.GetAttributionResponse>('getAttribution', {
        range: { fromDay: from, toDay: to },
        model,
      });
      expect(
        got.rows.map((r) => [
          r.utmSource,
          r.utmMedium,
          r.utmCampaign,
          Number(r.paidOrders),
          minor(r.gmv),
        ]),
      ).toEqual(
        expectedAttribution(truth, { from, to, model }).map((r) => [
          r.source,
          r.medium,
          r.campaign,
          r.paidOrders,
          r.gmvMinor,
        ]),
      );
    }
  }

  async function compareCustomers(): Promise<void> {
    const fromMonth = localDay(new Date(now.getTime() - 210 * DAY_MS), truth.timeZone).slice(0, 7);
    const toMonth = localDay(now, truth.timeZone).slice(0, 7);
    const retention = await call<analyticsV1.GetRetentionResponse>('getRetention', {
      fromMonth,
      toMonth,
    });
    const wantRetention = expectedRetention(truth, { fromMonth, toMonth });
    expect([Number(retention.buyers), Number(retention.repeatBuyers)]).toEqual([
      wantRetention.buyers,
      wantRetention.repeatBuyers,
    ]);
    near(retention.repurchaseRate, wantRetention.repurchaseRate, RATE, 'repurchase rate');
    expect(
      retention.cohorts.map((c) => [c.month, Number(c.buyers), c.retained.map(Number)]),
    ).toEqual(wantRetention.cohorts.map((c) => [c.month, c.buyers, c.retained]));

    const lifecycle = await call<analyticsV1.GetLifecycleResponse>('getLifecycle', {});
    const stages = Object.fromEntries(lifecycle.stages.map((s) => [s.stage, Number(s.accounts)]));
    expect({ new: 0, active: 0, dormant: 0, woken_up: 0, ...stages }).toEqual(
      expectedLifecycle(truth),
    );

    const rfm = expectedRfm(truth);
    const counts = rfmSegmentCounts(rfm);
    const segments = await call<analyticsV1.GetRfmResponse>('getRfm', { segment: '', limit: 0 });
    const gotCounts = Object.fromEntries(
      segments.segments.map((s) => [s.name, Number(s.accounts)]),
    );
    expect(Object.fromEntries(SEGMENTS.map((s) => [s, gotCounts[s] ?? 0]))).toEqual(
      Object.fromEntries(SEGMENTS.map((s) => [s, counts[s].accounts])),
    );
    for (const segment of ['champions', 'at_risk', 'new_customers']) {
      const got = await call<analyticsV1.GetRfmResponse>('getRfm', { segment, limit: 1000 });
      const row = (a: analyticsV1.RfmScore) => [
        a.accountId,
        a.recency,
        a.frequency,
        a.monetary,
        a.segment,
        a.daysSinceLastOrder,
        Number(a.paidOrders),
        minor(a.spent),
      ];
      expect(got.accounts.map(row).sort()).toEqual(
        rfm
          .filter((r) => r.segment === segment)
          .map((r) => [
            r.accountId,
            r.recency,
            r.frequency,
            r.monetary,
            r.segment,
            r.daysSinceLastOrder,
            r.paidOrders,
            r.spentMinor,
          ])
          .sort(),
      );
    }
  }

  async function compareExperiments(): Promise<void> {
    for (const x of truth.experiments) {
      const got = await call<analyticsV1.GetExperimentResultsResponse>('getExperimentResults', {
        key: x.key,
      });
      const want = expectedExperiment(truth, x.key);
      expect(
        got.variants.map((v) => [v.variant, Number(v.users), Number(v.conversions), v.significant]),
      ).toEqual(want.variants.map((v) => [v.variant, v.users, v.conversions, v.significant]));
      want.variants.forEach((w, i) => {
        const g = got.variants[i];
        for (const f of ['rate', 'absoluteUplift', 'relativeUplift', 'ciLow', 'ciHigh'] as const)
          near(g[f], w[f], RATE, `${x.key}/${w.variant} ${f}`);
        if (i > 0) near(g.pValue, w.pValue, P_VALUE, `${x.key}/${w.variant} p-value`);
      });
      near(got.srmPValue, want.srmPValue, P_VALUE, `${x.key} SRM p-value`);
      expect(got.sampleRatioMismatch).toBe(want.sampleRatioMismatch);
    }
    // the true effect is found, the A/A test finds none
    expect(expectedExperiment(truth, 'checkout-cta').variants[1].significant).toBe(true);
    expect(expectedExperiment(truth, 'header-aa').variants[1].significant).toBe(false);
  }

  async function compareRecommendations(): Promise<void> {
    const viewed = new Map<string, number>();
    for (const e of truth.behaviour)
      if (e.type === 'product_view') viewed.set(e.productId, (viewed.get(e.productId) ?? 0) + 1);
    const top = [...viewed.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([p]) => p);
    for (const productId of [...top, truth.products[truth.products.length - 1].productId])
      for (const kind of ['bought_together', 'viewed_together'] as const) {
        const got = await call<analyticsV1.GetRecommendationsResponse>('getRecommendations', {
          productId,
          kind,
          limit: 10,
        });
        const want = expectedRecommendations(truth, productId, kind).slice(0, 10);
        expect(got.items.map((r) => [r.productId, Number(r.together)])).toEqual(
          want.map((r) => [r.productId, r.together]),
        );
        want.forEach((w, i) =>
          near(got.items[i].score, w.score, RATE, `${kind} ${productId} score`),
        );
      }
  }

  async function compareInventory(): Promise<void> {
    const got = await call<analyticsV1.GetInventoryHealthResponse>('getInventoryHealth', {
      categoryId: '',
      windowDays: 30,
      limit: 1000,
    });
    const want = expectedInventory(truth, 30);
    const skus = new Map(got.skus.map((s) => [s.skuId, s]));
    expect(got.skus).toHaveLength(want.skus.length);
    for (const w of want.skus) {
      const g = skus.get(w.id)!;
      expect([
        w.id,
        Number(g?.onHand),
        Number(g?.unitsSold),
        g?.slowMover,
        g?.stockoutRisk,
        g?.productId,
        g?.categoryId,
      ]).toEqual([
        w.id,
        w.onHand,
        w.unitsSold,
        w.slowMover,
        w.stockoutRisk,
        w.productId,
        w.categoryId,
      ]);
      near(g.turnover, w.turnover, RATE, `${w.id} turnover`);
      near(g.daysOfSupply, w.daysOfSupply, RATE, `${w.id} days of supply`);
      near(g.sellThrough, w.sellThrough, RATE, `${w.id} sell-through`);
    }
    const cats = new Map(got.categories.map((c) => [c.categoryId, c]));
    for (const w of want.categories) {
      const g = cats.get(w.id)!;
      expect([w.id, Number(g?.onHand), Number(g?.unitsSold)]).toEqual([
        w.id,
        w.onHand,
        w.unitsSold,
      ]);
      near(g.turnover, w.turnover, RATE, `category ${w.id} turnover`);
      near(g.daysOfSupply, w.daysOfSupply, RATE, `category ${w.id} days of supply`);
      near(g.sellThrough, w.sellThrough, RATE, `category ${w.id} sell-through`);
    }
  }

  const compareEverything = async () => {
    await compareKpis();
    await compareFunnels();
    await compareAttribution();
    await compareCustomers();
    await compareExperiments();
    await compareRecommendations();
    await compareInventory();
  };

  it('ingests the month (duplicates, late and out-of-order events included) and agrees with the calculator', async () => {
    const batches = behaviourBatches(truth.behaviour, rng, 100);
    // none refused (ingest throws on a rejection)
    expect(await ingest(call, batches)).toBeGreaterThanOrEqual(truth.behaviour.length);
    // behaviour first (attribution counts the touches known when a payment is processed)
    const views = expectedFunnel(truth, { from, to })[0].visitors;
    await eventually(
      async () => ((await funnel({ from, to })).steps[0]?.visitors === views ? true : undefined),
      {
        timeoutMs: 300_000,
        intervalMs: 1000,
        what: 'the behaviour events ingested',
      },
    );
    await caughtUp();

    await publishDomain(producer, prefix, domainDelivery(domain, rng));
    const paid = expectedKpis(truth, { from, to, channel: 'all' }).total.paidOrders;
    await eventually(
      async () => {
        const k = await call<analyticsV1.GetKpisResponse>('getKpis', {
          range: { fromDay: from, toDay: to },
          channel: 'all',
        });
        return Number(k.total?.paidOrders ?? 0) === paid ? true : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 1000, what: 'the domain events consumed' },
    );
    await caughtUp();
    await compareEverything();
  });

  it('a second delivery of duplicates changes nothing', async () => {
    // every event here was stored before: the collector accepts them again, analytics keeps one
    await ingest(call, behaviourBatches(truth.behaviour.slice(0, 500), rng, 100));
    // one domain event in eight again: products, accounts, orders placed, paid, refunded
    await publishDomain(
      producer,
      prefix,
      domain.filter((_, i) => i % 8 === 0),
    );
    await caughtUp();
    await compareEverything();
  });
});
