import { hash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { v7 as uuidv7 } from 'uuid';
import { OutboxUnitOfWork } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { SqlRunner } from '@emporia/persistence';
import type {
  Clock,
  IdGenerator,
  SecretBox,
  TokenSecrets,
  UnitOfWork,
  UserTx,
} from '../application/ports';
import {
  SqlMfaRepository,
  SqlPrivacyRepository,
  SqlProfileRepository,
} from './sql-mfa-profile.repositories';
import { SqlMembershipRepository } from './sql-membership.repository';
import { SqlAccountSecurityRepository, SqlSmsCodeRepository } from './sql-security.repositories';
import { OutboxUserEvents } from './outbox-user-events';
import { SqlRevocationRepository } from './token-revocations';
import {
  SqlAccountRepository,
  SqlKnownLoginRepository,
  SqlLoginRepository,
  SqlRefreshFamilyRepository,
} from './typeorm-user.repositories';
import { SqlPasskeyRepository } from './sql-passkey.repository';

/**
 * One transaction per use case; events and token revocations commit with the change; their
 * relays are woken after.
 */
export class TypeormUnitOfWork extends OutboxUnitOfWork<UserTx> implements UnitOfWork {
  private readonly pooled: PoolStatements;

  constructor(
    private readonly dataSource: DataSource,
    private readonly topic: string,
    private readonly secretBox: SecretBox,
    onEventsCommitted?: () => void,
    private readonly onRevocationsCommitted: () => void = () => undefined,
  ) {
    super(dataSource, onEventsCommitted);
    this.pooled = new PoolStatements(dataSource);
  }

  override async run<T>(ctx: RequestContext, work: (tx: UserTx) => Promise<T>): Promise<T> {
    let revoked = false;
    const result = await super.run(ctx, async (tx) => {
      const value = await work(tx);
      revoked = (tx.revocations as SqlRevocationRepository).added > 0;
      return value;
    });
    if (revoked) this.onRevocationsCommitted();
    return result;
  }

  protected open(manager: EntityManager, ctx: RequestContext) {
    const events = new OutboxUserEvents(this.topic, ctx);
    return {
      tx: {
        accounts: new SqlAccountRepository(manager),
        families: new SqlRefreshFamilyRepository(manager),
        membership: new SqlMembershipRepository(manager),
        knownLogins: new SqlKnownLoginRepository(manager),
        // outside a transaction (`read`, `statement`) the sign-in's statements skip TypeORM's runner
        logins: new SqlLoginRepository(manager === this.dataSource.manager ? this.pooled : manager),
        mfa: new SqlMfaRepository(manager, this.secretBox),
        passkeys: new SqlPasskeyRepository(manager),
        security: new SqlAccountSecurityRepository(manager),
        smsCodes: new SqlSmsCodeRepository(manager),
        profiles: new SqlProfileRepository(manager),
        privacy: new SqlPrivacyRepository(manager),
        revocations: new SqlRevocationRepository(manager),
        events,
      },
      drain: () => events.drain(),
    };
  }
}

/**
 * Runs SQL straight on the data source's pg pool, skipping TypeORM's query runner: for the
 * sign-in's hot statements outside a transaction. The pool's client runs them as named prepared
 * statements (`@emporia/persistence`, "Prepared statements"), as it does every service's SQL.
 */
export class PoolStatements implements SqlRunner {
  constructor(private readonly ds: DataSource) {}

  async query(text: string, values: unknown[] = []): Promise<unknown[]> {
    const pool = (this.ds.driver as PostgresDriver).master as Pool;
    return (await pool.query(text, values)).rows;
  }
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };

/** 256-bit random refresh tokens; only their SHA-256 is stored. */
export const tokenSecrets: TokenSecrets = {
  newToken: () => randomBytes(32).toString('base64url'),
  hash: (token) => hash('sha256', token, 'hex'),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};
