/**
 * Product detail through the gateway against a bare Fastify hello-world server, in the same run,
 * with the same load generator and connections:
 *   - baseline: `GET /` of a hello-world Fastify server in its own process;
 *   - `GET /v1/products/{id}` anonymously over BENCH_PRODUCTS products (gateway → catalog, or the
 *     gateway's product page cache);
 *   - `GET /v1/me` signed in (a simple authenticated route: the gateway's per-request pipeline,
 *     auth and the revocation check, → user).
 * Each records throughput, p50/p95/p99 and the CPU time per request summed over the platform's
 * processes (cpuMeter: gateway, catalog, user, Postgres, Redis, Kafka; for the baseline the
 * hello-world process). Production defaults: no setting is changed.
 *
 *   npm run bench:product-detail   (BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_PRODUCTS)
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, provideInfrastructure, startPlatform } from '@emporia/testing';
import {
  closedLoop,
  cpuMeter,
  cpuPerRequest,
  httpPool,
  machine,
  RESULTS_DIR,
  send,
  table,
  writeFigures,
  type CpuReport,
  type RunResult,
} from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 12);
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 200);
const PASSWORD = 'benchmark password 2026';

/** A bare Fastify hello-world server in its own process: its pid and origin. */
async function helloWorld(): Promise<{ pid: number; origin: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const f = require('fastify')(); f.get('/', async () => ({ hello: 'world' }));
       f.listen({ port: ${port}, host: '127.0.0.1' }).then(() => process.send('ready'));
       process.on('disconnect', () => process.exit(0));`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: join(__dirname, '..') },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`hello-world exited with ${code}`)));
  });
  return { pid: child.pid!, origin: `http://127.0.0.1:${port}`, stop: () => child.disconnect() };
}

async function measured(
  name: string,
  pids: Record<string, number | undefined>,
  op: (i: number) => Promise<string | undefined>,
): Promise<{ result: RunResult; cpu: CpuReport }> {
  // warm up outside the meter, then measure
  await closedLoop(name, op, { concurrency: CONNECTIONS, seconds: 1, warmupSeconds: 1 });
  const meter = cpuMeter(pids);
  const result = await closedLoop(name, op, {
    concurrency: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: 0,
  });
  return { result, cpu: meter.stop() };
}

async function main(): Promise<void> {
  await provideInfrastructure(['postgres', 'redis', 'kafka']);
  const hello = await helloWorld();
  const platform = await startPlatform({ catalog: true, user: true });
  const { api, suffix } = platform;
  const pid = (name: string) => platform.services.find((s) => s.name === name)?.process.pid;
  try {
    const ops = (await platform.signIn(`ops.${suffix}@example.cn`, PASSWORD, 'customer,operator'))
      .auth;
    const shopper = (await platform.signIn(`shopper.${suffix}@example.cn`, PASSWORD)).auth;
    const category = await api(
      'POST',
      '/v1/categories',
      { name: 'Bench', slug: `bench-${suffix}` },
      ops,
    );
    if (category.status !== 201) throw new Error(`category: ${JSON.stringify(category.body)}`);
    const ids: string[] = [];
    for (let i = 0; i < PRODUCTS; i++) {
      const r = await api(
        'POST',
        '/v1/products',
        {
          title: `Bench product ${i}`,
          description: 'A product of the product-detail benchmark, with a modest description.',
          brand: 'Bench',
          categoryId: category.body.id,
          skus: [
            {
              code: `B-${suffix}-${i}`,
              price: { amountMinor: 1999 + i, currency: 'CNY' },
            },
          ],
        },
        ops,
      );
      if (r.status !== 201) throw new Error(`product: ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(r.body.id);
    }
    process.stderr.write(`created ${PRODUCTS} products\n`);

    const helloPool = httpPool(hello.origin, CONNECTIONS);
    const gateway = httpPool(platform.gatewayUrl, CONNECTIONS);
    const platformPids = { gateway: pid('gateway'), catalog: pid('catalog'), user: pid('user') };
    const runs: { result: RunResult; cpu: CpuReport }[] = [];
    runs.push(
      await measured('baseline: bare Fastify hello-world GET /', { hello: hello.pid }, async () => {
        const r = await send(helloPool, 'GET', '/');
        return r.status === 200 ? undefined : `HTTP ${r.status}`;
      }),
    );
    // the servers (Postgres, Redis, Kafka) are not the baseline's: only its own process counts
    runs[0].cpu = {
      ...runs[0].cpu,
      byProcess: { hello: runs[0].cpu.byProcess.hello },
      platformMs: runs[0].cpu.byProcess.hello,
    };
    runs.push(
      await measured(
        `GET /v1/products/{id} anonymous (${PRODUCTS} products)`,
        platformPids,
        async (i) => {
          const r = await send(gateway, 'GET', `/v1/products/${ids[i % ids.length]}`);
          return r.status === 200 ? undefined : `HTTP ${r.status}`;
        },
      ),
    );
    runs.push(
      await measured(
        'GET /v1/me signed in (simple authenticated route)',
        platformPids,
        async () => {
          const r = await send(gateway, 'GET', '/v1/me', { headers: shopper });
          return r.status === 200 ? undefined : `HTTP ${r.status}`;
        },
      ),
    );
    await helloPool.close();
    await gateway.close();

    const [base, detail, me] = runs;
    const ratio = detail.result.perSecond / base.result.perSecond;
    const cpuMs = (run: (typeof runs)[number]) => run.cpu.platformMs / run.result.ok;
    const summary = [
      `# Product detail benchmark (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. Command: \`npm run bench:product-detail\` (BENCH_SECONDS=${SECONDS}, BENCH_CONNECTIONS=${CONNECTIONS}, BENCH_PRODUCTS=${PRODUCTS}).`,
      'Production defaults (PRODUCT_PAGE_CACHE_TTL_MS 5000, rate limits on). The load generator, the',
      'hello-world server, the gateway, catalog, user, Postgres, Redis and Kafka share the machine.',
      '',
      table(runs.map((r) => r.result)),
      '',
      'CPU time per request (all processes of the platform, the load generator apart):',
      '',
      ...runs.map((r) => `- ${r.result.name}: ${cpuPerRequest(r.cpu, r.result.ok)}`),
      '',
      `- Product detail per second ÷ hello-world per second: **${ratio.toFixed(3)}** (target ≥ 0.40).`,
      `- CPU per product detail: **${cpuMs(detail).toFixed(3)} ms**; per GET /v1/me: **${cpuMs(me).toFixed(3)} ms**; per hello-world: ${cpuMs(base).toFixed(3)} ms.`,
      `- Failed: product detail ${detail.result.failed}, /v1/me ${me.result.failed}${detail.result.failed + me.result.failed ? ` (${JSON.stringify({ ...detail.result.failures, ...me.result.failures })})` : ''}.`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    const file = join(RESULTS_DIR, 'product-detail.md');
    writeFileSync(file, summary);
    writeFigures('product-detail', [
      {
        name: 'product detail/s ÷ hello-world/s',
        value: ratio,
        target: { op: '>=', value: 0.4 },
        unit: '×',
      },
      { name: 'CPU per product detail', value: cpuMs(detail), unit: 'ms' },
      { name: 'CPU per GET /v1/me', value: cpuMs(me), unit: 'ms' },
    ]);
    process.stderr.write(`\nwritten to ${file}\n`);
  } finally {
    hello.stop();
    await platform.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
