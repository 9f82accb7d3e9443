import { base32Decode, totp } from '../domain/totp';
import { PASSWORD, userHarness, type UserHarness } from '../testing';
import { withPasskeys } from '../testing/passkey-harness';
import { assertRecentStepUp } from './step-up';

/**
 * Step-up through the use cases against the in-memory ports: sensitive changes refused until a
 * second factor (or, without one, the password) is proved in the session, allowed for the window,
 * wrong answers counted like wrong MFA codes, and the `mfa_at` claim carried by the tokens.
 */
const WINDOW = 5 * 60_000;

async function signedInSession(h: UserHarness, email = 'li@example.com', deviceId = 'phone-1') {
  const { account, tokens } = await h.signedIn(email, deviceId);
  const sessionId = h.signer.signed.at(-1)!.sessionId;
  return { account, tokens, sessionId };
}

async function withTotp(h: UserHarness) {
  const s = await signedInSession(h);
  const { secret } = await h.mfa.begin(h.ctx, s.account.id);
  const key = base32Decode(secret);
  const code = () => totp(h.hmac, key, Math.floor(h.clock.now().getTime() / 1000));
  const recovery = await h.mfa.confirm(h.ctx, s.account.id, code());
  h.clock.advance(30_000); // the enrolment's step is spent
  return { ...s, code, recovery };
}

