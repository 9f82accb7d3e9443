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

/** Counters per script call: more waiting hits go in several calls (sent together). */
export const RATE_LIMIT_HITS_PER_CALL = 256;
/**
 * A call unanswered this long no longer holds the next hits back (the rate limiter's own
 * timeout, RATE_LIMIT_STORE_TIMEOUT_MS, has failed its requests by then).
 */
export const RATE_LIMIT_CALL_STALE_MS = 250;

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
 * Rate-limit counters in Redis, counted by script calls of many counters each: the hits of the
 * requests that reach this replica in one turn of the event loop go together once the turn's
 * callbacks have run (`setImmediate`), and while a call is with Redis the hits that arrive wait
 * for its answer and then go together in the next (at most RATE_LIMIT_HITS_PER_CALL counters a
 * call; a call unanswered for RATE_LIMIT_CALL_STALE_MS holds nothing back). A lone request waits
 * for nothing; a sale's crowd costs Redis, and this process's client, one command and one write
 * per round trip instead of one per counter per request. Each hit gets its own counter's answer,
 * as if counted alone (a counter that cannot be counted fails its hit only); a call that fails
 * fails each of its hits (the policy decides, as ever).
 *
 * The keys of one call need not share a Redis Cluster slot only because the gateway talks to
 * one Redis server (`REDIS_URL`); a Cluster client would have to group the hits by slot.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: WithHits;
  private pending: Pending[] = [];
  /** A flush is scheduled (setImmediate). */
  private scheduled = false;
  /** A flush in case the call in flight never answers. */
  private staleCheck: NodeJS.Timeout | undefined;
  /** The latest call sent: when (performance.now()), and whether Redis has answered it. */
  private latest: { sentAt: number; answered: boolean } | undefined;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!('emporiaRateLimitHits' in redis))
      redis.defineCommand('emporiaRateLimitHits', { lua: HIT_MANY_LUA });
    this.redis = redis as WithHits;
  }

  hit(key: string, windowMs: number, cost = 1): Promise<WindowCount> {
    return new Promise<WindowCount>((resolve, reject) => {
      this.schedule();
      this.pending.push({
        key: `${this.prefix}rl:${key}`,
        windowMs,
        cost: Math.max(1, Math.trunc(cost)),
        resolve,
        reject,
      });
    });
  }

  /** The counters of one request, counted with the other requests' (see the class). */
  hitAll(hits: readonly { key: string; windowMs: number; cost: number }[]): Promise<WindowCount[]> {
    return Promise.all(hits.map((h) => this.hit(h.key, h.windowMs, h.cost)));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    // the latest call still with Redis: its answer sends what waits (unless it is stale)
    const latest = this.latest;
    if (latest && !latest.answered && this.now() - latest.sentAt < RATE_LIMIT_CALL_STALE_MS) {
      if (!this.staleCheck)
        this.staleCheck = setTimeout(() => {
          this.staleCheck = undefined;
          this.flush();
        }, RATE_LIMIT_CALL_STALE_MS).unref();
      return;
    }
    const waiting = this.pending;
    this.pending = [];
    for (let i = 0; i < waiting.length; i += RATE_LIMIT_HITS_PER_CALL)
      this.send(waiting.slice(i, i + RATE_LIMIT_HITS_PER_CALL));
  }

  private send(batch: Pending[]): void {
    const args: (string | number)[] = batch.map((p) => p.key);
    for (const p of batch) args.push(p.windowMs, p.cost);
    const call = { sentAt: this.now(), answered: false };
    this.latest = call;
    const answered = () => {
      call.answered = true;
      if (this.pending.length > 0) this.schedule();
    };
    this.redis
      .emporiaRateLimitHits(batch.length, ...args)
      .finally(answered)
      .then(
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
