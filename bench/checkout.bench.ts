/**
 * A paid order, end to end, base commit against the current tree in one run. For each side the
 * production set of services runs as separate processes on real Postgres, Redis and Kafka:
 * catalog, user, order, marketing (list prices through PriceCart, the promotion engine), risk
 * (the seeded production rules, real scoring) and the gateway. Each closed-loop iteration is one
 * shopper's paid order: PUT a cart line, POST /v1/checkout (Idempotency-Key), POST
 * /v1/orders/{id}/payments, POST /v1/payments/sandbox/pay/{paymentId} until the order is PAID.
 * The baseline of the same run is the cart write alone. CPU per paid order is summed from /proc
 * over every service and server process (`cpuMeter`), the load generator apart.
 *
 * Shoppers are `BENCH_ACCOUNTS` accounts, each with its own address and its own client address
 * (X-Forwarded-For, the gateway with TRUST_PROXY as in production behind its load balancer), so
 * the production risk rules (10 orders an hour per account, brushing per address) see what real
 * traffic looks like. Rate limits stay at their production defaults.
 *
 * The base side: `BENCH_BASE` (default the commit before this work, 50ea257) is checked out as a
 * worktree under .local/bench-base/<commit> (its own dependencies) and ITS libs/testing starts
 * ITS services; the current tree's platform runs beside it. Each phase (cart writes, then paid
 * orders) is measured in `BENCH_ROUNDS` windows per side (default 3, `BENCH_SECONDS` in all),
 * the sides alternating in the order given and pooled, each window after a short warm-up and
 * with the other sides' services paused (SIGSTOP; their background stays out of it): a
 * change in the machine's speed during the run falls on every side, not on whichever ran last
 * (one side after the other, three runs of the same two trees measured 0.86×, 0.99× and 1.06×).
 * Each phase's first windows come after its warm-up, the sides alternating round by round until
 * every side's CPU per iteration stops falling (BENCH_WARMUP_SECONDS, BENCH_WARMUP_MAX_SECONDS,
 * `warmUp`): what a shop's processes cost at steady state, not while V8 still compiles the code
 * the load reaches. The 1,000 shoppers
 * (BENCH_ACCOUNTS) stay under risk's 10 orders an hour per account through the longest warm-up.
 * `BENCH_SIDES=now` skips the base.
 * Sides `traced` / `traced:<ratio>` are the current tree with OpenTelemetry tracing on (issue
 * 21): every service sends its spans to a Jaeger of the run's own (tools/go-tools.sh builds it),
 * recording that share of the traces (`traced`: `BENCH_TRACE_RATIO`, default 1: all). Jaeger's
 * own CPU is not counted (the trace store runs elsewhere in production); what the services spend
 * on spans is.
 * `BENCH_RESULT_NAME` (default checkout) names the result file; only `checkout` writes the figures
 * of bench/results/summary.md (a comparison against another base is not issue 19's figure).
 *
 * After each side's load the databases must agree: orders placed = 201s, paid orders = successful
 * payments, no order with two successful payments, and (once catalog has consumed the events)
 * units sold + units reserved = orders placed, units sold = paid orders.
 *
 *   npm run bench:checkout      (BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_ACCOUNTS, BENCH_BASE, BENCH_SIDES,
 *                                in the order given, e.g. now,base;
 *                                BENCH_SHOPPERS_PER_IP: e.g. 50 puts 50 shoppers behind one NAT
 *                                address, which the base's 30-an-hour IP rule holds for review;
 *                                BENCH_PRODUCTS: the products bought, 1 by default)
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Pool } from 'undici';
import { provideInfrastructure, startOwnJaeger } from '@emporia/testing';
import {
  closedLoop,
  cpuMeter,
  cpuPerRequest,
  type CpuReport,
  type Figure,
  httpPool,
  machine,
  measureWindow,
  percentiles,
  type RunResult,
  send,
  signalTree,
  Steadiness,
  table,
  windowedSide,
  type WindowedSide,
  writeFigures,
} from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1000);
const BASE = process.env.BENCH_BASE ?? '50ea257';
const SIDES = (process.env.BENCH_SIDES ?? 'base,now').split(',');
const TRACE_RATIO = process.env.BENCH_TRACE_RATIO ?? '1';
const RESULT_NAME = process.env.BENCH_RESULT_NAME ?? 'checkout';
const PASSWORD = 'benchmark password 2026';
const REPO = join(__dirname, '..');
const STOCK = 1_000_000;
/**
 * Products the shoppers buy, one SKU each (shopper i buys product i mod BENCH_PRODUCTS). One, the
 * default: every paid order holds and commits the same SKU's stock and product rows (a hot item).
 */
