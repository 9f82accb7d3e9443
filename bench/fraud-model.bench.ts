/**
 * The fraud model's cost on the checkout path (issue 23), against baselines in the same run:
 *   - in-process: `OnnxFraudModel.predict` (onnxruntime-node, the committed model) on feature
 *     vectors of honest and fraud-like orders, one call at a time and BENCH_CONCURRENCY at once:
 *     the time an order waits for the model (its deadline is FRAUD_MODEL_DEADLINE_MS, 15 ms);
 *   - over gRPC: ScoreOrder on two risk processes started alike on the real servers, one with
 *     the model (the default) and one with FRAUD_MODEL_PATH empty (the rules alone: the
 *     baseline), in BENCH_ROUNDS alternating windows; p50/p99, throughput and the CPU per call
 *     of each risk process with Postgres, Redis and Kafka.
 * Orders come from 2,000 accounts (their history builds up), 500 devices and addresses, 300 IPs.
 *
 *   npm run bench:fraud-model   (BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_ROUNDS)
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Money } from '@emporia/money';
import { PROTO_FILES, type riskV1 } from '@emporia/contracts';
import {
  createTestDatabase,
  freePort,
  grpcTestClient,
  provideInfrastructure,
  runServiceCommand,
  startServiceProcess,
  testEnv,
  uniqueSuffix,
  type ServiceProcess,
} from '@emporia/testing';
// the model and its features exactly as risk loads and computes them, measured in this process
/* eslint-disable no-restricted-imports -- the service's own code, the thing measured */
import { DEFAULT_FRAUD_MODEL_PATH } from '../apps/risk/src/config';
import { fraudFeatures, NO_HISTORY } from '../apps/risk/src/domain/fraud-features';
import { NO_RETURNS } from '../apps/risk/src/domain/return-facts';
import { OnnxFraudModel } from '../apps/risk/src/infrastructure/onnx-fraud.model';
/* eslint-enable no-restricted-imports */
import {
  closedLoop,
  cpuPerRequest,
  machine,
  measureWindow,
  RESULTS_DIR,
  table,
  windowedSide,
  writeFigures,
  type RunResult,
  type WindowedSide,
} from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DAY = 86_400_000;

/** A seeded stream (the same vectors and orders every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 1,000 feature vectors across the model's range: new and old accounts, shared devices, … */
function vectors(): number[][] {
  const r = random(23);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const now = new Date();
  return Array.from({ length: 1000 }, () => {
    const old = r() < 0.7;
    const created = new Date(now.getTime() - (old ? int(30, 1000) * DAY : int(1, 600) * 60_000));
    const prior = old ? int(0, 12) : 0;
    return fraudFeatures({
      now,
      accountCreatedAt: r() < 0.05 ? null : created,
      total: Money.of(int(500, 300_000), 'CNY'),
      lineCount: int(1, 4),
      couponCount: r() < 0.2 ? 1 : 0,
      addressIssueCount: r() < 0.02 ? 1 : 0,
      listHits: 0,
      counts: Object.fromEntries(
        [
          'orders:ACCOUNT:3600',
          'orders:ACCOUNT:86400',
          'orders:DEVICE:86400',
          'orders:ADDRESS:86400',
          'deviceAccounts:86400',
          'deviceAccounts:604800',
          'addressAccounts:86400',
          'addressAccounts:604800',
          'accountAddresses:604800',
          'couponAccounts:DEVICE:86400',
          'couponAccounts:ADDRESS:86400',
          'loginAnomalies:86400',
        ].map((k) => [k, int(0, r() < 0.9 ? 2 : 20)]),
      ),
      history: {
        ...NO_HISTORY,
        priorOrders: Array.from({ length: prior }, () => ({
          amountMinor: int(2_000, 40_000),
          currency: 'CNY',
        })),
        firstOrderAt: new Date(now.getTime() - (prior ? int(1, 300) * DAY : 0)),
        deviceSeen: prior > 0 && r() < 0.9,
        ipSeen: prior > 0 && r() < 0.5,
        addressSeen: prior > 0 && r() < 0.85,
      },
      returns: { ...NO_RETURNS, deliveredLines: int(0, prior * 2), cancellations: int(0, 1) },
      has: { device: true, ip: true, address: true },
    });
  });
}