describe('step-up', () => {
  it('without a second factor: refused, then the password steps up for the window', async () => {
    const h = userHarness();
    const { account, sessionId } = await signedInSession(h);
    const change = () =>
      h.security.changeEmail(h.ctx, { accountId: account.id, sessionId, email: 'new@example.com' });
    await expect(change()).rejects.toMatchObject({
      kind: 'FAILED_PRECONDITION',
      code: 'STEP_UP_REQUIRED',
    });
    expect(await h.stepUp.begin(h.ctx, account.id, sessionId)).toEqual({
      methods: ['PASSWORD'],
      passkeyOptionsJson: '',
      maskedPhone: '',
    });
    const input = { accountId: account.id, sessionId, method: 'PASSWORD', ip: '10.0.0.1' };
    await expect(h.stepUp.stepUp(h.ctx, { ...input, password: 'wrong' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(h.throttle.failures.get(account.email!)).toBe(1);

    const r = await h.stepUp.stepUp(h.ctx, { ...input, password: PASSWORD });
    expect(r.steppedUpAt).toEqual(h.clock.now());
    expect(r.validUntil).toEqual(new Date(h.clock.now().getTime() + WINDOW));
    // a new access token of the same session, `mfa_at` now
    expect(h.signer.signed.at(-1)).toMatchObject({ sessionId, mfaAt: h.clock.now() });
    expect(r.accessToken).toContain(sessionId);
    expect(h.store.families.get(sessionId)!.family.secondFactorAt).toEqual(h.clock.now());
    expect(h.throttle.failures.has(account.email!)).toBe(false);

    expect((await change()).email).toBe('new@example.com');
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'securityChanged',
      data: { change: 'EMAIL', detail: 'n**@example.com' },
    });
    h.clock.advance(WINDOW);
    await expect(
      h.security.changeEmail(h.ctx, { accountId: account.id, sessionId, email: 'x@example.com' }),
    ).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED' });
  });

  it('a step-up holds in its own session only', async () => {
    const h = userHarness();
    const li = await signedInSession(h, 'li@example.com');
    const other = await signedInSession(h, 'wang@example.com');
    await h.stepUp.stepUp(h.ctx, {
      accountId: li.account.id,
      sessionId: li.sessionId,
      method: 'PASSWORD',
      password: PASSWORD,
    });
    const now = h.clock.now();
    await h.uow.run(h.ctx, (tx) => assertRecentStepUp(tx, li.account.id, li.sessionId, now));
    for (const [account, session] of [
      [li.account.id, other.sessionId],
      [other.account.id, li.sessionId],
      [li.account.id, 'not-a-session'],
      [li.account.id, ''],
    ])
      await expect(
        h.uow.run(h.ctx, (tx) => assertRecentStepUp(tx, account, session, now)),
      ).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED' });
    // a session that ended cannot step up
    await h.logout.execute(h.ctx, li.tokens.refreshToken);
    await expect(
      h.stepUp.stepUp(h.ctx, {
        accountId: li.account.id,
        sessionId: li.sessionId,
        method: 'PASSWORD',
        password: PASSWORD,
      }),
    ).rejects.toMatchObject({ code: 'SESSION_ENDED' });
  });

  it('with TOTP: the password is refused, a code steps up once, a recovery code too', async () => {
    const h = userHarness();
    const { account, sessionId, code, recovery } = await withTotp(h);
    expect((await h.stepUp.begin(h.ctx, account.id, sessionId)).methods).toEqual([
      'TOTP',
      'RECOVERY_CODE',
    ]);
    const input = { accountId: account.id, sessionId };
    await expect(
      h.stepUp.stepUp(h.ctx, { ...input, method: 'PASSWORD', password: PASSWORD }),
    ).rejects.toMatchObject({ code: 'MFA_METHOD_UNAVAILABLE' });
    await expect(
      h.stepUp.stepUp(h.ctx, { ...input, method: 'SMS', code: '123456' }),
    ).rejects.toMatchObject({ code: 'MFA_METHOD_UNAVAILABLE' });
    const c = code();
    await h.stepUp.stepUp(h.ctx, { ...input, method: 'TOTP', code: c });
    await expect(
      h.stepUp.stepUp(h.ctx, { ...input, method: 'TOTP', code: c }),
    ).rejects.toMatchObject({ code: 'MFA_CODE_INVALID' });
    h.clock.advance(WINDOW);
    await h.stepUp.stepUp(h.ctx, { ...input, method: 'RECOVERY_CODE', code: recovery[0] });
    expect(h.store.families.get(sessionId)!.family.secondFactorAt).toEqual(h.clock.now());
  });

  it('wrong codes count as failed sign-ins: the fifth locks the account', async () => {
    const h = userHarness();
    const { account, sessionId, code } = await withTotp(h);
    const wrong = () =>
      h.stepUp.stepUp(h.ctx, {
        accountId: account.id,
        sessionId,
        method: 'TOTP',
        code: '000000',
        ip: '10.0.0.9',
      });
    for (let i = 0; i < 5; i++)
      await expect(wrong()).rejects.toMatchObject({ code: 'MFA_CODE_INVALID' });
    expect(h.store.eventTypes(account.id)).toContain('accountLocked');
    await expect(
      h.stepUp.stepUp(h.ctx, { accountId: account.id, sessionId, method: 'TOTP', code: code() }),
    ).rejects.toMatchObject({ code: 'LOGIN_LOCKED' });
  });

  it('an MFA sign-in is stepped up from its start; a refresh keeps mfa_at and records its use', async () => {
    const h = userHarness();
    const { account, code } = await withTotp(h);
    const r = await h.login.execute(h.ctx, {
      identifier: account.email!,
      password: PASSWORD,
      ip: '203.0.113.9',
      deviceId: 'laptop-1',
      userAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    });
    if (!('mfa' in r)) throw new Error('expected an MFA challenge');
    expect(r.mfa).toMatchObject({ methods: ['TOTP', 'RECOVERY_CODE'], maskedPhone: '' });
    const signedInAt = h.clock.now();
    const done = await h.mfa.completeLogin(h.ctx, { challenge: r.mfa.challenge, code: code() });
    const session = h.store.familiesOf(account.id).at(-1)!;
    expect(session).toMatchObject({
      signedInWith: 'PASSWORD+TOTP',
      secondFactorAt: signedInAt,
      client: { deviceId: 'laptop-1', deviceName: 'Chrome 131 on Windows', place: '浙江省杭州市' },
    });
    // a new device: the anomaly says what it is, where, and how it signed in
    expect(h.store.outbox.find((e) => e.type === 'loginAnomaly')).toMatchObject({
      data: {
        kinds: ['NEW_DEVICE', 'NEW_IP'],
        deviceName: 'Chrome 131 on Windows',
        place: '浙江省杭州市',
        signedInWith: 'PASSWORD+TOTP',
      },
    });
    h.clock.advance(60_000);
    await h.refresh.execute(h.ctx, done.tokens.refreshToken, { ip: '10.0.0.7' });
    expect(h.signer.signed.at(-1)).toMatchObject({ sessionId: session.id, mfaAt: signedInAt });
    expect(h.store.families.get(session.id)!.family).toMatchObject({
      lastUsedAt: h.clock.now(),
      client: { ip: '10.0.0.7', place: 'local network', deviceId: 'laptop-1' },
    });
  });

  it('with a passkey: its assertion steps up; as the second step of a TOTP sign-in too', async () => {
    const h = userHarness();
    const p = withPasskeys(h);
    const me = await p.steppedUp('li@example.com');
    const key = p.authenticator();
    await p.register(me, key);
    h.clock.advance(10 * 60_000); // the registration's step-up is stale now
    const begun = await h.stepUp.begin(h.ctx, me.account.id, me.sessionId);
    // the first passkey came with recovery codes
    expect(begun.methods).toEqual(['PASSKEY', 'RECOVERY_CODE']);
    const input = { accountId: me.account.id, sessionId: me.sessionId, method: 'PASSKEY' };
    await expect(
      h.stepUp.stepUp(h.ctx, { ...input, passkeyResponseJson: '{"nope":1}' }),
    ).rejects.toMatchObject({ code: 'PASSKEY_RESPONSE_INVALID' });
    await h.stepUp.stepUp(h.ctx, {
      ...input,
      passkeyResponseJson: key.get(begun.passkeyOptionsJson),
    });
    expect(h.signer.signed.at(-1)).toMatchObject({ sessionId: me.sessionId, mfaAt: h.clock.now() });
    // a used challenge does not step up again
    await expect(
      h.stepUp.stepUp(h.ctx, { ...input, passkeyResponseJson: key.get(begun.passkeyOptionsJson) }),
    ).rejects.toMatchObject({ code: 'PASSKEY_CHALLENGE_INVALID' });

    // TOTP on: a sign-in may be completed with the passkey
    const { secret } = await h.mfa.begin(h.ctx, me.account.id);
    const totpKey = base32Decode(secret);
    await h.mfa.confirm(
      h.ctx,
      me.account.id,
      totp(h.hmac, totpKey, Math.floor(h.clock.now().getTime() / 1000)),
    );
    const r = await h.login.execute(h.ctx, {
      identifier: 'li@example.com',
      password: PASSWORD,
      ip: '10.0.0.1',
      deviceId: 'phone-1',
    });
    if (!('mfa' in r)) throw new Error('expected an MFA challenge');
    expect(r.mfa.methods).toEqual(['TOTP', 'PASSKEY', 'RECOVERY_CODE']);
    const options = await p.passkeyLogin.begin(h.ctx, { mfaChallenge: r.mfa.challenge });
    await h.mfa.completeLogin(h.ctx, {
      challenge: r.mfa.challenge,
      code: '',
      method: 'PASSKEY',
      passkeyResponseJson: key.get(options.optionsJson),
    });
    expect(h.store.familiesOf(me.account.id).at(-1)).toMatchObject({
      signedInWith: 'PASSWORD+PASSKEY',
      secondFactorAt: h.clock.now(),
    });
  });
});
