import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { userV1 } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import { testEnv, testLogger, uniqueSuffix } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import { testGatewayConfig } from './support/gateway-config';
import { JwksTokenVerifier } from '../src/infrastructure/jwks-token-verifier';
import { RATE_LIMIT_STORE_TIMEOUT_MS } from '../src/interface/rate-limit.guard';
import { signer, verifierFor, type Sign } from './support/token-signer';

jest.setTimeout(60_000);

const PER_IP = 4;
const GLOBAL = 7;

/**
 * Issue 13 items 8 and 9 at the gateway, on real Redis, with no backend running: a request the
 * gateway lets through ends in 503 BACKEND_UNAVAILABLE (the user or marketing service is absent),
 * one it refuses ends in its own answer (429, 401 TOKEN_REVOKED, 503 with its own code). The
 * gateway trusts X-Forwarded-For here, so each test is its own client address.
 */
describe('gateway: the revocation list and sign-up limits (real Redis)', () => {
  let sign: Sign;
  let verifier: JwksTokenVerifier;
  let redis: Redis;
  const started: RunningService[] = [];
  const revocationPrefix = `gw-rev-${uniqueSuffix()}:`;

  const start = async (over: Record<string, string> = {}) => {
    const config = await testGatewayConfig('su', {
      TOKEN_REVOCATION_KEY_PREFIX: revocationPrefix,
      TRUST_PROXY: 'true',
      REGISTER_RATE_LIMIT_PER_IP: String(PER_IP),
      REGISTER_RATE_LIMIT_IP_WINDOW_SECONDS: '600',
      REGISTER_RATE_LIMIT_GLOBAL: String(GLOBAL),
      // long enough that no window resets in the middle of a test
      REGISTER_RATE_LIMIT_GLOBAL_WINDOW_SECONDS: '30',
      ...over,
    });
    const gateway = await startGateway(config, testLogger('gateway'), { verifier });
    started.push(gateway);
    return gateway;
  };

  /** A "Redis" that accepts connections and never answers. */
  const silentRedis = async () => {
    const sockets = new Set<Socket>();
    const server = createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise((r) => server.close(r));
      },
    };
  };

  beforeAll(async () => {
    const keys = await signer();
    sign = keys.sign;
    verifier = verifierFor(keys.jwks);
    redis = new Redis(testEnv.redisUrl());
  });

  afterAll(async () => {
    redis?.disconnect();
    for (const g of started) await g.close();
  });

  let ipSeq = 0;
  const newIp = () => `198.51.100.${++ipSeq}`;

  describe('sign-up limits', () => {
    let gateway: RunningService;
    beforeAll(async () => {
      gateway = await start();
    });

    let n = 0;
    const register = (ip: string, base = gateway.httpUrl) =>
      fetch(`${base}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ email: `su${++n}@example.cn`, password: 'a long passphrase' }),
      });

    it('refuses the (limit+1)th sign-up from one address with 429 RATE_LIMITED and Retry-After', async () => {
      const ip = newIp();
      for (let i = 0; i < PER_IP; i++) expect((await register(ip)).status).toBe(503);
      const refused = await register(ip);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(500);
      expect(retryAfter).toBeLessThanOrEqual(600);
      expect(await refused.json()).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        detail: expect.stringContaining('this address'),
      });
      // a malformed sign-up counts too (the limit comes before validation)
      const bad = await fetch(`${gateway.httpUrl}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: '{"email": 1}',
      });
      expect(bad.status).toBe(429);
    });

    it('limits all clients together: past the global budget, a fresh address is refused too', async () => {
      // this window already holds the previous test's attempts; fill it from fresh addresses
      let status = 503;
      let tries = 0;
      while (status === 503 && tries++ < GLOBAL + 2) status = (await register(newIp())).status;
      expect(status).toBe(429);
      const refused = await register(newIp());
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(30);
      expect(await refused.json()).toMatchObject({
        code: 'RATE_LIMITED',
        detail: expect.stringContaining('all clients together'),
      });
    });

    it('fails closed while Redis does not answer: 503 RATE_LIMIT_UNAVAILABLE, within a bounded wait', async () => {
      const silent = await silentRedis();
      try {
        const down = await start({ REDIS_URL: silent.url });
        for (let i = 0; i < 3; i++) {
          const t0 = Date.now();
          const res = await register(newIp(), down.httpUrl);
          expect(res.status).toBe(503);
          expect(res.headers.get('retry-after')).toBe('5');
          expect(await res.json()).toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE' });
          expect(Date.now() - t0).toBeLessThan(RATE_LIMIT_STORE_TIMEOUT_MS + 1000);
        }
        started.splice(started.indexOf(down), 1);
        await down.close();
      } finally {
        await silent.close();
      }
    });
  });

  describe('the revocation list', () => {
    let gateway: RunningService;
    beforeAll(async () => {
      gateway = await start();
    });

    let n = 0;
    const account = () => `0190a000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
    /** As the user service writes an entry: the key in the index, then the entry and its announcement. */
    const revoke = async (key: string, beforeMs: number) => {
      const expireAt = Date.now() + 60_000;
      await redis.zadd(userV1.tokenRevocationIndexKey(revocationPrefix), expireAt, key);
      await redis
        .multi()
        .set(key, String(beforeMs), 'PX', 60_000)
        .publish(
          userV1.tokenRevocationChannel(revocationPrefix),
          userV1.revocationMessage(key, beforeMs, expireAt),
        )
        .exec();
    };
    const call = (path: string, token: string, base = gateway.httpUrl) =>
      fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

    it('refuses tokens issued at or before the account entry, and accepts those issued after it', async () => {
      const sub = account();
      const before = await sign(['customer'], { sub, iat: Date.now() / 1000 - 1 });
      const mark = Date.now();
      await revoke(userV1.revokedBeforeKey(revocationPrefix, sub), mark);
      const at = await sign(['customer'], { sub, iat: mark / 1000 });
      const after = await sign(['customer'], { sub, iat: (mark + 1) / 1000 });
      for (const token of [before, at]) {
        const res = await call('/v1/me/coupons', token);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
        expect(await res.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
      }
      expect((await call('/v1/me/coupons', after)).status).toBe(503); // through, to marketing
      // another account is not touched
      expect(
        (await call('/v1/me/coupons', await sign(['customer'], { sub: account() }))).status,
      ).toBe(503);
    });

    it('refuses the tokens of an ended session only', async () => {
      const sub = account();
      const iat = Date.now() / 1000;
      const ended = await sign(['customer'], {
        sub,
        sid: '0190a000-0000-7000-8000-0000000000e1',
        iat,
      });
      const other = await sign(['customer'], {
        sub,
        sid: '0190a000-0000-7000-8000-0000000000e2',
        iat,
      });
      await revoke(
        userV1.revokedSessionKey(revocationPrefix, sub, '0190a000-0000-7000-8000-0000000000e1'),
        Date.now(),
      );
      expect(await (await call('/v1/me/coupons', ended)).json()).toMatchObject({
        code: 'TOKEN_REVOKED',
      });
      expect((await call('/v1/me/coupons', other)).status).toBe(503);
    });

    it('while Redis does not answer: customer routes accept the token, operator and admin routes answer 503', async () => {
      const silent = await silentRedis();
      try {
        const down = await start({ REDIS_URL: silent.url, TOKEN_REVOCATION_TIMEOUT_MS: '100' });
        const admin = await sign(['admin'], { sub: account() });
        let t0 = Date.now();
        const customerRoute = await call('/v1/me/coupons', admin, down.httpUrl);
        expect(customerRoute.status).toBe(503);
        expect(await customerRoute.json()).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
        expect(Date.now() - t0).toBeLessThan(1500 + 1000); // the gRPC deadline dominates
        t0 = Date.now();
        const adminRoute = await call('/v1/admin/tiers', admin, down.httpUrl);
        expect(adminRoute.status).toBe(503);
        expect(adminRoute.headers.get('retry-after')).toBe('5');
        expect(await adminRoute.json()).toMatchObject({ code: 'REVOCATION_LIST_UNAVAILABLE' });
        expect(Date.now() - t0).toBeLessThan(100 + 500);
        started.splice(started.indexOf(down), 1);
        await down.close();
      } finally {
        await silent.close();
      }
    });
  });
});
