/**
 * Login throughput and latency through the gateway, against baselines measured in the same run
 * on the same machine:
 *   - argon2id verify: the password check alone, in-process, same parameters and concurrency
 *     (the ceiling a login can approach: it is dominated by this hash);
 *   - gateway → user round trip without hashing (GET /v1/auth/jwks): the HTTP + gRPC overhead.
 * The user service and the gateway run as separate processes on real Postgres, Redis and Kafka.
 * The in-process hash and the logins are measured in BENCH_ROUNDS alternating windows each
 * (hash, login, hash, …), pooled: a burst of other work on the machine falls on both sides.
 * Each window's CPU is metered from /proc.
 *
 * With BENCH_BASE_TREE (a worktree of an earlier commit with its dependencies, e.g. made by
 * `git worktree add --detach <dir> <commit>` and a node_modules link), that tree's user service
 * and gateway also run, as processes beside this tree's (their own database, the same Postgres,
 * Redis and Kafka), with their own accounts, and take a third window in each round: before and
 * after in the same run.
 *
 *   npm run bench:login   (BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_ROUNDS, BENCH_ACCOUNTS,
 *                          BENCH_BASE_TREE, ARGON2_* to change)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { Client } from 'pg';
import {
  createTestDatabase,
  freePort,
  provideInfrastructure,
  runServiceCommand,
  startServiceProcess,
  testEnv,
  uniqueSuffix,
  type ServiceProcess,
} from '@emporia/testing';
import {
  closedLoop,
  cpuPerRequest,
  httpPool,
  machine,
  measureWindow,
  percentiles,
  send,
  table,
  windowedSide,
  type WindowedSide,
  writeFigures,
} from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
/** Alternating measurement windows per side (BENCH_ROUNDS). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BASE_TREE = process.env.BENCH_BASE_TREE;
const ARGON2 = {
  memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 19456),
  timeCost: Number(process.env.ARGON2_TIME_COST ?? 2),
  parallelism: Number(process.env.ARGON2_PARALLELISM ?? 1),
};
const PASSWORD = 'benchmark password 2026';

interface Processes {
  startServiceProcess: typeof startServiceProcess;
  runServiceCommand: typeof runServiceCommand;
}

/** A user service and a gateway in front of it, from this tree or another (`processes`). */
interface Stack {
  url: string;
  pids: Record<string, number | undefined>;
  /** The Postgres backends serving this stack's database now (its pool's connections). */
  backends(): Promise<number[]>;
  stop(): Promise<void>;
}

