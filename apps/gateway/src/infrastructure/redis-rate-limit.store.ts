import type { Redis } from 'ioredis';
import type { RateLimitStore, WindowCount } from '../application/ports';

/**
 * Hits on a fixed-window counter, atomically: INCRBY, and the window's expiry set by the hit
 * that opens it (or repaired if the key somehow has none). Returns the count and the window's
 * milliseconds left. The window runs on Redis's clock, so every gateway replica agrees.
 * KEYS: 1 the counter; ARGV: 1 window (ms), 2 the hits counted (1 or more).
 */
const HIT_LUA = `
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if n == tonumber(ARGV[2]) or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`;

type WithHit = Redis & {
  emporiaRateLimitHit(key: string, windowMs: number, cost: number): Promise<[number, number]>;
};

/**
 * Rate-limit counters in Redis: one key per counter (so keys may live on different cluster
 * slots), each hit one EVALSHA; the counters of one request are sent at once (one round trip).
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: WithHit;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('emporiaRateLimitHit' in redis))
      redis.defineCommand('emporiaRateLimitHit', { numberOfKeys: 1, lua: HIT_LUA });
    this.redis = redis as WithHit;
  }

  async hit(key: string, windowMs: number, cost = 1): Promise<WindowCount> {
    const [count, resetInMs] = await this.redis.emporiaRateLimitHit(
      `${this.prefix}rl:${key}`,
      windowMs,
      Math.max(1, Math.trunc(cost)),
    );
    return { count: Number(count), resetInMs: Number(resetInMs) };
  }

  /**
   * The counters of one request, sent together: with the client's auto-pipelining (the
   * gateway's) they share one write, and one round trip, with every command of the same turn.
   */
  hitAll(hits: readonly { key: string; windowMs: number; cost: number }[]): Promise<WindowCount[]> {
    return Promise.all(hits.map((h) => this.hit(h.key, h.windowMs, h.cost)));
  }
}
