import { status } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { Client } from 'pg';
import { notificationV1, PROTO_FILES, userV1 } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  runServiceCommand,
  startServiceProcess,
  testEnv,
  testLogger,
  uniqueSuffix,
  type ServiceProcess,
  grpcFailure,
} from '@emporia/testing';
import { userConfigSchema } from '../src/config';
import { startUser } from '../src/user.app';

jest.setTimeout(180_000);

const PASSWORD = 'correct horse battery staple';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
/** An address ip2region places in 浙江省杭州市. */
const HANGZHOU = '223.5.5.5';

const sinkApi = () => {
  const v = process.env.MAIL_SINK_API_URL;
  if (!v) throw new Error('MAIL_SINK_API_URL is not set: run with deploy/local/env.sh');
  return v;
};
const mailSubjectsTo = async (address: string): Promise<string[]> => {
  const res = await fetch(
    `${sinkApi()}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`,
  );
  return ((await res.json()) as { messages: { Subject: string }[] }).messages.map((m) => m.Subject);
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Step-up, SMS one-time codes and sessions on real Postgres, Redis and Kafka, with a real
 * notification service (sandbox SMS provider, the mail sink): a code travels user → notification
 * → the sandbox phone and is read back with ListSandboxMessages; the outbox's events reach the
 * owner's mailbox as security notices.
 */
describe('step-up, SMS codes and sessions (user + notification, real servers)', () => {
  const suffix = uniqueSuffix();
  const prefix = `su${suffix}.`;
  let userDb: { url: string; drop: () => Promise<void> };
  let notificationDb: { url: string; drop: () => Promise<void> };
  let user: RunningService;
  let notification: ServiceProcess;
  let users: ReturnType<typeof grpcTestClient>;
  let notifications: ReturnType<typeof grpcTestClient>;
  let pg: Client;

  const call = <T>(method: string, req: unknown) => users.call<T>(method, req);
  const failure = grpcFailure;
  const email = (name: string) => `${name}.${suffix}@example.cn`;
  let phones = 0;
  const newPhone = () =>
    `+86139${String(Date.now() % 1e5).padStart(5, '0')}${String(++phones).padStart(3, '0')}`;

  /** The latest code the sandbox phone received. */
  const codeOn = async (phone: string, after = 0): Promise<string> =>
    eventually(async () => {
      const { messages } = await notifications.call<notificationV1.ListSandboxMessagesResponse>(
        'listSandboxMessages',
        { phone, limit: 10 },
      );
      if (messages.length <= after) return undefined;
      return /(\d{6})/.exec(messages[0]!.body)?.[1];
    });

  const signIn = async (name: string, deviceId: string, userAgent: string, ip = HANGZHOU) => {
    const r = await call<userV1.LoginResponse>('login', {
      identifier: email(name),
      password: PASSWORD,
      ip,
      deviceId,
      userAgent,
    });
    return { ...r, sessionId: r.tokens ? (decodeJwt(r.tokens.accessToken).sid as string) : '' };
  };

  beforeAll(async () => {
    userDb = await createTestDatabase('user_stepup_it');
    notificationDb = await createTestDatabase('notification_stepup_it');
    const notificationPort = await freePort();
    user = await startUser(
      userConfigSchema.parse({
        USER_DATABASE_URL: userDb.url,
        REDIS_URL: testEnv.redisUrl(),
        REDIS_KEY_PREFIX: `it:${suffix}:`,
        KAFKA_BROKERS: testEnv.kafkaBrokers(),
        KAFKA_TOPIC_PREFIX: prefix,
        USER_GRPC_PORT: String(await freePort()),
        USER_HTTP_PORT: '0',
        BIND_HOST: '127.0.0.1',
        USER_MIGRATE_ON_START: 'true',
        OUTBOX_POLL_MS: '100',
        NOTIFICATION_GRPC_URL: `127.0.0.1:${notificationPort}`,
        SMS_CODE_COOLDOWN_SECONDS: '1',
      }),
      testLogger('user'),
    );
    // notification as its own process, as it runs (its sandbox SMS provider, the mail sink)
    const notificationEnv = {
      NOTIFICATION_DATABASE_URL: notificationDb.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      NOTIFICATION_CONSUMER_GROUP: `notification-stepup-${suffix}`,
      NOTIFICATION_UNSUBSCRIBE_SECRET: 'unsubscribe-secret-of-the-step-up-test',
    };
    await runServiceCommand('notification', notificationEnv, ['migrate']);
    const notificationHttp = await freePort();
    notification = await startServiceProcess(
      'notification',
      {
        ...notificationEnv,
        NOTIFICATION_GRPC_PORT: String(notificationPort),
        NOTIFICATION_HTTP_PORT: String(notificationHttp),
        BIND_HOST: '127.0.0.1',
        USER_GRPC_URL: user.grpcUrl!,
        SMTP_URL: process.env.SMTP_SINK_URL ?? '',
        NOTIFICATION_SANDBOX_ENABLED: 'true',
        NOTIFICATION_SANDBOX_SECRET: 'sandbox-secret-of-the-step-up-test-0123',
        NOTIFICATION_SANDBOX_RECEIPT_DELAY_MS: '20',
        NOTIFICATION_SEND_INTERVAL_MS: '200',
      },
      `http://127.0.0.1:${notificationHttp}/readyz`,
    );
    users = grpcTestClient(PROTO_FILES.user, 'emporia.user.v1.UserService', user.grpcUrl!);
    notifications = grpcTestClient(
      PROTO_FILES.notification,
      'emporia.notification.v1.NotificationService',
      `127.0.0.1:${notificationPort}`,
    );
    pg = new Client({ connectionString: userDb.url });
    await pg.connect();
  });

  afterAll(async () => {
    users?.close();
    notifications?.close();
    await pg?.end();
    await notification?.stop();
    await user?.close();
    await notificationDb?.drop();
    await userDb?.drop();
  });

  it('an SMS code reaches the phone through notification; SMS becomes a second factor', async () => {
    const phone = newPhone();
    const { account } = await call<userV1.RegisterResponse>('register', {
      email: email('li'),
      phone,
      password: PASSWORD,
    });
    const first = await signIn('li', 'it-laptop', CHROME);
    const session = { accountId: account!.id, sessionId: first.sessionId };
    const enable = { purpose: 'SMS_CODE_PURPOSE_ENABLE_SMS_MFA', ...session, ip: '10.9.0.1' };
    const sent = await call<userV1.SendSmsCodeResponse>('sendSmsCode', enable);
    expect(sent.maskedPhone).toBe(`${phone.slice(0, 6)}****${phone.slice(-4)}`);
    // the resend cooldown lives in Redis
    expect(await failure(call('sendSmsCode', enable))).toMatchObject({
      status: status.RESOURCE_EXHAUSTED,
      code: 'SMS_CODE_COOLDOWN',
    });
    const code = await codeOn(phone);
    const [stored] = (
      await pg.query(`SELECT code_hash FROM sms_codes WHERE account_id = $1`, [account!.id])
    ).rows as { code_hash: string }[];
    expect(stored.code_hash).not.toContain(code);
    const { deliveries } = await notifications.call<notificationV1.ListDeliveriesResponse>(
      'listDeliveries',
      { accountId: account!.id },
    );
    expect(deliveries[0]).toMatchObject({ templateKey: 'auth.sms_code' });
    expect(JSON.stringify(deliveries)).not.toContain(code);

    const setSms = { ...session, enabled: true, code };
    expect(await failure(call('setSmsMfa', setSms))).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'STEP_UP_REQUIRED',
    });
    const stepped = await call<userV1.StepUpResponse>('stepUp', {
      ...session,
      method: 'PASSWORD',
      password: PASSWORD,
    });
    const claims = decodeJwt(stepped.accessToken);
    expect(claims.sid).toBe(first.sessionId);
    expect(Math.abs((claims.mfa_at as number) - Date.now() / 1000)).toBeLessThan(10);
    expect(await call('setSmsMfa', setSms)).toEqual({ smsMfaEnabled: true });

    // a sign-in now asks for the SMS code
    const second = await signIn('li', 'it-laptop', CHROME);
    expect(second).toMatchObject({ mfaRequired: true, mfaMethods: ['SMS'] });
    expect(second.mfaPhoneMasked).toBe(sent.maskedPhone);
    await pause(1100);
    await call('sendSmsCode', {
      purpose: 'SMS_CODE_PURPOSE_LOGIN',
      mfaChallenge: second.mfaChallenge,
    });
    const loginCode = await codeOn(phone, 1);
    const done = await call<userV1.CompleteMfaLoginResponse>('completeMfaLogin', {
      mfaChallenge: second.mfaChallenge,
      code: loginCode,
      method: 'SMS',
    });
    const signedInAt = decodeJwt(done.tokens!.accessToken).mfa_at as number;
    expect(Math.abs(signedInAt - Date.now() / 1000)).toBeLessThan(10);
    const refreshed = await call<userV1.RefreshResponse>('refresh', {
      refreshToken: done.tokens!.refreshToken,
      ip: '10.9.0.2',
      userAgent: CHROME,
    });
    expect(decodeJwt(refreshed.tokens!.accessToken).mfa_at).toBe(signedInAt);
    const details = await call<userV1.GetAccountResponse>('getAccount', { accountId: account!.id });
    expect(details.details).toMatchObject({ mfaEnabled: true, smsMfaEnabled: true });
  });

  it('sessions and devices: listed with names and places, ended one by one, a device forgotten', async () => {
    const { account } = await call<userV1.RegisterResponse>('register', {
      email: email('wang'),
      password: PASSWORD,
    });
    const laptop = await signIn('wang', 'it-laptop', CHROME);
    const iphone = await signIn('wang', 'it-iphone', IPHONE, '10.9.0.3');
    const list = await call<userV1.ListSessionsResponse>('listSessions', {
      accountId: account!.id,
      currentSessionId: laptop.sessionId,
    });
    expect(list.sessions.map((s) => [s.deviceName, s.place, s.current, s.signedInWith])).toEqual([
      ['Safari 17 on iPhone', 'local network', false, 'PASSWORD'],
      ['Chrome 131 on Windows', '浙江省杭州市', true, 'PASSWORD'],
    ]);
    expect(list.devices.map((d) => [d.deviceId, d.name, d.activeSessions])).toEqual([
      ['it-iphone', 'Safari 17 on iPhone', 1],
      ['it-laptop', 'Chrome 131 on Windows', 1],
    ]);
    await call('revokeSession', { accountId: account!.id, sessionId: iphone.sessionId });
    expect(
      await failure(call('refresh', { refreshToken: iphone.tokens!.refreshToken })),
    ).toMatchObject({ code: 'REFRESH_TOKEN_REVOKED' });
    // the gateway's revocation list has the session (pushed after commit by the relay)
    const redis = new Redis(testEnv.redisUrl());
    try {
      await eventually(async () =>
        (await redis.exists(
          userV1.revokedSessionKey(
            userV1.DEFAULT_TOKEN_REVOCATION_PREFIX,
            account!.id,
            iphone.sessionId,
          ),
        )) === 1
          ? true
          : undefined,
      );
    } finally {
      redis.disconnect();
    }
    expect(await call('forgetDevice', { accountId: account!.id, deviceId: 'it-laptop' })).toEqual({
      sessionsEnded: 1,
    });
    expect(
      await failure(call('forgetDevice', { accountId: account!.id, deviceId: 'it-laptop' })),
    ).toMatchObject({ status: status.NOT_FOUND, code: 'DEVICE_NOT_FOUND' });
    const types = (
      (
        await pg.query(`SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY seq`, [
          account!.id,
        ])
      ).rows as { event_type: string }[]
    ).map((r) => r.event_type);
    expect(types.filter((t) => t === 'emporia.user.v1.SecurityChanged')).toHaveLength(2);
  });

  it('a password change ends the other sessions; e-mails stay unique; one address', async () => {
    const { account } = await call<userV1.RegisterResponse>('register', {
      email: email('zhao'),
      password: PASSWORD,
    });
    const a = await signIn('zhao', 'it-a', CHROME);
    const b = await signIn('zhao', 'it-b', IPHONE);
    const session = { accountId: account!.id, sessionId: a.sessionId };
    await call('stepUp', { ...session, method: 'PASSWORD', password: PASSWORD });
    expect(
      await call('changePassword', {
        ...session,
        currentPassword: PASSWORD,
        newPassword: 'a brand new secret 42',
      }),
    ).toEqual({ sessionsEnded: 1 });
    expect(await failure(call('refresh', { refreshToken: b.tokens!.refreshToken }))).toMatchObject({
      code: 'REFRESH_TOKEN_REVOKED',
    });
    expect(await failure(call('changeEmail', { ...session, email: email('li') }))).toMatchObject({
      status: status.ALREADY_EXISTS,
      code: 'EMAIL_TAKEN',
    });
    const { address } = await call<userV1.CreateAddressResponse>('createAddress', {
      accountId: account!.id,
      address: {
        recipient: '赵六',
        phone: '+8613800138000',
        country: 'CN',
        province: '浙江省',
        city: '杭州市',
        district: '西湖区',
        line1: '文三路 1 号',
        postalCode: '310000',
      },
    });
    expect(
      await call<userV1.GetAddressResponse>('getAddress', {
        accountId: account!.id,
        addressId: address!.id,
      }),
    ).toMatchObject({ address: { id: address!.id, createdAt: address!.createdAt } });
    expect(
      await failure(
        call('getAddress', {
          accountId: account!.id,
          addressId: '0190b000-0000-7000-8000-0000000000aa',
        }),
      ),
    ).toMatchObject({ status: status.NOT_FOUND, code: 'ADDRESS_NOT_FOUND' });
  });

  it('security notices reach the mailbox: a new device, a changed setting (outbox → Kafka → notification)', async () => {
    // li signed in from it-laptop, then turned SMS on (first test)
    await eventually(
      async () => {
        const subjects = await mailSubjectsTo(email('li'));
        return subjects.includes('您的账户安全设置已更改') ? subjects : undefined;
      },
      { timeoutMs: 60_000, what: 'the SMS_MFA_ON notice in the mail sink' },
    );
    // wang's second device was new to the account
    await eventually(
      async () => {
        const subjects = await mailSubjectsTo(email('wang'));
        return subjects.includes('您的账户在新设备上登录') ? subjects : undefined;
      },
      { timeoutMs: 60_000, what: 'the new-device notice in the mail sink' },
    );
  });
});
