import type { RefreshTokenFamily } from '../domain/refresh-token-family';
import { revoke } from '../domain/refresh-token-family';
import type { UserTx } from './ports';

type Reason = NonNullable<RefreshTokenFamily['revokedReason']>;

/**
 * Ends every session of the account: its refresh-token families are revoked and its access
 * tokens issued up to `now` are revoked too (the gateway's list), in the caller's transaction.
 */
export async function endAllSessions(
  tx: UserTx,
  accountId: string,
  reason: Reason,
  now: Date,
): Promise<void> {
  await tx.families.revokeAll(accountId, reason, now);
  await tx.revocations.add({ accountId, before: now });
}

/** Ends one session: its refresh-token family and the access tokens issued in it. */
export async function endSession(
  tx: UserTx,
  family: RefreshTokenFamily,
  reason: Reason,
  now: Date,
): Promise<RefreshTokenFamily> {
  const ended = revoke(family, reason, now);
  await tx.families.save(ended);
  await tx.revocations.add({ accountId: family.userId, sessionId: family.id, before: now });
  return ended;
}
