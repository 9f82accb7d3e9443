import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import type { ServiceProcess } from '@emporia/testing';

/** Latency percentiles (ms) of a sample. */
export function percentiles(samplesMs: number[]): { p50: number; p95: number; p99: number } {
  const s = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) =>
    s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

export interface RunResult {
  name: string;
  ok: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  failures: Record<string, number>;
}

/**
 * One side of a comparison measured in alternating windows (a burst of other work on the machine
 * falls on every side rather than on one): its run, CPU and latencies pooled over its windows.
 */
export interface WindowedSide {
  run: RunResult;
  cpu: CpuReport;
  latencies: number[];
}

/** A side named `name` doing `op`, and `timed`: `op` recording its latency when it succeeds. */
export function windowedSide(name: string, op: (i: number) => Promise<string | undefined>) {
  const s: WindowedSide = {
    run: { name, ok: 0, failed: 0, seconds: 0, perSecond: 0, p50: 0, p95: 0, p99: 0, failures: {} },
    cpu: { byProcess: {}, platformMs: 0, loadGeneratorMs: 0 },
    latencies: [],
  };
  const timed = async (i: number) => {
    const t = performance.now();
    const err = await op(i);
    if (!err) s.latencies.push(performance.now() - t);
    return err;
  };
  return { s, op, timed };
}

/**
 * One window of a side: a short warm-up outside the meter, then `seconds` of `timed` with the CPU
 * of `meterPids` metered (and `drainSeconds` after), added to the side. `around` runs just before the meter starts and the
 * function it returns just after it stops (other meters of the same window). The window is
 * written to stderr on the monotonic clock of CPU profiles (µs), to cut a profile to it.
 */
export async function measureWindow<S extends WindowedSide>(
  { s, op, timed }: { s: S; op: (i: number) => Promise<string | undefined>; timed: typeof op },
  opts: {
    concurrency: number;
    seconds: number;
    warmupSeconds: number;
    meterPids: Record<string, number | undefined>;
    around?: () => Promise<() => void>;
    /**
     * Seconds the meter keeps running after the load stops, for the side's trailing work (events
     * consumed after their requests were answered), which the next side's window would
     * otherwise hide. Default 0.
     */
    drainSeconds?: number;
  },
): Promise<void> {
  await closedLoop(s.run.name, op, {
    concurrency: opts.concurrency,
    seconds: opts.warmupSeconds,
    warmupSeconds: 0,
  });
  const after = await opts.around?.();
  const meter = cpuMeter(opts.meterPids);
  const fromUs = process.hrtime.bigint() / 1000n;
  const r = await closedLoop(s.run.name, timed, {
    concurrency: opts.concurrency,
    seconds: opts.seconds,
    warmupSeconds: 0,
  });
  if (opts.drainSeconds) await new Promise((r) => setTimeout(r, opts.drainSeconds! * 1000));
  const cpu = meter.stop();
  after?.();
  process.stderr.write(
    `window "${s.run.name}" monotonic µs ${fromUs}..${process.hrtime.bigint() / 1000n}\n`,
  );
  s.run.ok += r.ok;
  s.run.failed += r.failed;
  s.run.seconds += r.seconds;
  for (const [k, v] of Object.entries(r.failures)) s.run.failures[k] = (s.run.failures[k] ?? 0) + v;
  for (const [k, v] of Object.entries(cpu.byProcess))
    s.cpu.byProcess[k] = (s.cpu.byProcess[k] ?? 0) + v;
  s.cpu.platformMs += cpu.platformMs;
  s.cpu.loadGeneratorMs += cpu.loadGeneratorMs;
}

/**
 * Whether a figure measured in rounds of unmeasured load has stopped improving (a process's JIT
 * keeps optimising the code a load reaches for tens of seconds, and a server's caches fill): two
 * rounds in a row no more than 5 % better than the best round before them. `better` says which
 * way the figure improves (a rate: higher; a cost: lower).
 */
export class Steadiness {
  readonly figures: number[] = [];
  /** Rounds in a row not 5 % better than the best before them. */
  private flat = 0;

  constructor(private readonly better: 'higher' | 'lower') {}

  add(figure: number): void {
    const f = this.figures;
    const improved =
      f.length === 0 ||
      (this.better === 'higher' ? figure > Math.max(...f) * 1.05 : figure < Math.min(...f) * 0.95);
    this.flat = improved ? 0 : this.flat + 1;
    f.push(figure);
  }

  get steady(): boolean {
    return this.flat >= 2;
  }
}

/**
 * Unmeasured rounds until their figure is steady (`Steadiness`): `round` runs one round and
 * answers its figure; at least `minSeconds`, at most `maxSeconds`. Answers each round's figure
 * and the seconds.
 */
