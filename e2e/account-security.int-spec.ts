import { randomUUID } from 'node:crypto';
import { PROTO_FILES } from '@emporia/contracts';
import {
  eventually,
  grpcTestClient,
  startPlatform,
  totpNow,
  type ApiResponse,
  type Platform,
} from '@emporia/testing';

jest.setTimeout(300_000);

const PASSWORD = 'a long enough password';
/** The step-up window of this run (the user service's and the gateway's), in seconds. */
const WINDOW_S = 30;
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Account security end to end, through the gateway with user, notification (its sandbox SMS
 * provider), catalog and order as processes on real Postgres, Redis and Kafka: SMS as a second
 * factor at sign-in (codes read from the sandbox, as a phone shows them), the resend cooldown,
 * step-up before sensitive changes (password, TOTP, SMS) and its window, sessions and their
 * revocation, the new-device notice, and the large-order step-up rule of checkout.
 */
describe('account security end to end: gateway → user, notification, order', () => {
  let platform: Platform;
  let sandbox: ReturnType<typeof grpcTestClient>;
  const unique = () => randomUUID().slice(0, 8);
  const email = (name: string) => `${name}.${platform.suffix}.${unique()}@example.cn`;
  /** A fresh mainland mobile number (+86 139 and eight digits). */
  const phone = () => `+86139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

  /** The newest one-time code the sandbox SMS provider took for `to` since `since`. */
  const codeSentTo = (to: string, since: number) =>
    eventually(
      async () => {
        const { messages } = await sandbox.call<{
          messages: { body: string; sentAt: string }[];
        }>('listSandboxMessages', { phone: to, limit: 20 });
        for (const m of messages) {
          if (Date.parse(m.sentAt) < since - 1000) continue;
          const code = /(?:验证码|code)\D{0,12}(\d{6})/i.exec(m.body)?.[1];
          if (code) return code;
        }
        return undefined;
      },
      { what: `an SMS code to ${to}` },
    );

  const expectStepUpRequired = (r: ApiResponse, methods: string[]) => {
    expect([r.status, r.body.code]).toEqual([403, 'STEP_UP_REQUIRED']);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(r.body.methods).toEqual(expect.arrayContaining(methods));
    expect(r.body.stepUp).toBe('/v1/me/step-up');
  };

  /** Polls a route with the token until it answers 401 (the revocation list is eventual). */
  const refusedWithin = async (auth: Record<string, string>, path: string, limitMs = 5000) => {
    const t0 = Date.now();
    for (;;) {
      const r = await platform.api('GET', path, undefined, auth);
      if (r.status === 401) return r;
      if (Date.now() - t0 > limitMs)
        throw new Error(`${path} still answers ${r.status} ${JSON.stringify(r.body)}`);
      await sleep(50);
    }
  };

  beforeAll(async () => {
    platform = await startPlatform({
      catalog: true,
      user: true,
      order: true,
      notification: true,
      userEnv: { STEP_UP_WINDOW_SECONDS: String(WINDOW_S), SMS_CODE_COOLDOWN_SECONDS: '3' },
      gatewayEnv: { STEP_UP_WINDOW_SECONDS: String(WINDOW_S) },
    });
    sandbox = grpcTestClient(
      PROTO_FILES.notification,
      'emporia.notification.v1.NotificationService',
      `127.0.0.1:${platform.processes.notification.env.NOTIFICATION_GRPC_PORT}`,
    );
  });

  afterAll(async () => {
    sandbox?.close();
    await platform?.stop();
  });

  it('signs in with SMS as the second factor, steps up with the password, TOTP and SMS, and ends sessions', async () => {
    const { api } = platform;
    const me = { email: email('sms'), phone: phone() };
    expect((await api('POST', '/v1/auth/register', { ...me, password: PASSWORD })).status).toBe(
      201,
    );
    const first = await api(
      'POST',
      '/v1/auth/login',
      { identifier: me.email, password: PASSWORD },
      { 'x-device-id': 'laptop-1', 'user-agent': CHROME },
    );
    expect([first.status, first.body.mfaRequired]).toEqual([200, false]);
    const laptop = bearer(first.body.tokens.accessToken);

    // a sensitive change needs a step-up; without a second factor, the password is the way
    const refused = await api('PUT', '/v1/me/email', { email: email('sms-new') }, laptop);
    expectStepUpRequired(refused, ['PASSWORD']);
    const options = await api('GET', '/v1/me/step-up', undefined, laptop);
    expect(options.body).toMatchObject({ methods: ['PASSWORD'], passkeyOptions: null });
    const wrong = await api(
      'POST',
      '/v1/me/step-up',
      { method: 'PASSWORD', password: 'nope' },
      laptop,
    );
    expect(wrong.status).toBe(401);
    const byPassword = await api(
      'POST',
      '/v1/me/step-up',
      { method: 'PASSWORD', password: PASSWORD },
      laptop,
    );
    expect(byPassword.status).toBe(200);
    expect(byPassword.body).toMatchObject({ tokenType: 'Bearer', validUntil: expect.any(String) });
    const laptopStepped = bearer(byPassword.body.accessToken);

    // SMS codes as the second factor: proved with a code to the account's phone
    const badBody = await api('POST', '/v1/me/mfa/sms', { enabled: true }, laptopStepped);
    expect([badBody.status, badBody.body.errors?.[0]?.field]).toEqual([400, 'code']);
    let since = Date.now();
    const enableCode = await api('POST', '/v1/me/mfa/sms/code', undefined, laptopStepped);
    expect(enableCode.status).toBe(200);
    expect(enableCode.body.maskedPhone).toMatch(/\*{4}/);
    const turnedOn = await api(
      'POST',
      '/v1/me/mfa/sms',
      { enabled: true, code: await codeSentTo(me.phone, since) },
      laptopStepped,
    );
    expect([turnedOn.status, turnedOn.body]).toEqual([200, { smsMfaEnabled: true }]);
    expect((await api('GET', '/v1/me', undefined, laptopStepped)).body).toMatchObject({
      mfaEnabled: true,
      smsMfaEnabled: true,
      totpEnabled: false,
    });
    await sleep(Math.max(0, Date.parse(enableCode.body.resendAfter) - Date.now()) + 200);

    // a sign-in from a new device: the password, then a code by SMS; a resend at once is 429
    const step1 = await api(
      'POST',
      '/v1/auth/login',
      { identifier: me.email, password: PASSWORD },
      { 'x-device-id': 'phone-2', 'user-agent': IPHONE },
    );
    expect(step1.body).toMatchObject({
      mfaRequired: true,
      mfaMethods: expect.arrayContaining(['SMS']),
      mfaPhoneMasked: expect.stringMatching(/\*{4}/),
    });
    expect(step1.body.tokens).toBeUndefined();
    since = Date.now();
    const sent = await api('POST', '/v1/auth/login/mfa/sms', {
      challenge: step1.body.mfaChallenge,
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      maskedPhone: step1.body.mfaPhoneMasked,
      expiresAt: expect.any(String),
      resendAfter: expect.any(String),
    });
    const again = await api('POST', '/v1/auth/login/mfa/sms', {
      challenge: step1.body.mfaChallenge,
    });
    expect([again.status, again.body.code]).toEqual([429, 'SMS_CODE_COOLDOWN']);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const code = await codeSentTo(me.phone, since);
    const wrongCode = await api('POST', '/v1/auth/login/mfa', {
      challenge: step1.body.mfaChallenge,
      code: code === '000000' ? '111111' : '000000',
      method: 'SMS',
    });
    expect([wrongCode.status, wrongCode.body.code]).toEqual([401, 'SMS_CODE_INVALID']);
    const step2 = await api('POST', '/v1/auth/login/mfa', {
      challenge: step1.body.mfaChallenge,
      code,
      method: 'SMS',
    });
    expect(step2.status).toBe(200);
    const signedInAt = Date.now();
    const phoneAuth = bearer(step2.body.tokens.accessToken);

    // the new device is told to the owner at once (a SECURITY delivery)
    await eventually(
      async () => {
        const r = await api('GET', '/v1/me/notifications', undefined, phoneAuth);
        return r.body.items?.find(
          (n: { eventType: string; category: string }) =>
            /LoginAnomaly/.test(n.eventType) && n.category === 'SECURITY',
        );
      },
      { what: 'the new-device notice' },
    );

    // the sessions: this one marked, the laptop's too; both devices
    const sessions = await api('GET', '/v1/me/sessions', undefined, phoneAuth);
    expect(sessions.status).toBe(200);
    const current = sessions.body.sessions.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({
      deviceId: 'phone-2',
      signedInWith: 'PASSWORD+SMS',
      secondFactorAt: expect.any(String),
    });
    const laptopSession = sessions.body.sessions.find(
      (s: { deviceId: string | null }) => s.deviceId === 'laptop-1',
    );
    expect(laptopSession).toMatchObject({ current: false, signedInWith: 'PASSWORD' });
    expect(sessions.body.devices.map((d: { deviceId: string }) => d.deviceId).sort()).toEqual([
      'laptop-1',
      'phone-2',
    ]);

    // enrolling TOTP needs a recent step-up once the account has a second factor
    expectStepUpRequired(await api('POST', '/v1/me/mfa/enrolment', undefined, laptop), ['SMS']);

    // the session in use is not ended from its own list (logout does that)
    const own = await api('DELETE', `/v1/me/sessions/${current.id}`, undefined, phoneAuth);
    expect(own.status).toBe(409);
    expect(own.body.code).toBe('SESSION_IS_CURRENT');

    // the laptop's session ended: its access tokens and its refresh token are refused
    expect(
      (await api('DELETE', `/v1/me/sessions/${laptopSession.id}`, undefined, phoneAuth)).status,
    ).toBe(204);
    expect((await refusedWithin(laptopStepped, '/v1/me')).body.code).toBe('TOKEN_REVOKED');
    const refresh = await api('POST', '/v1/auth/refresh', {
      refreshToken: first.body.tokens.refreshToken,
    });
    expect(refresh.status).toBe(401);
    expect(
      (await api('GET', '/v1/me/sessions', undefined, phoneAuth)).body.sessions.map(
        (s: { id: string }) => s.id,
      ),
    ).toEqual([current.id]);

    // TOTP on, within the window of the SMS sign-in
    const enrol = await api('POST', '/v1/me/mfa/enrolment', undefined, phoneAuth);
    expect(enrol.status).toBe(201);
    const confirm = await api(
      'POST',
      '/v1/me/mfa/enrolment/confirm',
      { code: totpNow(enrol.body.secret) },
      phoneAuth,
    );
    expect(confirm.status).toBe(200);
    const totpUsedAt = Date.now();

    // past the window, a change is refused again; a TOTP step-up allows it
    await sleep(Math.max(0, signedInAt + (WINDOW_S + 1) * 1000 - Date.now()));
    const stale = await api('PUT', '/v1/me/email', { email: email('sms-new') }, phoneAuth);
    expectStepUpRequired(stale, ['TOTP', 'SMS', 'RECOVERY_CODE']);
    expect(stale.body.maskedPhone).toMatch(/\*{4}/);
    // a TOTP code counts once: wait for the authenticator's next one
    if (Math.floor(Date.now() / 30_000) === Math.floor(totpUsedAt / 30_000))
      await sleep(30_000 - (Date.now() % 30_000) + 200);
    const byTotp = await api(
      'POST',
      '/v1/me/step-up',
      { method: 'TOTP', code: totpNow(enrol.body.secret) },
      phoneAuth,
    );
    expect(byTotp.status).toBe(200);
    const newEmail = email('sms-new');
    const changed = await api(
      'PUT',
      '/v1/me/email',
      { email: newEmail },
      bearer(byTotp.body.accessToken),
    );
    expect([changed.status, changed.body.email]).toEqual([200, newEmail]);

    // an SMS step-up, then a new phone proved by a code sent to it
    since = Date.now();
    const stepUpCode = await api('POST', '/v1/me/step-up/sms', undefined, phoneAuth);
    expect(stepUpCode.status).toBe(200);
    const bySms = await api(
      'POST',
      '/v1/me/step-up',
      { method: 'SMS', code: await codeSentTo(me.phone, since) },
      phoneAuth,
    );
    expect(bySms.status).toBe(200);
    const smsStepped = bearer(bySms.body.accessToken);
    const steppedAt = Date.parse(bySms.body.steppedUpAt);
    const newPhone = phone();
    since = Date.now();
    expect((await api('POST', '/v1/me/phone/code', { phone: newPhone }, smsStepped)).status).toBe(
      200,
    );
    const moved = await api(
      'PUT',
      '/v1/me/phone',
      { phone: newPhone, code: await codeSentTo(newPhone, since) },
      smsStepped,
    );
    expect([moved.status, moved.body.phone]).toEqual([200, newPhone]);

    // and past its window, refused again
    await sleep(Math.max(0, steppedAt + (WINDOW_S + 1) * 1000 - Date.now()));
    expectStepUpRequired(
      await api('PUT', '/v1/me/email', { email: email('sms-later') }, smsStepped),
      ['TOTP', 'SMS'],
    );
  });

  it('refuses a large order to a just-added address until the customer steps up', async () => {
    const { api } = platform;
    const operator = await platform.signIn(email('ops'), PASSWORD, 'customer,operator');
    // ¥6,000.00: above the default ORDER_STEP_UP_MIN_TOTAL (¥5,000.00)
    const skuId = await platform.stockedSku(operator.auth, { priceMinor: 600_000, stock: 5 });
    const buyer = await platform.signIn(email('buyer'), PASSWORD);
    const added = await api(
      'POST',
      '/v1/me/addresses',
      {
        recipient: '韩梅梅',
        phone: '+8613900000000',
        country: 'CN',
        province: '北京市',
        city: '北京市',
        district: '朝阳区',
        line1: '建国路 88 号',
      },
      buyer.auth,
    );
    expect(added.status).toBe(201);
    expect((await api('PUT', `/v1/cart/lines/${skuId}`, { quantity: 1 }, buyer.auth)).status).toBe(
      200,
    );
    const key = randomUUID();
    const checkout = (auth: Record<string, string>, body: object, k = key) =>
      api('POST', '/v1/checkout', body, { ...auth, 'idempotency-key': k });

    const refused = await checkout(buyer.auth, { addressId: added.body.id });
    expectStepUpRequired(refused, ['PASSWORD']);
    // an address typed in at checkout is new too
    expectStepUpRequired(
      await checkout(
        buyer.auth,
        {
          address: {
            recipient: '李雷',
            phone: '+8613800138000',
            country: 'CN',
            province: '上海市',
            city: '上海市',
            district: '浦东新区',
            line1: '世纪大道 100 号',
          },
        },
        randomUUID(),
      ),
      ['PASSWORD'],
    );

    const stepped = await api(
      'POST',
      '/v1/me/step-up',
      { method: 'PASSWORD', password: PASSWORD },
      buyer.auth,
    );
    expect(stepped.status).toBe(200);
    // the same request with the same Idempotency-Key, now with the stepped-up token
    const placed = await checkout(bearer(stepped.body.accessToken), { addressId: added.body.id });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      status: 'PENDING_PAYMENT',
      total: { amountMinor: 600_000, currency: 'CNY' },
    });
  });
});
