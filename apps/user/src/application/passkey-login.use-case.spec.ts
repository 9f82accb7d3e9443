import { PASSWORD } from '../testing/builders';
import { userHarness } from '../testing/harness';
import { withPasskeys } from '../testing/passkey-harness';

/**
 * Signing in with a passkey through the use cases (in-memory ports, the real WebAuthn adapter,
 * soft authenticators): without a password, as the second step of a password login, and as a
 * step-up's proof (StepUpUseCase).
 */
describe('passkeys: signing in', () => {
  const setup = async () => {
    const h = userHarness();
    const p = withPasskeys(h);
    const me = await p.steppedUp('li@example.com');
    const phone = p.authenticator();
    const { passkey } = await p.register(me, phone);
    const client = { ip: '10.0.0.9', deviceId: 'tablet-1', userAgent: 'Mozilla/5.0 Chrome/131' };
    /** navigator.credentials.get for fresh sign-in options, answered by `authenticator`. */
    const answer = async (authenticator = phone, override = {}) => {
      const begun = await p.passkeyLogin.begin(h.ctx, {});
      return {
        passkeyChallenge: begun.passkeyChallenge,
        responseJson: authenticator.get(begun.optionsJson, override),
      };
    };
    const signIn = async (authenticator = phone, override = {}) =>
      p.passkeyLogin.finish(h.ctx, { ...(await answer(authenticator, override)), ...client });
    return { h, p, me, phone, passkey, client, answer, signIn };
  };

  it('signs in without a password: a session with both factors proved, the passkey used now', async () => {
    const { h, p, me, passkey, signIn } = await setup();
    const begun = await p.passkeyLogin.begin(h.ctx, {});
    const options = JSON.parse(begun.optionsJson);
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'preferred' });
    expect(options.allowCredentials ?? []).toEqual([]); // any discoverable passkey
    expect(begun.passkeyChallenge).toBe(options.challenge);

    h.clock.advance(60_000);
    const sessions = h.store.familiesOf(me.account.id).length;
    const r = await signIn();
    expect(r.account.id).toBe(me.account.id);
    expect(r.tokens.refreshToken).toBeTruthy();
    const session = h.store.familiesOf(me.account.id).at(-1)!;
    expect(h.store.familiesOf(me.account.id)).toHaveLength(sessions + 1);
    expect(session).toMatchObject({ signedInWith: 'PASSKEY', secondFactorAt: h.clock.now() });
    expect(h.store.passkeys.get(passkey.id)).toMatchObject({
      counter: 1,
      lastUsedAt: h.clock.now(),
    });
    expect(h.risk.scored.at(-1)).toEqual({
      accountId: me.account.id,
      ip: '10.0.0.9',
      deviceId: 'tablet-1',
    });
    // a new device: reported as a password login's would be
    expect(h.store.eventTypes(me.account.id)).toContain('loginAnomaly');
  });

  it('refuses a cloned authenticator (the counter did not go up), a wrong challenge, and a used one', async () => {
    const { h, p, phone, answer, client, signIn } = await setup();
    await signIn(); // counter 1
    await expect(signIn(phone, { counter: 1 })).rejects.toMatchObject({
      code: 'PASSKEY_VERIFICATION_FAILED',
      kind: 'UNAUTHENTICATED',
    });
    const a = await answer();
    await expect(
      p.passkeyLogin.finish(h.ctx, { ...a, passkeyChallenge: 'something-else', ...client }),
    ).rejects.toMatchObject({ code: 'PASSKEY_CHALLENGE_INVALID' });
    await p.passkeyLogin.finish(h.ctx, { ...a, ...client });
    await expect(p.passkeyLogin.finish(h.ctx, { ...a, ...client })).rejects.toMatchObject({
      code: 'PASSKEY_CHALLENGE_INVALID',
      kind: 'UNAUTHENTICATED',
    });
    const late = await answer();
    h.clock.advance(5 * 60_000);
    await expect(p.passkeyLogin.finish(h.ctx, { ...late, ...client })).rejects.toMatchObject({
      code: 'PASSKEY_CHALLENGE_INVALID',
    });
  });

  it('refuses another origin, an authenticator that did not verify the user, and bad JSON', async () => {
    const { h, p, me, phone, client, signIn } = await setup();
    await expect(signIn(phone, { origin: 'https://evil.example' })).rejects.toMatchObject({
      code: 'PASSKEY_VERIFICATION_FAILED',
    });
    // without user verification a passkey is one factor: not enough without a password
    await expect(signIn(phone, { userVerified: false })).rejects.toMatchObject({
      code: 'PASSKEY_VERIFICATION_FAILED',
    });
    await expect(
      p.passkeyLogin.finish(h.ctx, { passkeyChallenge: 'x', responseJson: '{', ...client }),
    ).rejects.toMatchObject({ code: 'PASSKEY_RESPONSE_INVALID', kind: 'INVALID_ARGUMENT' });
    expect(h.store.familiesOf(me.account.id)).toHaveLength(1);
  });

  it('counts failures per passkey and address like wrong passwords: the throttle locks', async () => {
    const { h, phone, passkey, signIn } = await setup();
    for (let i = 0; i < 5; i++)
      await expect(signIn(phone, { origin: 'https://evil.example' })).rejects.toMatchObject({
        code: 'PASSKEY_VERIFICATION_FAILED',
      });
    await expect(signIn()).rejects.toMatchObject({ code: 'LOGIN_LOCKED' });
    h.clock.advance(15 * 60_000 + 1);
    await signIn();
    expect(h.throttle.failures.get(`passkey:${passkey.id}`)).toBeUndefined();
  });

  it('a removed passkey signs in no more; another relying party’s or unknown credential neither', async () => {
    const { h, p, me, phone, passkey, signIn } = await setup();
    await p.passkeys.remove(h.ctx, {
      accountId: me.account.id,
      sessionId: me.sessionId,
      passkeyId: passkey.id,
    });
    await expect(signIn(phone)).rejects.toMatchObject({
      code: 'PASSKEY_NOT_FOUND',
      kind: 'UNAUTHENTICATED',
    });
  });

  it('refuses a frozen account after the passkey verified, an erased one, and what risk rejects', async () => {
    const { h, me, signIn } = await setup();
    h.risk.verdict = { decision: 'REJECT', score: 99, reasons: ['LISTED_IP'], degraded: false };
    await expect(signIn()).rejects.toMatchObject({ code: 'LOGIN_BLOCKED' });
    h.risk.verdict = { decision: 'REVIEW', score: 60, reasons: [], degraded: false };
    await signIn(); // the passkey is a second factor already: nothing more to ask
    await h.freeze.execute(h.ctx, {
      accountId: me.account.id,
      frozen: true,
      reason: 'chargeback',
      operatorId: 'op',
    });
    await expect(signIn()).rejects.toMatchObject({ code: 'ACCOUNT_FROZEN' });
    await h.freeze.execute(h.ctx, { accountId: me.account.id, frozen: false });
    await h.privacy.deleteAccount(h.ctx, {
      accountId: me.account.id,
      byOperator: true,
      operatorId: 'op',
    });
    await expect(signIn()).rejects.toMatchObject({ code: 'PASSKEY_NOT_FOUND' });
  });

  it('offers only the account’s passkeys for a password login’s MFA challenge', async () => {
    const { h, p, me, passkey } = await setup();
    // without MFA on, a password alone signs in: passkeys do not force a second factor
    const plain = await h.login.execute(h.ctx, {
      identifier: 'li@example.com',
      password: PASSWORD,
      ip: '10.0.0.1',
    });
    expect('tokens' in plain).toBe(true);
    // an MFA challenge as a password login with MFA on leaves it
    const mfaChallenge = 'mfa-token-1';
    await h.uow.run(h.ctx, (tx) =>
      tx.mfa.insertChallenge(
        {
          id: '0190b000-0000-7000-8000-0000000000ff',
          accountId: me.account.id,
          throttleKey: 'li@example.com',
          deviceId: '',
          ip: '10.0.0.1',
          userAgent: '',
          expiresAt: new Date(h.clock.now().getTime() + 60_000),
          attempts: 0,
          usedAt: null,
        },
        h.secrets.hash(mfaChallenge),
      ),
    );
    const begun = await p.passkeyLogin.begin(h.ctx, { mfaChallenge });
    expect(begun.passkeyChallenge).toBe('');
    const options = JSON.parse(begun.optionsJson);
    expect(options.allowCredentials).toEqual([
      { id: passkey.id, type: 'public-key', transports: ['internal'] },
    ]);
    const stored = [...h.store.passkeyChallenges.values()].at(-1);
    expect(stored).toMatchObject({
      ceremony: 'SECOND_FACTOR',
      accountId: me.account.id,
      mfaChallengeId: '0190b000-0000-7000-8000-0000000000ff',
    });
    await expect(p.passkeyLogin.begin(h.ctx, { mfaChallenge: 'unknown' })).rejects.toMatchObject({
      code: 'MFA_CHALLENGE_INVALID',
    });
  });

  it('proves a step-up once, with the account’s own passkey only', async () => {
    const { h, p, me, phone } = await setup();
    const other = await p.steppedUp('other@example.com');
    await p.register(other, p.authenticator());
    const begun = await h.stepUp.begin(h.ctx, me.account.id, me.sessionId);
    expect(JSON.parse(begun.passkeyOptionsJson).allowCredentials).toHaveLength(1);
    const response = phone.get(begun.passkeyOptionsJson);
    const stepUp = (who: { account: { id: string }; sessionId: string }) =>
      h.stepUp.stepUp(h.ctx, {
        accountId: who.account.id,
        sessionId: who.sessionId,
        method: 'PASSKEY',
        passkeyResponseJson: response,
      });
    // another account's session cannot use this account's assertion (not its challenge)
    await expect(stepUp(other)).rejects.toMatchObject({ code: 'PASSKEY_CHALLENGE_INVALID' });
    await expect(stepUp(me)).resolves.toMatchObject({ steppedUpAt: h.clock.now() });
    await expect(stepUp(me)).rejects.toMatchObject({ code: 'PASSKEY_CHALLENGE_INVALID' }); // used
  });
});
