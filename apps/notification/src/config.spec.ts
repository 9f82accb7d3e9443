import { notificationConfigSchema } from './config';

const KEY = 'a'.repeat(32);
const base = {
  NOTIFICATION_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/n',
  KAFKA_BROKERS: '127.0.0.1:9092',
  NOTIFICATION_UNSUBSCRIBE_SECRET: KEY,
};
const problems = (over: Record<string, string>) => {
  const r = notificationConfigSchema.safeParse({ ...base, ...over });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('notification config', () => {
  it('takes the defaults with the required variables', () => {
    const c = notificationConfigSchema.parse(base);
    expect(c).toMatchObject({
      NOTIFICATION_GRPC_PORT: 50060,
      NOTIFICATION_HTTP_PORT: 8091,
      SMTP_URL: 'smtp://127.0.0.1:51025',
      NOTIFICATION_SANDBOX_ENABLED: false,
      NOTIFICATION_DEFAULT_TIME_ZONE: 'Asia/Shanghai',
    });
  });

  it('needs an unsubscribe key of at least 32 characters', () => {
    expect(problems({ NOTIFICATION_UNSUBSCRIBE_SECRET: '' })).toEqual([
      expect.stringMatching(/^NOTIFICATION_UNSUBSCRIBE_SECRET: required/),
    ]);
    expect(problems({ NOTIFICATION_UNSUBSCRIBE_SECRET: 'short' })).toEqual([
      expect.stringMatching(/^NOTIFICATION_UNSUBSCRIBE_SECRET: must be at least 32/),
    ]);
  });

  it('needs a sandbox key when the sandbox is on, and refuses the sandbox in production', () => {
    expect(problems({ NOTIFICATION_SANDBOX_ENABLED: 'true' })).toEqual([
      expect.stringMatching(/^NOTIFICATION_SANDBOX_SECRET: required when/),
    ]);
    expect(
      problems({ NOTIFICATION_SANDBOX_ENABLED: 'true', NOTIFICATION_SANDBOX_SECRET: KEY }),
    ).toEqual([]);
    expect(
      problems({
        NOTIFICATION_SANDBOX_ENABLED: 'true',
        NOTIFICATION_SANDBOX_SECRET: KEY,
        NODE_ENV: 'production',
      }),
    ).toEqual([expect.stringMatching(/^NOTIFICATION_SANDBOX_ENABLED: the sandbox/)]);
  });

  it("refuses the compose file's development unsubscribe key in production only", () => {
    const dev = {
      NOTIFICATION_UNSUBSCRIBE_SECRET: 'compose-development-unsubscribe-key-0123456789',
    };
    expect(problems(dev)).toEqual([]);
    expect(problems({ ...dev, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^NOTIFICATION_UNSUBSCRIBE_SECRET: is the compose file's/),
    ]);
  });

  it('refuses operator addresses that are not e-mail addresses', () => {
    expect(problems({ NOTIFICATION_OPERATOR_EMAILS: 'ops@example.com, nobody' })).toHaveLength(1);
    expect(
      notificationConfigSchema.parse({ ...base, NOTIFICATION_OPERATOR_EMAILS: 'a@x.cn, b@y.cn' })
        .NOTIFICATION_OPERATOR_EMAILS,
    ).toEqual(['a@x.cn', 'b@y.cn']);
  });
});