const PRODUCTS = Math.max(1, Number(process.env.BENCH_PRODUCTS ?? 1));
const SHOPPERS_PER_IP = Math.max(1, Number(process.env.BENCH_SHOPPERS_PER_IP ?? 1));
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 5);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 5);
/** Windows per side and phase (each BENCH_SECONDS ÷ BENCH_ROUNDS long), alternating sides. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
/** Seconds a window's meter runs on after its load (the trailing consumers' work). */
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 2);
/**
 * Before a phase's first windows, unmeasured rounds of that load on every side until each one's
 * CPU per iteration stops falling (`warmUp`): at least BENCH_WARMUP_SECONDS per side, at most
 * BENCH_WARMUP_MAX_SECONDS. Started processes run the paid order's code cold: V8 was still
 * compiling it (13–21 % of every service's CPU in a `perf` profile of a 20 s window right after
 * start) and went on for about a minute of load, a cost a shop's processes running for days do
 * not pay per order.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 45);
const WARMUP_MAX_SECONDS = Number(process.env.BENCH_WARMUP_MAX_SECONDS ?? 90);
const WARMUP_ROUND_SECONDS = 5;

interface StartedPlatform {
  suffix: string;
  gatewayUrl: string;
  databases: Record<string, string | undefined>;
  services: { name: string; process: { pid?: number } }[];
  signIn(
    email: string,
    password: string,
    roles?: string,
  ): Promise<{ auth: Record<string, string> }>;
  stop(): Promise<void>;
}
type StartPlatform = (want: Record<string, unknown>) => Promise<StartedPlatform>;

/** An answer's JSON body, read loosely (the e2e suites check the contract). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface SideResult {
  side: string;
  commit: string;
  cart: RunResult;
  order: RunResult;
  checkout: { p50: number; p95: number; p99: number };
  /** The paid orders' own cart writes (the iteration's PUT), under the paid orders' load. */
  cartInOrder: { p50: number; p95: number; p99: number };
  cpuCart: CpuReport;
  /** CPU ms per second of each process at rest. */
  idlePerSecond: Record<string, number>;
  services: string[];
  cpuOrder: CpuReport;
  consistency: string[];
  consistent: boolean;
  statements: string[];
  held: number;
  warmups: PreparedSide['warmups'];
}

/**
 * A worktree of the base commit (created once, kept for later runs) with its own dependencies:
 * this tree's node_modules linked when both lock files are the same, else the base's installed
 * by `npm ci` (once).
 */
function baseTree(commit: string): string {
  const full = execFileSync('git', ['rev-parse', `${commit}^{commit}`], { cwd: REPO })
    .toString()
    .trim();
  const dir = join(REPO, '.local', 'bench-base', full.slice(0, 12));
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(join(REPO, '.local', 'bench-base'), { recursive: true });
    execFileSync('git', ['worktree', 'add', '--detach', dir, full], { cwd: REPO, stdio: 'ignore' });
  }
  const lock = (root: string) => readFileSync(join(root, 'package-lock.json'), 'utf8');
  const modules = join(dir, 'node_modules');
  const sameDependencies = lock(dir) === lock(REPO);
  const linked = existsSync(modules) && lstatSync(modules).isSymbolicLink();
  if (sameDependencies) {
    if (!existsSync(modules)) symlinkSync(join(REPO, 'node_modules'), modules);
  } else if (linked || !existsSync(join(modules, '.package-lock.json'))) {
    if (linked) unlinkSync(modules);
    process.stderr.write(`installing the base commit's own dependencies (npm ci in ${dir})\n`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  }
  return dir;
}

const address = (i: number) => ({
  recipient: `Shopper ${i}`,
  phone: `+86138${String(i).padStart(8, '0')}`,
  country: 'CN',
  province: '上海市',
  city: '上海市',
  district: '浦东新区',
  line1: `${i} Bench Road`,
});
/**
 * The shopper's client address (10.x.y.z, sent as X-Forwarded-For): `BENCH_SHOPPERS_PER_IP`
 * shoppers share one, as behind a carrier's NAT (1: each their own).
 */
