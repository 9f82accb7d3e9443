import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { OutboxUnitOfWork } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
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
import { OutboxUserEvents } from './outbox-user-events';
import { SqlRevocationRepository } from './token-revocations';
import {
  SqlAccountRepository,
  SqlKnownLoginRepository,
  SqlLoginRepository,
  SqlRefreshFamilyRepository,
} from './typeorm-user.repositories';

/**
 * One transaction per use case; events and token revocations commit with the change; their
 * relays are woken after.
 */
export class TypeormUnitOfWork extends OutboxUnitOfWork<UserTx> implements UnitOfWork {
  constructor(
    ds: DataSource,
    private readonly topic: string,
    private readonly secretBox: SecretBox,
    onEventsCommitted?: () => void,
    private readonly onRevocationsCommitted: () => void = () => undefined,
  ) {
    super(ds, onEventsCommitted);
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

  /**
   * One statement on a pooled connection, outside a transaction (Postgres makes the statement its
   * own): the base class's `read`, which refuses events, for work whose one statement writes.
   */
  statement<T>(ctx: RequestContext, work: (tx: UserTx) => Promise<T>): Promise<T> {
    return super.read(ctx, work);
  }

  protected open(manager: EntityManager, ctx: RequestContext) {
    const events = new OutboxUserEvents(this.topic, ctx);
    return {
      tx: {
        accounts: new SqlAccountRepository(manager),
        families: new SqlRefreshFamilyRepository(manager),
        membership: new SqlMembershipRepository(manager),
        knownLogins: new SqlKnownLoginRepository(manager),
        logins: new SqlLoginRepository(manager),
        mfa: new SqlMfaRepository(manager, this.secretBox),
        profiles: new SqlProfileRepository(manager),
        privacy: new SqlPrivacyRepository(manager),
        revocations: new SqlRevocationRepository(manager),
        events,
      },
      drain: () => events.drain(),
    };
  }
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };

/** 256-bit random refresh tokens; only their SHA-256 is stored. */
export const tokenSecrets: TokenSecrets = {
  newToken: () => randomBytes(32).toString('base64url'),
  hash: (token) => createHash('sha256').update(token).digest('hex'),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};
