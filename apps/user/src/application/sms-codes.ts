import { checkSmsCode, SMS_CODE_MAX_ATTEMPTS, type SmsCodePurpose } from '../domain/sms-code';
import type { UserTx } from './ports';
import type { OneTimeCodeHasher } from './security.ports';

export type SmsCodeUse =
  { outcome: 'OK' } | { outcome: 'WRONG'; attemptsLeft: number } | { outcome: 'EXPIRED' };

/**
 * Checks `submitted` against the latest code of the subject and purpose, in the caller's
 * transaction, and saves what happened: a right code is used up, a wrong one costs an attempt
 * (the caller must commit before it throws, so the attempt stays counted). `phone`, when given,
 * must be the number the code went to.
 */
export async function useSmsCode(
  tx: UserTx,
  hasher: OneTimeCodeHasher,
  bound: { accountId: string; purpose: SmsCodePurpose; subject: string; phone?: string },
  submitted: string,
  now: Date,
): Promise<SmsCodeUse> {
  const stored = await tx.smsCodes.latestForUpdate(bound.accountId, bound.purpose, bound.subject);
  const check = checkSmsCode(
    stored,
    submitted,
    (code, digits) => hasher.hash(code.id, digits) === code.codeHash,
    now,
    bound.phone,
  );
  if (check.outcome === 'EXPIRED') return check;
  await tx.smsCodes.save(check.code);
  return check.outcome === 'OK'
    ? { outcome: 'OK' }
    : { outcome: 'WRONG', attemptsLeft: SMS_CODE_MAX_ATTEMPTS - check.code.attempts };
}
