import { UserError, type UserErrorKind } from './user-error';

/**
 * Passkeys (WebAuthn credentials): an account may register several; each signs in without a
 * password (a discoverable credential with user verification), answers the second step of a
 * password login, or proves a step-up. The ceremonies' cryptography is the WebAuthn port's; the
 * rules of this file are the service's own.
 */

/** How long a ceremony's challenge may be answered, once. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;
/** An account keeps at most this many passkeys (a guard against filling the table). */
export const MAX_PASSKEYS = 20;
export const PASSKEY_NAME_MAX = 60;

export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

/** A registered credential; `id` is the WebAuthn credential id (base64url). */
export interface Passkey {
  id: string;
  accountId: string;
  /** COSE public key as the authenticator gave it. */
  publicKey: Uint8Array;
  /** The authenticator's signature counter as last seen (0: it keeps none). */
  counter: number;
  /** usb, internal, hybrid, nfc, ble… as reported at registration. */
  transports: string[];
  /** Synced (a multi-device passkey) as last reported. */
  backedUp: boolean;
  deviceType: PasskeyDeviceType;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/**
 * What a challenge was issued for: registering (in a session), signing in without a password,
 * the second step of a password login (bound to its MFA challenge), or a step-up.
 */
export type PasskeyCeremony = 'REGISTRATION' | 'SIGN_IN' | 'SECOND_FACTOR' | 'STEP_UP';

/** A ceremony's challenge, stored by the hash of the WebAuthn challenge (never in clear). */
export interface PasskeyChallenge {
  id: string;
  ceremony: PasskeyCeremony;
  /** The account it is for; null for a sign-in without a password (any discoverable passkey). */
  accountId: string | null;
  /** REGISTRATION: the session that started it. */
  sessionId: string | null;
  /** SECOND_FACTOR: the password login's MFA challenge it answers. */
  mfaChallengeId: string | null;
  expiresAt: Date;
  usedAt: Date | null;
}

/** What an answer may be checked against: the ceremony and what the challenge is bound to. */
export interface ChallengeExpectation {
  ceremony: PasskeyCeremony;
  accountId?: string;
  sessionId?: string;
  mfaChallengeId?: string;
}

export const passkeyError = (kind: UserErrorKind, code: string, message: string) =>
  new UserError(kind, code, message);

export const passkeyNotFound = (
  kind: UserErrorKind = 'NOT_FOUND',
  message = 'no such passkey on this account',
) => passkeyError(kind, 'PASSKEY_NOT_FOUND', message);

/** Unknown, used, expired or issued for something else; a registration's is 422, others 401. */
export const passkeyChallengeInvalid = (kind: UserErrorKind) =>
  passkeyError(
    kind,
    'PASSKEY_CHALLENGE_INVALID',
    'the passkey challenge is unknown, used, expired or not for this; start again',
  );

/** Sign-in and step-up failures are 401s; a registration's is the caller's bad credential. */
const failureKind = (ceremony: PasskeyCeremony): UserErrorKind =>
  ceremony === 'REGISTRATION' ? 'INVALID_ARGUMENT' : 'UNAUTHENTICATED';

export const passkeyVerificationFailed = (ceremony: PasskeyCeremony, why?: string) =>
  passkeyError(
    failureKind(ceremony),
    'PASSKEY_VERIFICATION_FAILED',
    why
      ? `the passkey could not be verified: ${why}`
      : 'the passkey could not be verified (signature, origin, relying party or counter)',
  );

export const passkeyResponseInvalid = (why: string) =>
  passkeyError('INVALID_ARGUMENT', 'PASSKEY_RESPONSE_INVALID', `not a WebAuthn response: ${why}`);

/**
 * Throws PASSKEY_CHALLENGE_INVALID unless `challenge` is open now (unused, not expired) and was
 * issued for what it answers: the ceremony, and the account, session or MFA challenge it is
 * bound to. A registration's is FAILED_PRECONDITION (start again), the others UNAUTHENTICATED.
 */
export function assertPasskeyChallengeOpen(
  challenge: PasskeyChallenge | null,
  expected: ChallengeExpectation,
  now: Date,
): PasskeyChallenge {
  const bound = (want: string | undefined, got: string | null) =>
    want === undefined || (got !== null && want.toLowerCase() === got.toLowerCase());
  if (
    !challenge ||
    challenge.ceremony !== expected.ceremony ||
    challenge.usedAt !== null ||
    challenge.expiresAt.getTime() <= now.getTime() ||
    !bound(expected.accountId, challenge.accountId) ||
    !bound(expected.sessionId, challenge.sessionId) ||
    !bound(expected.mfaChallengeId, challenge.mfaChallengeId)
  )
    throw passkeyChallengeInvalid(
      expected.ceremony === 'REGISTRATION' ? 'FAILED_PRECONDITION' : 'UNAUTHENTICATED',
    );
  return challenge;
}

/**
 * Control characters, line breaks, bidi overrides and invisible marks a name must not hide
 * behind (the zero-width joiner of emoji sequences is allowed).
 */
const NOT_IN_NAME = /[\p{Cc}\p{Zl}\p{Zp}\u200B\u200E\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/u;

/**
 * A passkey's name: trimmed, 1 to 60 characters (code points), no control or format characters.
 * Empty or absent: `Passkey <n>` with n the account's passkey count after this one. Names need
 * not be unique. Throws INVALID_ARGUMENT PASSKEY_NAME_INVALID.
 */
export function passkeyName(input: string | undefined, passkeysAfter: number): string {
  const name = (input ?? '').trim();
  if (name === '') return `Passkey ${passkeysAfter}`;
  return validPasskeyName(name);
}

/** A rename: the same rule, but a name must be given. */
export function validPasskeyName(input: string | undefined): string {
  const name = (input ?? '').trim();
  const length = [...name].length;
  if (length < 1 || length > PASSKEY_NAME_MAX || NOT_IN_NAME.test(name))
    throw passkeyError(
      'INVALID_ARGUMENT',
      'PASSKEY_NAME_INVALID',
      `a passkey's name has 1 to ${PASSKEY_NAME_MAX} characters and no control characters`,
    );
  return name;
}

/**
 * The signature counter after an assertion that reported `reported`: it must go up, unless the
 * authenticator keeps no counter (both 0, as synced passkeys do). A counter that stands still or
 * goes back means a cloned authenticator: refused (null).
 */
export function nextSignCount(stored: number, reported: number): number | null {
  if (!Number.isInteger(reported) || reported < 0) return null;
  if (stored === 0 && reported === 0) return 0;
  return reported > stored ? reported : null;
}

/** Throws PASSKEY_LIMIT_REACHED when the account already has the most passkeys it may. */
export function assertMayAddPasskey(count: number): void {
  if (count >= MAX_PASSKEYS)
    throw passkeyError(
      'FAILED_PRECONDITION',
      'PASSKEY_LIMIT_REACHED',
      `an account has at most ${MAX_PASSKEYS} passkeys; remove one first`,
    );
}

/** Whether this registration earns fresh recovery codes: the first passkey, none left. */
export function needsRecoveryCodes(passkeysBefore: number, recoveryCodesLeft: number): boolean {
  return passkeysBefore === 0 && recoveryCodesLeft === 0;
}

/** The newest first (the list's order), then by id for a stable order. */
export function byNewest(a: Passkey, b: Passkey): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : 1);
}
