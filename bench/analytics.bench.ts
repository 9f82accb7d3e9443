/**
 * Analytics (issue 16), each figure beside a baseline measured in the same run:
 *
 * - ingestion: BENCH_INGEST_EVENTS behaviour events posted through the gateway's
 *   `POST /v1/events` in batches of 50 (BENCH_CONCURRENCY at a time) until the funnel counts
 *   them all (events/s to queryable), and the lag (send → visible in the funnel) of probe events
 *   sent during the run; against the same events produced with kafkajs straight to the
 *   `analytics.behaviour` topic (the path without the gateway and the collector);
 * - queries: BENCH_FACTS (10,000,000) behaviour events and BENCH_ORDERS orders over 30 days
 *   loaded straight into the analytics tables by SQL (`analytics-load.ts`), then the p95 of
 *   GetFunnel, GetKpis and GetRfm over gRPC against the same questions answered by a raw scan of
 *   the facts in Postgres, and a bare `count(*)` of the partition range.
 *
 *   npm run bench:analytics   (BENCH_FACTS, BENCH_ORDERS, BENCH_INGEST_EVENTS, BENCH_SECONDS,
 *   BENCH_CONCURRENCY). Runtime with the defaults: the load is a few minutes, the rest ~2.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { ANALYTICS_BEHAVIOUR, analyticsV1, PROTO_FILES } from '@emporia/contracts';
import { createKafka, HEADER, PROTOBUF_CONTENT_TYPE } from '@emporia/messaging';
import {
  addDays,
  grpcTestClient,
  localDay,
  provideInfrastructure,
  startPlatform,
  testEnv,
  testLogger,
} from '@emporia/testing';
import { loadHistory } from './analytics-load';
import { closedLoop, machine, percentiles, table, writeFigures, type RunResult } from './lib';

const FACTS = Number(process.env.BENCH_FACTS ?? 10_000_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 300_000);
const INGEST = Number(process.env.BENCH_INGEST_EVENTS ?? 20_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TZ = 'Asia/Shanghai';
const BATCH = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Grpc = ReturnType<typeof grpcTestClient>;

const event = (i: number, source: string, tag: string): analyticsV1.BehaviourEvent => ({
  eventId: randomUUID(),
  type: 'product_view',
  anonymousId: `${tag}-${i}`,
  accountId: '',
  sessionId: `${tag}-s${i}`,
  occurredAt: new Date().toISOString(),
  receivedAt: new Date().toISOString(),
  channel: 'web',
  utm: { source, medium: 'bench', campaign: '', term: '', content: '' },
  referrer: '',
  device: { type: 'mobile', os: 'android', browser: 'chrome' },
  page: '/p',
  productId: randomUUID(),
  skuId: '',
  quantity: 0,
  query: '',
  resultCount: 0,
  bannerId: '',
  experimentKey: '',
  variant: '',
});

/** Visitors counted in today's funnel with a UTM source. */
const viewsOf = async (grpc: Grpc, source: string) => {
  const today = localDay(new Date(), TZ);
  const r = await grpc.call<analyticsV1.GetFunnelResponse>('getFunnel', {
    range: { fromDay: today, toDay: today },
    utmSource: source,
  });
  return Number(r.steps[0]?.visitors ?? 0);
};

/**
 * Sends INGEST events through `send` (batches of 50, CONCURRENCY at a time) and a probe every
 * 250 ms until the funnel shows them all: events/s to queryable, and the probes' lags.
 */
async function ingestion(
  grpc: Grpc,
  tag: string,
  send: (events: analyticsV1.BehaviourEvent[]) => Promise<void>,
) {
  const source = `bench-${tag}`;
  const lags: number[] = [];
  // probes are sent every 250 ms; one poller asks about the oldest pending probe at a time (one
  // query in flight: the lag measured is at most one poll later than the truth)
  const pending: { probe: string; sent: number }[] = [];
  let running = true;
  const sender = (async () => {
    for (let k = 0; running; k++) {
      const probe = `probe-${tag}-${k}`;
      const sent = performance.now();
      await send([event(k, probe, `${tag}p`)]);
      pending.push({ probe, sent });
      await sleep(250);
    }
  })();
  const poller = (async () => {
    while (running || pending.length > 0) {
      const p = pending[0];
      if (!p) {
        await sleep(20);
        continue;
      }
      if ((await viewsOf(grpc, p.probe)) >= 1) {
        lags.push(performance.now() - p.sent);
        pending.shift();
      } else if (performance.now() - p.sent > 600_000) throw new Error(`${p.probe} never visible`);
      else await sleep(20);
    }
  })();
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let b = next++; b * BATCH < INGEST; b = next++)
        await send(
          Array.from({ length: Math.min(BATCH, INGEST - b * BATCH) }, (_, j) =>
            event(b * BATCH + j, source, tag),
          ),
        );
    }),
  );
  const sentSeconds = (performance.now() - start) / 1000;
  while ((await viewsOf(grpc, source)) < INGEST) {
    if (performance.now() - start > 600_000) throw new Error(`${tag}: not all events visible`);
    await sleep(100);
  }
  const seconds = (performance.now() - start) / 1000;
  running = false;
  await sender;
  await poller;
  return {
    tag,
    seconds,
    sentSeconds,
    perSecond: INGEST / seconds,
    lag: percentiles(lags),
    probes: lags.length,
  };
}

