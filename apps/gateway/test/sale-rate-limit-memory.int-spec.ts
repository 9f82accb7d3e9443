import { Redis } from 'ioredis';
import type { RunningService } from '@emporia/platform';
import { startFakeGrpc, testEnv, testLogger, type FakeService } from '@emporia/testing';
import type { GatewayConfig } from '../src/config';
import { startGateway } from '../src/gateway.app';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor, type Sign } from './support/token-signer';

jest.setTimeout(60_000);

/** A sale marketing answers sold out (the gateway then answers it from its mark). */
const SOLD_OUT_SALE = '0190a000-0000-7000-8000-00000000f1a1';
/** A sale marketing answers "not started" (never a mark: every attempt goes to marketing). */
const NOT_STARTED_SALE = '0190a000-0000-7000-8000-00000000f1a2';
const PER_ACCOUNT = 3;

/**
 * The sale limit of flash-sale attempts on the fast route (apps/gateway/README.md, "Rate limits
 * of answers from memory"), on real Redis with a test double of marketing: an attempt the
 * gateway answers from its sold-out mark is counted in the replica's memory and touches no
 * shared store, one that goes to marketing is counted in Redis; both refuse the (limit+1)th
 * attempt of a window with the same 429 problem and Retry-After.
 */
describe('sale rate limits: answers from memory counted in memory (real Redis)', () => {
  let sign: Sign;
  let marketing: FakeService;
  let config: GatewayConfig;
  let gateway: RunningService;
  let redis: Redis;
  let n = 0;

  beforeAll(async () => {
    const keys = await signer();
    sign = keys.sign;
    const verifier = verifierFor(keys.jwks);
    marketing = await startFakeGrpc('marketing', {
      attemptFlashPurchase: (req: { saleId: string }) => ({
        result: req.saleId === SOLD_OUT_SALE ? 'SOLD_OUT' : 'NOT_STARTED',
        token: '',
        expiresAt: '',
      }),
    });
    config = await testGatewayConfig('rlmem', {
      MARKETING_GRPC_URL: marketing.url,
      SALE_RATE_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT),
      SALE_RATE_LIMIT_PER_IP: '1000',
      // no window resets and no mark lapses in the middle of a test
      SALE_RATE_LIMIT_WINDOW_MS: '30000',
      FLASH_SOLD_OUT_MARK_MS: '30000',
    });
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
    redis = new Redis(testEnv.redisUrl());
  });

  afterAll(async () => {
    await gateway?.close();
    await marketing?.stop();
    const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const customer = async () => {
    const sub = `0190a000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
    return { sub, token: await sign(['customer'], { sub }) };
  };
  const attempt = async (sale: string, token: string) => {
    const res = await fetch(`${gateway.httpUrl}/v1/flash-sales/${sale}/attempts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ quantity: 1 }),
    });
    return { res, body: (await res.json()) as { code?: string; status?: number; detail?: string } };
  };
  const inRedis = async (sub: string) =>
    Number((await redis.get(`${config.REDIS_KEY_PREFIX}rl:sale:account:${sub}`)) ?? 0);
  const calls = (sale: string) =>
    (marketing.calls.get('attemptFlashPurchase') ?? []).filter(
      (c) => (c as { saleId: string }).saleId === sale,
    ).length;
  const expect429 = (res: Response, body: { code?: string; status?: number; detail?: string }) => {
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('traceparent')).toBeTruthy();
    expect(body).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      detail: expect.stringContaining(`this account: at most ${PER_ACCOUNT} per 30000 ms`),
    });
  };

  it('answers from the sold-out mark count in memory only, and refuse over the limit with the same 429', async () => {
    // the first attempt goes to marketing (counted in Redis) and leaves the sold-out mark
    const first = await customer();
    expect((await attempt(SOLD_OUT_SALE, first.token)).body.code).toBe('FLASH_SALE_SOLD_OUT');
    expect(calls(SOLD_OUT_SALE)).toBe(1);
    expect(await inRedis(first.sub)).toBe(1);

    const abuser = await customer();
    for (let i = 0; i < PER_ACCOUNT; i++) {
      const { res, body } = await attempt(SOLD_OUT_SALE, abuser.token);
      expect(res.status).toBe(409);
      expect(body.code).toBe('FLASH_SALE_SOLD_OUT');
    }
    const { res, body } = await attempt(SOLD_OUT_SALE, abuser.token);
    expect429(res, body);
    // answered from memory: marketing never asked, no counter in Redis
    expect(calls(SOLD_OUT_SALE)).toBe(1);
    expect(await inRedis(abuser.sub)).toBe(0);
  });

  it('attempts that go to marketing are counted in Redis, with the same 429', async () => {
    const buyer = await customer();
    for (let i = 0; i < PER_ACCOUNT; i++)
      expect((await attempt(NOT_STARTED_SALE, buyer.token)).body.code).toBe(
        'FLASH_SALE_NOT_STARTED',
      );
    const { res, body } = await attempt(NOT_STARTED_SALE, buyer.token);
    expect429(res, body);
    expect(calls(NOT_STARTED_SALE)).toBe(PER_ACCOUNT);
    expect(await inRedis(buyer.sub)).toBe(PER_ACCOUNT + 1);
  });
});
