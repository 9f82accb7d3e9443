import { loginRiskOutcome, type LoginRiskVerdict } from './login-risk';

const verdict = (decision: LoginRiskVerdict['decision'], degraded = false): LoginRiskVerdict => ({
  decision,
  score: decision === 'ALLOW' ? 0 : 100,
  reasons: decision === 'ALLOW' ? [] : ['LISTED_IP'],
  degraded,
});

describe('what a sign-in does with risk', () => {
  it.each([true, false])('refuses a REJECT with LOGIN_BLOCKED, MFA or not (mfa %p)', (mfa) => {
    expect(() => loginRiskOutcome(verdict('REJECT'), mfa)).toThrow(
      expect.objectContaining({ kind: 'PERMISSION_DENIED', code: 'LOGIN_BLOCKED' }),
    );
  });

  it('lets a REVIEW through to the second factor when the account has one', () => {
    expect(loginRiskOutcome(verdict('REVIEW'), true)).toBe('PROCEED');
  });

  it('signs a REVIEW in, flagged, when there is no second factor to ask for', () => {
    expect(loginRiskOutcome(verdict('REVIEW'), false)).toBe('PROCEED_FLAGGED');
  });

  it.each([true, false])('signs an ALLOW in (mfa %p)', (mfa) => {
    expect(loginRiskOutcome(verdict('ALLOW'), mfa)).toBe('PROCEED');
  });

  it('signs in unflagged when risk did not answer (fail open)', () => {
    expect(loginRiskOutcome(verdict('ALLOW', true), false)).toBe('PROCEED');
  });
});
