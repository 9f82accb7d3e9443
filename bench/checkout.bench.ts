/**
 * Checkout throughput and p50/p99 through the gateway, against a baseline measured in the same
 * run: the same cart write alone. Catalog, user, order and the gateway run as separate
 * processes on real Postgres, Redis and Kafka (no risk or marketing service: list prices,
 * unscored). Each worker is one signed-in customer: put one unit in the cart, check out with a
 * fresh Idempotency-Key. Afterwards the bench checks that every successful checkout is exactly
 * one order and one reserved unit.
 *
 *   npm run bench:checkout            (BENCH_SECONDS, BENCH_CONCURRENCY)
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { provideInfrastructure, startPlatform } from '@emporia/testing';
import { closedLoop, machine, table, type RunResult } from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PASSWORD = 'benchmark password 2026';

async function main(): Promise<void> {
  await provideInfrastructure(['postgres', 'redis', 'kafka']);
  const platform = await startPlatform({ catalog: true, user: true, order: true });
  const { api, suffix } = platform;
  try {
    const ops = (await platform.signIn(`ops.${suffix}@example.cn`, PASSWORD, 'customer,operator'))
      .auth;
    const cat = await api(
      'POST',
      '/v1/categories',
      { name: 'Bench', slug: `bench-${suffix}` },
      ops,
    );
    const product = await api(
      'POST',
      '/v1/products',
      {
        title: 'Benchmark item',
        categoryId: cat.body.id,
        skus: [{ code: `BENCH-${suffix}`, price: { amountMinor: 9900, currency: 'CNY' } }],
      },
      ops,
    );
    const skuId: string = product.body.skus[0].id;
    await api(
      'POST',
      `/v1/skus/${skuId}/stock-adjustments`,
      { warehouseCode: 'BENCH', delta: 1_000_000, reason: 'bench' },
      ops,
    );
    const customers = [];
    for (let i = 0; i < CONCURRENCY; i++)
      customers.push((await platform.signIn(`buyer${i}.${suffix}@example.cn`, PASSWORD)).auth);
    const address = {
      recipient: 'Bench',
      phone: '+8613800138000',
      country: 'CN',
      province: '上海市',
      city: '上海市',
      line1: '1 Bench Road',
    };
    // closedLoop numbers ops globally; a worker's customer must not be shared, so each op picks
    // a free one
    const free = [...customers];
    const withCustomer = async <T>(
      fn: (auth: Record<string, string>) => Promise<T>,
    ): Promise<T> => {
      const auth = free.pop()!;
      try {
        return await fn(auth);
      } finally {
        free.push(auth);
      }
    };
    const putLine = (auth: Record<string, string>) =>
      api('PUT', `/v1/cart/lines/${skuId}`, { quantity: 1 }, auth);

    const results: RunResult[] = [];
    results.push(
      await closedLoop(
        'baseline: PUT /v1/cart/lines (gateway → order → catalog GetSkus, one write)',
        () =>
          withCustomer(async (auth) =>
            (await putLine(auth)).status === 200 ? undefined : 'cart write failed',
          ),
        { concurrency: CONCURRENCY, seconds: SECONDS },
      ),
    );
    const before = await counts(platform);
    let placed = 0;
    results.push(
      await closedLoop(
        'PUT cart line + POST /v1/checkout (price, score, reserve, place)',
        () =>
          withCustomer(async (auth) => {
            await putLine(auth);
            const r = await api(
              'POST',
              '/v1/checkout',
              { address },
              { ...auth, 'idempotency-key': randomUUID() },
            );
            if (r.status !== 201) return `HTTP ${r.status} ${r.body?.code ?? ''}`;
            placed++;
            return undefined;
          }),
        { concurrency: CONCURRENCY, seconds: SECONDS },
      ),
    );
    const after = await counts(platform);
    const [base, checkout] = results;
    const summary = [
      `# Checkout benchmark (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. Command: \`npm run bench:checkout\` (BENCH_SECONDS=${SECONDS}, BENCH_CONCURRENCY=${CONCURRENCY}; one customer per worker).`,
      'Catalog, user, order, the gateway, the load generator, Postgres, Redis and Kafka share the machine; no marketing or risk service (list prices, unscored).',
      '',
      table(results),
      '',
      `- Checkouts per second ÷ cart writes per second: **${(checkout.perSecond / base.perSecond).toFixed(2)}**.`,
      `- Checkout p99 ÷ cart write p99: **${(checkout.p99 / base.p99).toFixed(2)}**.`,
      `- Consistency: ${placed} checkouts answered 201 (warm-up included); orders grew by ${after.orders - before.orders} and reserved units by ${after.reserved - before.reserved}.`,
      `- Failed checkouts: ${checkout.failed}${checkout.failed ? ` (${JSON.stringify(checkout.failures)})` : ''}.`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    const file = join(__dirname, 'results', 'checkout.md');
    writeFileSync(file, summary);
    process.stderr.write(`\nwritten to ${file}\n`);
    if (after.orders - before.orders !== placed || after.reserved - before.reserved !== placed)
      throw new Error('inconsistent: orders or reserved units differ from successful checkouts');
  } finally {
    await platform.stop();
  }
}

async function counts(platform: { databases: { order?: string; catalog?: string } }) {
  const q = async (url: string, sql: string) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return Number((await c.query(sql)).rows[0].n);
    } finally {
      await c.end();
    }
  };
  return {
    orders: await q(platform.databases.order!, `SELECT count(*) AS n FROM orders`),
    reserved: await q(
      platform.databases.catalog!,
      `SELECT COALESCE(sum(reserved), 0) AS n FROM stock_levels`,
    ),
  };
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
