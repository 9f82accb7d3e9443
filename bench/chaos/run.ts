/**
 * `npm run chaos` (issue 20, the faults): a steady mixed load through the gateway — product
 * pages, search, carts, checkouts paid through the sandbox, flash-sale attempts, sign-ins
 * (libs/testing chaos-load.ts) — and one fault at a time, each followed by the invariants read
 * from the databases (libs/testing invariants.ts). Loopback only, bounded in time, on a server
 * set of its OWN (deploy/local with EMPORIA_LOCAL_DIR=$CHAOS_LOCAL_DIR and ports of its own), so
 * stopping Kafka or restarting Postgres never touches the servers anyone else uses.
 *
 * Per fault: a steady window before it (the baseline), the fault, then the load watched until
 * throughput is back (2 s in a row at 70 % of the baseline; at most CHAOS_RECOVER_SECONDS);
 * then the load paused and the invariants given CHAOS_SETTLE_SECONDS to converge. Writes
 * bench/results/chaos.md: per fault the requests during it, answers other than 2xx by status,
 * the time to recover steady throughput, each invariant held or not.
 *
 *   npm run chaos   (CHAOS_FAULTS=a,b,... a subset in order; CHAOS_LOCAL_DIR; CHAOS_KEEP_SERVERS=1
 *                    leaves its servers running; CHAOS_CONCURRENCY; the ports below)
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  brokenAnswers,
  chaosInvariantInputs,
  describeInvariants,
  raiseAccountVelocityRule,
  SERVICE_APPS,
  settledInvariants,
  setUpChaosShopOn,
  startMixedLoad,
  startPlatform,
  startServiceProcess,
  toxiproxyClient,
  type ChaosShop,
  type Invariant,
  type MixedLoad,
  type Platform,
  type ServiceProcess,
  type Toxic,
  type ToxiproxyProxy,
  type WindowStats,
} from '@emporia/testing';
import { machine, RESULTS_DIR } from '../lib';

const REPO = join(__dirname, '..', '..');
const LOCAL = process.env.CHAOS_LOCAL_DIR ?? join(REPO, '.local', 'chaos');
const PORTS = {
  EMPORIA_PG_PORT: process.env.CHAOS_PG_PORT ?? '55532',
  EMPORIA_REDIS_PORT: process.env.CHAOS_REDIS_PORT ?? '56479',
  EMPORIA_KAFKA_PORT: process.env.CHAOS_KAFKA_PORT ?? '59192',
  EMPORIA_KAFKA_CONTROLLER_PORT: process.env.CHAOS_KAFKA_CONTROLLER_PORT ?? '59193',
  EMPORIA_ES_PORT: process.env.CHAOS_ES_PORT ?? '59290',
  EMPORIA_ES_TRANSPORT_PORT: process.env.CHAOS_ES_TRANSPORT_PORT ?? '59390',
  EMPORIA_TOXIPROXY_PORT: process.env.CHAOS_TOXIPROXY_PORT ?? '58574',
  // the mail sink notification sends to
  EMPORIA_SMTP_PORT: process.env.CHAOS_SMTP_PORT ?? '51125',
  EMPORIA_MAILPIT_HTTP_PORT: process.env.CHAOS_MAILPIT_HTTP_PORT ?? '58125',
  // order's way to Kafka: Toxiproxy listens on the advertised port and forwards to the broker's
  // proxied listener, so every connection order's clients make after bootstrap stays on the proxy
  EMPORIA_KAFKA_PROXIED_PORT: process.env.CHAOS_KAFKA_PROXIED_PORT ?? '59194',
  EMPORIA_KAFKA_PROXIED_ADVERTISED_PORT: process.env.CHAOS_KAFKA_PROXY_PORT ?? '59195',
};
const BASELINE_S = Number(process.env.CHAOS_BASELINE_SECONDS ?? 8);
const RECOVER_S = Number(process.env.CHAOS_RECOVER_SECONDS ?? 30);
const SETTLE_S = Number(process.env.CHAOS_SETTLE_SECONDS ?? 60);
const PAUSE_S = Number(process.env.CHAOS_PAUSE_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 6);
/** The gateway and every service of the platform, each one process (kill -9 of each in turn). */
const SERVICES = ['gateway', ...SERVICE_APPS] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} [chaos] ${m}\n`);

/**
 * Runs a deploy/local script against the chaos server set. Asynchronously: the load keeps running,
 * and its answers keep being timed, while a server stops or starts (with execFileSync the runner's
 * event loop stood still for the whole start of Elasticsearch or Kafka, and every answer that
 * arrived meanwhile was timed as if it had waited that long).
 */
function local(script: string, ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(REPO, 'deploy', 'local', script), ...args], {
      env: { ...process.env, ...PORTS, EMPORIA_LOCAL_DIR: LOCAL },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`deploy/local/${script} ${args.join(' ')}: exit ${code}`)),
    );
  });
}

interface Ctx {
  platform: Platform;
  shop: ChaosShop;
  load: MixedLoad;
  /** The service processes running now (replaced when a fault restarts one). */
  procs: Record<string, ServiceProcess>;
  orderPg: ToxiproxyProxy;
  orderKafka: ToxiproxyProxy;
  marketingRedis: ToxiproxyProxy;
  /** Settings a service is started again with (order's Postgres and Kafka through proxies). */
  envOf(app: string): Record<string, string>;
}

interface Fault {
  name: string;
  /** What it does; resolves with the instant the fault ended (restarted, restored). */
  run(ctx: Ctx): Promise<{ endedAt: number; note?: string; violations?: string[] }>;
}

/** Error-level log lines of the services during the current fault, by "service: message". */
let errorLines: Record<string, number> = {};

/** When each service process exited (whether the runner stopped it or it exited by itself). */
const exitedAt = new WeakMap<ServiceProcess['process'], number>();

/** Counts a service's error and fatal log lines (pino JSON) into `errorLines`; notes its exit. */
function watch(proc: ServiceProcess): ServiceProcess {
  proc.process.once('exit', () => exitedAt.set(proc.process, Date.now()));
  let rest = '';
  const take = (b: Buffer) => {
    const lines = (rest + b.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!/"level":"(error|fatal)"/.test(line)) continue;
      let what = line.slice(0, 160);
      try {
        const j = JSON.parse(line) as { msg?: string; err?: { message?: string; code?: string } };
        what =
          `${j.msg ?? ''}${j.err ? ` (${j.err.code ?? ''} ${j.err.message ?? ''})` : ''}`.slice(
            0,
            200,
          );
      } catch {
        /* not JSON */
      }
      const key = `${proc.name}: ${what}`;
      errorLines[key] = (errorLines[key] ?? 0) + 1;
    }
  };
  proc.process.stdout?.on('data', take);
  proc.process.stderr?.on('data', take);
  return proc;
}

async function restart(ctx: Ctx, app: string): Promise<void> {
  const p = ctx.platform.processes[app];
  const proc = watch(await startServiceProcess(app, ctx.envOf(app), p.readyUrl, [], 120_000));
  const old = ctx.procs[app];
  const i = ctx.platform.services.indexOf(old);
  if (i >= 0) ctx.platform.services.splice(i, 1, proc);
  else ctx.platform.services.push(proc);
  ctx.procs[app] = proc;
}

async function kill9(ctx: Ctx, app: string): Promise<number> {
  const p = ctx.procs[app].process;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
  await sleep(PAUSE_S * 1000);
  await restart(ctx, app);
  return Date.now();
}

/**
 * SIGTERM under load: until the process has exited, every answer must be a normal one or a 503
 * with Retry-After; connections refused once the listener closed are what a load balancer
 * routes elsewhere. A reset in-flight request, or any other 5xx, is a violation.
 */
async function sigterm(
  ctx: Ctx,
  app: string,
): Promise<{ endedAt: number; violations: string[]; note: string }> {
  const p = ctx.procs[app].process;
  const from = Date.now();
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  p.kill('SIGTERM');
  const code = await exited;
  const exitedAt = Date.now();
  // the drain and the answers to what was in flight when the process exited (they arrive moments
  // later: a call cancelled at the exit is answered by the gateway after it)
  await sleep(1000);
  const drained = ctx.load.window(from, exitedAt + 1000);
  const violations = Object.entries(drained.errors)
    .filter(([label]) => {
      const l = label.split(' ').slice(1).join(' ');
      if (l === 'net ECONNREFUSED') return false;
      if (/^503 /.test(l) && !/NO-RETRY-AFTER/.test(l)) return false;
      return l.startsWith('net ') || /^5\d\d/.test(l);
    })
    .map(([l, v]) => `${l} ×${v}`);
  if (code !== 0) violations.push(`exit code ${code}`);
  const note = `the drain: ${exitedAt - from} ms from SIGTERM to exit ${code}, ${drained.requests} requests in it (2xx ${drained.ok}; not 2xx: ${JSON.stringify(drained.errors)})`;
  await sleep(PAUSE_S * 1000);
  await restart(ctx, app);
  return { endedAt: Date.now(), violations, note };
}

/**
 * Three faults on one way through Toxiproxy: `<key>-latency` (latency ± 100 ms for 10 s),
 * `<key>-resets` (half the connections reset after `resetAfterMs`, for 10 s), `<key>-cut` (`cutS`).
 */
function proxyFaults(
  key: string,
  label: string,
  proxy: (ctx: Ctx) => ToxiproxyProxy,
  o: { latencyMs: number; resetAfterMs: number; cutS: number },
): Record<string, Fault> {
  const during = async (ctx: Ctx, seconds: number, toxic: Toxic, toxicity?: number) => {
    await proxy(ctx).addToxic(toxic.type, toxic, toxicity);
    await sleep(seconds * 1000);
    await proxy(ctx).clearToxics();
    return { endedAt: Date.now() };
  };
  return {
    [`${key}-latency`]: {
      name: `${label}: ${o.latencyMs} ms ± 100 latency for 10 s (Toxiproxy)`,
      run: (ctx) =>
        during(ctx, 10, { type: 'latency', attributes: { latency: o.latencyMs, jitter: 100 } }),
    },
    [`${key}-resets`]: {
      name: `${label}: half the connections reset after ${o.resetAfterMs} ms, for 10 s (Toxiproxy)`,
      run: (ctx) =>
        during(ctx, 10, { type: 'reset_peer', attributes: { timeout: o.resetAfterMs } }, 0.5),
    },
    [`${key}-cut`]: {
      name: `${label} cut for ${o.cutS} s (Toxiproxy)`,
      run: async (ctx) => {
        await proxy(ctx).cut();
        await sleep(o.cutS * 1000);
        await proxy(ctx).restore();
        return { endedAt: Date.now() };
      },
    },
  };
}

const FAULTS: Record<string, Fault> = {
  ...Object.fromEntries(
    SERVICES.map((app) => [
      `kill-${app}`,
      {
        name: `kill -9 ${app}, started again after ${PAUSE_S} s`,
        run: async (ctx: Ctx) => ({ endedAt: await kill9(ctx, app) }),
      },
    ]),
  ),
  'kafka-stop': {
    name: 'Kafka stopped 30 s, then started',
    run: async () => {
      await local('kafka.sh', 'stop');
      await sleep(30_000);
      await local('kafka.sh', 'start');
      return { endedAt: Date.now() };
    },
  },
  'postgres-restart': {
    name: 'Postgres restarted (fast shutdown, start)',
    run: async () => {
      await local('postgres.sh', 'restart');
      return { endedAt: Date.now() };
    },
  },
  'redis-restart-empty': {
    name: 'Redis restarted having lost everything (append-only file removed)',
    run: async () => {
      await local('redis.sh', 'stop');
      const dir = join(LOCAL, 'redis');
      for (const f of readdirSync(dir))
        if (/^appendonly|\.aof$|\.rdb$/.test(f))
          rmSync(join(dir, f), { recursive: true, force: true });
      await local('redis.sh', 'start');
      return {
        endedAt: Date.now(),
        note: 'flash-sale pools: reloaded by marketing’s sweep from the database (stock − units held); rate-limit and login-failure counters start from zero; the gateway’s idempotency records are gone (order’s own checkout keys still answer a retried checkout with its order)',
      };
    },
  },
  'elasticsearch-stop': {
    name: 'Elasticsearch stopped 20 s, then started',
    run: async () => {
      await local('elasticsearch.sh', 'stop');
      await sleep(20_000);
      await local('elasticsearch.sh', 'start');
      return { endedAt: Date.now() };
    },
  },
  ...proxyFaults('order-postgres', 'order ↔ Postgres', (ctx) => ctx.orderPg, {
    latencyMs: 400,
    resetAfterMs: 200,
    cutS: 10,
  }),
  ...proxyFaults('order-kafka', 'order ↔ Kafka', (ctx) => ctx.orderKafka, {
    latencyMs: 500,
    resetAfterMs: 500,
    cutS: 15,
  }),
  'marketing-redis-cut': {
    name: 'marketing ↔ Redis: 300 ms latency 5 s, then cut 10 s (Toxiproxy)',
    run: async (ctx) => {
      await ctx.marketingRedis.addToxic('slow', { type: 'latency', attributes: { latency: 300 } });
      await sleep(5_000);
      await ctx.marketingRedis.clearToxics();
      await ctx.marketingRedis.cut();
      await sleep(10_000);
      await ctx.marketingRedis.restore();
      return { endedAt: Date.now() };
    },
  },
  'sigterm-gateway': {
    name: 'SIGTERM of the gateway under load (drain), started again',
    run: (ctx) => sigterm(ctx, 'gateway'),
  },
  'sigterm-order': {
    name: 'SIGTERM of order under load (drain), started again',
    run: (ctx) => sigterm(ctx, 'order'),
  },
};

interface Outcome {
  key: string;
  name: string;
  seconds: number;
  during: WindowStats;
  baseline: number;
  recoveredAfter?: number;
  invariants: Invariant[];
  settledAfterMs: number;
  note?: string;
  violations?: string[];
  /**
   * Answers that say something broke rather than that something is unavailable (500, 502): a
   * fault must give 2xx, 503 with Retry-After, 504, or a refused connection, never these.
   */
  broken: Record<string, number>;
  /** Services that exited by themselves during the fault (each started again). */
  exits: string[];
  /** The services' error-level log lines from the fault until the invariants settled. */
  errorLines: Record<string, number>;
  error?: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  const order = (process.env.CHAOS_FAULTS ?? Object.keys(FAULTS).join(','))
    .split(',')
    .filter(Boolean);
  for (const k of order)
    if (!FAULTS[k])
      throw new Error(`unknown fault ${k} (known: ${Object.keys(FAULTS).join(', ')})`);

  // ---- the server set of its own (the Kafka and Elasticsearch jars copied from the repo's .local)
  mkdirSync(LOCAL, { recursive: true });
  for (const d of readdirSync(join(REPO, '.local')))
    if (/^(kafka|elasticsearch)-\d/.test(d) && !existsSync(join(LOCAL, d)))
      cpSync(join(REPO, '.local', d), join(LOCAL, d), { recursive: true });
  log(`starting its own servers under ${LOCAL}`);
  await local('up.sh', 'postgres', 'redis', 'kafka', 'elasticsearch', 'mailpit');
  await local('toxiproxy.sh', 'start');
  Object.assign(process.env, {
    POSTGRES_URL: `postgres://postgres:postgres@127.0.0.1:${PORTS.EMPORIA_PG_PORT}/postgres`,
    REDIS_URL: `redis://127.0.0.1:${PORTS.EMPORIA_REDIS_PORT}`,
    KAFKA_BROKERS: `127.0.0.1:${PORTS.EMPORIA_KAFKA_PORT}`,
    ELASTICSEARCH_URL: `http://127.0.0.1:${PORTS.EMPORIA_ES_PORT}`,
    SMTP_SINK_URL: `smtp://127.0.0.1:${PORTS.EMPORIA_SMTP_PORT}`,
    MAIL_SINK_API_URL: `http://127.0.0.1:${PORTS.EMPORIA_MAILPIT_HTTP_PORT}`,
  });
  const toxi = toxiproxyClient(`http://127.0.0.1:${PORTS.EMPORIA_TOXIPROXY_PORT}`);
  await toxi.reset();
  const suffixOf = () => Math.random().toString(36).slice(2, 8);
  const orderPg = await toxi.proxy(
    `order-postgres-${suffixOf()}`,
    `127.0.0.1:${PORTS.EMPORIA_PG_PORT}`,
  );
  const orderKafka = await toxi.proxy(
    `order-kafka-${suffixOf()}`,
    `127.0.0.1:${PORTS.EMPORIA_KAFKA_PROXIED_PORT}`,
    Number(PORTS.EMPORIA_KAFKA_PROXIED_ADVERTISED_PORT),
  );
  const marketingRedis = await toxi.proxy(
    `marketing-redis-${suffixOf()}`,
    `127.0.0.1:${PORTS.EMPORIA_REDIS_PORT}`,
  );

  // a process.exit in a service prints the stack of its caller (a service that exits by itself is
  // a finding: its output says who ended it)
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, '--trace-exit'].filter(Boolean).join(' ');
  const platform = await startPlatform({
    catalog: true,
    search: true,
    user: true,
    order: true,
    marketing: true,
    risk: true,
    analytics: true,
    support: true,
    review: true,
    notification: true,
    gatewayEnv: { TRUST_PROXY: 'true' },
    userEnv: { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ACCESS_TOKEN_TTL_SECONDS: '7200' },
    marketingEnv: { REDIS_URL: marketingRedis.url(process.env.REDIS_URL!) },
  });
  const procs: Record<string, ServiceProcess> = Object.fromEntries(
    platform.services.map((s) => [s.name, watch(s)]),
  );
  const envOf = (app: string) => {
    const env = platform.processes[app].env;
    return app === 'order'
      ? {
          ...env,
          ORDER_DATABASE_URL: orderPg.url(env.ORDER_DATABASE_URL),
          KAFKA_BROKERS: `127.0.0.1:${orderKafka.port}`,
        }
      : env;
  };
  const outcomes: Outcome[] = [];
  let shop: ChaosShop | undefined;
  const loads: MixedLoad[] = [];
  try {
    // order on its proxies from the start (a clean restart before any load)
    await procs.order.stop();
    const ctx0 = { platform, procs, envOf } as unknown as Ctx;
    await restart(ctx0, 'order');
    shop = await setUpChaosShopOn(platform, {
      skus: 6,
      shoppers: 40,
      flashStock: 2000,
    });
    // the load's 40 shoppers place hundreds of orders each: risk's seeded "more than 10 orders an
    // hour from one account" would hold them all for review after the first minute (said in the
    // result)
    await raiseAccountVelocityRule(platform, shop);
    const s = shop;
    const inputs = () => chaosInvariantInputs(platform, s, loads, process.env.ELASTICSEARCH_URL!);

    for (const key of order) {
      const fault = FAULTS[key];
      log(`fault ${key}: ${fault.name}`);
      const load = startMixedLoad(s, { concurrency: CONCURRENCY });
      loads.push(load);
      const ctx: Ctx = {
        platform,
        shop: s,
        load,
        procs,
        orderPg,
        orderKafka,
        marketingRedis,
        envOf,
      };
      await sleep(BASELINE_S * 1000);
      const from = Date.now();
      errorLines = {};
      const baseline = load.throughput(from - (BASELINE_S - 2) * 1000, from);
      let result: Awaited<ReturnType<Fault['run']>>;
      let error: string | undefined;
      try {
        result = await fault.run(ctx);
      } catch (e) {
        error = (e as Error).message.slice(0, 500);
        result = { endedAt: Date.now() };
      }
      let recoveredAfter: number | undefined;
      while (Date.now() - result.endedAt < RECOVER_S * 1000) {
        await sleep(1000);
        recoveredAfter = load.recoveredAfter(result.endedAt, baseline);
        if (recoveredAfter !== undefined) break;
      }
      const during = load.window(from, result.endedAt);
      await load.stop();
      // a service that exited by itself is a finding: its last words kept, then started again
      const exits: string[] = [];
      for (const app of SERVICES) {
        const p = procs[app].process;
        if (p.exitCode === null && p.signalCode === null) continue;
        // the whole output kept (the last 20,000 characters) goes to a file; the result quotes
        // its last lines (with --trace-exit, a process.exit names its caller there)
        const output = procs[app].output();
        const file = join(LOCAL, 'exits', `${key}-${app}-${Date.now()}.log`);
        mkdirSync(join(LOCAL, 'exits'), { recursive: true });
        writeFileSync(file, output);
        const words = output
          .split('\n')
          .filter((l) => l.trim())
          .slice(-4)
          .map((l) => l.slice(0, 300));
        const at = exitedAt.get(p);
        exits.push(
          `${app} exited by itself (code ${p.exitCode}, signal ${p.signalCode}) ${at ? `at ${new Date(at).toISOString().slice(11, 19)}, ${((at - from) / 1000).toFixed(0)} s after the fault began` : ''}; its output in ${file}; last lines: ${words.join(' | ')}`,
        );
        log(exits[exits.length - 1]);
        await restart(ctx, app).catch((e: Error) =>
          exits.push(`${app} did not start again: ${e.message.slice(0, 300)}`),
        );
      }
      const settled = await settledInvariants(inputs(), SETTLE_S * 1000);
      log(
        `${key}: ${during.requests} requests, recovered after ${recoveredAfter ?? '—'} s\n${describeInvariants(settled.invariants)}`,
      );
      outcomes.push({
        key,
        name: fault.name,
        seconds: (result.endedAt - from) / 1000,
        during,
        baseline,
        recoveredAfter,
        invariants: settled.invariants,
        settledAfterMs: settled.settledAfterMs,
        note: result.note,
        violations: result.violations,
        broken: brokenAnswers(during),
        exits,
        errorLines,
        error,
      });
    }
  } finally {
    for (const l of loads) await l.stop().catch(() => undefined);
    await platform.stop().catch(() => undefined);
    await orderPg.remove().catch(() => undefined);
    await orderKafka.remove().catch(() => undefined);
    await marketingRedis.remove().catch(() => undefined);
    if (!process.env.CHAOS_KEEP_SERVERS) {
      await local('toxiproxy.sh', 'stop');
      await local('down.sh', 'postgres', 'redis', 'kafka', 'elasticsearch', 'mailpit');
    }
  }
  const file = process.env.CHAOS_RESULT ?? join(RESULTS_DIR, 'chaos.md');
  writeFileSync(file, report(outcomes, started));
  log(`written to ${file}`);
  if (
    outcomes.some(
      (o) =>
        o.error ||
        o.exits.length ||
        o.invariants.some((i) => !i.held) ||
        o.violations?.length ||
        Object.keys(o.broken).length,
    )
  )
    process.exitCode = 1;
}