const ipOf = (shopper: number) => {
  const i = Math.floor(shopper / SHOPPERS_PER_IP);
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) + 1}`;
};

async function pgCount(url: string, sql: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(sql)).rows[0].n);
  } finally {
    await c.end();
  }
}

/** Transactions committed and rows inserted/updated in each service database (pg_stat views). */
async function dbStats(databases: Record<string, string | undefined>) {
  const out: Record<string, { xact: number; ins: number; upd: number; sessions: number }> = {};
  for (const [name, url] of Object.entries(databases)) {
    if (!url) continue;
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      // the statistics collector reports with a delay: ask for a fresh snapshot
      await c.query('SELECT pg_stat_clear_snapshot()');
      const x = await c.query(
        'SELECT xact_commit AS n, sessions FROM pg_stat_database WHERE datname = current_database()',
      );
      const t = await c.query(
        'SELECT COALESCE(sum(n_tup_ins), 0) AS ins, COALESCE(sum(n_tup_upd), 0) AS upd FROM pg_stat_user_tables',
      );
      out[name] = {
        xact: Number(x.rows[0].n),
        ins: Number(t.rows[0].ins),
        upd: Number(t.rows[0].upd),
        sessions: Number(x.rows[0].sessions),
      };
    } finally {
      await c.end();
    }
  }
  return out;
}

/** One side started and ready: its platform, its shoppers and its two measured phases. */
interface PreparedSide {
  side: string;
  commit: string;
  platform: StartedPlatform;
  pool: Pool;
  pids: Record<string, number | undefined>;
  /** PUT a cart line, pooled over its windows. */
  cart: ReturnType<typeof windowedSide>;
  /** A paid order, pooled over its windows. */
  order: ReturnType<typeof windowedSide>;
  /** Within a measured window of `order` (its checkout latencies are kept then only). */
  measuring: boolean;
  counts: { placed: number; paid: number; held: number };
  checkoutMs: number[];
  cartInOrderMs: number[];
  idlePerSecond: Record<string, number>;
  ordersBefore: number;
  statsBefore: Awaited<ReturnType<typeof dbStats>>;
  /** Each phase's warm-up: CPU ms per iteration of each round, and its seconds. */
  warmups: Partial<Record<'cart' | 'order', { figures: number[]; seconds: number }>>;
}

/**
 * Starts a side's platform from its own tree (its own libs/testing starts its own services),
 * makes the product and signs its shoppers in. Its loads run later, in windows alternating with
 * the other sides' (`measureWindow`), so a change in the machine's speed during the run falls on
 * every side instead of on whichever ran last.
 */
async function prepareSide(
  side: string,
  root: string,
  commit: string,
  env?: Record<string, string>,
): Promise<PreparedSide> {
  // the side's own test library: it starts the side's own services from its tree
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startPlatform } = require(join(root, 'libs', 'testing', 'src', 'platform')) as {
    startPlatform: StartPlatform;
  };
  process.stderr.write(`[${side}] starting the platform of ${commit} (${root})\n`);
  const platform = await startPlatform({
    catalog: true,
    user: true,
    order: true,
    marketing: true,
    risk: true,
    // settings of every service (the traced side's OpenTelemetry exporter)
    ...(env ? { env } : {}),
    // behind a load balancer in production (helm production values): the client address is
    // X-Forwarded-For's
    gatewayEnv: { TRUST_PROXY: 'true' },
    // the production intervals (startPlatform's are short, for tests): outbox relays are woken
    // on commit and poll as a fallback, sweeps run at their defaults
    orderEnv: { OUTBOX_POLL_MS: '500', ORDER_SWEEP_INTERVAL_MS: '5000' },
    catalogEnv: { OUTBOX_POLL_MS: '500' },
    marketingEnv: { OUTBOX_POLL_MS: '500', MARKETING_SWEEP_INTERVAL_MS: '1000' },
    userEnv: { OUTBOX_POLL_MS: '500' },
  });
  const pool: Pool = httpPool(platform.gatewayUrl, CONCURRENCY + 4);
  try {
    const { suffix } = platform;
    const ops = (await platform.signIn(`ops.${suffix}@example.cn`, PASSWORD, 'customer,operator'))
      .auth;
    const call = async (
      method: 'GET' | 'POST' | 'PUT',
      path: string,
      body: unknown,
      headers: Record<string, string>,
    ) => {
      const r = await send(pool, method, path, { headers, body });
      let parsed: Json = {};
      try {
        parsed = r.text ? (JSON.parse(r.text) as Json) : {};
      } catch {
        /* not JSON */
      }
      return { status: r.status, body: parsed };
    };
    const cat = await call(
      'POST',
      '/v1/categories',
      { name: 'Bench', slug: `bench-${suffix}` },
      ops,
    );
    const skuIds: string[] = [];
    for (let n = 0; n < PRODUCTS; n++) {
      const product = await call(
        'POST',
        '/v1/products',
        {
          title: `Benchmark item ${n}`,
          categoryId: cat.body.id,
          skus: [{ code: `BENCH-${suffix}-${n}`, price: { amountMinor: 9900, currency: 'CNY' } }],
        },
        ops,
      );
      if (product.status !== 201) throw new Error(`product: ${JSON.stringify(product.body)}`);
      const skuId: string = product.body.skus[0].id;
      const stocked = await call(
        'POST',
        `/v1/skus/${skuId}/stock-adjustments`,
        { warehouseCode: 'BENCH', delta: STOCK, reason: 'bench' },
        ops,
      );
      if (stocked.status !== 200) throw new Error(`stock: ${JSON.stringify(stocked.body)}`);
      skuIds.push(skuId);
    }

    // shoppers: registered and signed in from their own client addresses
    process.stderr.write(`[${side}] signing in ${ACCOUNTS} shoppers\n`);
    const shoppers: { i: number; headers: Record<string, string> }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < ACCOUNTS) {
          const i = next++;
          const xff = { 'x-forwarded-for': ipOf(i), 'x-device-id': `bench-device-${i}` };
          // accounts are opened beforehand, each from its own address (not part of the scenario)
          const own = {
            ...xff,
            'x-forwarded-for': `172.${16 + ((i >> 16) & 15)}.${(i >> 8) & 255}.${(i & 255) + 1}`,
          };
          const email = `shopper${i}.${suffix}@example.cn`;
          for (;;) {
            const reg = await call('POST', '/v1/auth/register', { email, password: PASSWORD }, own);
            if (reg.status === 201) break;
            if (reg.status !== 429) throw new Error(`register: ${JSON.stringify(reg.body)}`);
            await new Promise((r) => setTimeout(r, 200));
          }
          const login = await call(
            'POST',
            '/v1/auth/login',
            { identifier: email, password: PASSWORD },
            own,
          );
          if (login.status !== 200) throw new Error(`login: ${JSON.stringify(login.body)}`);
          shoppers.push({
            i,
            headers: { ...xff, authorization: `Bearer ${login.body.tokens.accessToken}` },
          });
        }
      }),
    );
    // each iteration takes the shopper idle longest: shoppers are spread evenly over the run
    const idle = [...shoppers];
    const withShopper = async <T>(fn: (s: (typeof shoppers)[number]) => Promise<T>) => {
      const s = idle.shift()!;
      try {
        return await fn(s);
      } finally {
        idle.push(s);
      }
    };
    const putLine = (s: (typeof shoppers)[number]) =>
      call('PUT', `/v1/cart/lines/${skuIds[s.i % PRODUCTS]}`, { quantity: 1 }, s.headers);
    const counts = { placed: 0, paid: 0, held: 0 };
    const checkoutMs: number[] = [];
    const cartInOrderMs: number[] = [];
    const prepared: PreparedSide = {
      side,
      commit,
      platform,
      pool,
      pids: Object.fromEntries(platform.services.map((s) => [s.name, s.process.pid])),
      cart: windowedSide(`${side}: cart write: PUT /v1/cart/lines`, () =>
        withShopper(async (s) =>
          (await putLine(s)).status === 200 ? undefined : 'cart write failed',
        ),
      ),
      order: windowedSide(
        `${side}: paid order: cart write + checkout + payment + sandbox pay`,
        () =>
          withShopper(async (s) => {
            const c = performance.now();
            if ((await putLine(s)).status !== 200) return 'cart write failed';
            const t = performance.now();
            if (prepared.measuring) cartInOrderMs.push(t - c);
            const co = await call(
              'POST',
              '/v1/checkout',
              { address: address(s.i) },
              { ...s.headers, 'idempotency-key': randomUUID() },
            );
            if (co.status !== 201) return `checkout HTTP ${co.status} ${co.body.code ?? ''}`;
            if (prepared.measuring) checkoutMs.push(performance.now() - t);
            counts.placed++;
            if (co.body.status !== 'PENDING_PAYMENT') {
              counts.held++;
              return `checkout ${co.body.status}`;
            }
            const pay = await call('POST', `/v1/orders/${co.body.id}/payments`, {}, s.headers);
            if (pay.status !== 201) return `payment HTTP ${pay.status} ${pay.body.code ?? ''}`;
            const done = await call(
              'POST',
              `/v1/payments/sandbox/pay/${pay.body.paymentId}`,
              {},
              s.headers,
            );
            if (done.status !== 200 || done.body.outcome !== 'PAID')
              return `pay HTTP ${done.status} ${done.body.outcome ?? done.body.code ?? ''}`;
            counts.paid++;
            return undefined;
          }),
      ),
      measuring: false,
      counts,
      checkoutMs,
      cartInOrderMs,
      idlePerSecond: {},
      ordersBefore: 0,
      statsBefore: {},
      warmups: {},
    };
    return prepared;
  } catch (e) {
    await pool.close();
    await platform.stop();
    throw e;
  }
}

/**
 * The platform at rest (sweeps, relays, consumers' polls, probes; and, on the shared servers,
 * whatever else runs on this machine, the other sides' idle platforms included): CPU ms per
 * second, to tell fixed costs from per-order ones.
 */
async function measureAtRest(p: PreparedSide): Promise<void> {
  const meter = cpuMeter(p.pids);
  const started = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const atRest = meter.stop();
  const seconds = (performance.now() - started) / 1000;
  p.idlePerSecond = Object.fromEntries(
    Object.entries(atRest.byProcess).map(([k, v]) => [k, v / seconds]),
  );
}

/**
 * Runs `fn` with the other sides' services paused (SIGSTOP, then SIGCONT): an idle platform's
 * background (timers, polls; the base 50ea257's kafkajs woke each service 1,000 times a second)
 * would otherwise run in this side's window. A pause of a few seconds is far inside the
 * consumers' 30 s session; the shared servers (Postgres, Kafka, Redis) keep running.
 */
async function alone<T>(p: PreparedSide, all: PreparedSide[], fn: () => Promise<T>): Promise<T> {
  const others = all.filter((o) => o !== p).flatMap((o) => Object.values(o.pids));
  for (const pid of others) if (pid) signalTree(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    for (const pid of others) if (pid) signalTree(pid, 'SIGCONT');
  }
}

/** One window of a side's phase (a warm-up first, outside the meter), the other sides paused. */
const window = (p: PreparedSide, all: PreparedSide[], phase: 'cart' | 'order') =>
  alone(p, all, () =>
    measureWindow(p[phase], {
      concurrency: CONCURRENCY,
      seconds: SECONDS / ROUNDS,
      // the other sides ran meanwhile: a short warm-up again
      warmupSeconds: 1,
      meterPids: p.pids,
      // the events of the window's last orders are consumed after it (consumers wait up to 500 ms
      // per fetch): metered with the side's own window, at-rest costs of those seconds included
      drainSeconds: DRAIN_SECONDS,
      around: async () => {
        p.measuring = true;
        return () => {
          p.measuring = false;
        };
      },
    }),
  );

/**
 * A phase's warm-up on every side, before its first window: rounds of WARMUP_ROUND_SECONDS, the
 * sides alternating as the windows do (each round alone, the others paused for no longer than a
 * round each: a pause longer than the consumers' 30 s session would cost a rebalance, and one
 * longer than the pools' idle time new connections, in the next window), each round's CPU per
 * iteration metered, until every side's is steady (`Steadiness`): at least
 * BENCH_WARMUP_SECONDS of rounds per side, at most BENCH_WARMUP_MAX_SECONDS.
 */
async function warmUp(all: PreparedSide[], phase: 'cart' | 'order'): Promise<void> {
  const steadiness = all.map(() => new Steadiness('lower'));
  const minRounds = Math.ceil(WARMUP_SECONDS / WARMUP_ROUND_SECONDS);
  const maxRounds = Math.max(minRounds, Math.ceil(WARMUP_MAX_SECONDS / WARMUP_ROUND_SECONDS));
  for (let round = 1; round <= maxRounds; round++) {
    for (const [i, p] of all.entries())
      await alone(p, all, async () => {
        const meter = cpuMeter(p.pids);
        const r = await closedLoop(`${p.side} warm-up`, p[phase].op, {
          concurrency: CONCURRENCY,
          seconds: WARMUP_ROUND_SECONDS,
          warmupSeconds: 0,
        });
        steadiness[i].add(meter.stop().platformMs / Math.max(1, r.ok));
      });
    if (round >= minRounds && steadiness.every((s) => s.steady)) break;
  }
  for (const [i, p] of all.entries())
    p.warmups[phase] = {
      figures: steadiness[i].figures,
      seconds: steadiness[i].figures.length * WARMUP_ROUND_SECONDS,
    };
}

/** Before a side's first paid-order window: what its databases hold. */
async function beforeOrders(p: PreparedSide): Promise<void> {
  p.ordersBefore = await pgCount(p.platform.databases.order!, 'SELECT count(*) AS n FROM orders');
  p.statsBefore = await dbStats(p.platform.databases);
}

const finished = (run: WindowedSide): RunResult => ({
  ...run.run,
  perSecond: run.run.ok / Math.max(1e-9, run.run.seconds),
  ...percentiles(run.latencies),
});

/** After every window: the side's databases must agree with its answers; then it stops. */
async function finishSide(p: PreparedSide): Promise<SideResult> {
  try {
    const statsAfter = await dbStats(p.platform.databases);
    const { placed, paid, held } = p.counts;
    // consistency, from the databases
    const db = p.platform.databases;
    const orders = (await pgCount(db.order!, 'SELECT count(*) AS n FROM orders')) - p.ordersBefore;
    const paidOrders = await pgCount(
      db.order!,
      // paid, and moved on by the shipment planning sweep
      `SELECT count(*) AS n FROM orders WHERE status IN ('PAID', 'FULFILLING', 'SHIPPED')`,
    );
    const payments = await pgCount(
      db.order!,
      `SELECT count(*) AS n FROM payments WHERE status = 'SUCCEEDED'`,
    );
    const twice = await pgCount(
      db.order!,
      `SELECT count(*) AS n FROM (SELECT order_id FROM payments WHERE status = 'SUCCEEDED' GROUP BY order_id HAVING count(*) > 1) t`,
    );
    // catalog commits a paid order's reservation when it consumes order.paid: wait for it
    const units = async () => {
      const onHand = await pgCount(
        db.catalog!,
        'SELECT COALESCE(sum(on_hand), 0) AS n FROM stock_levels',
      );
      const reserved = await pgCount(
        db.catalog!,
        'SELECT COALESCE(sum(reserved), 0) AS n FROM stock_levels',
      );
      return { sold: STOCK * PRODUCTS - onHand, reserved };
    };
    let u = await units();
    for (let t = 0; t < 300 && u.sold !== paidOrders; t++) {
      await new Promise((r) => setTimeout(r, 100));
      u = await units();
    }
    const statements = Object.entries(statsAfter).map(([name, a]) => {
      const b = p.statsBefore[name];
      const per = (v: number) => (orders ? v / orders : 0).toFixed(1);
      // a session opened is a new Postgres backend: its caches cold, its statements prepared again
      return `${name} ${per(a.xact - b.xact)} tx, ${per(a.ins - b.ins)} rows inserted, ${per(a.upd - b.upd)} updated, ${a.sessions - b.sessions} sessions opened in all`;
    });
    const checks: [string, boolean][] = [
      [
        `orders placed ${orders} = checkouts answered 201 ${placed} (warm-ups included)`,
        orders === placed,
      ],
      [
        `paid orders ${paidOrders} = successful payments ${payments} = pays answered PAID ${paid}`,
        paidOrders === payments && payments === paid,
      ],
      [`orders with two successful payments: ${twice}`, twice === 0],
      [
        `units sold ${u.sold} + reserved ${u.reserved} = orders placed ${placed}`,
        u.sold + u.reserved === placed,
      ],
      [`units sold ${u.sold} = paid orders ${paidOrders}`, u.sold === paidOrders],
    ];
    return {
      side: p.side,
      commit: p.commit,
      cart: finished(p.cart.s),
      order: finished(p.order.s),
      checkout: percentiles(p.checkoutMs),
      cartInOrder: percentiles(p.cartInOrderMs),
      cpuCart: p.cart.s.cpu,
      cpuOrder: p.order.s.cpu,
      idlePerSecond: p.idlePerSecond,
      services: p.platform.services.map((s) => s.name),
      consistency: checks.map(([t, ok]) => `${ok ? 'ok' : 'FAILED'}: ${t}`),
      consistent: checks.every(([, ok]) => ok),
      statements,
      held,
      warmups: p.warmups,
    };
  } finally {
    await p.pool.close();
    await p.platform.stop();
  }
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');

async function main(): Promise<void> {
  await provideInfrastructure(['postgres', 'redis', 'kafka']);
  const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO })
    .toString()
    .trim();
  const results: SideResult[] = [];
  // in the order given: `now,base` runs the current tree first (a machine whose other load grows
  // or shrinks during the run then favours the other side)
  const jaeger = SIDES.some((s) => s.startsWith('traced')) ? await startOwnJaeger() : undefined;
  const prepared: PreparedSide[] = [];
  try {
    // every side started first (their startups and sign-ins are not measured)
    for (const side of new Set(SIDES))
      if (side === 'base') prepared.push(await prepareSide('base', baseTree(BASE), BASE));
      else if (side === 'now')
        prepared.push(await prepareSide('now', REPO, `${head} (working tree)`));
      else if (side.startsWith('traced') && jaeger) {
        // traced:<ratio> (traced: BENCH_TRACE_RATIO)
        const ratio = side.split(':')[1] ?? TRACE_RATIO;
        prepared.push(
          await prepareSide(side, REPO, `${head} (working tree, traced ${ratio})`, {
            OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
            OTEL_TRACES_SAMPLER_ARG: ratio,
          }),
        );
      } else throw new Error(`BENCH_SIDES: unknown side '${side}' (base, now, traced[:<ratio>])`);
    // the sign-ins' own events (consumed by risk, marketing) settle first
    await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
    for (const p of prepared) await alone(p, prepared, () => measureAtRest(p));
    // each phase in rounds, the sides' windows alternating in the order given
    await warmUp(prepared, 'cart');
    for (let round = 0; round < ROUNDS; round++)
      for (const p of prepared) await window(p, prepared, 'cart');
    // the cart writes leave one unit in every cart: each paid order sets it to 1 again
    for (const p of prepared) await beforeOrders(p);
    await warmUp(prepared, 'order');
    for (let round = 0; round < ROUNDS; round++)
      for (const p of prepared) await window(p, prepared, 'order');
    while (prepared.length) results.push(await finishSide(prepared.shift()!));
  } finally {
    for (const p of prepared) {
      await p.pool.close().catch(() => undefined);
      await p.platform.stop().catch(() => undefined);
    }
    await jaeger?.close();
  }

  const cpuPerPaid = (r: SideResult) => r.cpuOrder.platformMs / Math.max(1, r.order.ok);
  const servicesPerPaid = (r: SideResult) =>
    r.services.reduce((a, k) => a + (r.cpuOrder.byProcess[k] ?? 0), 0) / Math.max(1, r.order.ok);
  const lines = [
    `# Checkout benchmark: a paid order (${new Date().toISOString()})`,
    '',
    `Machine: ${machine()}. Command: \`npm run bench:checkout\` (BENCH_SECONDS=${SECONDS}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_ACCOUNTS=${ACCOUNTS}, BENCH_BASE=${BASE}, BENCH_SIDES=${SIDES.join(',')}, BENCH_ROUNDS=${ROUNDS}, BENCH_PRODUCTS=${PRODUCTS}${SIDES.includes('traced') ? `, BENCH_TRACE_RATIO=${TRACE_RATIO}` : ''}${RESULT_NAME !== 'checkout' ? `, BENCH_RESULT_NAME=${RESULT_NAME}` : ''}).`,
    'Each side runs catalog, user, order, marketing (PriceCart, list prices), risk (the seeded production rules) and the gateway as separate processes on the shared Postgres, Redis and Kafka; the load generator shares the machine.',
    `The sides' platforms run at the same time; each phase is measured in ${ROUNDS} windows per side of ${f1(SECONDS / ROUNDS)} s, the sides alternating (${[...new Set(SIDES)].join(', ')}), pooled; before its first windows, the phase's unmeasured warm-up in rounds of ${WARMUP_ROUND_SECONDS} s, the sides alternating, until every side's CPU per iteration stopped falling (at least BENCH_WARMUP_SECONDS=${WARMUP_SECONDS}, then until two rounds in a row were no more than 5 % below the best before them, at most BENCH_WARMUP_MAX_SECONDS=${WARMUP_MAX_SECONDS} per side: a started service's code is still being compiled by V8 for about a minute of load), each window after 1 s of warm-up outside the meter, its meter running ${DRAIN_SECONDS} s after its load for the events consumed after it (BENCH_DRAIN_SECONDS; the platform's at-rest cost of those seconds is counted too), the other sides' services paused meanwhile (SIGSTOP, SIGCONT after).`,
    `Settings the benchmark changes: the gateway's TRUST_PROXY=true (as in production behind a load balancer) so each shopper has a client address (X-Forwarded-For; ${SHOPPERS_PER_IP} shopper(s) per address, BENCH_SHOPPERS_PER_IP); each of the ${ACCOUNTS} shoppers has its own shipping address. Rate limits and risk rules are the production defaults of each side.`,
    `One iteration = PUT cart line + POST /v1/checkout + POST /v1/orders/{id}/payments + POST /v1/payments/sandbox/pay/{id} (PAID). Checkout latency is the POST /v1/checkout alone. "Cart-write p99" is the cart-write phase's (cart writes alone, the target's reading); "its own cart write" is the PUT of the same paid-order iterations, under the same load.`,
    process.env.BENCH_NOTE ? `\n${process.env.BENCH_NOTE}\n` : '',
    table(results.flatMap((r) => [r.cart, r.order])),
    '',
    '| side | commit | paid orders/s | checkout p50 | p95 | p99 | cart-write p99 | checkout p99 ÷ cart p99 | its own cart write p99 | checkout p99 ÷ it | CPU ms per paid order | of which services | CPU ms per cart write | held for review |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.side} | ${r.commit} | ${f1(r.order.perSecond)} | ${f1(r.checkout.p50)} | ${f1(r.checkout.p95)} | ${f1(r.checkout.p99)} | ${f1(r.cart.p99)} | ${f2(r.checkout.p99 / r.cart.p99)} | ${f1(r.cartInOrder.p99)} | ${f2(r.checkout.p99 / r.cartInOrder.p99)} | ${f1(cpuPerPaid(r))} | ${f1(servicesPerPaid(r))} | ${f2(r.cpuCart.platformMs / Math.max(1, r.cart.ok))} | ${r.held} |`,
    ),
    '',
  ];
  for (const r of results) {
    lines.push(
      `## ${r.side}`,
      '',
      ...(['cart', 'order'] as const).map((phase) => {
        const w = r.warmups[phase];
        return w
          ? `- Warm-up of the ${phase === 'cart' ? 'cart writes' : 'paid orders'}: ${f1(w.seconds)} s; CPU ms per ${phase === 'cart' ? 'cart write' : 'paid order'} in each ${WARMUP_ROUND_SECONDS} s round: ${w.figures.map(f2).join(', ')}.`
          : `- No warm-up of the ${phase} phase.`;
      }),
      `- CPU per paid order: ${cpuPerRequest(r.cpuOrder, r.order.ok)}.`,
      `- Of which the services (${r.services.join(', ')}): ${f1(servicesPerPaid(r))} ms; the shared servers (Postgres, Kafka, Redis, Elasticsearch) also serve whatever else runs on the machine.`,
      `- At rest, CPU ms per second: ${Object.entries(r.idlePerSecond)
        .sort(([, a], [, b]) => b - a)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(', ')} (at ${f1(r.order.perSecond)} paid orders/s that is ${f1(
        Object.values(r.idlePerSecond).reduce((a, b) => a + b, 0) /
          Math.max(0.1, r.order.perSecond),
      )} ms per paid order of fixed cost).`,
      `- CPU per cart write: ${cpuPerRequest(r.cpuCart, r.cart.ok)}.`,
      `- Per order placed, from pg_stat_database / pg_stat_user_tables: ${r.statements.join('; ')}.`,
      ...r.consistency.map((c) => `- ${c}`),
      r.order.failed
        ? `- Failed iterations: ${JSON.stringify(r.order.failures)}.`
        : '- Failed iterations: 0.',
      '',
    );
  }
  const base = results.find((r) => r.side === 'base');
  const now = results.find((r) => r.side === 'now');
  const figures: Figure[] = [];
  for (const traced of results.filter((r) => r.side.startsWith('traced')))
    if (now)
      lines.push(
        `- ${traced.side} (${traced.side.split(':')[1] ?? TRACE_RATIO} of traces recorded) ÷ now (tracing off): CPU per paid order **${f2(cpuPerPaid(traced) / cpuPerPaid(now))}×** (services only **${f2(servicesPerPaid(traced) / servicesPerPaid(now))}×**), paid orders per second **${f2(traced.order.perSecond / now.order.perSecond)}×**, checkout p99 **${f2(traced.checkout.p99 / now.checkout.p99)}×**; CPU per cart write **${f2(traced.cpuCart.platformMs / Math.max(1, traced.cart.ok) / (now.cpuCart.platformMs / Math.max(1, now.cart.ok)))}×**.`,
        '',
      );
  if (now) {
    figures.push(
      {
        name: 'checkout: CPU ms per paid order',
        value: cpuPerPaid(now),
        unit: 'ms',
        target: { op: '<=', value: 20 },
      },
      {
        name: 'checkout: p99 ÷ cart-write p99',
        value: now.checkout.p99 / now.cart.p99,
        unit: '×',
        target: { op: '<=', value: 2 },
      },
      {
        name: 'checkout: p99 ÷ the p99 of the same paid orders’ cart writes (same load)',
        value: now.checkout.p99 / now.cartInOrder.p99,
        unit: '×',
      },
    );
    if (base) {
      const ratio = now.order.perSecond / base.order.perSecond;
      figures.push({
        name: `checkout: paid orders/s ÷ base ${BASE}`,
        value: ratio,
        unit: '×',
        target: { op: '>=', value: 3 },
      });
      lines.push(
        `- Now ÷ base: paid orders per second **${f2(ratio)}×**, CPU per paid order **${f2(cpuPerPaid(now) / cpuPerPaid(base))}×** (services only **${f2(servicesPerPaid(now) / servicesPerPaid(base))}×**), checkout p99 **${f2(now.checkout.p99 / base.checkout.p99)}×**.`,
        '',
      );
    }
  }
  const summary = lines.join('\n');
  process.stdout.write(summary);
  const file = join(__dirname, 'results', `${RESULT_NAME}.md`);
  writeFileSync(file, summary);
  if (figures.length && RESULT_NAME === 'checkout') writeFigures('checkout', figures);
  process.stderr.write(`\nwritten to ${file}\n`);
  if (results.some((r) => !r.consistent)) throw new Error('inconsistent: see the result');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
