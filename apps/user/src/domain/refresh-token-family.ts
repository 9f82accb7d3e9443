import { UserError } from './user-error';

/** How a session was opened, as the sessions list shows it. */
export const SIGN_IN_METHODS = [
  'PASSWORD',
  'PASSWORD+TOTP',
  'PASSWORD+SMS',
  'PASSWORD+PASSKEY',
  'PASSWORD+RECOVERY_CODE',
  'PASSKEY',
] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** The client of a session: set at sign-in, its address and place updated at each refresh. */
export interface SessionClient {
  deviceId: string;
  /** From the User-Agent ("Chrome 131 on Windows"); empty when none was sent. */
  deviceName: string;
  ip: string;
  /** From the address ("浙江省杭州市", "local network"); empty when unknown. */
  place: string;
}

export const NO_CLIENT: SessionClient = { deviceId: '', deviceName: '', ip: '', place: '' };

/**
 * Refresh tokens rotate: each use returns a new token and retires the one presented. All
 * tokens of one login form a family. Presenting a retired token means it was copied: the whole
 * family is revoked (reuse detection), and the session must log in again. A family is a session:
 * it remembers how it was opened, its client, and when a second factor was last proved in it
 * (the step-up rule reads that).
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
    | 'REUSE_DETECTED'
    | 'LOGOUT'
    | 'ACCOUNT_FROZEN'
    | 'ACCOUNT_DELETED'
    | 'MFA_DISABLED'
    | 'REVOKED_BY_USER'
    | 'DEVICE_FORGOTTEN'
    | 'PASSWORD_CHANGED'
    | null;
  createdAt: Date;
  lastUsedAt: Date;
  signedInWith: SignInMethod;
  /** When a second factor (or, for an account without one, the password) was last proved. */
  secondFactorAt: Date | null;
  client: SessionClient;
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
  /** PASSWORD unless said. */
  signedInWith?: SignInMethod;
  /** The sign-in proved a second factor now (`secondFactorAt` = now). */
  secondFactor?: boolean;
  client?: SessionClient;
}): RefreshTokenFamily {
  return {
    id: input.id,
    userId: input.userId,
    currentTokenId: input.tokenId,
    retiredTokenIds: [],
    expiresAt: new Date(input.now.getTime() + input.ttlMs),
    revokedAt: null,
    revokedReason: null,
    createdAt: input.now,
    lastUsedAt: input.now,
    signedInWith: input.signedInWith ?? 'PASSWORD',
    secondFactorAt: input.secondFactor ? input.now : null,
    client: input.client ?? NO_CLIENT,
  };
}

/** Not ended and not expired. */
export function isLive(family: RefreshTokenFamily, now: Date): boolean {
  return !family.revokedAt && now.getTime() < family.expiresAt.getTime();
}

/** A refresh: the session was used now from this address (its device stays the sign-in's). */
export function touched(
  family: RefreshTokenFamily,
  client: { ip: string; place: string; deviceName?: string },
  now: Date,
): RefreshTokenFamily {
  return {
    ...family,
    lastUsedAt: now,
    client: {
      ...family.client,
      ip: client.ip || family.client.ip,
      place: client.ip ? client.place : family.client.place,
      deviceName: client.deviceName || family.client.deviceName,
    },
  };
}

/** A step-up: a second factor was proved in this session now. */
export function steppedUp(family: RefreshTokenFamily, now: Date): RefreshTokenFamily {
  return { ...family, secondFactorAt: now, lastUsedAt: now };
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