function report(outcomes: Outcome[], started: number): string {
  const errs = (w: WindowStats) =>
    Object.entries(w.errors)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => `${k} ×${v}`)
      .join('; ') || 'none';
  const names = [...new Set(outcomes.flatMap((o) => o.invariants.map((i) => i.name)))];
  const lines = [
    `# Chaos: one fault at a time under a mixed load (${new Date().toISOString()})`,
    '',
    `Machine: ${machine()}. Command: \`npm run chaos\` (${Math.round((Date.now() - started) / 60000)} min; CHAOS_CONCURRENCY=${CONCURRENCY}, baseline ${BASELINE_S} s before each fault, recovery watched up to ${RECOVER_S} s, invariants settled up to ${SETTLE_S} s).`,
    'Its own servers (deploy/local under CHAOS_LOCAL_DIR, ports of its own) and Toxiproxy (deploy/local/toxiproxy.sh); every service (catalog, search, user, order, marketing, risk, analytics, support, review, notification) and the gateway as separate processes, notification sending to a Mailpit of the set; risk’s seeded rule of more than 10 orders an hour from one account raised to 1,000,000 (the load’s 40 shoppers place hundreds of orders each); order reaches Postgres and Kafka, and marketing reaches Redis, through Toxiproxy (Kafka’s second listener advertises the proxy’s port, so all of order’s Kafka connections stay on it). Load: product pages 35, search 20, cart + checkout + payment + sandbox pay 20, flash-sale attempts 15, sign-ins 10 (weights), shoppers with their own client addresses; a checkout is retried with its Idempotency-Key on 409/5xx/lost connections for up to 20 s.',
    process.env.CHAOS_NOTE ? `\n${process.env.CHAOS_NOTE}\n` : '',
    '| fault | length s | requests | of which not 2xx | baseline 2xx/s | recovered after s | invariants |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...outcomes.map(
      (o) =>
        `| ${o.name} | ${o.seconds.toFixed(0)} | ${o.during.requests} | ${o.during.requests - o.during.ok} | ${o.baseline.toFixed(1)} | ${o.recoveredAfter ?? `not within ${RECOVER_S}`} | ${
          o.invariants.every((i) => i.held)
            ? 'all held'
            : `NOT HELD: ${o.invariants
                .filter((i) => !i.held)
                .map((i) => i.name)
                .join('; ')}`
        }${o.exits.length ? `; ${o.exits.map((e) => e.split(' ')[0]).join(', ')} EXITED` : ''}${Object.keys(o.broken).length ? `; BROKEN ANSWERS ${Object.values(o.broken).reduce((a, b) => a + b, 0)}` : ''}${o.error ? ` (fault failed: ${o.error})` : ''} |`,
    ),
    '',
    '## Invariants after each fault',
    '',
    `| invariant | ${outcomes.map((o) => o.key).join(' | ')} |`,
    `|---|${outcomes.map(() => ':---:').join('|')}|`,
    ...names.map(
      (n) =>
        `| ${n} | ${outcomes
          .map((o) => {
            const i = o.invariants.find((x) => x.name === n);
            return i ? (i.held ? 'held' : '**NOT**') : '—';
          })
          .join(' | ')} |`,
    ),
    '',
    '## Per fault',
    '',
  ];
  for (const o of outcomes)
    lines.push(
      `### ${o.name}`,
      '',
      `- Requests during the fault: ${o.during.requests} (2xx ${o.during.ok}); not 2xx by action and status: ${errs(o.during)}.`,
      `- Answers that say something broke (500, 502; a fault must give 2xx, 503 with Retry-After, 504 or a refused connection): ${
        Object.entries(o.broken)
          .map(([k, v]) => `**${k} ×${v}**`)
          .join('; ') || 'none'
      }.`,
      `- The longest wait for an answer, by action: ${Object.entries(o.during.slowest)
        .map(
          ([a, ms]) =>
            `${a} ${ms} ms (${o.during.slowestAnswer[a as keyof WindowStats['slowest']]})`,
        )
        .join(', ')}.`,
      `- Steady throughput before: ${o.baseline.toFixed(1)} 2xx/s; back to 70 % of it ${o.recoveredAfter === undefined ? `not within ${RECOVER_S} s` : `${o.recoveredAfter} s after the fault ended`}.`,
      ...(o.violations
        ? [
            `- During the drain: ${o.violations.length ? `VIOLATIONS ${o.violations.join('; ')}` : 'only answers and 503 with Retry-After (connections refused once the listener closed)'}.`,
          ]
        : []),
      ...(o.note ? [`- ${o.note}.`] : []),
      ...o.exits.map((e) => `- **${e}**`),
      `- Error-level log lines of the services (from the fault until the invariants settled): ${
        Object.entries(o.errorLines)
          .sort(([, a], [, b]) => b - a)
          .slice(0, 6)
          .map(([k, v]) => `${k} ×${v}`)
          .join('; ') || 'none'
      }.`,
      ...(o.error ? [`- The fault itself failed: ${o.error}`] : []),
      `- Invariants (settled in ${(o.settledAfterMs / 1000).toFixed(0)} s):`,
      ...o.invariants.map(
        (i) => `  - ${i.held ? 'held' : '**NOT HELD**'}: ${i.name} — ${i.detail}`,
      ),
      '',
    );
  return lines.join('\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
