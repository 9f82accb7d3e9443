/**
 * Flash-sale purchase attempts per second through the gateway on one hot SKU, side by side with
 * `redis-benchmark` running the same Lua decision script (EVALSHA) on the same Redis in the same
 * run, plus the oversell count, which must be 0.
 *
 * The user and marketing services and the gateway run as separate processes on real Postgres,
 * Redis and Kafka. BENCH_ACCOUNTS customers (one per request in turn) hammer
 * POST /v1/flash-sales/:id/attempts; a decided attempt is a 201 (won, with a purchase token) or
 * a 409 sold-out / limit answer. The sale's pool is BENCH_STOCK units with a per-user limit, so
 * the run crosses from winning to sold out. Afterwards: every 201 must be one recorded win,
 * units won must not exceed the stock, no account may exceed the limit, and Redis and the
 * database must agree (drift 0).
 *
 *   npm run bench:flash-sale   (BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_ACCOUNTS, BENCH_STOCK)
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { provideInfrastructure, startPlatform, testEnv } from '@emporia/testing';
import { closedLoop, machine, table, type RunResult } from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100);
const STOCK = Number(process.env.BENCH_STOCK ?? 300);
const LIMIT = 5;
const PASSWORD = 'benchmark password 2026';

/** redis-benchmark EVALSHA of the decision script: a sale that never sells out, random buyers. */
function redisBenchmark(): RunResult {
  const url = new URL(testEnv.redisUrl());
  const host = url.hostname;
  const port = url.port || '6379';
  const cli = (...args: string[]) =>
    execFileSync('redis-cli', ['-h', host, '-p', port, ...args], { encoding: 'utf8' }).trim();
  const script = readFileSync(
    join(__dirname, '..', 'apps', 'marketing', 'src', 'infrastructure', 'flash-attempt.lua'),
    'utf8',
  );
  const sha = cli('SCRIPT', 'LOAD', script);
  const tag = `bench-rb-${randomUUID()}`;
  const k = (p: string) => `fs:{${tag}}:${p}`;
  cli('HSET', k('meta'), 'starts', '0', 'ends', String(Date.now() + 3_600_000), 'limit', '1000000');
  cli('SET', k('stock'), '1000000000');
  const requests = 200_000;
  try {
    const out = execFileSync(
      'redis-benchmark',
      [
        '-h',
        host,
        '-p',
        port,
        '-c',
        String(CONCURRENCY),
        '-n',
        String(requests),
        '-r',
        '100000',
        '-q',
        'EVALSHA',
        sha,
        '4',
        k('meta'),
        k('stock'),
        k('buyers'),
        k('wins'),
        'buyer:__rand_int__',
        '1',
        String(Date.now()),
        'token-__rand_int__',
      ],
      { encoding: 'utf8' },
    );
    // e.g. "EVALSHA ...: 41666.67 requests per second, p50=0.135 msec"
    const perSecond = Number(/([\d.]+) requests per second/.exec(out)?.[1]);
    const p50 = Number(/p50=([\d.]+) msec/.exec(out)?.[1] ?? NaN);
    return {
      name: `baseline: redis-benchmark EVALSHA of the same script (-c ${CONCURRENCY}, winning path)`,
      ok: requests,
      failed: 0,
      seconds: requests / perSecond,
      perSecond,
      p50,
      p95: NaN,
      p99: NaN,
      failures: {},
    };
  } finally {
    cli('DEL', k('meta'), k('stock'), k('buyers'), k('wins'));
  }
}

