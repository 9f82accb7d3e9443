import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { userV1 } from '@emporia/contracts';
import { Sql } from '@emporia/persistence';
import {
  counter,
  gauge,
  PollingLoop,
  ThrottledWarning,
  withTimeout,
  type Logger,
} from '@emporia/platform';
import type { RevocationRepository, TokenRevocation } from '../application/ports';

/** Writes revocations in the caller's transaction; the relay pushes them after commit. */
export class SqlRevocationRepository implements RevocationRepository {
  /** How many this transaction wrote (the unit of work wakes the relay after commit). */
  added = 0;

  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async add(r: TokenRevocation): Promise<void> {
    await this.sql.run(
      `INSERT INTO token_revocations (account_id, session_id, revoked_before) VALUES ($1, $2, $3)`,
      [r.accountId, r.sessionId ?? null, r.before],
    );
    this.added++;
  }
}

/**
 * Sets a list entry to the later of its value and ARGV[1], expiring at ARGV[2] (ms since the
 * epoch): a late or repeated push never moves an entry back. An entry moved forward is announced
 * on the channel ARGV[3] in the same call (`userV1.revocationMessage`: `<before> <expireAt>
 * <key>`), so gateways holding a copy of the list apply it at once. KEYS: 1 the entry.
 */
const REVOKE_LUA = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  redis.call('PUBLISH', ARGV[3], ARGV[1] .. ' ' .. ARGV[2] .. ' ' .. KEYS[1])
end
return 1
`;

type WithRevoke = Redis & {
  emporiaRevoke(
    key: string,
    beforeMs: number,
    expireAtMs: number,
    channel: string,
  ): Promise<number>;
};

export interface RevocationRelayOptions {
  /** `TOKEN_REVOCATION_KEY_PREFIX`: the gateway reads the same keys. */
  keyPrefix: string;
  /** How long an entry stays: the access-token lifetime plus a margin for clock differences. */
  entryTtlMs: number;
  logger: Logger;
  /** Poll interval when idle; a commit that wrote revocations wakes the relay at once. */
  intervalMs?: number;
  /** Longest wait for Redis in one pass. */
  redisTimeoutMs?: number;
  batchSize?: number;
}

interface Row {
  id: string;
  account_id: string;
  session_id: string | null;
  revoked_before: Date;
}

const pushed = counter(
  'emporia_token_revocations_pushed_total',
  'Access-token revocations written to the revocation list in Redis',
);
const pushFailures = counter(
  'emporia_token_revocation_push_failures_total',
  'Passes of the revocation relay that could not write to Redis (the revocations are kept and retried)',
);
const pendingGauge = gauge(
  'emporia_token_revocations_pending',
  'Access-token revocations committed but not yet in the revocation list',
);

/**
 * Pushes committed revocations to the gateway's revocation list (Redis), then deletes them.
 * While Redis is down they stay in Postgres and are retried with backoff (a warning per 10 s,
 * `emporia_token_revocation_push_failures_total`, `emporia_token_revocations_pending`): a freeze
 * commits whatever Redis does, and its tokens are refused as soon as Redis answers again.
 * Revocations older than an access token's lifetime are dropped unpushed (nothing left to
 * refuse). Replicas share the work with `SKIP LOCKED`; a push is idempotent anyway.
 */
export class RevocationRelay {
  private readonly redis: WithRevoke;
  private readonly warning: ThrottledWarning;
  private readonly loop: PollingLoop;

  constructor(
    private readonly ds: DataSource,
    redis: Redis,
    private readonly opts: RevocationRelayOptions,
  ) {
    if (!('emporiaRevoke' in redis))
      redis.defineCommand('emporiaRevoke', { numberOfKeys: 1, lua: REVOKE_LUA });
    this.redis = redis as WithRevoke;
    this.warning = new ThrottledWarning(opts.logger, 10_000);
    this.loop = new PollingLoop(() => this.pass(), {
      intervalMs: opts.intervalMs ?? 1000,
      maxBackoffMs: 15_000,
      onFailure: (err, failures) => {
        pushFailures.inc();
        this.warning.warn(
          { err, failures },
          'token revocations could not be written to Redis; kept in Postgres and retried',
        );
      },
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** A transaction that wrote revocations committed: push them now. */
  nudge(): void {
    this.loop.nudge();
  }

  /** Pushes every pending revocation (a batch at a time); returns how many. Throws when Redis fails. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.pushBatch();
      total += n;
      if (n < (this.opts.batchSize ?? 200)) return total;
    }
  }

  private async pushBatch(): Promise<number> {
    // Nothing is left to refuse once every token a revocation covers has expired.
    await new Sql(this.ds).run(`DELETE FROM token_revocations WHERE revoked_before < $1`, [
      new Date(Date.now() - this.opts.entryTtlMs),
    ]);
    return this.ds.transaction(async (m) => {
      const sql = new Sql(m);
      const rows = await sql.rows<Row>(
        `SELECT id, account_id, session_id, revoked_before FROM token_revocations
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.opts.batchSize ?? 200],
      );
      if (rows.length === 0) return 0;
      const channel = userV1.tokenRevocationChannel(this.opts.keyPrefix);
      const entries = rows.map((r) => {
        const before = r.revoked_before.getTime();
        return {
          key: r.session_id
            ? userV1.revokedSessionKey(this.opts.keyPrefix, r.account_id, r.session_id)
            : userV1.revokedBeforeKey(this.opts.keyPrefix, r.account_id),
          before,
          expireAt: before + this.opts.entryTtlMs,
        };
      });
      const write = async () => {
        // the index first (gateways load their copy from it), then the entries and announcements
        const index = userV1.tokenRevocationIndexKey(this.opts.keyPrefix);
        await this.redis
          .pipeline()
          .zadd(index, 'GT', ...entries.flatMap((e) => [e.expireAt, e.key]))
          .zremrangebyscore(index, '-inf', Date.now())
          .exec()
          .then((replies) => {
            const failed = replies?.find(([err]) => err);
            if (failed) throw failed[0];
          });
        await Promise.all(
          entries.map((e) => this.redis.emporiaRevoke(e.key, e.before, e.expireAt, channel)),
        );
      };
      await withTimeout(write(), this.opts.redisTimeoutMs ?? 2000);
      await sql.run(`DELETE FROM token_revocations WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      pushed.inc(rows.length);
      return rows.length;
    });
  }

  /** Pushes what is pending (throws when Redis fails), then updates the gauge either way. */
  private async pass(): Promise<void> {
    try {
      await this.drain();
    } finally {
      try {
        const [{ n }] = await new Sql(this.ds).rows<{ n: number }>(
          `SELECT count(*)::int AS n FROM token_revocations`,
        );
        pendingGauge.set(n);
      } catch {
        // the gauge waits for the next pass
      }
    }
  }
}
