import { aRegistration, PASSWORD, userHarness, type UserHarness } from '../testing';

/**
 * SMS one-time codes through the use cases against the in-memory ports: turning SMS on as a
 * second factor, signing in with it, the send limits and cooldown, a phone change proved by a
 * code, and never pretending when codes cannot be sent.
 */
const PHONE = '+8613800138000';

async function withPhone(h: UserHarness, email = 'li@example.com', phone = PHONE) {
  const account = await h.register.execute(h.ctx, aRegistration(email, { phone }));
  await h.login.execute(h.ctx, { identifier: email, password: PASSWORD, ip: '10.0.0.1' });
  const sessionId = h.signer.signed.at(-1)!.sessionId;
  const session = { accountId: account.id, sessionId };
  const stepUp = () =>
    h.stepUp.stepUp(h.ctx, { ...session, method: 'PASSWORD', password: PASSWORD });
  return { account, sessionId, session, stepUp };
}

async function smsOn(h: UserHarness) {
  const s = await withPhone(h);
  await s.stepUp();
  await h.sendSmsCode.execute(h.ctx, { purpose: 'ENABLE_SMS_MFA', ...s.session, ip: '10.0.0.1' });
  await h.security.setSmsMfa(h.ctx, {
    ...s.session,
    enabled: true,
    code: h.smsSender.lastCode(PHONE),
  });
  h.clock.advance(61_000); // past the resend cooldown
  return s;
}

