import { aRegistration, PASSWORD, userHarness } from '../testing';

/**
 * Accounts and sessions through the use cases against the in-memory unit of work: who may
 * register and sign in, refresh-token rotation and reuse, and the changes that end sessions
 * (logout, freeze, fewer roles, erasure) — each committed with its revocation and event, or
 * not at all.
 */
/** Rules checked before the transaction throw synchronously; as a promise they read alike. */
const call = <T>(f: () => Promise<T>) => Promise.resolve().then(f);

describe('registration and sign-in', () => {
  it('an e-mail registers once; the duplicate writes nothing', async () => {
    const h = userHarness();
    const a = await h.register.execute(h.ctx, aRegistration('Li.Lei@Example.com'));
    expect(a).toMatchObject({ email: 'li.lei@example.com', roles: ['customer'], status: 'ACTIVE' });
    await expect(
      h.register.execute(h.ctx, aRegistration('li.lei@example.com')),
    ).rejects.toMatchObject({ code: 'ACCOUNT_EXISTS' });
    expect(h.store.accounts.size).toBe(1);
    expect(h.store.eventTypes()).toEqual(['accountRegistered']);
  });

  it('a wrong password and an unknown account say the same; the fifth failure locks with an event', async () => {
    const h = userHarness();
    const a = await h.customer('li@example.com');
    const attempt = (identifier: string, password: string) =>
      h.login.execute(h.ctx, { identifier, password, ip: '10.0.0.9' });
    await expect(attempt('nobody@example.com', PASSWORD)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(h.hasher.verifiedNothing).toBe(1);
    for (let i = 0; i < 4; i++)
      await expect(attempt('li@example.com', 'wrong')).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
    expect(h.store.eventTypes(a.id)).toEqual(['accountRegistered']);
    await expect(attempt('li@example.com', 'wrong')).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'accountLocked',
      accountId: a.id,
      data: { failures: 5 },
    });
    // locked: even the right password is refused before it is checked
    await expect(attempt('li@example.com', PASSWORD)).rejects.toMatchObject({
      code: 'LOGIN_LOCKED',
    });
    expect(h.store.families.size).toBe(0);
  });

  it('a sign-in clears the failures counted before it, on either path; failures counted while it checked the password stay', async () => {
    const h = userHarness();
    await h.customer('li@example.com');
    const attempt = (password: string) =>
      h.login.execute(h.ctx, {
        identifier: 'li@example.com',
        password,
        ip: '10.0.0.9',
        deviceId: 'phone-1',
      });
    for (const path of ['the general path', 'a known client']) {
      for (let i = 0; i < 4; i++)
        await expect(attempt('wrong')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect([path, h.throttle.failures.get('li@example.com')]).toEqual([path, 4]);
      expect(await attempt(PASSWORD)).toHaveProperty('tokens');
      expect([path, h.throttle.failures.get('li@example.com')]).toEqual([path, undefined]);
    }
    // a wrong password of another client lands while this sign-in's password is being checked
    const verify = h.hasher.verify;
    h.hasher.verify = async (hash, password) => {
      await h.throttle.recordFailure('li@example.com');
      return verify(hash, password);
    };
    expect(await attempt(PASSWORD)).toHaveProperty('tokens');
    expect(h.throttle.failures.get('li@example.com')).toBe(1);
  });

  it('a first sign-in opens a session; a new device later raises a login anomaly', async () => {
    const h = userHarness();
    const { account, tokens } = await h.signedIn('li@example.com', 'phone-1');
    expect(h.store.familiesOf(account.id)).toHaveLength(1);
    expect(tokens.refreshToken).toBeTruthy();
    expect(h.store.eventTypes(account.id)).toEqual(['accountRegistered']);
    await h.login.execute(h.ctx, {
      identifier: 'li@example.com',
      password: PASSWORD,
      ip: '10.0.0.1',
      deviceId: 'laptop-7',
    });
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'loginAnomaly',
      data: { kinds: ['NEW_DEVICE'], deviceId: 'laptop-7' },
    });
    expect(h.store.familiesOf(account.id)).toHaveLength(2);
  });

  it('a sign-in from a known device and address opens a session in one statement, with no event; REJECT and REVIEW hold there', async () => {
    const h = userHarness();
    const { account } = await h.signedIn('li@example.com', 'phone-1');
    const login = () =>
      h.login.execute(h.ctx, {
        identifier: 'li@example.com',
        password: PASSWORD,
        ip: '10.0.0.1',
        deviceId: 'phone-1',
      });
    h.clock.advance(60_000);
    const commits = h.uow.commits;
    const r = await login();
    expect(r).toHaveProperty('tokens');
    expect(h.uow.commits).toBe(commits + 2); // the read and the statement (the fake's runs)
    expect(h.store.familiesOf(account.id)).toHaveLength(2);
    expect(h.store.knownLogins.get(`${account.id}|DEVICE|phone-1`)?.lastSeen).toEqual(
      h.clock.now(),
    );
    expect(h.store.eventTypes(account.id)).toEqual(['accountRegistered']);
    if ('tokens' in r)
      expect(await h.refresh.execute(h.ctx, r.tokens.refreshToken)).toHaveProperty('accessToken');
    h.risk.verdict = { decision: 'REJECT', score: 99, reasons: ['LISTED_IP'], degraded: false };
    await expect(login()).rejects.toMatchObject({ code: 'LOGIN_BLOCKED' });
    expect(h.store.familiesOf(account.id)).toHaveLength(2);
    h.risk.verdict = { decision: 'REVIEW', score: 60, reasons: ['VELOCITY'], degraded: false };
    expect(await login()).toHaveProperty('tokens');
    expect(h.logger.warnings).toHaveLength(1);
  });

  it('a freeze or MFA turned on after the password check wins over a known client: no session from the statement', async () => {
    const h = userHarness();
    const { account } = await h.signedIn('li@example.com', 'phone-1');
    const login = () =>
      h.login.execute(h.ctx, {
        identifier: 'li@example.com',
        password: PASSWORD,
        ip: '10.0.0.1',
        deviceId: 'phone-1',
      });
    const allow = h.risk.verdict;
    // risk is asked between the password check and the session: the change lands there
    h.risk.scoreLogin = async () => {
      h.store.mfa.set(account.id, {
        accountId: account.id,
        status: 'ACTIVE',
        secret: new Uint8Array(20),
        lastUsedCounter: null,
        createdAt: h.clock.now(),
        confirmedAt: h.clock.now(),
      });
      return allow;
    };
    expect(await login()).toHaveProperty('mfa');
    expect(h.store.familiesOf(account.id)).toHaveLength(1);
    h.store.mfa.delete(account.id);
    h.risk.scoreLogin = async () => {
      await h.freeze.execute(h.ctx, { accountId: account.id, frozen: true, reason: 'fraud' });
      return allow;
    };
    await expect(login()).rejects.toMatchObject({ code: 'ACCOUNT_FROZEN' });
    expect(h.store.familiesOf(account.id).filter((f) => !f.revokedAt)).toHaveLength(0);
    expect(h.store.familiesOf(account.id)).toHaveLength(1);
  });

  it('risk REJECT blocks the sign-in and opens no session; REVIEW without MFA signs in, flagged', async () => {
    const h = userHarness();
    const a = await h.customer('li@example.com');
    const login = () =>
      h.login.execute(h.ctx, { identifier: 'li@example.com', password: PASSWORD, ip: '1.2.3.4' });
    h.risk.verdict = { decision: 'REJECT', score: 99, reasons: ['LISTED_IP'], degraded: false };
    await expect(login()).rejects.toMatchObject({ code: 'LOGIN_BLOCKED' });
    expect(h.store.familiesOf(a.id)).toHaveLength(0);
    h.risk.verdict = { decision: 'REVIEW', score: 60, reasons: ['NEW_IP'], degraded: false };
    expect(await login()).toHaveProperty('tokens');
    expect(h.logger.warnings).toHaveLength(1);
  });

  it('with MFA on, a right password yields a challenge, not a session', async () => {
    const h = userHarness();
    const a = await h.customer('li@example.com');
    h.store.mfa.set(a.id, {
      accountId: a.id,
      status: 'ACTIVE',
      secret: new Uint8Array(20),
      lastUsedCounter: null,
      createdAt: h.clock.now(),
      confirmedAt: h.clock.now(),
    });
    const r = await h.login.execute(h.ctx, {
      identifier: 'li@example.com',
      password: PASSWORD,
      ip: '1.2.3.4',
    });
    expect(r).toHaveProperty('mfa');
    expect(h.store.challenges.size).toBe(1);
    expect(h.store.familiesOf(a.id)).toHaveLength(0);
  });
});

