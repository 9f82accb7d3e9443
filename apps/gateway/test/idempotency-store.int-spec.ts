import { Redis } from 'ioredis';
import { metricsRegistry } from '@emporia/platform';
import {
  eventually,
  REDIS_PERSISTENCE_CONF,
  startOwnRedis,
  startTcpProxy,
  testEnv,
  testLogger,
  type OwnRedis,
} from '@emporia/testing';
import { watchRedisDurability } from '../src/infrastructure/redis-durability';
import { RedisIdempotencyStore } from '../src/infrastructure/redis-idempotency.store';

jest.setTimeout(60_000);

const DAY = 86_400;
const FP = 'fingerprint-of-the-request';

/** The idempotency records against a real Redis: leases, their renewal, and what a restart keeps. */
describe('Idempotency-Key records in Redis', () => {
  let redis: Redis;
  let prefix: string;

  beforeAll(() => {
    redis = new Redis(testEnv.redisUrl(), { maxRetriesPerRequest: 2 });
  });
  afterAll(() => redis.disconnect());
  beforeEach(() => {
    prefix = `idem-test-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
  });

  const store = (leaseSeconds = 30, ttlSeconds = DAY) =>
    new RedisIdempotencyStore(redis, prefix, { ttlSeconds, leaseSeconds, timeoutMs: 1000 });
  const pttl = (key: string) => redis.pttl(`${prefix}idem:acct:${key}`);

  it('claims a key for its lease only, not for the records lifetime (a crashed gateway frees it)', async () => {
    const s = store(30);
    expect((await s.claim('acct', 'k-lease', FP)).kind).toBe('claimed');
    const left = await pttl('k-lease');
    expect(left).toBeGreaterThan(25_000);
    expect(left).toBeLessThanOrEqual(30_000);
    // a repeat while it runs: in progress, with the time left
    const again = await s.claim('acct', 'k-lease', FP);
    expect(again.kind).toBe('pending');
    expect(again.kind === 'pending' && again.retryAfterMs).toBeGreaterThan(25_000);
    expect(again.kind === 'pending' && again.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('a claim the gateway gave up on while Redis was away does not hold the key once Redis is back', async () => {
    // the client queues commands while it reconnects; the request answered 503 long before
    const target = new URL(testEnv.redisUrl());
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    const client = new Redis(proxy.url(testEnv.redisUrl()), {
      maxRetriesPerRequest: 20,
      retryStrategy: () => 300,
    });
    try {
      const s = new RedisIdempotencyStore(client, prefix, {
        ttlSeconds: DAY,
        leaseSeconds: 30,
        timeoutMs: 200,
      });
      await client.ping();
      await proxy.cut('refuse');
      await expect(s.claim('acct', 'k-outage', FP)).rejects.toThrow();
      await proxy.restore();
      await eventually(async () => ((await client.ping()) === 'PONG' ? true : undefined), {
        what: 'the client reconnected',
      });
      await new Promise((r) => setTimeout(r, 200)); // what was queued has run
      // nobody owns a claim from the request that gave up: the retry runs at once, not 409
      expect((await store().claim('acct', 'k-outage', FP)).kind).toBe('claimed');
    } finally {
      client.disconnect();
      await proxy.close();
    }
  });

  it('a lapsed claim frees the key; a renewed one holds it; only its own request renews, completes or frees it', async () => {
    const s = store(1);
    const first = await s.claim('acct', 'k-lapse', FP);
    if (first.kind !== 'claimed') throw new Error(first.kind);
    expect(first.claim.renewEveryMs).toBeLessThan(1000);
    // renewed past its first second: still held
    await new Promise((r) => setTimeout(r, 600));
    expect(await first.claim.renew()).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    expect((await s.claim('acct', 'k-lapse', FP)).kind).toBe('pending');
    // not renewed: it lapses, and the next request takes the key
    await new Promise((r) => setTimeout(r, 1100));
    const second = await s.claim('acct', 'k-lapse', FP);
    if (second.kind !== 'claimed') throw new Error(second.kind);
    // the first request, back from the dead, cannot renew, free or overwrite the second's claim
    expect(await first.claim.renew()).toBe(false);
    await first.claim.abandon();
    await first.claim.complete({ status: 201, body: { from: 'first' } });
    expect((await s.claim('acct', 'k-lapse', FP)).kind).toBe('pending');
    await second.claim.complete({ status: 201, body: { from: 'second' } });
    expect(await s.claim('acct', 'k-lapse', FP)).toEqual({
      kind: 'done',
      response: { status: 201, body: { from: 'second' } },
    });
  });

  it('keeps a completed response for the records lifetime; another request with the key is a mismatch', async () => {
    const s = store(30);
    const c = await s.claim('acct', 'k-done', FP);
    if (c.kind !== 'claimed') throw new Error(c.kind);
    await c.claim.complete({ status: 201, body: { id: 'o-1' } });
    expect(await pttl('k-done')).toBeGreaterThan((DAY - 60) * 1000);
    expect((await s.claim('acct', 'k-done', FP)).kind).toBe('done');
    expect((await s.claim('acct', 'k-done', 'another request')).kind).toBe('mismatch');
    // a failed request frees its key at once
    const f = await s.claim('acct', 'k-failed', FP);
    if (f.kind !== 'claimed') throw new Error(f.kind);
    await f.claim.abandon();
    expect((await s.claim('acct', 'k-failed', FP)).kind).toBe('claimed');
  });

  it('frees a claim an older gateway wrote for the whole day once it is older than a lease', async () => {
    const key = `${prefix}idem:acct:k-legacy`;
    // as the gateway before leases wrote it, two minutes ago
    await redis.set(key, JSON.stringify({ state: 'pending', fp: FP }), 'EX', DAY - 120);
    expect((await store(30).claim('acct', 'k-legacy', FP)).kind).toBe('claimed');
    // one written just now is still a running request's
    await redis.set(key, JSON.stringify({ state: 'pending', fp: FP }), 'EX', DAY - 1);
    expect((await store(30).claim('acct', 'k-legacy', FP)).kind).toBe('pending');
  });

  it('fails within its timeout when Redis does not answer', async () => {
    const own = await startOwnRedis();
    const r = new Redis(own.url, { maxRetriesPerRequest: 2 });
    r.on('error', () => undefined);
    try {
      await own.stop('SIGKILL');
      const s = new RedisIdempotencyStore(r, 'x:', {
        ttlSeconds: DAY,
        leaseSeconds: 30,
        timeoutMs: 300,
      });
      const started = Date.now();
      await expect(s.claim('acct', 'k-down', FP)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      r.disconnect();
      await own.close();
    }
  });

  describe('a Redis restart', () => {
    const metric = async (name: string) =>
      (await metricsRegistry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;

    async function recordThenRestart(own: OwnRedis, signal: 'SIGTERM' | 'SIGKILL') {
      const key = `k-payment-${signal}`;
      const r = new Redis(own.url, { maxRetriesPerRequest: 2 });
      r.on('error', () => undefined);
      try {
        const watch = watchRedisDurability(r, 'gw:', testLogger('gateway'));
        await eventually(async () => (r.status === 'ready' ? true : undefined));
        await watch.checked();
        const s = new RedisIdempotencyStore(r, 'gw:', {
          ttlSeconds: DAY,
          leaseSeconds: 30,
          timeoutMs: 1000,
        });
        const c = await s.claim('acct', key, FP);
        if (c.kind !== 'claimed') throw new Error(c.kind);
        await c.claim.complete({ status: 201, body: { paymentId: 'p-1' } });
        // everysec: what was written more than a second ago is on disk
        await new Promise((res) => setTimeout(res, 1500));
        await own.stop(signal);
        await own.start();
        await eventually(async () => (r.status === 'ready' ? true : undefined), {
          timeoutMs: 15000,
        });
        await watch.checked();
        return await s.claim('acct', key, FP);
      } finally {
        r.disconnect();
      }
    }

    it('with the settings the platform ships (append-only file), keeps the records, even through a crash', async () => {
      const own = await startOwnRedis(REDIS_PERSISTENCE_CONF);
      try {
        const lostBefore = await metric('emporia_idempotency_records_lost_total');
        for (const signal of ['SIGTERM', 'SIGKILL'] as const)
          expect(await recordThenRestart(own, signal)).toEqual({
            kind: 'done',
            response: { status: 201, body: { paymentId: 'p-1' } },
          });
        expect(await metric('emporia_idempotency_records_lost_total')).toBe(lostBefore);
        expect(await metric('emporia_idempotency_store_persistent')).toBe(1);
      } finally {
        await own.close();
      }
    });

    it('without persistence, loses them, and the gateway says so (metric and log)', async () => {
      const own = await startOwnRedis();
      try {
        const lostBefore = await metric('emporia_idempotency_records_lost_total');
        // the record is gone: the repeat runs again (against a backend idempotent for it)
        expect((await recordThenRestart(own, 'SIGTERM')).kind).toBe('claimed');
        expect(await metric('emporia_idempotency_records_lost_total')).toBe(lostBefore + 1);
        expect(await metric('emporia_idempotency_store_persistent')).toBe(0);
      } finally {
        await own.close();
      }
    });
  });
});