export async function untilSteady(
  round: () => Promise<number>,
  opts: { minSeconds: number; maxSeconds: number; better: 'higher' | 'lower' },
): Promise<{ figures: number[]; seconds: number }> {
  const steadiness = new Steadiness(opts.better);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  for (;;) {
    steadiness.add(await round());
    if (elapsed() >= opts.maxSeconds) break;
    if (elapsed() >= opts.minSeconds && steadiness.steady) break;
  }
  return { figures: steadiness.figures, seconds: elapsed() };
}

/**
 * A closed loop: `concurrency` workers call `op` back to back for `seconds` after a warm-up.
 * `op` resolves to an error label (counted as a failure) or undefined.
 */
export async function closedLoop(
  name: string,
  op: (i: number) => Promise<string | undefined>,
  {
    concurrency,
    seconds,
    warmupSeconds = 2,
  }: { concurrency: number; seconds: number; warmupSeconds?: number },
): Promise<RunResult> {
  let i = 0;
  const runFor = async (ms: number, record: boolean) => {
    const end = performance.now() + ms;
    const latencies: number[] = [];
    const failures: Record<string, number> = {};
    let ok = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          const err = await op(i++).catch((e: unknown) => String(e));
          if (!record) continue;
          if (err) failures[err] = (failures[err] ?? 0) + 1;
          else {
            ok++;
            latencies.push(performance.now() - t);
          }
        }
      }),
    );
    return { latencies, failures, ok };
  };
  await runFor(warmupSeconds * 1000, false);
  const started = performance.now();
  const { latencies, failures, ok } = await runFor(seconds * 1000, true);
  const elapsed = (performance.now() - started) / 1000;
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  return {
    name,
    ok,
    failed,
    seconds: elapsed,
    perSecond: ok / elapsed,
    ...percentiles(latencies),
    failures,
  };
}

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

const ms = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(1));

export function table(rows: RunResult[]): string {
  const head =
    '| run | ok | failed | per second | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|---:|';
  return [
    head,
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.ok} | ${r.failed} | ${r.perSecond.toFixed(1)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} |`,
    ),
  ].join('\n');
}

// ---- CPU time of the platform, from /proc

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ; 100 on Linux). */
const TICKS = Number(process.env.BENCH_CLK_TCK ?? 100);

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone (a process that exited), or not Linux
  }
}

/** utime + stime of a process in ms, and its parent (fields 14, 15 and 4 of /proc/<pid>/stat). */
function procStat(pid: number): { cpuMs: number; ppid: number } | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // the command name (field 2) is in parentheses and may hold spaces: split after it
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / TICKS, ppid: Number(f[1]) };
}

/** The pids of the servers deploy/local started (their pid files), when they run from there. */
function localServerPids(): Record<string, number> {
  const root = join(__dirname, '..', '.local');
  const first = (path: string) => Number(readProc(path)?.split('\n')[0]?.trim() ?? NaN);
  const found: Record<string, number> = {
    postgres: first(join(root, 'postgres', 'data', 'postmaster.pid')),
    redis: first(join(root, 'redis', 'redis.pid')),
    kafka: first(join(root, 'kafka', 'kafka.pid')),
    elasticsearch: first(join(root, 'elasticsearch', 'elasticsearch.pid')),
  };
  return Object.fromEntries(
    Object.entries(found).filter(([, pid]) => Number.isInteger(pid) && procStat(pid)),
  );
}

/**
 * Sends `signal` to `pid` and every descendant of it (a service and the processes it started):
 * `SIGSTOP` pauses a side of a comparison while another is measured, `SIGCONT` resumes it.
 */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  const tree = processTree();
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      process.kill(p, signal);
    } catch {
      // gone meanwhile
    }
    stack.push(...(tree.get(p) ?? []));
  }
}

/** Every pid with its parent, to find the children of a process (Postgres's backends). */
function processTree(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = procStat(pid);
    if (!s) continue;
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  return children;
}

/**
 * The CPU time (ms) of each process of each named group (a root and all its descendants), by
 * pid: a window's cost is each process's own difference, so a process that exits during the
 * window (a Postgres backend whose pooled connection idled out) does not take its whole life's
 * time off its group's sum; its time inside the window is lost (a small undercount).
 */
function cpuOfGroups(roots: Record<string, number>): Record<string, Map<number, number>> {
  const tree = processTree();
  const out: Record<string, Map<number, number>> = {};
  for (const [name, root] of Object.entries(roots)) {
    const byPid = new Map<number, number>();
    const stack = [root];
    while (stack.length) {
      const pid = stack.pop()!;
      const cpu = procStat(pid)?.cpuMs;
      if (cpu !== undefined) byPid.set(pid, cpu);
      stack.push(...(tree.get(pid) ?? []));
    }
    out[name] = byPid;
  }
  return out;
}

/** CPU ms a group spent between two readings: each process's own, one started meanwhile whole. */
function spent(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += Math.max(0, cpu - (before.get(pid) ?? 0));
  return total;
}

export interface CpuReport {
  /** CPU ms per process group over the measured window (a service, a server, the load generator). */
  byProcess: Record<string, number>;
  /** The platform's CPU ms (every service and server; the load generator left out). */
  platformMs: number;
  loadGeneratorMs: number;
}

/**
 * Measures the CPU time the platform spends over a window, summed over every process from
 * /proc: each service process given (and its children), the servers deploy/local started
 * (Postgres with its backends, Redis, Kafka, Elasticsearch) and, apart, this process (the load
 * generator). CPU time moves far less with machine noise than throughput: divide by the
 * requests of the window for the CPU cost of one request. Each process is measured on its own
 * (`cpuOfGroups`): one that exits inside the window loses its time there (Postgres backends of
 * pooled connections live on, unless a pool closes one idle for its timeout).
 */
export function cpuMeter(services: Record<string, number | undefined>) {
  const roots: Record<string, number> = { ...localServerPids() };
  for (const [name, pid] of Object.entries(services)) if (pid) roots[name] = pid;
  const selfMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const before = cpuOfGroups(roots);
  const selfBefore = selfMs();
  return {
    servers: Object.keys(roots),
    stop(): CpuReport {
      const after = cpuOfGroups(roots);
      const byProcess = Object.fromEntries(
        Object.keys(roots).map((k) => [k, spent(before[k], after[k])]),
      );
      const platformMs = Object.values(byProcess).reduce((a, b) => a + b, 0);
      return { byProcess, platformMs, loadGeneratorMs: selfMs() - selfBefore };
    },
  };
}

/** "2.31 ms (gateway 0.90, marketing 0.61, redis 0.30, …)": CPU per request of a window. */
export function cpuPerRequest(report: CpuReport, requests: number): string {
  const per = (v: number) => (requests ? v / requests : NaN).toFixed(2);
  const parts = Object.entries(report.byProcess)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${per(v)}`);
  return `${per(report.platformMs)} ms (${parts.join(', ')}; load generator ${per(report.loadGeneratorMs)})`;
}