describe('sessions', () => {
  it('a refresh rotates the token; the old one coming back ends the session, committed despite the error', async () => {
    const h = userHarness();
    const { account, tokens } = await h.signedIn();
    const next = await h.refresh.execute(h.ctx, tokens.refreshToken);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    await expect(h.refresh.execute(h.ctx, tokens.refreshToken)).rejects.toMatchObject({
      code: 'REFRESH_TOKEN_REUSED',
    });
    const [family] = h.store.familiesOf(account.id);
    expect(family).toMatchObject({ revokedReason: 'REUSE_DETECTED' });
    expect(h.store.revocations).toEqual([
      { accountId: account.id, sessionId: family.id, before: h.clock.now() },
    ]);
    expect(h.store.eventTypes(account.id)).toContain('refreshTokenReuseDetected');
    // the current token dies with its family
    await expect(h.refresh.execute(h.ctx, next.refreshToken)).rejects.toMatchObject({
      code: 'REFRESH_TOKEN_REVOKED',
    });
  });

  it('logout ends one session and its access tokens; twice is a no-op', async () => {
    const h = userHarness();
    const { account, tokens } = await h.signedIn();
    const other = await h.login.execute(h.ctx, {
      identifier: account.email!,
      password: PASSWORD,
      ip: '10.0.0.1',
      deviceId: 'phone-1',
    });
    await h.logout.execute(h.ctx, tokens.refreshToken);
    await h.logout.execute(h.ctx, tokens.refreshToken);
    await h.logout.execute(h.ctx, 'rt-unknown');
    expect(h.store.familiesOf(account.id).map((f) => f.revokedReason)).toEqual(['LOGOUT', null]);
    expect(h.store.revocations).toHaveLength(1);
    expect(
      'tokens' in other && (await h.refresh.execute(h.ctx, other.tokens.refreshToken)),
    ).toBeTruthy();
  });

  it('a freeze ends every session with one revocation and an event; a frozen account cannot refresh', async () => {
    const h = userHarness();
    const { account, tokens } = await h.signedIn();
    await expect(
      call(() =>
        h.freeze.execute(h.ctx, {
          accountId: account.id,
          frozen: true,
          reason: 'fraud',
          operatorId: account.id,
        }),
      ),
    ).rejects.toMatchObject({ code: 'CANNOT_CHANGE_OWN_ACCOUNT' });
    await expect(
      call(() => h.freeze.execute(h.ctx, { accountId: account.id, frozen: true, reason: ' ' })),
    ).rejects.toMatchObject({ code: 'FREEZE_REASON_REQUIRED' });
    expect(h.store.accounts.get(account.id)!.status).toBe('ACTIVE');

    await h.freeze.execute(h.ctx, {
      accountId: account.id,
      frozen: true,
      reason: 'fraud',
      operatorId: 'op-1',
    });
    await h.freeze.execute(h.ctx, {
      accountId: account.id,
      frozen: true,
      reason: 'fraud',
      operatorId: 'op-1',
    });
    expect(h.store.familiesOf(account.id).map((f) => f.revokedReason)).toEqual(['ACCOUNT_FROZEN']);
    expect(h.store.revocations).toEqual([{ accountId: account.id, before: h.clock.now() }]);
    expect(h.store.eventTypes(account.id).filter((t) => t === 'accountFrozen')).toHaveLength(1);
    await expect(h.refresh.execute(h.ctx, tokens.refreshToken)).rejects.toMatchObject({
      code: 'REFRESH_TOKEN_REVOKED',
    });
    await expect(
      h.login.execute(h.ctx, { identifier: account.email!, password: PASSWORD, ip: '1.1.1.1' }),
    ).rejects.toMatchObject({ code: 'ACCOUNT_FROZEN' });

    await h.freeze.execute(h.ctx, { accountId: account.id, frozen: false });
    expect(h.store.eventTypes(account.id).at(-1)).toBe('accountUnfrozen');
    expect(
      await h.login.execute(h.ctx, {
        identifier: account.email!,
        password: PASSWORD,
        ip: '1.1.1.1',
      }),
    ).toHaveProperty('tokens');
  });

  it('taking a role away revokes the access tokens; adding one does not; nobody changes their own', async () => {
    const h = userHarness();
    const a = await h.customer();
    await h.admin.setRoles(h.ctx, a.id, ['customer', 'operator'], 'admin-1');
    expect(h.store.revocations).toHaveLength(0);
    h.clock.advance(1000);
    await h.admin.setRoles(h.ctx, a.id, ['customer'], 'admin-1');
    expect(h.store.revocations).toEqual([{ accountId: a.id, before: h.clock.now() }]);
    await expect(call(() => h.admin.setRoles(h.ctx, a.id, ['admin'], a.id))).rejects.toMatchObject({
      code: 'CANNOT_CHANGE_OWN_ACCOUNT',
    });
    expect(h.store.accounts.get(a.id)!.roles).toEqual(['customer']);
  });

  it('erasure needs the password, removes identifiers and personal data, ends sessions, once', async () => {
    const h = userHarness();
    const { account } = await h.signedIn('li@example.com');
    await h.profile.createAddress(
      h.ctx,
      account.id,
      {
        recipient: 'Li',
        phone: '+8613800138000',
        country: 'CN',
        province: 'Shanghai',
        city: 'Shanghai',
        district: 'Pudong',
        line1: '1 Century Avenue',
      },
      false,
    );
    await expect(
      h.privacy.deleteAccount(h.ctx, {
        accountId: account.id,
        password: 'wrong',
        byOperator: false,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(h.store.accounts.get(account.id)!.status).toBe('ACTIVE');

    await h.privacy.deleteAccount(h.ctx, {
      accountId: account.id,
      password: PASSWORD,
      byOperator: false,
    });
    expect(h.store.accounts.get(account.id)).toMatchObject({
      email: null,
      phone: null,
      status: 'DELETED',
    });
    expect([h.store.addresses.size, h.store.knownLogins.size]).toEqual([0, 0]);
    expect(h.store.familiesOf(account.id).map((f) => f.revokedReason)).toEqual(['ACCOUNT_DELETED']);
    expect(h.store.eventTypes(account.id).at(-1)).toBe('accountDeleted');
    await expect(
      h.privacy.deleteAccount(h.ctx, { accountId: account.id, byOperator: true, operatorId: 'op' }),
    ).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    // the address is free for a new account
    await h.register.execute(h.ctx, aRegistration('li@example.com'));
  });
});
