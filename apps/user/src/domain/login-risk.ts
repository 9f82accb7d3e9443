import { UserError } from './user-error';

/** Risk's answer about a sign-in, or what stands in for it when risk does not answer. */
export interface LoginRiskVerdict {
  decision: 'ALLOW' | 'REVIEW' | 'REJECT';
  score: number;
  /** Stable reason codes from risk (`LISTED_IP`, `LOGIN_VELOCITY_IP`, …). */
  reasons: string[];
  /** True when risk did not answer in time (or answered nonsense): the sign-in was not scored. */
  degraded: boolean;
}

/**
 * What a sign-in with a right password does with risk's verdict:
 * - REJECT: refused (`LOGIN_BLOCKED`), whatever the second factor;
 * - REVIEW: an account with MFA is asked for its second factor, as it always is; one without
 *   signs in, flagged (logged; risk has the decision in its audit trail) — there is nothing more
 *   to ask of it, and locking people out on a heuristic is worse than a flag;
 * - ALLOW, or no verdict (risk down, slow or not configured: fail open): signs in.
 */
export function loginRiskOutcome(
  verdict: LoginRiskVerdict,
  mfaActive: boolean,
): 'PROCEED' | 'PROCEED_FLAGGED' {
  if (verdict.decision === 'REJECT')
    throw new UserError(
      'PERMISSION_DENIED',
      'LOGIN_BLOCKED',
      'this sign-in was blocked by risk control; contact support if this is a mistake',
    );
  return verdict.decision === 'REVIEW' && !mfaActive ? 'PROCEED_FLAGGED' : 'PROCEED';
}
