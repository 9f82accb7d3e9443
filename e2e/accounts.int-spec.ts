import { Client } from 'pg';
import { startPlatform, totpNow, type Platform } from '@emporia/testing';

jest.setTimeout(180_000);

const PASSWORD = 'a long enough password';

/**
 * Accounts through the gateway, with the user service as its own process on real Postgres,
 * Redis and Kafka: sign-in, MFA, the address book, privacy requests, and who may do what.
 */
describe('accounts end to end: gateway → user', () => {
  let platform: Platform;
  let pg: Client;
  const email = (name: string) => `${name}.${platform.suffix}@example.cn`;
  const address = (recipient: string) => ({
    recipient,
    phone: '+8613800138000',
    country: 'CN',
    province: '北京市',
    city: '北京市',
    district: '朝阳区',
    line1: '建国路 88 号',
  });

  /** Polls a route with the token until it answers 401 TOKEN_REVOKED; returns how long it took. */
  const refusedWithin = async (auth: Record<string, string>, path: string, limitMs = 5000) => {
    const t0 = Date.now();
    for (;;) {
      const r = await platform.api('GET', path, undefined, auth);
      if (r.status === 401) {
        expect(r.body.code).toBe('TOKEN_REVOKED');
        return Date.now() - t0;
      }
      if (Date.now() - t0 > limitMs)
        throw new Error(`${path} still answers ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    platform = await startPlatform({ user: true });
    pg = new Client({ connectionString: platform.databases.user });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await platform?.stop();
  });

  it('registers, signs in, refreshes once, and logs out', async () => {
    const { api } = platform;
    const reg = await api('POST', '/v1/auth/register', { email: email('ann'), password: PASSWORD });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ email: email('ann'), roles: ['customer'], status: 'active' });
    const dup = await api('POST', '/v1/auth/register', { email: email('ann'), password: PASSWORD });
    expect([dup.status, dup.body.code]).toEqual([409, 'ACCOUNT_EXISTS']);
    const weak = await api('POST', '/v1/auth/register', { email: email('weak'), password: 'x' });
    expect([weak.status, weak.body.code]).toEqual([400, 'PASSWORD_TOO_WEAK']);
    const common = await api('POST', '/v1/auth/register', {
      email: email('common'),
      password: 'password1234',
    });
    expect([common.status, common.body.code]).toEqual([400, 'PASSWORD_TOO_COMMON']);
    expect(common.type).toMatch(/^application\/problem\+json/);

    const bad = await api('POST', '/v1/auth/login', { identifier: email('ann'), password: 'nope' });
    expect([bad.status, bad.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const login = await api(
      'POST',
      '/v1/auth/login',
      { identifier: email('ann'), password: PASSWORD },
      { 'x-device-id': 'phone-1' },
    );
    expect(login.status).toBe(200);
    expect(login.body.mfaRequired).toBe(false);
    const me = await api('GET', '/v1/me', undefined, {
      authorization: `Bearer ${login.body.tokens.accessToken}`,
    });
    expect(me.body.account.id).toBe(reg.body.id);

    const refreshed = await api('POST', '/v1/auth/refresh', {
      refreshToken: login.body.tokens.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    const replay = await api('POST', '/v1/auth/refresh', {
      refreshToken: login.body.tokens.refreshToken,
    });
    expect([replay.status, replay.body.code]).toEqual([401, 'REFRESH_TOKEN_REUSED']);
    // reuse revoked the whole family, including the token issued by the refresh
    const after = await api('POST', '/v1/auth/refresh', {
      refreshToken: refreshed.body.refreshToken,
    });
    expect(after.status).toBe(401);

    const second = await platform.signIn(email('ann2'), PASSWORD);
    expect(
      (await api('POST', '/v1/auth/logout', { refreshToken: second.refreshToken })).status,
    ).toBe(204);
    expect(
      (await api('POST', '/v1/auth/refresh', { refreshToken: second.refreshToken })).status,
    ).toBe(401);
  });

  it('answers a login on its fast route as on the Nest route (the same status, headers and body)', async () => {
    const { api } = platform;
    // a password with an emoji is left to the Nest route (class-validator counts its length
    // apart); a plain one is answered by the fast route (apps/gateway/src/interface/login.fast-route.ts)
    const viaNest = { email: email('nest-login'), password: `${PASSWORD} 😀` };
    const viaFast = { email: email('fast-login'), password: PASSWORD };
    for (const a of [viaNest, viaFast])
      expect((await api('POST', '/v1/auth/register', a)).status).toBe(201);
    const login = (a: { email: string; password: string }, password = a.password) =>
      api('POST', '/v1/auth/login', { identifier: a.email, password }, { 'x-device-id': 'tab-1' });
    const [nest, fast] = [await login(viaNest), await login(viaFast)];
    const shape = (r: Awaited<ReturnType<typeof login>>) => ({
      status: r.status,
      type: r.headers.get('content-type'),
      headers: [...r.headers.keys()].filter((h) => !['date', 'content-length'].includes(h)).sort(),
      keys: Object.keys(r.body),
      account: Object.keys(r.body.account),
      tokens: Object.keys(r.body.tokens),
    });
    expect(shape(fast)).toEqual(shape(nest));
    expect(fast.body).toMatchObject({ mfaRequired: false, account: { email: viaFast.email } });
    const me = await api('GET', '/v1/me', undefined, bearer(fast.body.tokens.accessToken));
    expect(me.body.account.id).toBe(fast.body.account.id);
    // the user service's problems, answered alike
    const [nestBad, fastBad] = [await login(viaNest, 'nope 😀'), await login(viaFast, 'nope')];
    expect([fastBad.status, fastBad.body.code, fastBad.type]).toEqual([
      nestBad.status,
      nestBad.body.code,
      nestBad.type,
    ]);
    expect(Object.keys(fastBad.body).sort()).toEqual(Object.keys(nestBad.body).sort());
    expect(fastBad.body.instance).toBe('/v1/auth/login');
  });

  it("never lets one customer read or change another's data", async () => {
    const { api } = platform;
    const alice = await platform.signIn(email('alice'), PASSWORD);
    const bob = await platform.signIn(email('bob'), PASSWORD);
    const created = await api('POST', '/v1/me/addresses', address('Alice'), alice.auth);
    expect(created.status).toBe(201);
    const id = created.body.id;

    const put = await api('PUT', `/v1/me/addresses/${id}`, address('Bob was here'), bob.auth);
    expect([put.status, put.body.code]).toEqual([404, 'ADDRESS_NOT_FOUND']);
    const del = await api('DELETE', `/v1/me/addresses/${id}`, undefined, bob.auth);
    expect([del.status, del.body.code]).toEqual([404, 'ADDRESS_NOT_FOUND']);
    expect((await api('GET', '/v1/me/addresses', undefined, bob.auth)).body.items).toEqual([]);
    // a customer cannot reach another account through the operator surface either
    for (const path of [
      `/v1/admin/accounts/${alice.accountId}`,
      `/v1/admin/accounts/${alice.accountId}/membership`,
    ]) {
      const r = await api('GET', path, undefined, bob.auth);
      expect([r.status, r.body.code]).toEqual([403, 'ROLE_REQUIRED']);
    }
    // Alice's data is untouched
    const mine = await api('GET', '/v1/me/addresses', undefined, alice.auth);
    expect(mine.body.items).toEqual([
      expect.objectContaining({ id, recipient: 'Alice', isDefault: true }),
    ]);
    const bobsView = await api('GET', '/v1/me', undefined, bob.auth);
    expect(bobsView.body.account.id).toBe(bob.accountId);
  });

  it('denies the operator surface to customers; operators freeze, admins set roles', async () => {
    const { api } = platform;
    const customer = await platform.signIn(email('cust'), PASSWORD);
    const operator = await platform.signIn(email('op'), PASSWORD, 'customer,operator');
    const admin = await platform.signIn(email('adm'), PASSWORD, 'admin');
    const victim = await platform.signIn(email('victim'), PASSWORD);
    const freeze = (auth: Record<string, string>) =>
      api('POST', `/v1/admin/accounts/${victim.accountId}/freeze`, { reason: 'fraud' }, auth);

    for (const r of [
      await freeze(customer.auth),
      await api('GET', '/v1/admin/tiers', undefined, customer.auth),
      await api('PUT', '/v1/admin/tiers', { tiers: [] }, customer.auth),
      await api(
        'PUT',
        `/v1/admin/accounts/${customer.accountId}/roles`,
        { roles: ['admin'] },
        customer.auth,
      ),
    ])
      expect([r.status, r.body.code]).toEqual([403, 'ROLE_REQUIRED']);
    // an operator cannot promote anyone (admin only)
    const promote = await api(
      'PUT',
      `/v1/admin/accounts/${operator.accountId}/roles`,
      { roles: ['admin'] },
      operator.auth,
    );
    expect(promote.status).toBe(403);
    const [{ roles }] = (
      await pg.query(`SELECT roles FROM accounts WHERE id = $1`, [customer.accountId])
    ).rows;
    expect(roles).toEqual(['customer']);

    const frozen = await freeze(operator.auth);
    expect([frozen.status, frozen.body.status]).toEqual([200, 'frozen']);
    const login = await api('POST', '/v1/auth/login', {
      identifier: email('victim'),
      password: PASSWORD,
    });
    expect([login.status, login.body.code]).toEqual([403, 'ACCOUNT_FROZEN']);
    expect(
      (await api('POST', '/v1/auth/refresh', { refreshToken: victim.refreshToken })).status,
    ).toBe(401);
    expect(
      (
        await api(
          'POST',
          `/v1/admin/accounts/${victim.accountId}/unfreeze`,
          undefined,
          operator.auth,
        )
      ).status,
    ).toBe(200);

    const tiers = await api('GET', '/v1/admin/tiers', undefined, operator.auth);
    expect(tiers.body.items.map((t: { code: string }) => t.code)).toEqual([
      'MEMBER',
      'SILVER',
      'GOLD',
      'PLATINUM',
    ]);
    const promoted = await api(
      'PUT',
      `/v1/admin/accounts/${customer.accountId}/roles`,
      { roles: ['customer', 'operator'] },
      admin.auth,
    );
    expect([promoted.status, promoted.body.roles]).toEqual([200, ['customer', 'operator']]);
  });

  it('turns MFA on, asks for the second factor at login, and turns it off with re-authentication', async () => {
    const { api } = platform;
    const me = await platform.signIn(email('mfa'), PASSWORD);
    const enrol = await api('POST', '/v1/me/mfa/enrolment', undefined, me.auth);
    expect(enrol.status).toBe(201);
    expect(enrol.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Emporia:/);
    const confirm = await api(
      'POST',
      '/v1/me/mfa/enrolment/confirm',
      { code: totpNow(enrol.body.secret) },
      me.auth,
    );
    expect(confirm.status).toBe(200);
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    expect((await api('GET', '/v1/me', undefined, me.auth)).body.mfaEnabled).toBe(true);

    const step1 = await api('POST', '/v1/auth/login', {
      identifier: email('mfa'),
      password: PASSWORD,
    });
    expect(step1.body).toMatchObject({ mfaRequired: true, mfaChallenge: expect.any(String) });
    expect(step1.body.tokens).toBeUndefined();
    const wrong = await api('POST', '/v1/auth/login/mfa', {
      challenge: step1.body.mfaChallenge,
      code: '000000',
    });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'MFA_CODE_INVALID']);
    const step2 = await api('POST', '/v1/auth/login/mfa', {
      challenge: step1.body.mfaChallenge,
      code: confirm.body.recoveryCodes[0],
    });
    expect(step2.status).toBe(200);
    expect(step2.body.recoveryCodesLeft).toBe(9);
    const auth = { authorization: `Bearer ${step2.body.tokens.accessToken}` };

    const noCode = await api(
      'POST',
      '/v1/me/mfa/disable',
      { password: PASSWORD, code: '111111' },
      auth,
    );
    expect([noCode.status, noCode.body.code]).toEqual([401, 'MFA_CODE_INVALID']);
    expect(
      (
        await api(
          'POST',
          '/v1/me/mfa/disable',
          { password: PASSWORD, code: confirm.body.recoveryCodes[1] },
          auth,
        )
      ).status,
    ).toBe(204);
    // turning MFA off ends every session, access tokens included
    await refusedWithin(auth, '/v1/me');
    const plain = await api('POST', '/v1/auth/login', {
      identifier: email('mfa'),
      password: PASSWORD,
    });
    expect(plain.body.mfaRequired).toBe(false);
  });

  it('exports the data, then erases the account on request', async () => {
    const { api } = platform;
    const me = await platform.signIn(email('erase'), PASSWORD);
    await api('PUT', '/v1/me/profile', { displayName: 'Erin', birthday: '1991-07-01' }, me.auth);
    await api(
      'PUT',
      '/v1/me/consents',
      { consents: [{ purpose: 'MARKETING_EMAIL', granted: true }] },
      me.auth,
    );
    await api('POST', '/v1/me/addresses', address('Erin'), me.auth);
    const exported = await api('GET', '/v1/me/export', undefined, me.auth);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(
      /^attachment; filename="emporia-account-/,
    );
    expect(exported.body).toMatchObject({
      account: { id: me.accountId, email: email('erase') },
      profile: { display_name: 'Erin', birthday: '1991-07-01' },
      consents: [expect.objectContaining({ purpose: 'MARKETING_EMAIL', granted: true })],
      addresses: [expect.objectContaining({ recipient: 'Erin' })],
    });

    const wrong = await api('DELETE', '/v1/me', { password: 'not it at all' }, me.auth);
    expect([wrong.status, wrong.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const erased = await api('DELETE', '/v1/me', { password: PASSWORD }, me.auth);
    expect(erased.status).toBe(200);
    // the token is revoked with the account (within moments: the revocation list)
    await refusedWithin(me.auth, '/v1/me');
    const [row] = (
      await pg.query(`SELECT email, status FROM accounts WHERE id = $1`, [me.accountId])
    ).rows;
    expect(row).toEqual({ email: null, status: 'DELETED' });
  });

  it('an erased account is gone for every route: 404 ACCOUNT_NOT_FOUND for operators, its own token refused', async () => {
    const { api } = platform;
    const root = await platform.signIn(email('root'), PASSWORD, 'admin');
    const gone = await platform.signIn(email('gone'), PASSWORD);
    await api('POST', '/v1/me/addresses', address('Gone'), gone.auth);
    const erased = await api(
      'DELETE',
      `/v1/admin/accounts/${gone.accountId}`,
      undefined,
      root.auth,
    );
    expect(erased.status).toBe(200);

    const id = gone.accountId;
    for (const [method, path, body] of [
      ['GET', `/v1/admin/accounts/${id}`],
      ['GET', `/v1/admin/accounts/${id}/membership`],
      ['POST', `/v1/admin/accounts/${id}/freeze`, { reason: 'fraud' }],
      ['POST', `/v1/admin/accounts/${id}/unfreeze`],
      ['PUT', `/v1/admin/accounts/${id}/roles`, { roles: ['customer', 'operator'] }],
      ['DELETE', `/v1/admin/accounts/${id}`],
    ] as [string, string, unknown?][]) {
      const r = await api(method, path, body, root.auth);
      expect([method, path, r.status, r.body.code]).toEqual([
        method,
        path,
        404,
        'ACCOUNT_NOT_FOUND',
      ]);
    }
    const [row] = (await pg.query(`SELECT status, roles FROM accounts WHERE id = $1`, [id])).rows;
    expect(row).toEqual({ status: 'DELETED', roles: ['customer'] });

    // the erased customer's own token: refused on every route, not answered with its data
    await refusedWithin(gone.auth, '/v1/me');
    for (const [method, path, body] of [
      ['GET', '/v1/me/addresses'],
      ['GET', '/v1/me/membership'],
      ['GET', '/v1/me/export'],
      ['POST', '/v1/me/mfa/enrolment'],
      ['POST', '/v1/me/addresses', address('Back')],
      ['PUT', '/v1/me/profile', { displayName: 'Back' }],
      ['DELETE', '/v1/me', { password: PASSWORD }],
    ] as [string, string, unknown?][]) {
      const r = await api(method, path, body, gone.auth);
      expect([method, path, r.status, r.body.code]).toEqual([method, path, 401, 'TOKEN_REVOKED']);
    }
    const login = await api('POST', '/v1/auth/login', {
      identifier: email('gone'),
      password: PASSWORD,
    });
    expect([login.status, login.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const refresh = await api('POST', '/v1/auth/refresh', { refreshToken: gone.refreshToken });
    expect([refresh.status, refresh.body.code]).toEqual([401, 'REFRESH_TOKEN_REVOKED']);
  });

  it('an admin cannot erase their own account on the admin route (DELETE /v1/me is the way)', async () => {
    const { api } = platform;
    const boss = await platform.signIn(email('boss'), PASSWORD, 'admin');
    const self = await api('DELETE', `/v1/admin/accounts/${boss.accountId}`, undefined, boss.auth);
    expect([self.status, self.body.code]).toEqual([403, 'CANNOT_ERASE_OWN_ACCOUNT']);
    // nor lock themselves out: no freezing their own account, no changing their own roles
    const freeze = await api(
      'POST',
      `/v1/admin/accounts/${boss.accountId}/freeze`,
      { reason: 'testing' },
      boss.auth,
    );
    expect([freeze.status, freeze.body.code]).toEqual([403, 'CANNOT_CHANGE_OWN_ACCOUNT']);
    const demote = await api(
      'PUT',
      `/v1/admin/accounts/${boss.accountId}/roles`,
      { roles: ['customer'] },
      boss.auth,
    );
    expect([demote.status, demote.body.code]).toEqual([403, 'CANNOT_CHANGE_OWN_ACCOUNT']);
    const still = await api('GET', '/v1/me', undefined, boss.auth);
    expect([still.status, still.body.account.status, still.body.account.roles]).toEqual([
      200,
      'active',
      ['admin'],
    ]);
  });

  it('revokes access tokens within seconds: a freeze, a removed role, a logout; new tokens work', async () => {
    const { api } = platform;
    const admin = await platform.signIn(email('revoker'), PASSWORD, 'admin');

    // a freeze stops the frozen account's existing token
    const shopper = await platform.signIn(email('shopper'), PASSWORD);
    expect((await api('GET', '/v1/me', undefined, shopper.auth)).status).toBe(200);
    const frozen = await api(
      'POST',
      `/v1/admin/accounts/${shopper.accountId}/freeze`,
      { reason: 'card testing' },
      admin.auth,
    );
    expect(frozen.status).toBe(200);
    const freezeMs = await refusedWithin(shopper.auth, '/v1/me');
    process.stderr.write(`a frozen account's token was refused after ${freezeMs} ms\n`);
    await api('POST', `/v1/admin/accounts/${shopper.accountId}/unfreeze`, undefined, admin.auth);
    // after unfreezing, the old token stays refused and a fresh sign-in works
    expect((await api('GET', '/v1/me', undefined, shopper.auth)).body.code).toBe('TOKEN_REVOKED');
    const again = await api('POST', '/v1/auth/login', {
      identifier: email('shopper'),
      password: PASSWORD,
    });
    expect(again.status).toBe(200);
    expect(
      (await api('GET', '/v1/me', undefined, bearer(again.body.tokens.accessToken))).status,
    ).toBe(200);

    // a removed role stops an operator route; the refreshed token carries the new roles
    const staff = await platform.signIn(email('staff'), PASSWORD, 'customer,operator');
    expect((await api('GET', '/v1/admin/tiers', undefined, staff.auth)).status).toBe(200);
    const demoted = await api(
      'PUT',
      `/v1/admin/accounts/${staff.accountId}/roles`,
      { roles: ['customer'] },
      admin.auth,
    );
    expect(demoted.status).toBe(200);
    await refusedWithin(staff.auth, '/v1/admin/tiers');
    const refreshed = await api('POST', '/v1/auth/refresh', { refreshToken: staff.refreshToken });
    expect(refreshed.status).toBe(200);
    const now = bearer(refreshed.body.accessToken);
    const tiers = await api('GET', '/v1/admin/tiers', undefined, now);
    expect([tiers.status, tiers.body.code]).toEqual([403, 'ROLE_REQUIRED']);
    expect((await api('GET', '/v1/me', undefined, now)).status).toBe(200);

    // logout ends that session's access token, not the account's other sessions
    const phone = await platform.signIn(email('twodevices'), PASSWORD);
    const laptop = await api('POST', '/v1/auth/login', {
      identifier: email('twodevices'),
      password: PASSWORD,
    });
    expect(
      (await api('POST', '/v1/auth/logout', { refreshToken: phone.refreshToken })).status,
    ).toBe(204);
    await refusedWithin(phone.auth, '/v1/me');
    expect(
      (await api('GET', '/v1/me', undefined, bearer(laptop.body.tokens.accessToken))).status,
    ).toBe(200);
  });
});