interface Risk {
  name: string;
  process: ServiceProcess;
  client: ReturnType<typeof grpcTestClient>;
  stop(): Promise<void>;
}

async function startRisk(name: string, suffix: string, env: Record<string, string>): Promise<Risk> {
  const db = await createTestDatabase(`bench_risk_${name}`);
  const [grpc, http] = [await freePort(), await freePort()];
  const base = {
    RISK_DATABASE_URL: db.url,
    REDIS_URL: testEnv.redisUrl(),
    REDIS_KEY_PREFIX: `bench:${suffix}:${name}:`,
    KAFKA_BROKERS: testEnv.kafkaBrokers(),
    KAFKA_TOPIC_PREFIX: `bench${suffix}${name}.`,
    BIND_HOST: '127.0.0.1',
    RISK_GRPC_PORT: String(grpc),
    RISK_HTTP_PORT: String(http),
    RISK_CONSUMER_GROUP: `risk-bench${suffix}${name}`,
    LOG_LEVEL: 'warn',
    ...env,
  };
  await runServiceCommand('risk', base, ['migrate']);
  const process = await startServiceProcess('risk', base, `http://127.0.0.1:${http}/readyz`);
  const client = grpcTestClient(
    PROTO_FILES.risk,
    'emporia.risk.v1.RiskService',
    `127.0.0.1:${grpc}`,
  );
  return {
    name,
    process,
    client,
    stop: async () => {
      client.close();
      await process.stop();
      await db.drop();
    },
  };
}

/** An order of one of 2,000 accounts, from one of their devices, IPs and addresses. */
function orders(): (i: number) => riskV1.ScoreOrderRequest {
  const r = random(7);
  const now = Date.now();
  const accounts = Array.from({ length: 2000 }, (_, i) => ({
    id: randomUUID(),
    created: new Date(now - ((i * 7919) % 1000) * DAY - 60_000).toISOString(),
  }));
  return () => {
    const a = accounts[Math.floor(r() * accounts.length)];
    return {
      orderId: randomUUID(),
      accountId: a.id,
      ip: `10.20.${Math.floor(r() * 2)}.${Math.floor(r() * 150)}`,
      deviceId: `dev-${Math.floor(r() * 500)}`,
      addressFingerprint: `cn|zj|hz|xh|bench street ${Math.floor(r() * 500)}|`,
      phone: '+8613800000000',
      total: { amountMinor: 1_000 + Math.floor(r() * 50_000), currency: 'CNY' },
      lineCount: 1 + Math.floor(r() * 3),
      couponCodes: r() < 0.2 ? ['SAVE10'] : [],
      addressIssues: [],
      accountCreatedAt: a.created,
    };
  };
}

