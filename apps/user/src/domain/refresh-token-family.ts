import { UserError } from './user-error';

/**
 * Refresh tokens rotate: each use returns a new token and retires the one presented. All
 * tokens of one login form a family. Presenting a retired token means it was copied: the whole
 * family is revoked (reuse detection), and the session must log in again.
 */
export interface RefreshTokenFamily {
  id: string;
  userId: string;
  /** Id of the only token that may be used next. */
  currentTokenId: string;
  /** Tokens already rotated out. */
  retiredTokenIds: string[];
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason:
    'REUSE_DETECTED' | 'LOGOUT' | 'ACCOUNT_FROZEN' | 'ACCOUNT_DELETED' | 'MFA_DISABLED' | null;
}

export type RotationOutcome =
  | { outcome: 'ROTATED'; family: RefreshTokenFamily; newTokenId: string }
  | { outcome: 'REUSE_DETECTED'; family: RefreshTokenFamily };

export function newFamily(input: {
  id: string;
  userId: string;
  tokenId: string;
  now: Date;
  ttlMs: number;
}): RefreshTokenFamily {
  return {
    id: input.id,
    userId: input.userId,
    currentTokenId: input.tokenId,
    retiredTokenIds: [],
    expiresAt: new Date(input.now.getTime() + input.ttlMs),
    revokedAt: null,
    revokedReason: null,
  };
}

const refused = (code: string, message: string) => new UserError('UNAUTHENTICATED', code, message);

/** Uses `presentedTokenId`: rotates, or revokes the family when a retired token comes back. */
export function rotate(
  family: RefreshTokenFamily,
  presentedTokenId: string,
  newTokenId: string,
  now: Date,
): RotationOutcome {
  if (family.revokedAt)
    throw refused('REFRESH_TOKEN_REVOKED', 'this session was ended; log in again');
  if (now.getTime() >= family.expiresAt.getTime())
    throw refused('REFRESH_TOKEN_EXPIRED', 'this session expired; log in again');
  if (presentedTokenId === family.currentTokenId) {
    return {
      outcome: 'ROTATED',
      newTokenId,
      family: {
        ...family,
        currentTokenId: newTokenId,
        retiredTokenIds: [...family.retiredTokenIds, presentedTokenId],
      },
    };
  }
  if (family.retiredTokenIds.includes(presentedTokenId)) {
    return { outcome: 'REUSE_DETECTED', family: revoke(family, 'REUSE_DETECTED', now) };
  }
  throw refused('REFRESH_TOKEN_UNKNOWN', 'unknown refresh token');
}

export function revoke(
  family: RefreshTokenFamily,
  reason: NonNullable<RefreshTokenFamily['revokedReason']>,
  now: Date,
): RefreshTokenFamily {
  return family.revokedAt ? family : { ...family, revokedAt: now, revokedReason: reason };
}
