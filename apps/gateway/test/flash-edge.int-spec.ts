import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { FlashPool, flashKey } from '@emporia/flash';
import type { RunningService } from '@emporia/platform';
import { startFakeGrpc, testEnv, testLogger, type FakeService } from '@emporia/testing';
import type { GatewayConfig } from '../src/config';
import { startGateway } from '../src/gateway.app';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor, type Sign } from './support/token-signer';

jest.setTimeout(60_000);

const TTL_MS = 90_000;

/**
 * FLASH_DECISIONS=edge (the default): the gateway decides an attempt itself in the sale's pool
 * (marketing's Redis keys, `@emporia/flash`), with marketing's answers, and leaves marketing what
 * the pool does not know. Real Redis; marketing a double that says which attempts reached it.
 */
describe('flash-sale attempts decided by the gateway in the sale pool (real Redis)', () => {
  let sign: Sign;
  let marketing: FakeService;
  let config: GatewayConfig;
  let gateway: RunningService;
  let redis: Redis;
  let pool: FlashPool;
  let n = 0;

  beforeAll(async () => {
    const keys = await signer();
    sign = keys.sign;
    marketing = await startFakeGrpc('marketing', {
      attemptFlashPurchase: (req: { saleId: string; accountId: string }) => ({
        result: 'WON',
        token: `from-marketing.${req.accountId}`,
        expiresAt: '2026-12-03T10:00:00.000Z',
        allowanceLeft: 0,
      }),
    });
    config = await testGatewayConfig('edge', {
      MARKETING_GRPC_URL: marketing.url,
      SALE_RATE_LIMIT_PER_ACCOUNT: '100',
      SALE_RATE_LIMIT_PER_IP: '1000',
    });
    expect(config.FLASH_DECISIONS).toBe('edge');
    gateway = await startGateway(config, testLogger('gateway'), {
      verifier: verifierFor(keys.jwks),
    });
    redis = new Redis(testEnv.redisUrl());
    pool = new FlashPool(redis, config.FLASH_KEY_PREFIX);
  });

  afterAll(async () => {
    await gateway?.close();
    await marketing?.stop();
    if (redis) {
      const keys = await redis.keys(`${config.FLASH_KEY_PREFIX}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  const customer = async () => {
    const sub = `0190a000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
    return { sub, token: await sign(['customer'], { sub }) };
  };
  const attempt = async (sale: string, token: string, quantity = 1) => {
    const res = await fetch(`${gateway.httpUrl}/v1/flash-sales/${sale}/attempts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ quantity }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const sale = (stock: number, perUserLimit: number) => ({
    id: randomUUID(),
    stock,
    perUserLimit,
    startsAt: new Date(Date.now() - 60_000),
    endsAt: new Date(Date.now() + 600_000),
  });
  const metric = async (name: string, outcome: string) => {
    const text = await (await fetch(`${gateway.opsUrl}/metrics`)).text();
    const m = new RegExp(`^${name}\\{outcome="${outcome}"\\} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  const marketingCalls = () =>
    (marketing.calls.get('attemptFlashPurchase')?.length ?? 0) +
    (marketing.calls.get('tryFlashPurchases')?.length ?? 0);

  it("wins, limits and sold out are the pool's, answered without marketing; every win in the sale's win list", async () => {
    const s = sale(3, 2);
    await pool.load(s, { remaining: s.stock, tokenTtlMs: TTL_MS });
    const [a, b, c] = [await customer(), await customer(), await customer()];
    const wonBefore = await metric('emporia_flash_sale_edge_decisions_total', 'won');
    const callsBefore = marketingCalls();

    const before = Date.now();
    // the first attempt of a token goes through Nest (not verified yet), the next through the
    // shortcut: both decided in the pool
    const first = await attempt(s.id, a.token, 1);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ result: 'WON' });
    expect(String(first.body.token)).toMatch(new RegExp(`^${s.id}\\.[A-Za-z0-9_-]{24}$`));
    const expires = Date.parse(String(first.body.expiresAt));
    expect(expires).toBeGreaterThanOrEqual(before + TTL_MS);
    expect(expires).toBeLessThanOrEqual(Date.now() + TTL_MS);
    const over = await attempt(s.id, a.token, 2);
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('FLASH_SALE_LIMIT_REACHED');
    const second = await attempt(s.id, b.token, 2);
    expect(second.status).toBe(201);
    const late = await attempt(s.id, c.token, 1);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('FLASH_SALE_SOLD_OUT');

    expect(marketingCalls()).toBe(callsBefore);
    expect(await metric('emporia_flash_sale_edge_decisions_total', 'won')).toBe(wonBefore + 2);
    // the pool's state and its win list (what marketing records) say the same
    expect(await redis.get(flashKey(config.FLASH_KEY_PREFIX, s.id, 'stock'))).toBe('0');
    const wins = await pool.pendingWins(s.id, 10);
    expect(wins.map((w) => [w.token, w.buyer, w.quantity])).toEqual([
      [first.body.token, a.sub, 1],
      [second.body.token, b.sub, 2],
    ]);
  });

  it('a sale the pool does not hold, or holds without a token TTL (an older marketing loaded it), is decided by marketing; the pool is untouched', async () => {
    const buyer = await customer();
    const unknown = await attempt(randomUUID(), buyer.token);
    expect(unknown.status).toBe(201);
    expect(unknown.body.token).toBe(`from-marketing.${buyer.sub}`);

    const s = sale(5, 2);
    await pool.load(s, { remaining: s.stock, tokenTtlMs: TTL_MS });
    await redis.hdel(flashKey(config.FLASH_KEY_PREFIX, s.id, 'meta'), 'ttl');
    const callsBefore = marketingCalls();
    const old = await attempt(s.id, buyer.token);
    expect(old.body.token).toBe(`from-marketing.${buyer.sub}`);
    expect(marketingCalls()).toBe(callsBefore + 1);
    expect(await redis.get(flashKey(config.FLASH_KEY_PREFIX, s.id, 'stock'))).toBe('5');
    expect(await pool.pendingWins(s.id, 10)).toEqual([]);
  });

  it('60 buyers at once on 10 units: exactly 10 win, none over the limit, each win in the list once', async () => {
    const s = sale(10, 1);
    await pool.load(s, { remaining: s.stock, tokenTtlMs: TTL_MS });
    const buyers = await Promise.all(Array.from({ length: 60 }, () => customer()));
    // every token verified once first (through Nest, on another sale), so the race is the shortcut's
    const warm = sale(1, 1);
    await pool.load(warm, { remaining: 0, tokenTtlMs: TTL_MS });
    await Promise.all(buyers.map((b) => attempt(warm.id, b.token)));
    const answers = await Promise.all(buyers.map((b) => attempt(s.id, b.token)));
    const won = answers.filter((a) => a.status === 201);
    expect(won).toHaveLength(10);
    expect(answers.filter((a) => a.body.code === 'FLASH_SALE_SOLD_OUT')).toHaveLength(50);
    const wins = await pool.pendingWins(s.id, 100);
    expect(wins.map((w) => w.token).sort()).toEqual(won.map((w) => w.body.token).sort());
    expect(new Set(wins.map((w) => w.buyer)).size).toBe(10);
  });
});