async function main(): Promise<void> {
  await provideInfrastructure(['postgres', 'redis', 'kafka']);
  const suffix = uniqueSuffix();

  // ---- the model alone, in this process
  const model = await OnnxFraudModel.load(DEFAULT_FRAUD_MODEL_PATH);
  const rows = vectors();
  const predict = async (i: number) => {
    const p = await model.predict(rows[i % rows.length]);
    return p >= 0 && p <= 1 ? undefined : `probability ${p}`;
  };
  const inProcess: RunResult[] = [
    await closedLoop('model.predict, one at a time (in-process)', predict, {
      concurrency: 1,
      seconds: SECONDS,
      warmupSeconds: 1,
    }),
    await closedLoop(`model.predict, ${CONCURRENCY} at once (in-process)`, predict, {
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      warmupSeconds: 1,
    }),
  ];
  await model.close();
  process.stderr.write(`${table(inProcess)}\n`);

  // ---- ScoreOrder over gRPC, with and without the model
  const withModel = await startRisk('model', suffix, {});
  const rulesAlone = await startRisk('rules', suffix, { FRAUD_MODEL_PATH: '' });
  try {
    const sides: [Risk, ReturnType<typeof windowedSide>][] = [withModel, rulesAlone].map((risk) => {
      const next = orders();
      return [
        risk,
        windowedSide(
          risk === withModel
            ? 'ScoreOrder with the model (gRPC)'
            : 'ScoreOrder, rules alone (gRPC, FRAUD_MODEL_PATH empty)',
          async (i) => {
            const res = await risk.client.call<riskV1.ScoreOrderResponse>('scoreOrder', next(i));
            if (risk === withModel && !res.modelVersion) return 'not scored by the model';
            return res.decision ? undefined : 'no decision';
          },
        ),
      ];
    });
    for (let round = 0; round < ROUNDS; round++)
      for (const [risk, side] of round % 2 ? [...sides].reverse() : sides)
        await measureWindow(side, {
          concurrency: CONCURRENCY,
          seconds: SECONDS / ROUNDS,
          warmupSeconds: 1,
          meterPids: { risk: risk.process.process.pid },
        });
    const grpc = sides.map(([, side]) => {
      const s = side.s;
      const p = [...s.latencies].sort((a, b) => a - b);
      const at = (q: number) => p[Math.min(p.length - 1, Math.ceil(q * p.length) - 1)];
      s.run.perSecond = s.run.ok / s.run.seconds;
      Object.assign(s.run, { p50: at(0.5), p95: at(0.95), p99: at(0.99) });
      return s;
    });
    const status = await withModel.client.call<riskV1.GetFraudModelResponse>('getFraudModel', {});
    const [m, r] = grpc;
    const cpu = (s: WindowedSide) => s.cpu.platformMs / s.run.ok;
    const figures = {
      predictP50: inProcess[0].p50,
      predictP99: inProcess[0].p99,
      predictP99Concurrent: inProcess[1].p99,
      p99Ratio: m.run.p99 / r.run.p99,
      p50Ratio: m.run.p50 / r.run.p50,
      cpuRatio: cpu(m) / cpu(r),
    };
    const summary = [
      `# Fraud model benchmark (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. Command: \`npm run bench:fraud-model\` (BENCH_SECONDS=${SECONDS}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_ROUNDS=${ROUNDS}).`,
      `Model \`${status.version}\` (apps/risk/model), onnxruntime-node on the CPU, one thread; FRAUD_MODEL_DEADLINE_MS ${status.deadlineMs}.`,
      'The load generator, both risk processes, Postgres, Redis and Kafka share the machine.',
      '',
      '## The model call, in-process',
      '',
      table(inProcess),
      '',
      '## ScoreOrder over gRPC, with the model and with the rules alone (alternating windows)',
      '',
      table(grpc.map((s) => s.run)),
      '',
      'CPU time per ScoreOrder (the risk process with Postgres, Redis and Kafka; the load generator apart):',
      '',
      ...grpc.map((s) => `- ${s.run.name}: ${cpuPerRequest(s.cpu, s.run.ok)}`),
      '',
      `- Model call p50 **${figures.predictP50.toFixed(3)} ms**, p99 **${figures.predictP99.toFixed(3)} ms** one at a time; p99 ${figures.predictP99Concurrent.toFixed(3)} ms with ${CONCURRENCY} at once (deadline ${status.deadlineMs} ms).`,
      `- ScoreOrder p99 with the model ÷ rules alone: **${figures.p99Ratio.toFixed(2)}** (p50 ${figures.p50Ratio.toFixed(2)}); CPU per call ${figures.cpuRatio.toFixed(2)}×.`,
      `- The model's counters on the risk that used it: ${status.scored} scored, ${status.pastDeadline} past the deadline, ${status.failed} failed.`,
      `- Failed calls: with the model ${m.run.failed}, rules alone ${r.run.failed}${m.run.failed + r.run.failed ? ` (${JSON.stringify({ ...m.run.failures, ...r.run.failures })})` : ''}.`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    const file = join(RESULTS_DIR, 'fraud-model.md');
    writeFileSync(file, summary);
    writeFigures('fraud-model', [
      {
        name: 'model call p99, in-process',
        value: figures.predictP99,
        target: { op: '<=', value: status.deadlineMs },
        unit: 'ms',
      },
      { name: 'model call p50, in-process', value: figures.predictP50, unit: 'ms' },
      {
        name: 'ScoreOrder p99 with the model ÷ rules alone',
        value: figures.p99Ratio,
        target: { op: '<=', value: 1.5 },
        unit: '×',
      },
      { name: 'ScoreOrder CPU with the model ÷ rules alone', value: figures.cpuRatio, unit: '×' },
    ]);
    process.stderr.write(`\nwritten to ${file}\n`);
  } finally {
    await withModel.stop();
    await rulesAlone.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