async function main() {
  await provideInfrastructure(['postgres', 'redis', 'kafka', 'elasticsearch']);
  // `analytics`/`analyticsEnv` and `databases.analytics`: startPlatform's analytics service
  const platform = await startPlatform({
    ...({ analytics: true, analyticsEnv: { OUTBOX_POLL_MS: '100' } } as object),
    gatewayEnv: {
      EVENTS_RATE_LIMIT_PER_IP: '1000000000',
      EVENTS_RATE_LIMIT_PER_VISITOR: '1000000000',
    },
  });
  const analyticsDb = (platform.databases as Record<string, string | undefined>).analytics!;
  const grpcPort = platform.processes.analytics.env.ANALYTICS_GRPC_PORT;
  const grpc = grpcTestClient(
    PROTO_FILES.analytics,
    'emporia.analytics.v1.AnalyticsService',
    `127.0.0.1:${grpcPort}`,
  );
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'bench-analytics',
    logger: testLogger('kafka'),
  });
  const producer = kafka.producer();
  await producer.connect();
  const pg = new Client({ connectionString: analyticsDb });
  await pg.connect();
  try {
    // 1. ingestion to queryable: through the gateway, then straight to Kafka
    const gateway = await ingestion(grpc, 'gw', async (events) => {
      const res = await platform.api('POST', '/v1/events', {
        events: events.map((e) => ({ ...e, accountId: undefined, receivedAt: undefined })),
      });
      if (res.status !== 202)
        throw new Error(`POST /v1/events: ${res.status} ${JSON.stringify(res.body)}`);
    });
    const topic = `${platform.processes.analytics.env.KAFKA_TOPIC_PREFIX}${ANALYTICS_BEHAVIOUR.name}`;
    const direct = await ingestion(grpc, 'kafka', async (events) => {
      await producer.send({
        topic,
        messages: events.map((e) => ({
          key: e.anonymousId,
          value: Buffer.from(analyticsV1.BehaviourEventReceived.encode({ event: e }).finish()),
          headers: {
            [HEADER.eventId]: e.eventId,
            [HEADER.eventType]: ANALYTICS_BEHAVIOUR.events.BehaviourEventReceived.name,
            [HEADER.occurredAt]: e.occurredAt,
            [HEADER.contentType]: PROTOBUF_CONTENT_TYPE,
          },
        })),
      });
    });

    // 2. queries on a large history loaded by SQL
    const today = localDay(new Date(), TZ);
    const days = Array.from({ length: 30 }, (_, i) => addDays(today, i - 30));
    const loadStart = performance.now();
    const timings = await loadHistory(analyticsDb, {
      events: FACTS,
      visitors: Math.max(1000, Math.floor(FACTS / 10)),
      orders: ORDERS,
      accounts: Math.max(100, Math.floor(ORDERS / 3)),
      days,
      timeZone: TZ,
    });
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const range = { fromDay: days[0], toDay: days[29] };
    const grpcOk = (method: string, req: unknown) => async () => {
      await grpc.call(method, req);
      return undefined;
    };
    const pool = new Pool({ connectionString: analyticsDb, max: CONCURRENCY });
    const sqlOk = (sql: string, params: unknown[]) => async () => {
      await pool.query(sql, params);
      return undefined;
    };
    const loop = (name: string, op: (i: number) => Promise<string | undefined>) =>
      closedLoop(name, op, {
        concurrency: Math.min(4, CONCURRENCY),
        seconds: SECONDS,
        warmupSeconds: 2,
      });
    const runs: RunResult[] = [];
    runs.push(await loop('GetFunnel (30 days) over gRPC', grpcOk('getFunnel', { range })));
    runs.push(
      await loop(
        'baseline: the funnel by a raw scan of behaviour_events',
        sqlOk(
          `SELECT count(*) FILTER (WHERE v), count(*) FILTER (WHERE v AND c), count(*) FILTER (WHERE v AND c AND k)
             FROM (SELECT anonymous_id, bool_or(type = 'product_view') v, bool_or(type = 'add_to_cart') c,
                          bool_or(type = 'checkout_started') k
                     FROM behaviour_events WHERE day BETWEEN $1 AND $2 GROUP BY anonymous_id) x`,
          [range.fromDay, range.toDay],
        ),
      ),
    );
    runs.push(
      await loop(
        'baseline: count(*) of the partition range',
        sqlOk(`SELECT count(*) FROM behaviour_events WHERE day BETWEEN $1 AND $2`, [
          range.fromDay,
          range.toDay,
        ]),
      ),
    );
    runs.push(
      await loop(
        'GetKpis (30 days, by channel) over gRPC',
        grpcOk('getKpis', { range, channel: '' }),
      ),
    );
    runs.push(
      await loop(
        'baseline: KPIs by a raw scan of order_facts',
        sqlOk(
          `SELECT paid_day, channel, count(*), sum(paid_minor), sum(units) FROM order_facts
            WHERE paid_day BETWEEN $1 AND $2 GROUP BY 1, 2`,
          [range.fromDay, range.toDay],
        ),
      ),
    );
    runs.push(
      await loop('GetRfm (segment counts) over gRPC', grpcOk('getRfm', { segment: '', limit: 0 })),
    );
    runs.push(
      await loop(
        'baseline: RFM quintiles by a raw scan of order_facts',
        sqlOk(
          `SELECT count(*) FROM (
             SELECT ntile(5) OVER (ORDER BY max(paid_at) DESC) r, ntile(5) OVER (ORDER BY count(*)) f,
                    ntile(5) OVER (ORDER BY sum(paid_minor - refunded_minor)) m
               FROM order_facts WHERE paid_at IS NOT NULL GROUP BY account_id) x`,
          [],
        ),
      ),
    );
    const counts = (
      await pg.query(
        `SELECT (SELECT count(*) FROM behaviour_events)::bigint AS events, (SELECT count(*) FROM order_facts)::bigint AS orders`,
      )
    ).rows[0] as { events: string; orders: string };
    await pool.end();

    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    const p95 = (name: string) => runs.find((r) => r.name.startsWith(name))!.p95;
    const summary = [
      `# Analytics benchmark (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. Command: \`npm run bench:analytics\` (BENCH_FACTS=${FACTS}, BENCH_ORDERS=${ORDERS}, BENCH_INGEST_EVENTS=${INGEST}, BENCH_SECONDS=${SECONDS}, BENCH_CONCURRENCY=${CONCURRENCY}).`,
      'Analytics, the gateway, user, the load generator, Postgres and Kafka share the machine.',
      '',
      '## Ingestion to queryable (product views, batches of 50)',
      '',
      '| path | events | sent in s | visible in s | events/s to queryable | probes | lag p50 ms | lag p95 ms |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...[gateway, direct].map(
        (r) =>
          `| ${r.tag === 'gw' ? 'gateway POST /v1/events → collector → Kafka → facts' : 'baseline: kafkajs straight to analytics.behaviour → facts'} | ${INGEST} | ${r.sentSeconds.toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(0)} | ${r.probes} | ${r.lag.p50.toFixed(0)} | ${r.lag.p95.toFixed(0)} |`,
      ),
      '',
      `- Gateway events/s ÷ baseline: **${ratio(gateway.perSecond, direct.perSecond)}**; lag p95 ÷ baseline p95: **${ratio(gateway.lag.p95, direct.lag.p95)}**.`,
      '',
      `## Queries on ${Number(counts.events)} behaviour events and ${Number(counts.orders)} orders (30 days)`,
      '',
      `Loaded by SQL in ${loadSeconds.toFixed(0)} s: ${timings.map(([n, s]) => `${n} ${s.toFixed(1)} s`).join('; ')}.`,
      '',
      table(runs),
      '',
      `- Funnel p95 ÷ raw scan p95: **${ratio(p95('GetFunnel'), p95('baseline: the funnel'))}**; ÷ count(*) of the range: ${ratio(p95('GetFunnel'), p95('baseline: count'))}.`,
      `- KPIs p95 ÷ raw scan p95: **${ratio(p95('GetKpis'), p95('baseline: KPIs'))}**.`,
      `- RFM p95 ÷ raw scan p95: **${ratio(p95('GetRfm'), p95('baseline: RFM'))}**.`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    const file = join(__dirname, 'results', 'analytics.md');
    writeFileSync(file, summary);
    writeFigures('analytics', [
      {
        name: 'events/s to queryable ÷ straight to Kafka',
        value: gateway.perSecond / direct.perSecond,
        unit: '×',
      },
      {
        name: 'ingest lag p95 ÷ straight to Kafka',
        value: gateway.lag.p95 / direct.lag.p95,
        unit: '×',
      },
      {
        name: 'GetFunnel p95 ÷ raw scan p95',
        value: p95('GetFunnel') / p95('baseline: the funnel'),
        unit: '×',
      },
      {
        name: 'GetKpis p95 ÷ raw scan p95',
        value: p95('GetKpis') / p95('baseline: KPIs'),
        unit: '×',
      },
      { name: 'GetRfm p95 ÷ raw scan p95', value: p95('GetRfm') / p95('baseline: RFM'), unit: '×' },
    ]);
    process.stderr.write(`\nwritten to ${file}\n`);
    if (runs.some((r) => r.failed > 0))
      throw new Error(`failed queries: ${JSON.stringify(runs.map((r) => r.failures))}`);
  } finally {
    grpc.close();
    await producer.disconnect();
    await pg.end();
    await platform.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
