import { Redis } from 'ioredis';
import { Client } from 'pg';
import {
  freePort,
  startPlatform,
  startServiceProcess,
  testEnv,
  type Api,
  type Platform,
  apiClient,
  type ServiceProcess,
} from '@emporia/testing';

jest.setTimeout(240_000);

const PASSWORD = 'a long enough password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The sold-out bound of the second gateway (FLASH_SOLD_OUT_MARK_MS). */
const BOUND_MS = 3000;

/**
 * Flash sales through two gateways and two marketing processes on real Postgres, Redis and
 * Kafka: the gateways' sold-out marks (dropped when marketing announces returned units, and in
 * any case FLASH_SOLD_OUT_MARK_MS after marketing said "sold out") and no oversell across
 * replicas.
 */
describe('flash sale: sold-out marks and replicas', () => {
  let platform: Platform;
  let operator: Record<string, string>;
  const extra: ServiceProcess[] = [];
  /** The second gateway (FLASH_SOLD_OUT_MARK_MS = BOUND_MS) on the second marketing process. */
  let api2: Api;
  let n = 0;
  const buyer = async () =>
    (await platform.signIn(`fs${n++}.${platform.suffix}@example.cn`, PASSWORD)).auth;
  const newSale = (stock: number, perUserLimit: number) =>
    platform.flashSale(operator, {
      skuId: '0b6c1d2e-0000-4000-8000-000000000001',
      priceMinor: 990,
      stock,
      perUserLimit,
    });
  const attempt = (on: Api, saleId: string, auth: Record<string, string>) =>
    on('POST', `/v1/flash-sales/${saleId}/attempts`, { quantity: 1 }, auth);
  const answer = (r: { status: number; body?: { code?: string } }) =>
    r.status === 201 ? 'WON' : `${r.status} ${r.body?.code ?? ''}`;

  beforeAll(async () => {
    const rateLimits = {
      // every buyer of the test is 127.0.0.1
      SALE_RATE_LIMIT_PER_IP: '100000',
      REGISTER_RATE_LIMIT_PER_IP: '100000',
      REGISTER_RATE_LIMIT_GLOBAL: '100000',
    };
    platform = await startPlatform({
      user: true,
      marketing: true,
      // sign-up is not under test: cheap hashes for the many buyers
      userEnv: { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' },
      // units come back 5 s after an unused win
      marketingEnv: { FLASH_TOKEN_TTL_SECONDS: '5' },
      // the first gateway holds its marks a minute: only marketing's announcement drops them early
      gatewayEnv: { ...rateLimits, FLASH_SOLD_OUT_MARK_MS: '60000', FLASH_LIMIT_MARK_MS: '60000' },
    });
    const mPorts = [await freePort(), await freePort()];
    extra.push(
      await startServiceProcess(
        'marketing',
        {
          ...platform.processes.marketing.env,
          MARKETING_GRPC_PORT: String(mPorts[0]),
          MARKETING_HTTP_PORT: String(mPorts[1]),
        },
        `http://127.0.0.1:${mPorts[1]}/readyz`,
      ),
    );
    const gPorts = [await freePort(), await freePort()];
    extra.push(
      await startServiceProcess(
        'gateway',
        {
          ...platform.processes.gateway.env,
          GATEWAY_HTTP_PORT: String(gPorts[0]),
          GATEWAY_OPS_PORT: String(gPorts[1]),
          MARKETING_GRPC_URL: `127.0.0.1:${mPorts[0]}`,
          FLASH_SOLD_OUT_MARK_MS: String(BOUND_MS),
        },
        `http://127.0.0.1:${gPorts[1]}/healthz`,
      ),
    );
    api2 = apiClient(`http://127.0.0.1:${gPorts[0]}`);
    operator = (
      await platform.signIn(`ops.${platform.suffix}@example.cn`, PASSWORD, 'customer,operator')
    ).auth;
  });

  afterAll(async () => {
    for (const p of extra.reverse()) await p.stop();
    await platform?.stop();
  });

  it('a unit returned by a lapsed token is sold again at once: marketing announces it and the gateway drops its mark', async () => {
    const { api } = platform;
    const saleId = await newSale(1, 1);
    const [winner, loser] = [await buyer(), await buyer()];
    expect(answer(await attempt(api, saleId, winner))).toBe('WON');
    expect(answer(await attempt(api, saleId, loser))).toBe('409 FLASH_SALE_SOLD_OUT');
    // the winner never checks out: 5 s later the sweep gives the unit back and announces it;
    // this gateway's mark would otherwise hold for a minute
    const started = Date.now();
    const seen: string[] = [];
    for (;;) {
      const a = answer(await attempt(api, saleId, loser));
      seen.push(a);
      if (a === 'WON') break;
      expect(a).toBe('409 FLASH_SALE_SOLD_OUT');
      expect(Date.now() - started).toBeLessThan(30_000);
      await sleep(300);
    }
    expect(seen.length).toBeGreaterThan(1);
    const rec = await api('GET', `/v1/admin/flash-sales/${saleId}`, undefined, operator);
    expect(rec.body.reconciliation).toMatchObject({ redisRemaining: 0, held: 1, drift: 0 });
  });

  it('a buyer whose win used up the limit is answered from memory until that unit comes back (announced)', async () => {
    const { api } = platform;
    const saleId = await newSale(2, 1);
    const winner = await buyer();
    /** The attempts the first gateway answered LIMIT_REACHED from its marks. */
    const fromMarks = async () => {
      const text = await (await fetch(`${platform.gatewayOpsUrl}/metrics`)).text();
      const m = /^emporia_flash_sale_attempts_total\{outcome="limit"\} (\S+)$/m.exec(text);
      return Number(m?.[1] ?? 0);
    };
    expect(answer(await attempt(api, saleId, winner))).toBe('WON');
    // the win said nothing is left for this buyer: the next attempt never reaches marketing
    const before = await fromMarks();
    expect(answer(await attempt(api, saleId, winner))).toBe('409 FLASH_SALE_LIMIT_REACHED');
    expect(await fromMarks()).toBe(before + 1);
    // the winner never checks out: 5 s later the sweep gives the unit back and announces it, and
    // the gateway drops the winner's mark, which would otherwise hold for a minute
    const started = Date.now();
    for (;;) {
      const a = answer(await attempt(api, saleId, winner));
      if (a === 'WON') break;
      expect(a).toBe('409 FLASH_SALE_LIMIT_REACHED');
      expect(Date.now() - started).toBeLessThan(30_000);
      await sleep(300);
    }
  });

  it(`"sold out" is never answered longer than FLASH_SOLD_OUT_MARK_MS (${BOUND_MS} ms) after units came back, even when the announcement is lost`, async () => {
    const saleId = await newSale(1, 1);
    const [winner, loser, late] = [await buyer(), await buyer(), await buyer()];
    expect(answer(await attempt(api2, saleId, winner))).toBe('WON');
    expect(answer(await attempt(api2, saleId, loser))).toBe('409 FLASH_SALE_SOLD_OUT');
    // the mark was learnt before this moment: it ends at the latest BOUND_MS after it
    const marked = Date.now();
    // a unit comes back in Redis WITHOUT an announcement (as if the gateway missed it)
    const redis = new Redis(testEnv.redisUrl());
    try {
      const prefix = platform.processes.marketing.env.REDIS_KEY_PREFIX;
      await redis.incrby(`${prefix}fs:{${saleId}}:stock`, 1);
      // the mark holds: the gateway answers from memory though a unit is in the pool...
      const early = await attempt(api2, saleId, late);
      if (Date.now() - marked < BOUND_MS) expect(answer(early)).toBe('409 FLASH_SALE_SOLD_OUT');
      // ...but not past the bound: an attempt sent after it reaches marketing, and wins
      await sleep(Math.max(0, marked + BOUND_MS + 20 - Date.now()));
      expect(answer(await attempt(api2, saleId, late))).toBe('WON');
    } finally {
      redis.disconnect();
    }
  });

  it('two gateways on two marketing processes, 200 buyers racing for 40 units: no oversell, limits held, every win recorded, drift 0', async () => {
    const saleId = await newSale(40, 1);
    const buyers: Record<string, string>[] = [];
    // signed up ten at a time (the user service is not under test)
    while (buyers.length < 200)
      buyers.push(...(await Promise.all(Array.from({ length: 10 }, () => buyer()))));
    const tokens: string[] = [];
    const answers: Record<string, number> = {};
    await Promise.all(
      buyers.flatMap((auth, i) =>
        [0, 1].map(async (k) => {
          const r = await attempt((i + k) % 2 ? api2 : platform.api, saleId, auth);
          const a = answer(r);
          answers[a] = (answers[a] ?? 0) + 1;
          if (r.status === 201) tokens.push(r.body.token);
        }),
      ),
    );
    expect(answers.WON).toBe(40);
    const allowed = ['WON', '409 FLASH_SALE_LIMIT_REACHED', '409 FLASH_SALE_SOLD_OUT'];
    expect(Object.keys(answers).filter((k) => !allowed.includes(k))).toEqual([]);
    const rec = await platform.api('GET', `/v1/admin/flash-sales/${saleId}`, undefined, operator);
    expect(rec.body.reconciliation).toMatchObject({ redisRemaining: 0, held: 40, drift: 0 });
    const db = new Client({ connectionString: platform.databases.marketing! });
    await db.connect();
    try {
      const rows = (
        await db.query<{ token: string; account_id: string; quantity: number }>(
          'SELECT token, account_id, quantity FROM flash_purchases WHERE sale_id = $1',
          [saleId],
        )
      ).rows;
      expect(rows.map((r) => r.token).sort()).toEqual([...tokens].sort());
      expect(new Set(rows.map((r) => r.account_id)).size).toBe(40);
    } finally {
      await db.end();
    }
  });
});
