import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { withTimeout } from '@emporia/platform';
import type { IdempotencyClaim, IdempotencyStore, StoredResponse } from '../application/ports';

type Entry =
  | { state: 'pending'; fp: string; token?: string }
  | ({ state: 'done'; fp: string } & StoredResponse);

/**
 * Claims the key for a lease (SET NX PX). When it is taken, answers its value and time left in
 * the same step. A claim written before claims had leases (no token; it lived as long as a
 * record) and older than a lease is a crashed request's: it is taken over.
 * KEYS: 1 the record; ARGV: 1 the pending value, 2 lease (ms), 3 the records' lifetime (ms).
 */
const CLAIM_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {1} end
local cur = redis.call('GET', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if cur and string.sub(cur, 1, 18) == '{"state":"pending"' then
  local ok, e = pcall(cjson.decode, cur)
  if ok and type(e) == 'table' and e.token == nil and tonumber(ARGV[3]) - ttl > tonumber(ARGV[2]) then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return {1}
  end
end
return {0, cur, ttl}
`;

/** Extends the lease if the claim is still this request's. ARGV: 1 the pending value, 2 lease (ms). */
const RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * Stores the response if the claim is still this request's, or lapsed with nobody else's in its
 * place (the response is real either way). ARGV: 1 the pending value, 2 the record, 3 lifetime (ms).
 */
const COMPLETE_LUA = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
`;

/** Frees the key if the claim is still this request's. ARGV: 1 the pending value. */
const ABANDON_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type WithScripts = Redis & {
  emporiaIdemClaim(
    key: string,
    pending: string,
    leaseMs: number,
    ttlMs: number,
  ): Promise<[1] | [0, string | null, number]>;
  emporiaIdemRenew(key: string, pending: string, leaseMs: number): Promise<number>;
  emporiaIdemComplete(key: string, pending: string, record: string, ttlMs: number): Promise<number>;
  emporiaIdemAbandon(key: string, pending: string): Promise<number>;
};

export interface RedisIdempotencyOptions {
  /** How long a completed request's response is kept (IDEMPOTENCY_TTL_SECONDS). */
  ttlSeconds: number;
  /** How long a claim lasts unless renewed (IDEMPOTENCY_LEASE_SECONDS): a crashed gateway's lapses. */
  leaseSeconds: number;
  /** How long one call waits for Redis before it fails (IDEMPOTENCY_STORE_TIMEOUT_MS). */
  timeoutMs: number;
}

/**
 * Idempotency records in Redis. A request claims its key for a short lease, renewed while it
 * runs; each claim carries a token, so only its own request renews, completes or frees it (a
 * request that outlived its lease cannot free another's claim). The completed record holds the
 * response for the records' full lifetime. One Lua script per step, one key per script, so keys
 * may sit on different Redis Cluster slots.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly redis: WithScripts;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly opts: RedisIdempotencyOptions,
  ) {
    if (!('emporiaIdemClaim' in redis)) {
      redis.defineCommand('emporiaIdemClaim', { numberOfKeys: 1, lua: CLAIM_LUA });
      redis.defineCommand('emporiaIdemRenew', { numberOfKeys: 1, lua: RENEW_LUA });
      redis.defineCommand('emporiaIdemComplete', { numberOfKeys: 1, lua: COMPLETE_LUA });
      redis.defineCommand('emporiaIdemAbandon', { numberOfKeys: 1, lua: ABANDON_LUA });
    }
    this.redis = redis as WithScripts;
  }

  private key(scope: string, key: string): string {
    return `${this.prefix}idem:${scope}:${key}`;
  }

  private get leaseMs(): number {
    return this.opts.leaseSeconds * 1000;
  }

  private timed<T>(p: Promise<T>): Promise<T> {
    return withTimeout(p, this.opts.timeoutMs);
  }

  async claim(
    scope: string,
    key: string,
    fingerprint: string,
  ): Promise<
    | { kind: 'claimed'; claim: IdempotencyClaim }
    | { kind: 'pending'; retryAfterMs: number }
    | { kind: 'mismatch' }
    | { kind: 'done'; response: StoredResponse }
  > {
    const k = this.key(scope, key);
    const pending = JSON.stringify({ state: 'pending', fp: fingerprint, token: randomUUID() });
    const ttlMs = this.opts.ttlSeconds * 1000;
    const claiming = this.redis.emporiaIdemClaim(k, pending, this.leaseMs, ttlMs);
    let r: Awaited<typeof claiming>;
    try {
      r = await this.timed(claiming);
    } catch (e) {
      // Given up (the request answers 503), the claim may still run: queued by the client while
      // Redis was away, or just slow. Free it right behind, on the same connection and so in
      // order, or it would hold the key for a lease with no request to finish it (409s).
      claiming.catch(() => undefined);
      this.redis.emporiaIdemAbandon(k, pending).catch(() => undefined);
      throw e;
    }
    if (r[0] === 1) return { kind: 'claimed', claim: this.claimOf(k, pending) };
    const [, raw, pttl] = r;
    if (!raw) return this.claim(scope, key, fingerprint); // cannot happen: one atomic script
    const entry = JSON.parse(raw) as Entry;
    if (entry.fp !== fingerprint) return { kind: 'mismatch' };
    if (entry.state === 'pending')
      return { kind: 'pending', retryAfterMs: Math.max(0, Math.min(Number(pttl), this.leaseMs)) };
    return { kind: 'done', response: { status: entry.status, body: entry.body } };
  }

  private claimOf(k: string, pending: string): IdempotencyClaim {
    const { fp } = JSON.parse(pending) as { fp: string };
    return {
      renewEveryMs: Math.max(100, Math.floor(this.leaseMs / 3)),
      renew: async () =>
        (await this.timed(this.redis.emporiaIdemRenew(k, pending, this.leaseMs))) === 1,
      complete: async (response) => {
        await this.timed(
          this.redis.emporiaIdemComplete(
            k,
            pending,
            JSON.stringify({ state: 'done', fp, ...response }),
            this.opts.ttlSeconds * 1000,
          ),
        );
      },
      abandon: async () => {
        await this.timed(this.redis.emporiaIdemAbandon(k, pending));
      },
    };
  }
}
