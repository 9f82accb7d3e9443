import { UserError } from './user-error';

/** What an SMS one-time code proves; a code works only for its purpose and what it is bound to. */
export const SMS_CODE_PURPOSES = ['LOGIN', 'STEP_UP', 'PHONE_CHANGE', 'ENABLE_SMS_MFA'] as const;
export type SmsCodePurpose = (typeof SMS_CODE_PURPOSES)[number];

/** A code lives this long and allows this many wrong tries; it has this many digits. */
export const SMS_CODE_TTL_MS = 5 * 60_000;
export const SMS_CODE_MAX_ATTEMPTS = 5;
export const SMS_CODE_DIGITS = 6;

/**
 * A one-time code sent by SMS, stored hashed (an HMAC of the code and its id under a server key:
 * a database leak does not reveal it, and 10^6 candidates cannot be tried offline without the
 * key). Bound to an account, a purpose and a subject (the MFA challenge of a sign-in, or the
 * session of a step-up, phone change or SMS enrolment), and to the number it went to. Only the
 * latest code of a subject and purpose counts.
 */
export interface SmsCode {
  id: string;
  accountId: string;
  purpose: SmsCodePurpose;
  subject: string;
  phone: string;
  codeHash: string;
  createdAt: Date;
  expiresAt: Date;
  attempts: number;
  usedAt: Date | null;
}

const RANGE = 10 ** SMS_CODE_DIGITS;
/** The largest multiple of 10^6 below 2^32: values at or above it are drawn again (no bias). */
const LIMIT = Math.floor(2 ** 32 / RANGE) * RANGE;

/**
 * Six uniformly random digits from a CSPRNG (`random(n)` gives n random bytes): 4 bytes at a
 * time, rejection-sampled so every code is equally likely.
 */
export function newCodeDigits(random: (n: number) => Uint8Array): string {
  for (;;) {
    const b = random(4);
    const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    if (v < LIMIT) return String(v % RANGE).padStart(SMS_CODE_DIGITS, '0');
  }
}

/** What a submitted code is, once spaces are gone; null when it cannot be a code. */
export function normaliseSubmittedCode(input: string): string | null {
  const c = (input ?? '').replace(/\s/g, '');
  return new RegExp(`^\\d{${SMS_CODE_DIGITS}}$`).test(c) ? c : null;
}

export function newSmsCode(input: {
  id: string;
  accountId: string;
  purpose: SmsCodePurpose;
  subject: string;
  phone: string;
  codeHash: string;
  now: Date;
}): SmsCode {
  const { now, ...rest } = input;
  return {
    ...rest,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SMS_CODE_TTL_MS),
    attempts: 0,
    usedAt: null,
  };
}

export type SmsCodeCheck =
  /** Right: the code, now used. */
  | { outcome: 'OK'; code: SmsCode }
  /** Wrong: the code with one more attempt counted (save it). */
  | { outcome: 'WRONG'; code: SmsCode }
  /** None, used, expired, out of attempts, or sent to another number: ask for a new one. */
  | { outcome: 'EXPIRED' };

/**
 * Checks a submission against the latest code of its subject. `matches` compares the submitted
 * code with the stored hash (the adapter's HMAC); `phone`, when given, must be the number the
 * code went to (a phone change proves that number).
 */
export function checkSmsCode(
  code: SmsCode | null,
  submitted: string,
  matches: (code: SmsCode, digits: string) => boolean,
  now: Date,
  phone?: string,
): SmsCodeCheck {
  if (
    !code ||
    code.usedAt !== null ||
    code.expiresAt.getTime() <= now.getTime() ||
    code.attempts >= SMS_CODE_MAX_ATTEMPTS ||
    (phone !== undefined && code.phone !== phone)
  )
    return { outcome: 'EXPIRED' };
  const digits = normaliseSubmittedCode(submitted);
  if (digits !== null && matches(code, digits))
    return { outcome: 'OK', code: { ...code, usedAt: now } };
  return { outcome: 'WRONG', code: { ...code, attempts: code.attempts + 1 } };
}

export const smsCodeInvalid = (attemptsLeft?: number) =>
  new UserError(
    'UNAUTHENTICATED',
    'SMS_CODE_INVALID',
    'the SMS code is wrong',
    attemptsLeft === undefined ? undefined : { attemptsLeft },
  );

export const smsCodeExpired = () =>
  new UserError(
    'FAILED_PRECONDITION',
    'SMS_CODE_EXPIRED',
    'the SMS code expired, was used or ran out of attempts; request a new one',
  );

/** `+8613800138000` → `+86138****8000`: the country code, 3 digits, stars, the last 4. */
export function maskPhone(phone: string): string {
  const m = /^(\+(?:86|1|7|\d{2,3}?))(\d+)$/.exec(phone);
  if (!m) return phone.length > 4 ? `${'*'.repeat(phone.length - 4)}${phone.slice(-4)}` : '****';
  const [, cc, rest] = m;
  if (rest.length <= 7) return `${cc}${'*'.repeat(Math.max(rest.length - 4, 0))}${rest.slice(-4)}`;
  return `${cc}${rest.slice(0, 3)}${'*'.repeat(rest.length - 7)}${rest.slice(-4)}`;
}

/** `li.lei@example.com` → `l*****@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '****';
  return `${email[0]}${'*'.repeat(Math.max(at - 1, 1))}${email.slice(at)}`;
}
