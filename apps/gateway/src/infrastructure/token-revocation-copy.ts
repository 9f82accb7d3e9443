import { Redis } from 'ioredis';
import { userV1 } from '@emporia/contracts';
import { counter, type Logger, type ResourceSpec } from '@emporia/platform';
import type { Principal } from '../application/ports';

interface Entry {
  beforeMs: number;
  /** ms since the epoch; the entry means nothing after it (every token it refuses has expired) */
  expireAtMs: number;
}

const loads = counter(
  'emporia_token_revocation_copy_loads_total',
  "Loads of the gateway's in-memory copy of the revocation list (read through the list's index after subscribing to its channel, and the periodic re-reads)",
  ['outcome'],
);

/**
 * This replica's copy of the access-token revocation list (libs/contracts token-revocation.ts),
 * kept in memory so an authenticated request checks it with two map lookups instead of a Redis
 * round trip.
 *
 * How it stays true: it subscribes to the writer's channel (every entry the user service moves
 * forward is announced there by the same Lua call that writes it), and only THEN loads the list
 * (the keys in the list's index, each entry's value and expiry; the writer indexes a key before
 * it writes the entry): an entry written meanwhile is in the load or in a message, or both.
 * Entries only move forward (a later instant) and merge by the maximum, so the order messages
 * and the load arrive in does not matter. Until the load completes, and whenever the
 * subscription drops, the copy is not `live` and `known()` answers undefined: the caller reads
 * Redis per request as before (RedisTokenRevocationList). Every (re)connection of the subscriber
 * reloads before the copy is live again, so a revocation written while this replica was
 * disconnected is found by that load.
 *
 * The list is read again every `rescanMs` (one ZRANGEBYSCORE and the entries it names), which
 * also drops expired entries. A user service older than the index and the channel neither
 * indexes nor announces: upgrade user before the gateways.
 */
export class TokenRevocationCopy {
  private readonly entries = new Map<string, Entry>();
  private live = false;
  /** bumped by every (re)subscription and disconnection: a load of an older one is void */
  private generation = 0;

  constructor(
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the copy answers (subscribed and loaded). */
  get isLive(): boolean {
    return this.live;
  }

  /** Entries held (metrics, tests). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Whether the caller's token is revoked, from memory; undefined while the copy is not live
   * (read the list in Redis instead). Same rule as RedisTokenRevocationList.
   */
  known(p: Principal): boolean | undefined {
    if (!this.live) return undefined;
    if (this.entries.size === 0) return false;
    const issuedMs = Math.round((p.issuedAt ?? 0) * 1000);
    if (this.revokes(userV1.revokedBeforeKey(this.prefix, p.accountId), issuedMs)) return true;
    return (
      p.sessionId !== undefined &&
      p.sessionId !== '' &&
      this.revokes(userV1.revokedSessionKey(this.prefix, p.accountId, p.sessionId), issuedMs)
    );
  }

  /** An entry from an announcement or a scan (the later instant wins). */
  apply(key: string, beforeMs: number, expireAtMs: number): void {
    const old = this.entries.get(key);
    if (old && old.beforeMs >= beforeMs) {
      old.expireAtMs = Math.max(old.expireAtMs, expireAtMs);
      return;
    }
    this.entries.set(key, {
      beforeMs,
      expireAtMs: Math.max(expireAtMs, old?.expireAtMs ?? 0),
    });
  }

  /** A channel message (ignored when it is not an announcement). */
  onMessage(message: string): void {
    const m = userV1.parseRevocationMessage(message);
    if (m) this.apply(m.key, m.beforeMs, m.expireAtMs);
  }

  /** The subscription dropped: announcements may be missed from now on. */
  disconnected(): void {
    this.generation++;
    this.live = false;
  }

  /**
   * Subscribed (again): loads the list with `scan`, then goes live unless the subscription
   * dropped meanwhile. `scan` must have started after the subscription was confirmed.
   */
  async subscribed(scan: () => Promise<[string, Entry][]>): Promise<void> {
    const generation = ++this.generation;
    this.live = false;
    const found = await scan();
    if (generation !== this.generation) return;
    this.merge(found);
    this.live = true;
  }

  /** A periodic re-read's findings; drops expired entries. */
  merge(found: [string, Entry][]): void {
    for (const [key, e] of found) this.apply(key, e.beforeMs, e.expireAtMs);
    const now = this.now();
    for (const [key, e] of this.entries) if (e.expireAtMs <= now) this.entries.delete(key);
  }

  private revokes(key: string, issuedMs: number): boolean {
    const e = this.entries.get(key);
    return e !== undefined && e.beforeMs >= issuedMs && e.expireAtMs > this.now();
  }
}

/**
 * Every entry of the list in Redis, with its value and expiry: the members of the list's index
 * (`tokenRevocationIndexKey`) not yet expired, then GET + PTTL of each, a batch at a time. Never
 * a walk of the keyspace (SCAN), whose cost grows with everything else Redis holds.
 */
export async function loadRevocations(redis: Redis, prefix: string): Promise<[string, Entry][]> {
  const found: [string, Entry][] = [];
  const keys = await redis.zrangebyscore(
    userV1.tokenRevocationIndexKey(prefix),
    `(${Date.now()}`,
    '+inf',
  );
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const pipeline = redis.pipeline();
    for (const k of batch) pipeline.get(k).pttl(k);
    const replies = (await pipeline.exec()) ?? [];
    const now = Date.now();
    batch.forEach((key, j) => {
      const [e1, value] = replies[2 * j];
      const [e2, ttl] = replies[2 * j + 1];
      if (e1) throw e1;
      if (e2) throw e2;
      if (value === null || Number(ttl) === -2) return; // gone meanwhile
      const expireAtMs = Number(ttl) < 0 ? Number.POSITIVE_INFINITY : now + Number(ttl);
      found.push([key, { beforeMs: Number(value), expireAtMs }]);
    });
  }
  return found;
}