// ---- a load generator that costs little

/**
 * A keep-alive connection pool to one origin (undici's Pool: far cheaper per request than
 * `fetch`, so the load generator takes less of the machine it shares with what it measures).
 * Give it as many connections as the closed loop has workers.
 */
export function httpPool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
}

/** One request through a pool: its status and its body as text (the body is always read). */
export async function send(
  pool: Pool,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  { headers, body }: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; text: string }> {
  const r = await pool.request({
    method,
    path,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.statusCode, text: await r.body.text() };
}

// ---- figures for bench/results/summary.md

/** One figure of a benchmark, with the target when it has one. */
export interface Figure {
  /** What is measured, e.g. "attempts/s ÷ redis-benchmark EVALSHA (sold out)". */
  name: string;
  value: number;
  /** The target: the value must be at least (`>=`) or at most (`<=`) this. */
  target?: { op: '>=' | '<='; value: number };
  /** What the figure is counted in ("×", "ms"), shown beside the value. */
  unit?: string;
}

export const RESULTS_DIR = join(__dirname, 'results');

/** Whether a figure meets its target (undefined when it has none). */
export const meets = (f: Figure): boolean | undefined =>
  f.target === undefined
    ? undefined
    : f.target.op === '>='
      ? f.value >= f.target.value
      : f.value <= f.target.value;

/**
 * Writes `bench/results/<bench>.json` beside the benchmark's Markdown result: its figures, for
 * `npm run bench` to gather into summary.md.
 */
export function writeFigures(bench: string, figures: Figure[]): void {
  writeFileSync(
    join(RESULTS_DIR, `${bench}.json`),
    `${JSON.stringify({ bench, at: new Date().toISOString(), machine: machine(), figures }, null, 2)}\n`,
  );
}

// ---- services of an earlier tree, beside this tree's

/** Starts one service process (libs/testing processes.ts's `startServiceProcess`). */
export type ServiceLauncher = (
  app: string,
  env: Record<string, string>,
  readyUrl: string,
) => Promise<ServiceProcess>;

/**
 * The `startServiceProcess` of another worktree (BENCH_BASE_TREE: an earlier commit with its
 * dependencies): the services it starts run from that tree's sources.
 */
export function baseTreeLauncher(tree: string): ServiceLauncher {
  const processes = join(tree, 'libs', 'testing', 'src', 'processes');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(processes) as { startServiceProcess: ServiceLauncher };
  return loaded.startServiceProcess;
}
