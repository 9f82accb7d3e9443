import type { Redis } from 'ioredis';
import type { IdempotencyStore, StoredResponse } from '../application/ports';

type Entry = { state: 'pending'; fp: string } | ({ state: 'done'; fp: string } & StoredResponse);

/**
 * Idempotency records in Redis: a key is claimed atomically (SET NX) while its request runs,
 * then holds the response for `ttlSeconds`.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(scope: string, key: string): string {
    return `${this.prefix}idem:${scope}:${key}`;
  }

  async claim(
    scope: string,
    key: string,
    fingerprint: string,
  ): Promise<
    | { kind: 'claimed' }
    | { kind: 'pending' | 'mismatch' }
    | { kind: 'done'; response: StoredResponse }
  > {
    const k = this.key(scope, key);
    const claimed = await this.redis.set(
      k,
      JSON.stringify({ state: 'pending', fp: fingerprint }),
      'EX',
      this.ttlSeconds,
      'NX',
    );
    if (claimed === 'OK') return { kind: 'claimed' };
    const raw = await this.redis.get(k);
    if (!raw) return this.claim(scope, key, fingerprint); // expired in between
    const entry = JSON.parse(raw) as Entry;
    if (entry.fp !== fingerprint) return { kind: 'mismatch' };
    if (entry.state === 'pending') return { kind: 'pending' };
    return { kind: 'done', response: { status: entry.status, body: entry.body } };
  }

  async complete(
    scope: string,
    key: string,
    fingerprint: string,
    response: StoredResponse,
  ): Promise<void> {
    await this.redis.set(
      this.key(scope, key),
      JSON.stringify({ state: 'done', fp: fingerprint, ...response }),
      'EX',
      this.ttlSeconds,
    );
  }

  async abandon(scope: string, key: string): Promise<void> {
    await this.redis.del(this.key(scope, key));
  }
}
