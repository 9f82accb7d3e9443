import type { Redis } from 'ioredis';
import type { RateLimitStore, WindowCount } from '../application/ports';

/**
 * Hits on fixed-window counters, each atomically: INCRBY, and the window's expiry set by the hit
 * that opens it (or repaired if the key somehow has none). Returns each counter's count and its
 * window's milliseconds left, in the order given; a counter that cannot be counted (its key holds
 * something else) answers -1 and leaves the others counted. The windows run on Redis's clock, so
 * every gateway replica agrees. A key given twice is counted twice, in order.
 * KEYS: the counters; ARGV: per counter, its window (ms) then the hits counted (1 or more).
 */
const HIT_MANY_LUA = `
local out = {}
for i = 1, #KEYS do
  local window = ARGV[2 * i - 1]
  local cost = tonumber(ARGV[2 * i])
  local n = redis.pcall('INCRBY', KEYS[i], cost)
  local ttl = 0
  if type(n) == 'table' then
    n = -1
  else
    ttl = redis.call('PTTL', KEYS[i])
    if n == cost or ttl < 0 then
      redis.call('PEXPIRE', KEYS[i], window)
      ttl = tonumber(window)
    end
  end
  out[2 * i - 1] = n
  out[2 * i] = ttl
end
return out
`;

/** Counters per script call: a larger turn's hits go in several calls (sent in the same turn). */
export const RATE_LIMIT_HITS_PER_CALL = 256;

type WithHits = Redis & {
  emporiaRateLimitHits(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
};

interface Pending {
  key: string;
  windowMs: number;
  cost: number;
  resolve(c: WindowCount): void;
  reject(e: unknown): void;
}

/**
 * Rate-limit counters in Redis. The hits of every request that reaches this replica in one turn
 * of the event loop (the requests whose bodies and headers arrived together) are counted by one
 * script call (at most RATE_LIMIT_HITS_PER_CALL counters each), sent once the turn's callbacks
 * have run (`setImmediate`): a sale's crowd costs Redis, and this process's client, one command
 * per turn instead of one per counter per request. Each hit gets its own counter's answer, as if
 * counted alone (a counter that cannot be counted fails its hit only); a call that fails fails
 * each of its hits (the policy decides, as ever).
 *
 * The keys of one call need not share a Redis Cluster slot only because the gateway talks to
 * one Redis server (`REDIS_URL`); a Cluster client would have to group a turn's hits by slot.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: WithHits;
  private pending: Pending[] = [];

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('emporiaRateLimitHits' in redis))
      redis.defineCommand('emporiaRateLimitHits', { lua: HIT_MANY_LUA });
    this.redis = redis as WithHits;
  }

  hit(key: string, windowMs: number, cost = 1): Promise<WindowCount> {
    return new Promise<WindowCount>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({
        key: `${this.prefix}rl:${key}`,
        windowMs,
        cost: Math.max(1, Math.trunc(cost)),
        resolve,
        reject,
      });
    });
  }

  /** The counters of one request, counted with the rest of the turn's (see the class). */
  hitAll(hits: readonly { key: string; windowMs: number; cost: number }[]): Promise<WindowCount[]> {
    return Promise.all(hits.map((h) => this.hit(h.key, h.windowMs, h.cost)));
  }

  private flush(): void {
    const turn = this.pending;
    this.pending = [];
    for (let i = 0; i < turn.length; i += RATE_LIMIT_HITS_PER_CALL)
      this.send(turn.slice(i, i + RATE_LIMIT_HITS_PER_CALL));
  }

  private send(batch: Pending[]): void {
    const args: (string | number)[] = batch.map((p) => p.key);
    for (const p of batch) args.push(p.windowMs, p.cost);
    this.redis.emporiaRateLimitHits(batch.length, ...args).then(
      (out) => {
        if (!Array.isArray(out) || out.length !== 2 * batch.length) {
          const err = new Error(
            `the rate-limit script answered ${Array.isArray(out) ? out.length : typeof out} values for ${batch.length} counters`,
          );
          for (const p of batch) p.reject(err);
          return;
        }
        batch.forEach((p, i) => {
          const count = Number(out[2 * i]);
          if (count < 0) p.reject(new Error(`the rate-limit counter ${p.key} holds no count`));
          else p.resolve({ count, resetInMs: Number(out[2 * i + 1]) });
        });
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    );
  }
}