async function main(): Promise<void> {
  await provideInfrastructure(['postgres', 'redis', 'kafka']);
  const platform = await startPlatform({
    user: true,
    marketing: true,
    // the anti-bot limits would turn most of a closed loop into 429s: measured without them
    gatewayEnv: {
      SALE_RATE_LIMIT_PER_ACCOUNT: '1000000',
      SALE_RATE_LIMIT_PER_IP: '1000000',
      // the bench signs up ACCOUNTS buyers from one address
      REGISTER_RATE_LIMIT_PER_IP: '1000000',
      REGISTER_RATE_LIMIT_GLOBAL: '1000000',
    },
  });
  const { api, suffix } = platform;
  try {
    const ops = (await platform.signIn(`ops.${suffix}@example.cn`, PASSWORD, 'customer,operator'))
      .auth;
    const sale = await api(
      'POST',
      '/v1/admin/flash-sales',
      {
        skuId: randomUUID(),
        price: { amountMinor: 100, currency: 'CNY' },
        stock: STOCK,
        perUserLimit: LIMIT,
        startsAt: new Date(Date.now() - 1000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      ops,
    );
    if (sale.status !== 201) throw new Error(`create sale: ${JSON.stringify(sale.body)}`);
    const saleId: string = sale.body.id;
    const buyers: Record<string, string>[] = [];
    for (let i = 0; i < ACCOUNTS; i++)
      buyers.push((await platform.signIn(`fs${i}.${suffix}@example.cn`, PASSWORD)).auth);

    const results: RunResult[] = [redisBenchmark()];
    let won = 0;
    const answers: Record<string, number> = {};
    results.push(
      await closedLoop(
        `POST /v1/flash-sales/:id/attempts (gateway → marketing → Lua; ${STOCK} units, limit ${LIMIT})`,
        async (i) => {
          const r = await api(
            'POST',
            `/v1/flash-sales/${saleId}/attempts`,
            { quantity: 1 },
            buyers[i % buyers.length],
          );
          const label = r.status === 201 ? 'WON' : `${r.status} ${r.body?.code ?? ''}`;
          answers[label] = (answers[label] ?? 0) + 1;
          if (r.status === 201) won++;
          return r.status === 201 || r.status === 409 ? undefined : label;
        },
        { concurrency: CONCURRENCY, seconds: SECONDS, warmupSeconds: 1 },
      ),
    );
    const rec = await api('GET', `/v1/admin/flash-sales/${saleId}`, undefined, ops);
    const db = new Client({ connectionString: platform.databases.marketing! });
    await db.connect();
    const row = async (sql: string) => (await db.query(sql, [saleId])).rows[0];
    const units = Number(
      (await row(`SELECT COALESCE(sum(quantity), 0) AS n FROM flash_purchases WHERE sale_id = $1`))
        .n,
    );
    const wins = Number(
      (await row(`SELECT count(*) AS n FROM flash_purchases WHERE sale_id = $1`)).n,
    );
    const overLimit = Number(
      (
        await row(
          `SELECT count(*) AS n FROM (SELECT account_id FROM flash_purchases WHERE sale_id = $1 GROUP BY account_id HAVING sum(quantity) > ${LIMIT}) x`,
        )
      ).n,
    );
    await db.end();
    const redis = new Redis(testEnv.redisUrl());
    const keys = await redis.keys(`e2e:${suffix}:mkt:fs:*`);
    redis.disconnect();
    const oversell = Math.max(0, units - STOCK);
    const [base, gateway] = results;
    const summary = [
      `# Flash-sale benchmark (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. Command: \`npm run bench:flash-sale\` (BENCH_SECONDS=${SECONDS}, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_ACCOUNTS=${ACCOUNTS}, BENCH_STOCK=${STOCK}).`,
      'User, marketing, the gateway, the load generator, Postgres, Redis and Kafka share the machine. Gateway rate limits raised for the run (they would answer most of a closed loop with 429).',
      '',
      table(results),
      '',
      `- Gateway attempts per second ÷ redis-benchmark EVALSHA per second: **${(gateway.perSecond / base.perSecond).toFixed(3)}**.`,
      `- Answers (warm-up included): ${JSON.stringify(answers)}.`,
      `- **Oversell: ${oversell}** (units won ${units} of ${STOCK}; ${won} answers 201, ${wins} wins recorded; accounts over the limit of ${LIMIT}: ${overLimit}).`,
      `- Reconciliation after the run: ${JSON.stringify(rec.body?.reconciliation)}; Redis keys of the sale: ${keys.length}.`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    const file = join(__dirname, 'results', 'flash-sale.md');
    writeFileSync(file, summary);
    process.stderr.write(`\nwritten to ${file}\n`);
    if (oversell !== 0 || overLimit !== 0 || wins !== won || rec.body?.reconciliation?.drift !== 0)
      throw new Error('inconsistent: oversell, a limit exceeded, a lost win or drift');
  } finally {
    await platform.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
