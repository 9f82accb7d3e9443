import type { RateLimitStore, WindowCount } from '../application/ports';

interface Window {
  count: number;
  /** performance.now() when the window closes */
  endsAt: number;
}

/**
 * Fixed-window counters in this process's memory, with the semantics of RedisRateLimitStore
 * (the hit that opens a window starts its clock; `resetInMs` is what is left of it), counted
 * synchronously. The gateway counts here the flash-sale attempts it answers from memory (its
 * sold-out and limit marks), which touch no shared store: the limits are per replica.
 *
 * Why not rate-limiter-flexible's RateLimiterMemory: it arms a timer per key and answers with a
 * promise, for every one of tens of thousands of buyers a second; here a window is a map entry,
 * dropped by a sweep of closed windows at most once per `sweepEveryMs`.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly sweepEveryMs = 1000,
  ) {}

  /** Counters held (tests). */
  get size(): number {
    return this.windows.size;
  }

  hit(key: string, windowMs: number, cost = 1): Promise<WindowCount> {
    return Promise.resolve(this.hitNow(key, windowMs, cost));
  }

  hitAll(hits: readonly { key: string; windowMs: number; cost: number }[]): Promise<WindowCount[]> {
    return Promise.resolve(this.hitAllNow(hits));
  }

  hitAllNow(hits: readonly { key: string; windowMs: number; cost: number }[]): WindowCount[] {
    return hits.map((h) => this.hitNow(h.key, h.windowMs, h.cost));
  }

  private hitNow(key: string, windowMs: number, cost: number): WindowCount {
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    const n = Math.max(1, Math.trunc(cost));
    let w = this.windows.get(key);
    if (w === undefined || w.endsAt <= now) {
      w = { count: n, endsAt: now + windowMs };
      this.windows.set(key, w);
    } else w.count += n;
    return { count: w.count, resetInMs: Math.max(0, Math.ceil(w.endsAt - now)) };
  }

  private sweep(now: number): void {
    this.nextSweep = now + this.sweepEveryMs;
    for (const [key, w] of this.windows) if (w.endsAt <= now) this.windows.delete(key);
  }
}
