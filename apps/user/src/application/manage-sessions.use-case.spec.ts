import { anAddress, PASSWORD, userHarness, type UserHarness } from '../testing';

/**
 * Sessions and devices through the use cases against the in-memory ports: the list with device
 * names and places, ending a session, forgetting a device, and a password change ending every
 * other session.
 */
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

async function signIn(h: UserHarness, email: string, deviceId: string, ip: string, ua = '') {
  const r = await h.login.execute(h.ctx, {
    identifier: email,
    password: PASSWORD,
    ip,
    deviceId,
    userAgent: ua,
  });
  if (!('tokens' in r)) throw new Error('expected tokens');
  return { tokens: r.tokens, sessionId: h.signer.signed.at(-1)!.sessionId };
}

async function twoDevices(h: UserHarness) {
  const account = await h.customer('li@example.com');
  const phone = await signIn(h, 'li@example.com', 'phone-1', '10.0.0.1');
  h.clock.advance(60_000);
  const laptop = await signIn(h, 'li@example.com', 'laptop-1', '203.0.113.9', CHROME);
  return { account, phone, laptop };
}

describe('sessions and devices', () => {
  it('lists live sessions, most recently used first, and devices with their names', async () => {
    const h = userHarness();
    const { account, phone, laptop } = await twoDevices(h);
    h.clock.advance(60_000);
    await h.refresh.execute(h.ctx, phone.tokens.refreshToken, { ip: '10.0.0.2' });
    const { sessions, devices } = await h.sessions.list(h.ctx, account.id);
    expect(sessions.map((s) => s.id)).toEqual([phone.sessionId, laptop.sessionId]);
    expect(sessions[1]).toMatchObject({
      signedInWith: 'PASSWORD',
      secondFactorAt: null,
      client: { deviceId: 'laptop-1', deviceName: 'Chrome 131 on Windows', place: '浙江省杭州市' },
    });
    expect(sessions[0].client).toMatchObject({ ip: '10.0.0.2', place: 'local network' });
    expect(devices.map((d) => [d.deviceId, d.name, d.activeSessions])).toEqual([
      ['laptop-1', 'Chrome 131 on Windows', 1],
      ['phone-1', '', 1],
    ]);
    // the laptop was new to the account: the anomaly tells what, where and how
    expect(h.store.outbox.find((e) => e.type === 'loginAnomaly')).toMatchObject({
      data: {
        kinds: ['NEW_DEVICE', 'NEW_IP'],
        deviceId: 'laptop-1',
        deviceName: 'Chrome 131 on Windows',
        place: '浙江省杭州市',
        signedInWith: 'PASSWORD',
      },
    });
  });

  it('ends one session: its refresh token and access tokens; told to the owner', async () => {
    const h = userHarness();
    const { account, phone, laptop } = await twoDevices(h);
    await h.sessions.revoke(h.ctx, account.id, laptop.sessionId);
    expect(h.store.revocations.at(-1)).toMatchObject({
      accountId: account.id,
      sessionId: laptop.sessionId,
    });
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'securityChanged',
      data: { change: 'SESSION_REVOKED', detail: 'Chrome 131 on Windows' },
    });
    await expect(h.refresh.execute(h.ctx, laptop.tokens.refreshToken)).rejects.toMatchObject({
      code: 'REFRESH_TOKEN_REVOKED',
    });
    await h.refresh.execute(h.ctx, phone.tokens.refreshToken);
    // again: nothing more happens; another account's session is not found
    const events = h.store.outbox.length;
    await h.sessions.revoke(h.ctx, account.id, laptop.sessionId);
    expect(h.store.outbox).toHaveLength(events);
    const other = await h.customer('wang@example.com');
    await expect(h.sessions.revoke(h.ctx, other.id, phone.sessionId)).rejects.toMatchObject({
      kind: 'NOT_FOUND',
      code: 'SESSION_NOT_FOUND',
    });
  });

  it('forgetting a device ends its sessions; its next sign-in is a new device again', async () => {
    const h = userHarness();
    const { account, phone, laptop } = await twoDevices(h);
    expect(await h.sessions.forgetDevice(h.ctx, account.id, 'laptop-1')).toBe(1);
    expect(h.store.outbox.at(-1)).toMatchObject({
      data: { change: 'DEVICE_FORGOTTEN', detail: 'Chrome 131 on Windows' },
    });
    expect(h.store.knownLogins.has(`${account.id}|DEVICE|laptop-1`)).toBe(false);
    await expect(h.refresh.execute(h.ctx, laptop.tokens.refreshToken)).rejects.toMatchObject({
      code: 'REFRESH_TOKEN_REVOKED',
    });
    await h.refresh.execute(h.ctx, phone.tokens.refreshToken);
    await expect(h.sessions.forgetDevice(h.ctx, account.id, 'laptop-1')).rejects.toMatchObject({
      code: 'DEVICE_NOT_FOUND',
    });
    await signIn(h, 'li@example.com', 'laptop-1', '203.0.113.9', CHROME);
    expect(h.store.outbox.filter((e) => e.type === 'loginAnomaly').at(-1)).toMatchObject({
      data: { kinds: ['NEW_DEVICE'] },
    });
  });

  it('a password change needs the current password and a step-up; other sessions end', async () => {
    const h = userHarness();
    const { account, phone, laptop } = await twoDevices(h);
    const third = await signIn(h, 'li@example.com', 'tablet-1', '10.0.0.1');
    const change = (currentPassword: string, newPassword: string) =>
      h.security.changePassword(h.ctx, {
        accountId: account.id,
        sessionId: laptop.sessionId,
        currentPassword,
        newPassword,
      });
    await expect(change(PASSWORD, 'a brand new secret 42')).rejects.toMatchObject({
      code: 'STEP_UP_REQUIRED',
    });
    await h.stepUp.stepUp(h.ctx, {
      accountId: account.id,
      sessionId: laptop.sessionId,
      method: 'PASSWORD',
      password: PASSWORD,
    });
    await expect(change('wrong password', 'a brand new secret 42')).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(change(PASSWORD, 'short')).rejects.toMatchObject({ kind: 'INVALID_ARGUMENT' });
    await expect(change(PASSWORD, PASSWORD)).rejects.toMatchObject({ code: 'PASSWORD_UNCHANGED' });
    expect(await change(PASSWORD, 'a brand new secret 42')).toBe(2);
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'securityChanged',
      data: { change: 'PASSWORD' },
    });
    for (const ended of [phone, third])
      await expect(h.refresh.execute(h.ctx, ended.tokens.refreshToken)).rejects.toMatchObject({
        code: 'REFRESH_TOKEN_REVOKED',
      });
    await h.refresh.execute(h.ctx, laptop.tokens.refreshToken);
    await expect(signIn(h, 'li@example.com', 'phone-1', '10.0.0.1')).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    const r = await h.login.execute(h.ctx, {
      identifier: 'li@example.com',
      password: 'a brand new secret 42',
      ip: '10.0.0.1',
    });
    expect('tokens' in r).toBe(true);
  });

  it('one address of the account, with when it was made', async () => {
    const h = userHarness();
    const account = await h.customer('li@example.com');
    const other = await h.customer('wang@example.com');
    const a = await h.profile.createAddress(h.ctx, account.id, anAddress(), false);
    expect(await h.profile.address(h.ctx, account.id, a.id)).toMatchObject({
      id: a.id,
      createdAt: h.clock.now(),
    });
    await expect(h.profile.address(h.ctx, other.id, a.id)).rejects.toMatchObject({
      kind: 'NOT_FOUND',
      code: 'ADDRESS_NOT_FOUND',
    });
  });
});
