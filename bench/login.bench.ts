/**
 * Login throughput and latency through the gateway, against baselines measured in the same run
 * on the same machine:
 *   - argon2id verify: the password check alone, in-process, same parameters and concurrency
 *     (the ceiling a login can approach: it is dominated by this hash);
 *   - gateway → user round trip without hashing (GET /v1/auth/jwks): the HTTP + gRPC overhead.
 * The user service and the gateway run as separate processes on real Postgres, Redis and Kafka.
 *
 *   npm run bench:login            (BENCH_SECONDS, BENCH_CONCURRENCY, ARGON2_* to change)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import {
  createTestDatabase,
  freePort,
  provideInfrastructure,
  runServiceCommand,
  startServiceProcess,
  testEnv,
  uniqueSuffix,
} from '@emporia/testing';
import {
  closedLoop,
  cpuMeter,
  cpuPerRequest,
  machine,
  table,
  type CpuReport,
  type RunResult,
  writeFigures,
} from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const ARGON2 = {
  memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 19456),
  timeCost: Number(process.env.ARGON2_TIME_COST ?? 2),
  parallelism: Number(process.env.ARGON2_PARALLELISM ?? 1),
};
const PASSWORD = 'benchmark password 2026';

async function main(): Promise<void> {
  await provideInfrastructure(['postgres', 'redis', 'kafka']);
  const suffix = uniqueSuffix();
  const db = await createTestDatabase('bench_user');
  const [userGrpc, userHttp, gatewayHttp, gatewayOps] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const userEnv = {
    USER_DATABASE_URL: db.url,
    REDIS_URL: testEnv.redisUrl(),
    REDIS_KEY_PREFIX: `bench:${suffix}:`,
    KAFKA_BROKERS: testEnv.kafkaBrokers(),
    KAFKA_TOPIC_PREFIX: `bench${suffix}.`,
    BIND_HOST: '127.0.0.1',
    USER_GRPC_PORT: String(userGrpc),
    USER_HTTP_PORT: String(userHttp),
    USER_CONSUMER_GROUP: `user-bench${suffix}`,
    ARGON2_MEMORY_KIB: String(ARGON2.memoryCost),
    ARGON2_TIME_COST: String(ARGON2.timeCost),
    ARGON2_PARALLELISM: String(ARGON2.parallelism),
    LOG_LEVEL: 'warn',
  };
  await runServiceCommand('user', userEnv, ['migrate']);
  const user = await startServiceProcess('user', userEnv, `http://127.0.0.1:${userHttp}/readyz`);
  const gateway = await startServiceProcess(
    'gateway',
    {
      BIND_HOST: '127.0.0.1',
      GATEWAY_HTTP_PORT: String(gatewayHttp),
      GATEWAY_OPS_PORT: String(gatewayOps),
      USER_GRPC_URL: `127.0.0.1:${userGrpc}`,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `bench:${suffix}:gw:`,
      // ACCOUNTS sign-ups from one address, 8 at a time
      REGISTER_RATE_LIMIT_PER_IP: '1000000',
      REGISTER_RATE_LIMIT_GLOBAL: '1000000',
      LOG_LEVEL: 'warn',
    },
    `http://127.0.0.1:${gatewayOps}/healthz`,
  );
  const base = `http://127.0.0.1:${gatewayHttp}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  try {
    const emails = Array.from({ length: ACCOUNTS }, (_, i) => `bench${i}.${suffix}@example.cn`);
    for (let i = 0; i < emails.length; i += 8) {
      await Promise.all(
        emails.slice(i, i + 8).map(async (email) => {
          const r = await post('/v1/auth/register', { email, password: PASSWORD });
          if (r.status !== 201) throw new Error(`register: ${r.status} ${await r.text()}`);
        }),
      );
    }
    process.stderr.write(`registered ${ACCOUNTS} accounts\n`);

    const stored = await hash(PASSWORD, { algorithm: Algorithm.Argon2id, ...ARGON2 });
    const results: RunResult[] = [];
    results.push(
      await closedLoop(
        'baseline: argon2id verify in-process',
        async () => ((await verify(stored, PASSWORD)) ? undefined : 'mismatch'),
        { concurrency: CONCURRENCY, seconds: SECONDS },
      ),
    );
    results.push(
      await closedLoop(
        'baseline: GET /v1/auth/jwks (gateway → user, no hashing)',
        async () => {
          const r = await fetch(`${base}/v1/auth/jwks`);
          await r.arrayBuffer();
          return r.status === 200 ? undefined : `HTTP ${r.status}`;
        },
        { concurrency: CONCURRENCY, seconds: SECONDS },
      ),
    );
    // CPU of every login answered in the window (its warm-up included), over every process
    const meter = cpuMeter({ gateway: gateway.process.pid, user: user.process.pid });
    let logins = 0;
    results.push(
      await closedLoop(
        'POST /v1/auth/login (gateway → user → argon2id, Redis, Postgres)',
        async (i) => {
          logins++;
          const r = await post(
            '/v1/auth/login',
            { identifier: emails[i % emails.length], password: PASSWORD },
            { 'x-device-id': 'bench-device' },
          );
          const body = (await r.json()) as { code?: string };
          return r.status === 200 ? undefined : `HTTP ${r.status} ${body.code ?? ''}`;
        },
        { concurrency: CONCURRENCY, seconds: SECONDS },
      ),
    );
    const loginCpu: CpuReport = meter.stop();
    const [argon, jwks, login] = results;
    const summary = [
      `# Login benchmark (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. Command: \`npm run bench:login\` (BENCH_SECONDS=${SECONDS}, BENCH_CONCURRENCY=${CONCURRENCY}, ${ACCOUNTS} accounts).`,
      `argon2id parameters: m=${ARGON2.memoryCost} KiB, t=${ARGON2.timeCost}, p=${ARGON2.parallelism} (OWASP's minimum; \`ARGON2_*\`).`,
      'The load generator, the gateway, the user service, Postgres, Redis and Kafka share the machine.',
      '',
      table(results),
      '',
      `- Logins per second ÷ in-process argon2id verifications per second: **${(login.perSecond / argon.perSecond).toFixed(2)}** (1.00 would mean the service adds nothing to the hash).`,
      `- Login p99 ÷ argon2id verify p99: **${(login.p99 / argon.p99).toFixed(2)}**.`,
      `- Login p50 − no-hash round trip p50: **${(login.p50 - jwks.p50).toFixed(1)} ms** (≈ the hash plus the login's own Redis and Postgres work).`,
      `- CPU per login (summed over the gateway, the user service and the servers from /proc; the load generator apart): ${cpuPerRequest(loginCpu, logins)}.`,
      `- Failed logins: ${login.failed}${login.failed ? ` (${JSON.stringify(login.failures)})` : ''}.`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    const file = join(__dirname, 'results', 'login.md');
    writeFileSync(file, summary);
    writeFigures('login', [
      {
        name: 'logins/s ÷ in-process argon2id verifications/s',
        value: login.perSecond / argon.perSecond,
        target: { op: '>=', value: 0.6 },
        unit: '×',
      },
      { name: 'login p99 ÷ argon2id verify p99', value: login.p99 / argon.p99, unit: '×' },
    ]);
    process.stderr.write(`\nwritten to ${file}\n`);
  } finally {
    await gateway.stop();
    await user.stop();
    await db.drop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
