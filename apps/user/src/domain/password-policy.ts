import { dictionary } from '@zxcvbn-ts/language-common';
import { UserError } from './user-error';

/**
 * The password rule of every place a password is set (registration today; any password change
 * or reset must call `checkPasswordPolicy` too), after NIST SP 800-63B §5.1.1.2:
 *
 * - 10 to 128 characters, counted as Unicode code points (800-63B asks for at least 8 and
 *   allows more; 10 keeps passphrases easy and short guessable words out), any characters,
 *   spaces included; no composition rules (no "one digit, one symbol").
 * - Not a password known from breaches: the common-password list of zxcvbn
 *   (`@zxcvbn-ts/language-common`, 49,233 entries from breach corpora), compared case-insensitively, also with spaces taken out and with a
 *   trailing run of digits and symbols taken off (`password1234`, `Monkey 2024!`), the first
 *   mangling a guesser tries. `PASSWORD_TOO_COMMON`.
 * - Not one repeated character, not a plain run such as `1234567890` or `abcdefghijk`, and
 *   not containing the e-mail's local part or the phone number it protects.
 *   `PASSWORD_TOO_WEAK`.
 */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

const invalid = (code: string, message: string) => new UserError('INVALID_ARGUMENT', code, message);

let common: ReadonlySet<string> | undefined;

/** The list, lower-cased, built on first use. */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    dictionary['passwords-common'].map((p) => p.trim().toLowerCase()).filter((p) => p.length > 0),
  );
  return common;
}

/** The forms of a password compared with the list: as typed, without spaces, without a tail. */
function listForms(password: string): string[] {
  const lower = password.normalize('NFKC').toLowerCase().trim();
  const compact = lower.replace(/\s+/g, '');
  const forms = new Set([lower, compact]);
  for (const f of [lower, compact]) {
    const stem = f.replace(/[\d\s\p{P}\p{S}]+$/u, '');
    if (stem.length >= 4 && stem !== f) forms.add(stem);
  }
  return [...forms];
}

/** True when the password is on the common-password list, or a listed one with a tail. */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  return listForms(password).some((f) => list.has(f));
}

/** Every step between neighbouring characters the same +1 or -1: `123456789`, `zyxwvutsr`. */
function isPlainRun(password: string): boolean {
  const codes = [...password.toLowerCase()].map((c) => c.codePointAt(0)!);
  const step = codes[1] - codes[0];
  if (step !== 1 && step !== -1) return false;
  return codes.every((c, i) => i === 0 || c - codes[i - 1] === step);
}

/** Throws INVALID_ARGUMENT `PASSWORD_TOO_WEAK` or `PASSWORD_TOO_COMMON` for a bad new password. */
export function checkPasswordPolicy(password: string, identifiers: string[]): void {
  const length = typeof password === 'string' ? [...password].length : 0;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX)
    throw invalid(
      'PASSWORD_TOO_WEAK',
      `a password has ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`,
    );
  if (/^(.)\1*$/su.test(password))
    throw invalid('PASSWORD_TOO_WEAK', 'a password cannot be one repeated character');
  if (isPlainRun(password))
    throw invalid('PASSWORD_TOO_WEAK', 'a password cannot be a plain run such as 1234567890');
  const lower = password.toLowerCase();
  const parts = identifiers
    .map((id) => id.toLowerCase().split('@')[0].replace(/^\+/, ''))
    .filter((p) => p.length >= 4);
  if (parts.some((p) => lower.includes(p)))
    throw invalid(
      'PASSWORD_TOO_WEAK',
      'a password must not contain the e-mail or phone it protects',
    );
  if (isCommonPassword(password))
    throw invalid(
      'PASSWORD_TOO_COMMON',
      'this password is one of the most common ones in breached password lists; choose another (a few unrelated words work well)',
    );
}
