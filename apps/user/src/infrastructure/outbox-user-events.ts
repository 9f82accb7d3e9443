import { USER_ACCOUNT } from '@emporia/contracts';
import { newEvent, type NewEvent } from '@emporia/messaging';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type { SecurityChange, UserEvents } from '../application/ports';
import type { Account } from '../domain/account';
import type { RefreshTokenFamily } from '../domain/refresh-token-family';

const EVENTS = USER_ACCOUNT.events;

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
        EVENTS.AccountRegistered,
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
        EVENTS.RefreshTokenReuseDetected,
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
        EVENTS.AccountLocked,
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
        EVENTS.TierChanged,
        this.topic,
        accountId,
        { accountId, fromTier: from, toTier: to, direction, changedAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  loginAnomaly(
    accountId: string,
    kinds: string[],
    deviceId: string,
    ip: string,
    at: Date,
    session?: { deviceName: string; place: string; signedInWith: string },
  ): void {
    this.pending.push(
      newEvent(
        EVENTS.LoginAnomaly,
        this.topic,
        accountId,
        {
          accountId,
          kinds,
          deviceId,
          ip,
          detectedAt: at.toISOString(),
          deviceName: session?.deviceName ?? '',
          place: session?.place ?? '',
          signedInWith: session?.signedInWith ?? '',
        },
        this.meta,
      ),
    );
  }

  securityChanged(
    accountId: string,
    change: SecurityChange,
    at: Date,
    context: { ip?: string; detail?: string } = {},
  ): void {
    this.pending.push(
      newEvent(
        EVENTS.SecurityChanged,
        this.topic,
        accountId,
        {
          accountId,
          change,
          at: at.toISOString(),
          ip: context.ip ?? '',
          detail: context.detail ?? '',
        },
        this.meta,
      ),
    );
  }

  accountFrozen(accountId: string, reason: string, at: Date): void {
    this.pending.push(
      newEvent(
        EVENTS.AccountFrozen,
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
        EVENTS.AccountUnfrozen,
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
        EVENTS.AccountDeleted,
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
        EVENTS.MfaChanged,
        this.topic,
        accountId,
        { accountId, enabled, at: at.toISOString() },
        this.meta,
      ),
    );
  }
}
