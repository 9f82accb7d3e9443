import { base32Decode, totp } from '../domain/totp';
import { PASSWORD, userHarness } from '../testing';

/**
 * Two-factor sign-in through the use cases against the in-memory unit of work: enrolment, the
 * challenge that a right password yields, each factor working once, wrong codes counting as
 * failed logins, and turning MFA off ending every session.
 */
describe('MFA', () => {
  const enrolled = async () => {
    const h = userHarness();
    const { account } = await h.signedIn('li@example.com');
    const { secret } = await h.mfa.begin(h.ctx, account.id);
    const key = base32Decode(secret);
    const code = () => totp(h.hmac, key, Math.floor(h.clock.now().getTime() / 1000));
    const recovery = await h.mfa.confirm(h.ctx, account.id, code());
    return { h, account, code, recovery };
  };
  const challenge = async (h: ReturnType<typeof userHarness>) => {
    const r = await h.login.execute(h.ctx, {
      identifier: 'li@example.com',
      password: PASSWORD,
      ip: '10.0.0.1',
      deviceId: 'phone-1',
    });
    if (!('mfa' in r)) throw new Error('expected an MFA challenge');
    return r.mfa.challenge;
  };

  it('confirming enrolment turns MFA on with ten recovery codes and an event; once', async () => {
    const { h, account, code, recovery } = await enrolled();
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    expect(h.store.mfa.get(account.id)!.status).toBe('ACTIVE');
    expect(h.store.outbox.at(-1)).toMatchObject({ type: 'mfaChanged', data: { enabled: true } });
    await expect(h.mfa.confirm(h.ctx, account.id, code())).rejects.toMatchObject({
      code: 'MFA_ALREADY_ENABLED',
    });
    await expect(h.mfa.begin(h.ctx, account.id)).rejects.toMatchObject({
      code: 'MFA_ALREADY_ENABLED',
    });
  });

  it('the right code opens one session; the challenge and the code cannot be used again', async () => {
    const { h, account, code } = await enrolled();
    h.clock.advance(30_000); // the next TOTP step: the enrolment step is spent
    const c = await challenge(h);
    const sessions = h.store.familiesOf(account.id).length;
    const first = await h.mfa.completeLogin(h.ctx, { challenge: c, code: code() });
    expect(first.tokens.refreshToken).toBeTruthy();
    expect(h.store.familiesOf(account.id)).toHaveLength(sessions + 1);
    await expect(h.mfa.completeLogin(h.ctx, { challenge: c, code: code() })).rejects.toMatchObject({
      code: 'MFA_CHALLENGE_INVALID',
    });
    // a fresh challenge with the same (spent) step's code is refused
    const again = await challenge(h);
    await expect(
      h.mfa.completeLogin(h.ctx, { challenge: again, code: code() }),
    ).rejects.toMatchObject({ code: 'MFA_CODE_INVALID' });
    expect(h.store.familiesOf(account.id)).toHaveLength(sessions + 1);
  });

  it('a wrong code uses an attempt and counts as a failed login; a recovery code works once', async () => {
    const { h, account, recovery } = await enrolled();
    const c = await challenge(h);
    await expect(
      h.mfa.completeLogin(h.ctx, { challenge: c, code: '000000' }),
    ).rejects.toMatchObject({ code: 'MFA_CODE_INVALID' });
    expect([...h.store.challenges.values()][0].attempts).toBe(1);
    expect(h.throttle.failures.get('li@example.com')).toBe(1);
    const ok = await h.mfa.completeLogin(h.ctx, { challenge: c, code: recovery[0] });
    expect(ok.recoveryCodesLeft).toBe(9);
    expect(h.throttle.failures.has('li@example.com')).toBe(false);
    await expect(
      h.mfa.completeLogin(h.ctx, { challenge: await challenge(h), code: recovery[0] }),
    ).rejects.toMatchObject({ code: 'MFA_CODE_INVALID' });
    expect(h.store.familiesOf(account.id).filter((f) => !f.revokedAt)).toHaveLength(2);
  });

  it('turning MFA off needs the password and a factor, and ends every session', async () => {
    const { h, account, recovery } = await enrolled();
    await expect(
      h.mfa.disable(h.ctx, { accountId: account.id, password: 'wrong', code: recovery[0] }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(
      h.mfa.disable(h.ctx, { accountId: account.id, password: PASSWORD, code: '000000' }),
    ).rejects.toMatchObject({ code: 'MFA_CODE_INVALID' });
    expect(h.store.mfa.has(account.id)).toBe(true);
    await h.mfa.disable(h.ctx, { accountId: account.id, password: PASSWORD, code: recovery[1] });
    expect(h.store.mfa.has(account.id)).toBe(false);
    expect(h.store.recoveryCodes.size).toBe(0);
    expect(h.store.familiesOf(account.id).map((f) => f.revokedReason)).toEqual(['MFA_DISABLED']);
    expect(h.store.revocations).toEqual([{ accountId: account.id, before: h.clock.now() }]);
    expect(h.store.outbox.at(-1)).toMatchObject({ type: 'mfaChanged', data: { enabled: false } });
  });
});
