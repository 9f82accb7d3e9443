import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { recordInInbox, transactionWithOutbox, type ReceivedEvent } from '@emporia/messaging';
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
import {
  SqlAccountRepository,
  SqlKnownLoginRepository,
  SqlRefreshFamilyRepository,
} from './typeorm-user.repositories';

/** One transaction per use case; events commit with the change; the relay is woken after. */
export class TypeormUnitOfWork implements UnitOfWork {
  constructor(
    private readonly ds: DataSource,
    private readonly topic: string,
    private readonly secretBox: SecretBox,
    private readonly onEventsCommitted: () => void = () => undefined,
  ) {}

  run<T>(ctx: RequestContext, work: (tx: UserTx) => Promise<T>): Promise<T> {
    return this.transact(ctx, (_manager, tx) => work(tx));
  }

  runForEvent(
    ctx: RequestContext,
    consumer: string,
    event: ReceivedEvent,
    work: (tx: UserTx) => Promise<void>,
  ): Promise<boolean> {
    return this.transact(ctx, async (manager, tx) => {
      if (!(await recordInInbox(manager, consumer, event))) return false;
      await work(tx);
      return true;
    });
  }

  private transact<T>(
    ctx: RequestContext,
    work: (manager: EntityManager, tx: UserTx) => Promise<T>,
  ): Promise<T> {
    return transactionWithOutbox(
      this.ds,
      async (manager) => {
        const events = new OutboxUserEvents(this.topic, ctx);
        const tx: UserTx = {
          accounts: new SqlAccountRepository(manager),
          families: new SqlRefreshFamilyRepository(manager),
          membership: new SqlMembershipRepository(manager),
          knownLogins: new SqlKnownLoginRepository(manager),
          mfa: new SqlMfaRepository(manager, this.secretBox),
          profiles: new SqlProfileRepository(manager),
          privacy: new SqlPrivacyRepository(manager),
          events,
        };
        const result = await work(manager, tx);
        return { result, events: events.drain() };
      },
      this.onEventsCommitted,
    );
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
