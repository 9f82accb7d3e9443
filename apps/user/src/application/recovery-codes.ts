import { normaliseRecoveryCode, RECOVERY_CODE_COUNT, recoveryCodeFrom } from '../domain/mfa';
import type { TokenSecrets, UserTx } from './ports';

/**
 * Ten fresh recovery codes for the account, replacing any it had (stored as hashes in
 * mfa_recovery_codes, as MFA enrolment stores them): the codes themselves, to show once.
 */
export async function issueRecoveryCodes(
  tx: UserTx,
  secrets: TokenSecrets,
  accountId: string,
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    recoveryCodeFrom(secrets.randomBytes(10)),
  );
  await tx.mfa.replaceRecoveryCodes(
    accountId,
    codes.map((c) => secrets.hash(normaliseRecoveryCode(c)!)),
  );
  return codes;
}
