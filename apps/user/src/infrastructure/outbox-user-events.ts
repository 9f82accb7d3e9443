import { userV1 } from '@emporia/contracts';
import { eventType, newEvent, type NewEvent } from '@emporia/messaging';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type { UserEvents } from '../application/ports';
import type { Account } from '../domain/account';
import type { RefreshTokenFamily } from '../domain/refresh-token-family';

export const USER_EVENT_TYPES = {
  accountRegistered: eventType('emporia.user.v1.AccountRegistered', userV1.AccountRegistered),
  reuseDetected: eventType(
    'emporia.user.v1.RefreshTokenReuseDetected',
    userV1.RefreshTokenReuseDetected,
  ),
  accountLocked: eventType('emporia.user.v1.AccountLocked', userV1.AccountLocked),
  tierChanged: eventType('emporia.user.v1.TierChanged', userV1.TierChanged),
  loginAnomaly: eventType('emporia.user.v1.LoginAnomaly', userV1.LoginAnomaly),
  accountFrozen: eventType('emporia.user.v1.AccountFrozen', userV1.AccountFrozen),
  accountUnfrozen: eventType('emporia.user.v1.AccountUnfrozen', userV1.AccountUnfrozen),
  accountDeleted: eventType('emporia.user.v1.AccountDeleted', userV1.AccountDeleted),
  mfaChanged: eventType('emporia.user.v1.MfaChanged', userV1.MfaChanged),
};

/** Collects the transaction's events as outbox rows on `user.account`, keyed by account id. */
export class OutboxUserEvents implements UserEvents {
  private readonly pending: NewEvent[] = [];
  private readonly meta: { traceparent: string };

  constructor(
    private readonly topic: string,
    ctx: RequestContext,
  ) {
    this.meta = { traceparent: toTraceparent(ctx) };
  }

  accountRegistered(a: Account): void {
    this.pending.push(
      newEvent(
        USER_EVENT_TYPES.accountRegistered,
        this.topic,
        a.id,
        {
          accountId: a.id,
          email: a.email ?? '',
          phone: a.phone ?? '',
          registeredAt: a.createdAt.toISOString(),
        },
        this.meta,
      ),
    );
  }

  refreshTokenReuseDetected(f: RefreshTokenFamily, at: Date): void {
    this.pending.push(
      newEvent(
        USER_EVENT_TYPES.reuseDetected,
        this.topic,
        f.userId,
        { accountId: f.userId, familyId: f.id, detectedAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  accountLocked(accountId: string, lockedUntil: Date, failures: number): void {
    this.pending.push(
      newEvent(
        USER_EVENT_TYPES.accountLocked,
        this.topic,
        accountId,
        { accountId, lockedUntil: lockedUntil.toISOString(), failedAttempts: failures },
        this.meta,
      ),
    );
  }

  tierChanged(
    accountId: string,
    from: string,
    to: string,
    direction: 'UPGRADE' | 'DOWNGRADE',
    at: Date,
  ): void {
    this.pending.push(
      newEvent(
        USER_EVENT_TYPES.tierChanged,
        this.topic,
        accountId,
        { accountId, fromTier: from, toTier: to, direction, changedAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  loginAnomaly(accountId: string, kinds: string[], deviceId: string, ip: string, at: Date): void {
    this.pending.push(
      newEvent(
        USER_EVENT_TYPES.loginAnomaly,
        this.topic,
        accountId,
        { accountId, kinds, deviceId, ip, detectedAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  accountFrozen(accountId: string, reason: string, at: Date): void {
    this.pending.push(
      newEvent(
        USER_EVENT_TYPES.accountFrozen,
        this.topic,
        accountId,
        { accountId, reason, frozenAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  accountUnfrozen(accountId: string, at: Date): void {
    this.pending.push(
      newEvent(
        USER_EVENT_TYPES.accountUnfrozen,
        this.topic,
        accountId,
        { accountId, unfrozenAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  drain(): NewEvent[] {
    return this.pending.splice(0);
  }

  accountDeleted(accountId: string, at: Date): void {
    this.pending.push(
      newEvent(
        USER_EVENT_TYPES.accountDeleted,
        this.topic,
        accountId,
        { accountId, deletedAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  mfaChanged(accountId: string, enabled: boolean, at: Date): void {
    this.pending.push(
      newEvent(
        USER_EVENT_TYPES.mfaChanged,
        this.topic,
        accountId,
        { accountId, enabled, at: at.toISOString() },
        this.meta,
      ),
    );
  }
}
