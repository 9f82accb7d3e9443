/**
 * `npm run bench`: every benchmark, one after the other (each starts what it needs and measures
 * its own baseline in the same run), then `bench/results/summary.md`: each figure, its target
 * and whether it is met, from the `<bench>.json` each benchmark writes.
 *
 *   npm run bench                                  every benchmark
 *   BENCH_ONLY=flash-sale,checkout npm run bench   some (the summary still lists every result file)
 *   BENCH_ONLY= npm run bench                      none: only the summary, from the result files
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine, meets, RESULTS_DIR, type Figure } from './lib';

/** In the order they run: the quick ones first. */
const BENCHES = [
  'login',
  'fraud-model',
  'grpc-hop',
  'flash-sale',
  'product-detail',
  'checkout',
  'search',
  'analytics',
];

interface Outcome {
  bench: string;
  code: number | null;
  seconds: number;
}

function run(bench: string): Outcome {
  const file = join(__dirname, `${bench}.bench.ts`);
  const started = Date.now();
  process.stdout.write(`\n==> bench ${bench}\n`);
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', file], {
    cwd: join(__dirname, '..'),
    stdio: 'inherit',
    env: process.env,
  });
  return { bench, code: r.status, seconds: (Date.now() - started) / 1000 };
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));

function summary(outcomes: Outcome[]): string {
  const files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json'));
  const results = files
    .map(
      (f) =>
        JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as {
          bench: string;
          at: string;
          figures: Figure[];
        },
    )
    .sort((a, b) => BENCHES.indexOf(a.bench) - BENCHES.indexOf(b.bench));
  const rows = results.flatMap((r) =>
    r.figures.map((f) => {
      const met = meets(f);
      const target = f.target ? `${f.target.op === '>=' ? '≥' : '≤'} ${f.target.value}` : '—';
      const verdict = met === undefined ? '—' : met ? 'met' : '**not met**';
      return `| [${r.bench}](${r.bench}.md) | ${f.name} | ${fmt(f.value)}${f.unit ? ` ${f.unit}` : ''} | ${target} | ${verdict} | ${r.at.slice(0, 16).replace('T', ' ')} |`;
    }),
  );
  const ran = outcomes.length
    ? `\nThis run (${new Date().toISOString()}, ${machine()}): ${outcomes
        .map(
          (o) =>
            `${o.bench} ${o.code === 0 ? 'ok' : `FAILED (exit ${o.code})`} in ${o.seconds.toFixed(0)} s`,
        )
        .join('; ')}.\n`
    : '';
  return `# Benchmark summary

Every figure is a ratio or a cost measured against a baseline in the same run on the same
machine (see each result for the run's conditions). \`npm run bench\` writes this file from the
\`<bench>.json\` files the benchmarks write; the "measured" column says when each figure was taken.
${ran}
| benchmark | figure | value | target | | measured |
|---|---|---:|---:|---|---|
${rows.join('\n')}
`;
}

const only = process.env.BENCH_ONLY?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((b) => !BENCHES.includes(b)) ?? [];
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.join(', ')}\n`);
  process.exit(2);
}
const outcomes = BENCHES.filter((b) => !only || only.includes(b))
  .filter((b) => existsSync(join(__dirname, `${b}.bench.ts`)))
  .map(run);
writeFileSync(join(RESULTS_DIR, 'summary.md'), summary(outcomes));
process.stdout.write(`\nwritten to ${join(RESULTS_DIR, 'summary.md')}\n`);
process.exit(outcomes.every((o) => o.code === 0) ? 0 : 1);