describe('SMS one-time codes', () => {
  it('turning SMS on needs a step-up and the code sent to the phone', async () => {
    const h = userHarness();
    const s = await withPhone(h);
    const sent = await h.sendSmsCode.execute(h.ctx, {
      purpose: 'SMS_CODE_PURPOSE_ENABLE_SMS_MFA',
      ...s.session,
    });
    expect(sent).toEqual({
      maskedPhone: '+86138****8000',
      expiresAt: new Date(h.clock.now().getTime() + 5 * 60_000),
      resendAfter: new Date(h.clock.now().getTime() + 60_000),
    });
    expect(h.smsSender.sent.at(-1)).toMatchObject({
      accountId: s.account.id,
      phone: PHONE,
      purpose: 'ENABLE_SMS_MFA',
      validMinutes: 5,
    });
    const code = h.smsSender.lastCode(PHONE);
    // stored hashed only
    expect([...h.store.smsCodes.values()].at(-1)!.codeHash).not.toBe(code);
    const enable = (c: string) =>
      h.security.setSmsMfa(h.ctx, { ...s.session, enabled: true, code: c });
    await expect(enable(code)).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED' });
    await s.stepUp();
    const wrong = code === '000000' ? '000001' : '000000';
    await expect(enable(wrong)).rejects.toMatchObject({
      code: 'SMS_CODE_INVALID',
      details: { attemptsLeft: 4 },
    });
    expect(await enable(code)).toBe(true);
    expect(h.store.smsMfa.has(s.account.id)).toBe(true);
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'securityChanged',
      data: { change: 'SMS_MFA_ON', detail: '+86138****8000' },
    });
    await expect(enable(code)).resolves.toBe(true); // already on: nothing to prove
    const details = await h.profile.details(h.ctx, s.account.id);
    expect(details).toMatchObject({ mfaEnabled: true, smsMfaEnabled: true, totpEnabled: false });
    // off again: the step-up alone
    expect(await h.security.setSmsMfa(h.ctx, { ...s.session, enabled: false })).toBe(false);
    expect(h.store.outbox.at(-1)).toMatchObject({ data: { change: 'SMS_MFA_OFF' } });
  });

  it('a sign-in asks for the SMS code; the code opens the session once', async () => {
    const h = userHarness();
    const { account } = await smsOn(h);
    const r = await h.login.execute(h.ctx, {
      identifier: account.email!,
      password: PASSWORD,
      ip: '10.0.0.1',
    });
    if (!('mfa' in r)) throw new Error('expected an MFA challenge');
    expect(r.mfa).toMatchObject({ methods: ['SMS'], maskedPhone: '+86138****8000' });
    const complete = (code: string) =>
      h.mfa.completeLogin(h.ctx, { challenge: r.mfa.challenge, code, method: 'SMS' });
    await expect(complete('123456')).rejects.toMatchObject({ code: 'SMS_CODE_EXPIRED' });
    await h.sendSmsCode.execute(h.ctx, { purpose: 'LOGIN', mfaChallenge: r.mfa.challenge });
    const code = h.smsSender.lastCode(PHONE);
    await expect(complete(code === '111111' ? '222222' : '111111')).rejects.toMatchObject({
      code: 'SMS_CODE_INVALID',
    });
    expect(h.throttle.failures.get(account.email!)).toBe(1);
    const done = await complete(code);
    expect(done.tokens.refreshToken).toBeTruthy();
    expect(h.store.familiesOf(account.id).at(-1)).toMatchObject({
      signedInWith: 'PASSWORD+SMS',
      secondFactorAt: h.clock.now(),
    });
    await expect(complete(code)).rejects.toMatchObject({ code: 'MFA_CHALLENGE_INVALID' });
    // a step-up by SMS, in that session
    const sessionId = h.signer.signed.at(-1)!.sessionId;
    h.clock.advance(61_000);
    expect((await h.stepUp.begin(h.ctx, account.id, sessionId)).maskedPhone).toBe('+86138****8000');
    await h.sendSmsCode.execute(h.ctx, { purpose: 'STEP_UP', accountId: account.id, sessionId });
    await h.stepUp.stepUp(h.ctx, {
      accountId: account.id,
      sessionId,
      method: 'SMS',
      code: h.smsSender.lastCode(PHONE),
    });
  });

  it('a LOGIN code needs an open challenge of an account with SMS on', async () => {
    const h = userHarness();
    await withPhone(h);
    await expect(
      h.sendSmsCode.execute(h.ctx, { purpose: 'LOGIN', mfaChallenge: 'nope' }),
    ).rejects.toMatchObject({ code: 'MFA_CHALLENGE_INVALID' });
    await expect(h.sendSmsCode.execute(h.ctx, { purpose: 'FAX' })).rejects.toMatchObject({
      code: 'SMS_PURPOSE_INVALID',
    });
    expect(h.smsSender.sent).toHaveLength(0);
  });

  it('a resend waits for the cooldown; five per number per hour', async () => {
    const h = userHarness();
    const s = await withPhone(h);
    const send = () =>
      h.sendSmsCode.execute(h.ctx, { purpose: 'ENABLE_SMS_MFA', ...s.session, ip: '10.0.0.1' });
    await send();
    h.clock.advance(20_000);
    await expect(send()).rejects.toMatchObject({
      kind: 'RESOURCE_EXHAUSTED',
      code: 'SMS_CODE_COOLDOWN',
      details: { retryAfterSeconds: 40 },
    });
    for (let i = 0; i < 4; i++) {
      h.clock.advance(60_000);
      await send();
    }
    h.clock.advance(60_000);
    await expect(send()).rejects.toMatchObject({
      code: 'SMS_SEND_LIMITED',
      details: { scope: 'PHONE' },
    });
    expect(h.smsSender.sent).toHaveLength(5);
    // only the latest code works
    const codes = h.smsSender.sent.map((m) => m.code);
    await s.stepUp();
    if (codes[0] !== codes[4])
      await expect(
        h.security.setSmsMfa(h.ctx, { ...s.session, enabled: true, code: codes[0] }),
      ).rejects.toMatchObject({ code: 'SMS_CODE_INVALID' });
    expect(await h.security.setSmsMfa(h.ctx, { ...s.session, enabled: true, code: codes[4] })).toBe(
      true,
    );
  });

  it('never pretends: no notification service, or a send that failed', async () => {
    const h = userHarness();
    const s = await withPhone(h);
    h.smsSender.failNext();
    await expect(
      h.sendSmsCode.execute(h.ctx, { purpose: 'ENABLE_SMS_MFA', ...s.session }),
    ).rejects.toMatchObject({ kind: 'UNAVAILABLE', code: 'SMS_UNAVAILABLE' });
    expect(h.store.smsCodes.size).toBe(0); // the code that never went out is gone
    h.smsSender.configured = false;
    await expect(
      h.sendSmsCode.execute(h.ctx, { purpose: 'ENABLE_SMS_MFA', ...s.session }),
    ).rejects.toMatchObject({ code: 'SMS_UNAVAILABLE' });
    expect(h.smsLimiter.sends).toHaveLength(1); // the refused send counted nothing
  });

  it('a phone change is proved by a code sent to the new phone; numbers stay unique', async () => {
    const h = userHarness();
    await h.register.execute(h.ctx, aRegistration('wang@example.com', { phone: '+8613900139000' }));
    const s = await withPhone(h);
    const send = (phone: string) =>
      h.sendSmsCode.execute(h.ctx, { purpose: 'PHONE_CHANGE', ...s.session, phone });
    await expect(send('+8613700137000')).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED' });
    await s.stepUp();
    await expect(send('+8613900139000')).rejects.toMatchObject({
      kind: 'ALREADY_EXISTS',
      code: 'PHONE_TAKEN',
    });
    await expect(send(PHONE)).rejects.toMatchObject({ code: 'PHONE_UNCHANGED' });
    await send('+86 137 0013 7000');
    expect(h.smsSender.sent.at(-1)).toMatchObject({ accountId: '', phone: '+8613700137000' });
    const code = h.smsSender.lastCode('+8613700137000');
    await expect(
      h.security.changePhone(h.ctx, { ...s.session, phone: '+8613600136000', code }),
    ).rejects.toMatchObject({ code: 'SMS_CODE_EXPIRED' });
    const changed = await h.security.changePhone(h.ctx, {
      ...s.session,
      phone: '+8613700137000',
      code,
    });
    expect(changed.phone).toBe('+8613700137000');
    expect(h.store.accounts.get(s.account.id)!.phone).toBe('+8613700137000');
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'securityChanged',
      data: { change: 'PHONE', detail: '+86137****7000' },
    });
    await expect(
      h.security.changeEmail(h.ctx, { ...s.session, email: 'wang@example.com' }),
    ).rejects.toMatchObject({ kind: 'ALREADY_EXISTS', code: 'EMAIL_TAKEN' });
  });
});
