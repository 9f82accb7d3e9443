import { PASSWORD } from '../testing/builders';
import { userHarness } from '../testing/harness';
import { withPasskeys } from '../testing/passkey-harness';

/**
 * Registering and managing passkeys through the use cases, against the in-memory unit of work,
 * the real WebAuthn adapter and soft authenticators (ES256, attestation "none").
 */
describe('passkeys: registration and management', () => {
  const setup = async () => {
    const h = userHarness();
    const p = withPasskeys(h);
    const me = await p.steppedUp('li@example.com');
    return { h, p, me, input: { accountId: me.account.id, sessionId: me.sessionId } };
  };

  it('registers several passkeys; the first comes with ten recovery codes, names default to "Passkey N"', async () => {
    const { h, p, me } = await setup();
    const phone = p.authenticator();
    const first = await p.register(me, phone);
    expect(first.recoveryCodes).toHaveLength(10);
    expect(first.passkey).toMatchObject({
      name: 'Passkey 1',
      counter: 0,
      transports: ['internal'],
      lastUsedAt: null,
    });
    expect(h.store.recoveryCodes.size).toBe(10); // stored as hashes only
    expect([...h.store.recoveryCodes.keys()].join()).not.toContain(first.recoveryCodes[0]);

    h.clock.advance(1000);
    const laptop = p.authenticator({ backedUp: true, noCounter: true });
    const second = await p.register(me, laptop, '  Work laptop ');
    expect(second.recoveryCodes).toEqual([]);
    expect(second.passkey).toMatchObject({
      name: 'Work laptop',
      backedUp: true,
      deviceType: 'multiDevice',
    });
    const list = await p.passkeys.list(h.ctx, me.account.id);
    expect(list.map((k) => k.name)).toEqual(['Work laptop', 'Passkey 1']);
    expect(h.store.eventTypes(me.account.id).filter((t) => t === 'securityChanged')).toHaveLength(
      2,
    );
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'securityChanged',
      data: { change: 'PASSKEY_ADDED', detail: 'Work laptop' },
    });
  });

  it('asks for a resident key and user verification, and excludes the passkeys the account has', async () => {
    const { h, p, me, input } = await setup();
    const first = await p.register(me, p.authenticator());
    const options = JSON.parse(await p.passkeys.beginRegistration(h.ctx, input));
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'Emporia' },
      user: { name: 'li@example.com', displayName: 'li@example.com' },
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      excludeCredentials: [{ id: first.passkey.id, type: 'public-key' }],
    });
  });

  it('gives no new recovery codes to an account that has some left', async () => {
    const { h, p, me } = await setup();
    await h.uow.run(h.ctx, (tx) => tx.mfa.replaceRecoveryCodes(me.account.id, ['h1', 'h2']));
    expect((await p.register(me, p.authenticator())).recoveryCodes).toEqual([]);
    expect(h.store.recoveryCodes.size).toBe(2);
  });

  it('needs a step-up in the calling session within 5 minutes', async () => {
    const { h, p, me, input } = await setup();
    const other = await h.signedIn('other@example.com');
    const [otherSession] = h.store.familiesOf(other.account.id);
    // another account's session, or none, is no step-up of this account
    for (const sessionId of [otherSession.id, ''])
      await expect(
        p.passkeys.beginRegistration(h.ctx, { accountId: me.account.id, sessionId }),
      ).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED', kind: 'FAILED_PRECONDITION' });
    const options = await p.passkeys.beginRegistration(h.ctx, input);
    h.clock.advance(5 * 60_000 + 1);
    await expect(
      p.passkeys.finishRegistration(h.ctx, {
        ...input,
        responseJson: p.authenticator().create(options),
      }),
    ).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED' });
    await expect(p.passkeys.beginRegistration(h.ctx, input)).rejects.toMatchObject({
      code: 'STEP_UP_REQUIRED',
    });
    expect(h.store.passkeys.size).toBe(0);
  });

  it('takes each registration challenge once, for 5 minutes, in the session that asked', async () => {
    const { h, p, me, input } = await setup();
    const a = p.authenticator();
    const answer = a.create(await p.passkeys.beginRegistration(h.ctx, input));
    await p.passkeys.finishRegistration(h.ctx, { ...input, responseJson: answer });
    await expect(
      p.passkeys.finishRegistration(h.ctx, { ...input, responseJson: answer }),
    ).rejects.toMatchObject({ code: 'PASSKEY_CHALLENGE_INVALID', kind: 'FAILED_PRECONDITION' });

    const late = a.create(await p.passkeys.beginRegistration(h.ctx, input));
    h.clock.advance(5 * 60_000);
    // stepped up again now, but the challenge has expired
    p.stepUpNow(me.sessionId);
    await expect(
      p.passkeys.finishRegistration(h.ctx, { ...input, responseJson: late }),
    ).rejects.toMatchObject({ code: 'PASSKEY_CHALLENGE_INVALID' });

    // another session of the account, stepped up too, cannot finish this session's registration
    const theirs = a.create(await p.passkeys.beginRegistration(h.ctx, input));
    const other = await h.login.execute(h.ctx, {
      identifier: 'li@example.com',
      password: PASSWORD,
      ip: '10.0.0.2',
    });
    if (!('tokens' in other)) throw new Error('expected tokens');
    const otherSession = other.tokens.accessToken.split(':')[2]; // the fake signer's `sid`
    p.stepUpNow(otherSession);
    await expect(
      p.passkeys.finishRegistration(h.ctx, {
        accountId: me.account.id,
        sessionId: otherSession,
        responseJson: theirs,
      }),
    ).rejects.toMatchObject({ code: 'PASSKEY_CHALLENGE_INVALID' });
    expect(h.store.passkeys.size).toBe(1);
  });

  it('refuses an answer for another origin, a credential registered already, and JSON that is not one', async () => {
    const { h, p, me, input } = await setup();
    const evil = p.authenticator({ origin: 'https://evil.example' });
    const options = await p.passkeys.beginRegistration(h.ctx, input);
    await expect(
      p.passkeys.finishRegistration(h.ctx, { ...input, responseJson: evil.create(options) }),
    ).rejects.toMatchObject({ code: 'PASSKEY_VERIFICATION_FAILED', kind: 'INVALID_ARGUMENT' });
    // the refused answer used its challenge up
    const reused = p.authenticator().create(options);
    await expect(
      p.passkeys.finishRegistration(h.ctx, { ...input, responseJson: reused }),
    ).rejects.toMatchObject({ code: 'PASSKEY_CHALLENGE_INVALID' });

    const a = p.authenticator();
    const { passkey } = await p.register(me, a);
    const twice = a.create(await p.passkeys.beginRegistration(h.ctx, input), {
      credentialId: passkey.id,
    });
    await expect(
      p.passkeys.finishRegistration(h.ctx, { ...input, responseJson: twice }),
    ).rejects.toMatchObject({ code: 'PASSKEY_ALREADY_REGISTERED', kind: 'ALREADY_EXISTS' });

    for (const responseJson of ['', 'not json', '{"id":1}', '[]'])
      await expect(
        p.passkeys.finishRegistration(h.ctx, { ...input, responseJson }),
      ).rejects.toMatchObject({ code: 'PASSKEY_RESPONSE_INVALID', kind: 'INVALID_ARGUMENT' });
    expect(h.store.passkeys.size).toBe(1);
  });

  it('refuses a name over 60 characters before anything is used up', async () => {
    const { h, p, me, input } = await setup();
    const answer = p.authenticator().create(await p.passkeys.beginRegistration(h.ctx, input));
    await expect(
      p.passkeys.finishRegistration(h.ctx, {
        ...input,
        responseJson: answer,
        name: 'x'.repeat(61),
      }),
    ).rejects.toMatchObject({ code: 'PASSKEY_NAME_INVALID' });
    await p.passkeys.finishRegistration(h.ctx, {
      ...input,
      responseJson: answer,
      name: 'x'.repeat(60),
    });
    expect((await p.passkeys.list(h.ctx, me.account.id))[0].name).toHaveLength(60);
  });

  it('renames and removes a passkey of the account only, after a step-up', async () => {
    const { h, p, me, input } = await setup();
    const { passkey } = await p.register(me, p.authenticator());
    const renamed = await p.passkeys.rename(h.ctx, {
      ...input,
      passkeyId: passkey.id,
      name: '手机',
    });
    expect(renamed.name).toBe('手机');
    await expect(
      p.passkeys.rename(h.ctx, { ...input, passkeyId: passkey.id, name: '' }),
    ).rejects.toMatchObject({ code: 'PASSKEY_NAME_INVALID' });

    const other = await p.steppedUp('other@example.com');
    const mine = { accountId: other.account.id, sessionId: other.sessionId, passkeyId: passkey.id };
    await expect(p.passkeys.rename(h.ctx, { ...mine, name: 'x' })).rejects.toMatchObject({
      code: 'PASSKEY_NOT_FOUND',
      kind: 'NOT_FOUND',
    });
    await expect(p.passkeys.remove(h.ctx, mine)).rejects.toMatchObject({
      code: 'PASSKEY_NOT_FOUND',
    });

    h.clock.advance(5 * 60_000 + 1);
    await expect(
      p.passkeys.remove(h.ctx, { ...input, passkeyId: passkey.id }),
    ).rejects.toMatchObject({
      code: 'STEP_UP_REQUIRED',
    });
    p.stepUpNow(me.sessionId);
    await p.passkeys.remove(h.ctx, { ...input, passkeyId: passkey.id });
    expect(await p.passkeys.list(h.ctx, me.account.id)).toEqual([]);
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'securityChanged',
      data: { change: 'PASSKEY_REMOVED', detail: '手机' },
    });
    await expect(
      p.passkeys.remove(h.ctx, { ...input, passkeyId: passkey.id }),
    ).rejects.toMatchObject({
      code: 'PASSKEY_NOT_FOUND',
    });
  });

  it('erasing the account deletes its passkeys and challenges', async () => {
    const { h, p, me, input } = await setup();
    await p.register(me, p.authenticator());
    await p.passkeys.beginRegistration(h.ctx, input);
    expect((await h.privacy.exportData(h.ctx, me.account.id)).toString()).toBeTruthy();
    await h.privacy.deleteAccount(h.ctx, {
      accountId: me.account.id,
      byOperator: true,
      operatorId: 'op',
    });
    expect(h.store.passkeys.size).toBe(0);
    expect([...h.store.passkeyChallenges.values()].filter((c) => c.accountId)).toEqual([]);
    await expect(p.passkeys.list(h.ctx, me.account.id)).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
    });
  });
});
