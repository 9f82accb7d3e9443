import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { CONNECT_WAIT_MS, type RunningService } from '@emporia/platform';
import { testEnv, testLogger, uniqueSuffix } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import { testGatewayConfig } from './support/gateway-config';
import { JwksTokenVerifier } from '../src/infrastructure/jwks-token-verifier';
import {
  RATE_LIMIT_CALL_STALE_MS,
  RATE_LIMIT_HITS_PER_CALL,
  RedisRateLimitStore,
} from '../src/infrastructure/redis-rate-limit.store';
import { RATE_LIMIT_STORE_TIMEOUT_MS } from '../src/interface/rate-limit.guard';
import { signer, verifierFor, type Sign } from './support/token-signer';

jest.setTimeout(60_000);

const SALE = '0190a000-0000-7000-8000-00000000f1a5';
const PER_ACCOUNT = 3;
const PER_IP = 6;

/**
 * The sale limiter on real Redis, through the gateway's HTTP surface. Marketing is not running:
 * an attempt the limiter lets through ends in 503 BACKEND_UNAVAILABLE, one it refuses in 429.
 * The gateway trusts X-Forwarded-For here, so each test is its own client address.
 */
describe('sale rate limits (real Redis)', () => {
  let sign: Sign;
  let verifier: JwksTokenVerifier;
  const started: RunningService[] = [];

  const start = async (over: Record<string, string> = {}) => {
    const config = await testGatewayConfig('rl', {
      TRUST_PROXY: 'true',
      SALE_RATE_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT),
      SALE_RATE_LIMIT_PER_IP: String(PER_IP),
      // long enough that no window resets in the middle of a test
      SALE_RATE_LIMIT_WINDOW_MS: '30000',
      ...over,
    });
    const gateway = await startGateway(config, testLogger('gateway'), { verifier });
    started.push(gateway);
    return gateway;
  };

  let gateway: RunningService;

  beforeAll(async () => {
    const keys = await signer();
    sign = keys.sign;
    verifier = verifierFor(keys.jwks);
    gateway = await start();
  });

  afterAll(async () => {
    for (const g of started) await g.close();
  });

  let n = 0;
  /** A new customer's bearer token. */
  const customer = async () =>
    sign(['customer'], { sub: `0190a000-0000-7000-8000-${String(++n).padStart(12, '0')}` });
  /** A client address no other test uses (TEST-NET-3). */
  let ipSeq = 0;
  const newIp = () => `203.0.113.${++ipSeq}`;

  const attempt = (token: string, ip: string, base = gateway.httpUrl) =>
    fetch(`${base}/v1/flash-sales/${SALE}/attempts`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-forwarded-for': ip,
      },
      body: JSON.stringify({ quantity: 1 }),
    });
  const statuses = async (k: number, token: string, ip: string) => {
    const out: number[] = [];
    for (let i = 0; i < k; i++) out.push((await attempt(token, ip)).status);
    return out;
  };

  it('refuses the (limit+1)th attempt of one account in a window with 429 and Retry-After', async () => {
    const ip = newIp();
    const alice = await customer();
    expect(await statuses(PER_ACCOUNT, alice, ip)).toEqual(Array(PER_ACCOUNT).fill(503));

    const refused = await attempt(alice, ip);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(await refused.json()).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      detail: expect.stringContaining('this account'),
    });

    // another account, from the same address, is still let through
    expect((await attempt(await customer(), ip)).status).toBe(503);
  });

  it('trips the per-address limit across accounts', async () => {
    const ip = newIp();
    // PER_IP attempts from two accounts, each within its own limit
    expect(await statuses(PER_ACCOUNT, await customer(), ip)).toEqual(Array(PER_ACCOUNT).fill(503));
    expect(await statuses(PER_IP - PER_ACCOUNT, await customer(), ip)).toEqual(
      Array(PER_IP - PER_ACCOUNT).fill(503),
    );
    // a third, fresh account from the same address is over the address's limit
    const fresh = await customer();
    const refused = await attempt(fresh, ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({
      code: 'RATE_LIMITED',
      detail: expect.stringContaining('this address'),
    });
    // the same account from another address is fine
    expect((await attempt(fresh, newIp())).status).toBe(503);
  });

  it('does not limit routes that did not opt in', async () => {
    const ip = newIp();
    const token = await customer();
    for (let i = 0; i < PER_IP + 2; i++) {
      const res = await fetch(`${gateway.httpUrl}/v1/me/coupons`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip },
      });
      expect(res.status).toBe(503);
    }
  });

  it('counts in fixed windows that Redis opens on the first hit and expires', async () => {
    const redis = new Redis(testEnv.redisUrl());
    try {
      const store = new RedisRateLimitStore(redis, `gw-rl-${uniqueSuffix()}:`);
      const first = await store.hit('w', 400);
      expect(first.count).toBe(1);
      expect(first.resetInMs).toBeGreaterThan(0);
      expect(first.resetInMs).toBeLessThanOrEqual(400);
      expect((await store.hit('w', 400)).count).toBe(2);
      expect((await store.hit('other', 400)).count).toBe(1);
      // a weighted hit (a batch of events) counts its cost, and opens a window like any first hit
      const batch = await store.hit('events', 400, 5);
      expect(batch.count).toBe(5);
      expect(batch.resetInMs).toBeGreaterThan(0);
      expect((await store.hit('events', 400, 2)).count).toBe(7);
      await new Promise((r) => setTimeout(r, 450));
      expect((await store.hit('w', 400)).count).toBe(1);
      expect((await store.hit('events', 400, 3)).count).toBe(3);
    } finally {
      redis.disconnect();
    }
  });

  /**
   * A store on real Redis whose script calls are recorded (counters per call) and, while `hold`
   * is set, kept from Redis until it settles.
   */
  const spiedStore = (redis: Redis) => {
    const store = new RedisRateLimitStore(redis, `gw-rl-${uniqueSuffix()}:`);
    const withHits = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const script = withHits.emporiaRateLimitHits.bind(redis);
    const spy = { store, calls: [] as number[], hold: undefined as Promise<void> | undefined };
    withHits.emporiaRateLimitHits = async (numKeys: unknown, ...rest: unknown[]) => {
      spy.calls.push(numKeys as number);
      if (spy.hold) await spy.hold;
      return script(numKeys, ...rest);
    };
    return spy;
  };

  it("counts a turn's hits in one script call, each counter as if counted alone", async () => {
    const redis = new Redis(testEnv.redisUrl());
    try {
      const { store, calls } = spiedStore(redis);
      // twelve requests of one turn, two counters each (an account and an address): the same
      // account five times, the same address throughout, one weighted hit
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.hitAll([
            { key: i < 5 ? 'acct:a' : `acct:${i}`, windowMs: 30_000, cost: 1 },
            { key: 'ip:1', windowMs: 30_000, cost: i === 11 ? 4 : 1 },
          ]),
        ),
      );
      expect(calls).toEqual([24]);
      expect(answers.slice(0, 5).map(([account]) => account.count)).toEqual([1, 2, 3, 4, 5]);
      expect(answers.slice(5).map(([account]) => account.count)).toEqual(Array(7).fill(1));
      expect(answers.map(([, ip]) => ip.count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15]);
      for (const [account, ip] of answers)
        for (const w of [account, ip]) {
          expect(w.resetInMs).toBeGreaterThan(0);
          expect(w.resetInMs).toBeLessThanOrEqual(30_000);
        }
      // the next turn is a call of its own, and counts on
      expect((await store.hit('ip:1', 30_000)).count).toBe(16);
      expect(calls).toEqual([24, 1]);
      // more counters in one turn than one call takes: several calls, every count in order
      const many = await Promise.all(
        Array.from({ length: RATE_LIMIT_HITS_PER_CALL + 10 }, () => store.hit('many', 30_000)),
      );
      expect(calls.slice(2)).toEqual([RATE_LIMIT_HITS_PER_CALL, 10]);
      expect(many.map((w) => w.count)).toEqual(
        Array.from({ length: RATE_LIMIT_HITS_PER_CALL + 10 }, (_, i) => i + 1),
      );
    } finally {
      redis.disconnect();
    }
  });

  it('hits that arrive while a call is with Redis wait for its answer and go together; a stuck call holds nothing back past its bound', async () => {
    const redis = new Redis(testEnv.redisUrl());
    try {
      const spy = spiedStore(redis);
      const { store, calls } = spy;
      const turn = () => new Promise((r) => setImmediate(r));
      // the first call is held; three more requests arrive, each in a turn of its own
      let release!: () => void;
      spy.hold = new Promise<void>((r) => (release = r));
      const first = store.hit('k', 30_000);
      await turn();
      const later = [store.hit('k', 30_000)];
      await turn();
      later.push(store.hit('k', 30_000));
      await turn();
      later.push(store.hit('k', 30_000));
      await turn();
      expect(calls).toEqual([1]);
      spy.hold = undefined;
      release();
      expect((await first).count).toBe(1);
      expect((await Promise.all(later)).map((w) => w.count)).toEqual([2, 3, 4]);
      expect(calls).toEqual([1, 3]);

      // a call that never answers: what waits behind it goes after RATE_LIMIT_CALL_STALE_MS
      spy.hold = new Promise<void>(() => undefined);
      void store.hit('stuck', 30_000).catch(() => undefined);
      await turn();
      spy.hold = undefined;
      const started = performance.now();
      const behind = await store.hit('stuck', 30_000);
      const waited = performance.now() - started;
      expect(behind.count).toBe(1); // the stuck call never reached Redis
      expect(waited).toBeGreaterThanOrEqual(RATE_LIMIT_CALL_STALE_MS - 20);
      expect(waited).toBeLessThan(RATE_LIMIT_CALL_STALE_MS * 3);
      expect(calls).toEqual([1, 3, 1, 1]);
      // the stuck call holds back nothing more: the next hits go at once
      const next = performance.now();
      expect((await store.hit('stuck', 30_000)).count).toBe(2);
      expect(performance.now() - next).toBeLessThan(RATE_LIMIT_CALL_STALE_MS / 2);
      expect(calls).toEqual([1, 3, 1, 1, 1]);
    } finally {
      redis.disconnect();
    }
  });

  it('fails the hit of a counter that cannot be counted, and only that one', async () => {
    const redis = new Redis(testEnv.redisUrl());
    try {
      const prefix = `gw-rl-${uniqueSuffix()}:`;
      const store = new RedisRateLimitStore(redis, prefix);
      // a key holding a string that is not a number: INCRBY fails on it
      await redis.set(`${prefix}rl:broken`, 'not a number');
      const turn = await Promise.allSettled([
        store.hit('fine', 30_000),
        store.hit('broken', 30_000),
        store.hit('fine', 30_000),
      ]);
      expect(turn.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((turn[1] as PromiseRejectedResult).reason)).toMatch(/rl:broken holds no count/);
      expect(turn.map((r) => (r.status === 'fulfilled' ? r.value.count : null))).toEqual([
        1,
        null,
        2,
      ]);
      expect(await redis.get(`${prefix}rl:broken`)).toBe('not a number');
    } finally {
      redis.disconnect();
    }
  });

  it('fails open when Redis does not answer: attempts go through to marketing', async () => {
    // a "Redis" that accepts connections and never replies: every count would hang
    const sockets = new Set<Socket>();
    const silent = createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const down = await start({ REDIS_URL: `redis://127.0.0.1:${port}` });
      const token = await customer();
      const ip = newIp();
      for (let i = 0; i < PER_ACCOUNT + 2; i++) {
        const t0 = Date.now();
        const res = await attempt(token, ip, down.httpUrl);
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
        // the limiter waits RATE_LIMIT_STORE_TIMEOUT_MS at most, then lets the attempt through
        // (to an absent marketing, whose channel is waited for CONNECT_WAIT_MS at most)
        expect(Date.now() - t0).toBeLessThan(RATE_LIMIT_STORE_TIMEOUT_MS + CONNECT_WAIT_MS + 1000);
      }
      started.splice(started.indexOf(down), 1);
      await down.close();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