/**
 * The replica's revocation copy with its Redis subscriber and its scanning connection (see
 * TokenRevocationCopy). `rescanMs` 0: no copy (every request reads Redis, as before). Not a
 * readiness check: without Redis the copy is simply not live.
 */
export function tokenRevocationCopyResource(opts: {
  redisUrl: string;
  prefix: string;
  rescanMs: number;
}): ResourceSpec<TokenRevocationCopy | undefined> {
  return {
    kind: 'client',
    async open({ logger }) {
      if (opts.rescanMs <= 0) return { value: undefined };
      const copy = new TokenRevocationCopy(opts.prefix);
      const options = {
        lazyConnect: true,
        maxRetriesPerRequest: null,
        retryStrategy: (attempt: number) => Math.min(attempt * 50, 2000),
      };
      // named after the list, so an operator (or a test) can find this replica's subscriber
      const connectionName = `gateway-revocations:${opts.prefix}`.replace(/[^\w:.-]/g, '_');
      const sub = new Redis(opts.redisUrl, { ...options, connectionName });
      const cmd = new Redis(opts.redisUrl, { ...options, maxRetriesPerRequest: 1 });
      sub.on('error', () => undefined); // the main connection logs Redis outages
      cmd.on('error', () => undefined);
      const channel = userV1.tokenRevocationChannel(opts.prefix);
      sub.on('message', (_channel: string, message: string) => copy.onMessage(message));
      sub.on('close', () => copy.disconnected());
      const load = () =>
        sub
          .subscribe(channel)
          .then(() => copy.subscribed(() => loadRevocations(cmd, opts.prefix)))
          .then(
            () => loads.inc({ outcome: 'loaded' }),
            (err: unknown) => failed(err, logger),
          );
      // every (re)connection: subscribe (again) and reload before answering from memory
      sub.on('ready', () => void load());
      const failed = (err: unknown, log: Logger) => {
        loads.inc({ outcome: 'failed' });
        log.warn({ err }, 'token revocation list could not be loaded; read from Redis per request');
        copy.disconnected();
        retry = setTimeout(() => {
          if (sub.status === 'ready') void load();
        }, 1000);
        retry.unref();
      };
      let retry: NodeJS.Timeout | undefined;
      const rescan = setInterval(() => {
        if (!copy.isLive) return;
        loadRevocations(cmd, opts.prefix).then(
          (found) => copy.merge(found),
          () => loads.inc({ outcome: 'failed' }),
        );
      }, opts.rescanMs);
      rescan.unref();
      // not awaited: the gateway starts while Redis is down (requests read Redis until loaded)
      void Promise.all([sub.connect(), cmd.connect()]).catch((err: unknown) =>
        logger.warn({ err }, 'token revocation channel unavailable; read from Redis per request'),
      );
      return {
        value: copy,
        close: () => {
          clearInterval(rescan);
          if (retry) clearTimeout(retry);
          copy.disconnected();
          sub.disconnect();
          cmd.disconnect();
        },
      };
    },
  };
}
