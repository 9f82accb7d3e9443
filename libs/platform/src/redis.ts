import type { RedisOptions } from 'ioredis';

/**
 * The apps' ioredis client options. A command waits through at most two reconnection attempts
 * (then fails, and the caller answers 503 or retries). Reconnection is linear, 50 ms more per
 * attempt up to 2 s (ioredis 5's default): ioredis 6 backs off exponentially up to 5 s, so a
 * Redis back from an outage stayed unused for seconds longer. A command queued while Redis was
 * away still runs when it is back, even one its caller gave up on (`withTimeout`): a caller
 * whose command must not outlive it undoes it behind it (the gateway's idempotency claims).
 */
export const REDIS_CLIENT_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: 2,
  retryStrategy: (attempt) => Math.min(attempt * 50, 2000),
};
