import { UserError } from './user-error';
import { verifyTotp, type Hmac } from './totp';

/** How many recovery codes an enrolment hands out, and their shape: `xxxxx-xxxxx`. */
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i
const RECOVERY_LENGTH = 10;

/** A second-factor login challenge lives this long and allows this many wrong codes. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60_000;
export const MFA_CHALLENGE_MAX_ATTEMPTS = 5;

export type MfaStatus = 'PENDING' | 'ACTIVE';

/** TOTP enrolment of an account; the secret is plain here and encrypted at rest by an adapter. */
export interface MfaCredential {
  accountId: string;
  status: MfaStatus;
  secret: Uint8Array;
  /** The last TOTP step accepted: a code of that step or earlier is never accepted again. */
  lastUsedCounter: number | null;
  createdAt: Date;
  confirmedAt: Date | null;
}

/** Turns random bytes into a readable recovery code (`k7m2p-qx9ta`). */
export function recoveryCodeFrom(random: Uint8Array): string {
  if (random.length < RECOVERY_LENGTH)
    throw new Error(`a recovery code needs ${RECOVERY_LENGTH} random bytes`);
  let code = '';
  for (let i = 0; i < RECOVERY_LENGTH; i++)
    code += RECOVERY_ALPHABET[random[i] % RECOVERY_ALPHABET.length];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** The canonical form a recovery code is hashed in, or null when the input cannot be one. */
export function normaliseRecoveryCode(input: string): string | null {
  const c = (input ?? '').toLowerCase().replace(/[\s-]/g, '');
  if (c.length !== RECOVERY_LENGTH) return null;
  for (const ch of c) if (!RECOVERY_ALPHABET.includes(ch)) return null;
  return c;
}

export type SecondFactor =
  { kind: 'TOTP'; counter: number } | { kind: 'RECOVERY'; normalised: string };

/**
 * Reads a submitted second factor against an active credential: a 6-digit TOTP code (±1 step,
 * never a step already used) or a recovery code (checked by the caller against stored hashes).
 * Returns null when it cannot be right.
 */
export function readSecondFactor(
  hmac: Hmac,
  credential: MfaCredential,
  code: string,
  now: Date,
): SecondFactor | null {
  const trimmed = (code ?? '').replace(/\s/g, '');
  if (/^\d{6}$/.test(trimmed)) {
    const counter = verifyTotp(hmac, credential.secret, trimmed, Math.floor(now.getTime() / 1000), {
      lastUsedCounter: credential.lastUsedCounter ?? undefined,
    });
    return counter === null ? null : { kind: 'TOTP', counter };
  }
  const normalised = normaliseRecoveryCode(trimmed);
  return normalised ? { kind: 'RECOVERY', normalised } : null;
}

export function requireActive(credential: MfaCredential | null): MfaCredential {
  if (!credential || credential.status !== 'ACTIVE')
    throw new UserError('FAILED_PRECONDITION', 'MFA_NOT_ENABLED', 'MFA is not enabled');
  return credential;
}

export const wrongMfaCode = () =>
  new UserError('UNAUTHENTICATED', 'MFA_CODE_INVALID', 'the code is wrong or was already used');

/** A pending second-factor step of a login. */
export interface MfaChallenge {
  id: string;
  accountId: string;
  /** The identifier the password was given for: wrong codes count against it. */
  throttleKey: string;
  deviceId: string;
  ip: string;
  /** The client's User-Agent, for the session the challenge opens. */
  userAgent?: string;
  expiresAt: Date;
  attempts: number;
  usedAt: Date | null;
}

/** Whether a challenge may still be answered now. */
export function assertChallengeOpen(challenge: MfaChallenge | null, now: Date): MfaChallenge {
  if (
    !challenge ||
    challenge.usedAt !== null ||
    challenge.expiresAt.getTime() <= now.getTime() ||
    challenge.attempts >= MFA_CHALLENGE_MAX_ATTEMPTS
  ) {
    throw new UserError(
      'UNAUTHENTICATED',
      'MFA_CHALLENGE_INVALID',
      'the MFA challenge is unknown, used, expired or out of attempts; log in again',
    );
  }
  return challenge;
}