async function startStack(processes: Processes, suffix: string, label: string): Promise<Stack> {
  const db = await createTestDatabase(`bench_user${label}`);
  const [userGrpc, userHttp, gatewayHttp, gatewayOps] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const userEnv = {
    USER_DATABASE_URL: db.url,
    REDIS_URL: testEnv.redisUrl(),
    REDIS_KEY_PREFIX: `bench:${suffix}${label}:`,
    KAFKA_BROKERS: testEnv.kafkaBrokers(),
    KAFKA_TOPIC_PREFIX: `bench${suffix}${label}.`,
    BIND_HOST: '127.0.0.1',
    USER_GRPC_PORT: String(userGrpc),
    USER_HTTP_PORT: String(userHttp),
    USER_CONSUMER_GROUP: `user-bench${suffix}${label}`,
    ARGON2_MEMORY_KIB: String(ARGON2.memoryCost),
    ARGON2_TIME_COST: String(ARGON2.timeCost),
    ARGON2_PARALLELISM: String(ARGON2.parallelism),
    LOG_LEVEL: 'warn',
  };
  const started: ServiceProcess[] = [];
  const stop = async () => {
    for (const p of started.reverse()) await p.stop();
    await db.drop();
  };
  try {
    await processes.runServiceCommand('user', userEnv, ['migrate']);
    started.push(
      await processes.startServiceProcess('user', userEnv, `http://127.0.0.1:${userHttp}/readyz`),
    );
    started.push(
      await processes.startServiceProcess(
        'gateway',
        {
          BIND_HOST: '127.0.0.1',
          GATEWAY_HTTP_PORT: String(gatewayHttp),
          GATEWAY_OPS_PORT: String(gatewayOps),
          USER_GRPC_URL: `127.0.0.1:${userGrpc}`,
          REDIS_URL: testEnv.redisUrl(),
          REDIS_KEY_PREFIX: `bench:${suffix}${label}:gw:`,
          // ACCOUNTS sign-ups from one address, 8 at a time
          REGISTER_RATE_LIMIT_PER_IP: '1000000',
          REGISTER_RATE_LIMIT_GLOBAL: '1000000',
          LOG_LEVEL: 'warn',
        },
        `http://127.0.0.1:${gatewayOps}/healthz`,
      ),
    );
  } catch (e) {
    await stop();
    throw e;
  }
  const [user, gateway] = started;
  return {
    url: `http://127.0.0.1:${gatewayHttp}`,
    pids: { gateway: gateway.process.pid, user: user.process.pid },
    backends: async () => {
      const admin = new Client({ connectionString: testEnv.postgresUrl() });
      await admin.connect();
      try {
        const r = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = $1`,
          [db.name],
        );
        return r.rows.map((x) => x.pid);
      } finally {
        await admin.end();
      }
    },
    stop,
  };
}

/** The base tree's process starters (its own libs/testing starts them from its root). */
function baseProcesses(tree: string): Processes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(tree, 'libs', 'testing', 'src', 'processes')) as Processes;
}

/**
 * CPU ms of a process's main thread (the thread whose id is the process's) and of its other
 * threads together (the libuv pool, where argon2 runs, and V8's), from /proc/<pid>/task.
 */
function processCpuMs(pids: number[]): number {
  let ms = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {
      // the backend ended meanwhile
    }
  }
  return ms;
}

function threadsCpuMs(pid: number | undefined): { main: number; others: number } {
  const out = { main: 0, others: 0 };
  if (!pid) return out;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, USER_HZ 100
      if (Number(tid) === pid) out.main += ms;
      else out.others += ms;
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

type Side = WindowedSide & {
  /** The user service's main thread and other threads, CPU ms over the windows. */
  threads: { main: number; others: number };
  /** CPU ms of the Postgres backends serving the side's own database. */
  backendsMs: number;
};

async function main(): Promise<void> {
  await provideInfrastructure(['postgres', 'redis', 'kafka']);
  const suffix = uniqueSuffix();
  const stacks: Stack[] = [];
  const pools: ReturnType<typeof httpPool>[] = [];
  try {
    const now = await startStack({ startServiceProcess, runServiceCommand }, suffix, '');
    stacks.push(now);
    const base = BASE_TREE
      ? await startStack(baseProcesses(BASE_TREE), suffix, '_base')
      : undefined;
    if (base) stacks.push(base);
    const emails = Array.from({ length: ACCOUNTS }, (_, i) => `bench${i}.${suffix}@example.cn`);
    const register = async (stack: Stack) => {
      const pool = httpPool(stack.url, CONCURRENCY);
      pools.push(pool);
      for (let i = 0; i < emails.length; i += 8) {
        await Promise.all(
          emails.slice(i, i + 8).map(async (email) => {
            const r = await send(pool, 'POST', '/v1/auth/register', {
              body: { email, password: PASSWORD },
            });
            if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
          }),
        );
      }
      // every account signs in once from the bench's device before the windows: the logins
      // measured are a returning customer's (a first sign-in from a device also records it)
      for (let i = 0; i < emails.length; i += 8) {
        await Promise.all(
          emails.slice(i, i + 8).map(async (email) => {
            const r = await send(pool, 'POST', '/v1/auth/login', {
              body: { identifier: email, password: PASSWORD },
              headers: { 'x-device-id': 'bench-device' },
            });
            if (r.status !== 200) throw new Error(`first login: ${r.status} ${r.text}`);
          }),
        );
      }
      return pool;
    };
    const nowPool = await register(now);
    const basePool = base ? await register(base) : undefined;
    process.stderr.write(
      `registered ${ACCOUNTS} accounts${base ? ' on each tree' : ''}, each signed in once\n`,
    );

    const stored = await hash(PASSWORD, { algorithm: Algorithm.Argon2id, ...ARGON2 });
    const jwks = await closedLoop(
      'baseline: GET /v1/auth/jwks (gateway → user, no hashing)',
      async () => {
        const r = await send(nowPool, 'GET', '/v1/auth/jwks');
        return r.status === 200 ? undefined : `HTTP ${r.status}`;
      },
      { concurrency: CONCURRENCY, seconds: SECONDS / ROUNDS },
    );

    const side = (name: string, op: (i: number) => Promise<string | undefined>) => {
      const w = windowedSide(name, op);
      const s: Side = Object.assign(w.s, { threads: { main: 0, others: 0 }, backendsMs: 0 });
      return { ...w, s };
    };
    const measure = (
      sd: ReturnType<typeof side>,
      meterPids: Record<string, number | undefined>,
      stack?: Stack,
    ) =>
      measureWindow(sd, {
        concurrency: CONCURRENCY,
        seconds: SECONDS / ROUNDS,
        warmupSeconds: 1,
        meterPids,
        // the user service's threads and its database's backends, metered over the same window
        around: async () => {
          const backends = stack ? await stack.backends() : [];
          const backendsBefore = processCpuMs(backends);
          const threadsBefore = threadsCpuMs(meterPids.user);
          return () => {
            const threadsAfter = threadsCpuMs(meterPids.user);
            sd.s.backendsMs += processCpuMs(backends) - backendsBefore;
            sd.s.threads.main += threadsAfter.main - threadsBefore.main;
            sd.s.threads.others += threadsAfter.others - threadsBefore.others;
          };
        },
      });
    const loginOp = (pool: ReturnType<typeof httpPool>) => async (i: number) => {
      const r = await send(pool, 'POST', '/v1/auth/login', {
        body: { identifier: emails[i % emails.length], password: PASSWORD },
        headers: { 'x-device-id': 'bench-device' },
      });
      if (r.status === 200) return undefined;
      const code = (JSON.parse(r.text) as { code?: string }).code;
      return `HTTP ${r.status} ${code ?? ''}`;
    };
    const argonSide = side('baseline: argon2id verify in-process', async () =>
      (await verify(stored, PASSWORD)) ? undefined : 'mismatch',
    );
    const loginSide = side(
      'POST /v1/auth/login (gateway → user → argon2id, Redis, Postgres)',
      loginOp(nowPool),
    );
    const baseSide = side(
      `the same through the base tree's gateway and user (${BASE_TREE ?? ''})`,
      loginOp(basePool ?? nowPool),
    );
    for (let r = 0; r < ROUNDS; r++) {
      await measure(argonSide, {});
      if (base) await measure(baseSide, base.pids, base);
      await measure(loginSide, now.pids, now);
    }
    const pooled = ({ s }: ReturnType<typeof side>): Side => {
      s.run = { ...s.run, perSecond: s.run.ok / s.run.seconds, ...percentiles(s.latencies) };
      return s;
    };
    const argon = pooled(argonSide);
    const login = pooled(loginSide);
    const before = base ? pooled(baseSide) : undefined;
    const ratio = (s: Side) => s.run.perSecond / argon.run.perSecond;
    // the same ratio from CPU time, which moves far less with other work on the machine: a
    // verification's CPU (every process) ÷ a login's (every process, the load generator's too)
    const perOp = (s: Side) => (s.cpu.platformMs + s.cpu.loadGeneratorMs) / s.run.ok;
    const cpuRatio = (s: Side) => perOp(argon) / perOp(s);
    const threads = (s: Side) =>
      `the user service's main thread ${(s.threads.main / s.run.ok).toFixed(2)} ms, its other threads (argon2 on the libuv pool, V8) ${(s.threads.others / s.run.ok).toFixed(2)} ms; the Postgres backends of its own database ${(s.backendsMs / s.run.ok).toFixed(2)} ms`;

    const summary = [
      `# Login benchmark (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. Command: \`npm run bench:login\` (BENCH_SECONDS=${SECONDS}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_ROUNDS=${ROUNDS}, ${ACCOUNTS} accounts${before ? `, BENCH_BASE_TREE=${BASE_TREE}` : ''}).`,
      `argon2id parameters: m=${ARGON2.memoryCost} KiB, t=${ARGON2.timeCost}, p=${ARGON2.parallelism} (OWASP's minimum; \`ARGON2_*\`).`,
      'The load generator (an undici pool), the gateway, the user service, Postgres, Redis and Kafka share the machine.',
      "Every account signed in once from the same device and address before the windows: the logins measured are returning customers' (a first sign-in from a device takes the general path, a transaction that may report a `LoginAnomaly`).",
      before
        ? `The in-process hash, the base tree's logins and this tree's logins are measured in ${ROUNDS} alternating windows each (hash, base, this tree, hash, …), pooled; the base tree's user service and gateway run beside this tree's, with their own database and accounts.`
        : `The in-process hash and the logins are measured in ${ROUNDS} alternating windows each (hash, login, hash, …), pooled.`,
      '',
      table([argon.run, jwks, ...(before ? [before.run] : []), login.run]),
      '',
      `- Logins per second ÷ in-process argon2id verifications per second: **${ratio(login).toFixed(2)}**${before ? ` (the base tree in the same run: ${ratio(before).toFixed(2)})` : ''} (1.00 would mean the service adds nothing to the hash).`,
      `- The same from CPU time (an in-process verification's CPU ÷ a login's, every process and the load generator counted: ${perOp(argon).toFixed(2)} ÷ ${perOp(login).toFixed(2)} ms): **${cpuRatio(login).toFixed(2)}**${before ? ` (the base tree: ${perOp(argon).toFixed(2)} ÷ ${perOp(before).toFixed(2)} ms = ${cpuRatio(before).toFixed(2)})` : ''}.`,
      `- Login p99 ÷ argon2id verify p99: **${(login.run.p99 / argon.run.p99).toFixed(2)}**.`,
      `- Login p50 − no-hash round trip p50: **${(login.run.p50 - jwks.p50).toFixed(1)} ms** (≈ the hash plus the login's own Redis and Postgres work).`,
      `- CPU per login (summed over the gateway, the user service and the servers from /proc; the load generator apart): ${cpuPerRequest(login.cpu, login.run.ok)}; ${threads(login)}.`,
      ...(before
        ? [
            `- The same for the base tree: ${cpuPerRequest(before.cpu, before.run.ok)}; ${threads(before)}.`,
          ]
        : []),
      `- CPU of an in-process argon2id verification (the whole machine's processes metered alike): ${cpuPerRequest(argon.cpu, argon.run.ok)}.`,
      `- Failed logins: ${login.run.failed}${login.run.failed ? ` (${JSON.stringify(login.run.failures)})` : ''}${before ? `; base tree: ${before.run.failed}` : ''}.`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    const file = join(__dirname, 'results', 'login.md');
    writeFileSync(file, summary);
    writeFigures('login', [
      {
        name: 'logins/s ÷ in-process argon2id verifications/s',
        value: ratio(login),
        target: { op: '>=', value: 0.6 },
        unit: '×',
      },
      {
        name: 'argon2id verify CPU ÷ login CPU (every process)',
        value: cpuRatio(login),
        unit: '×',
      },
      {
        name: 'login p99 ÷ argon2id verify p99',
        value: login.run.p99 / argon.run.p99,
        unit: '×',
      },
    ]);
    process.stderr.write(`\nwritten to ${file}\n`);
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    for (const s of stacks.reverse()) await s.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
