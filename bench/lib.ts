import { cpus, totalmem } from 'node:os';

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
