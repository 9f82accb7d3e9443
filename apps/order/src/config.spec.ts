import { randomBytes } from 'node:crypto';
import { loadConfig } from '@emporia/platform';
import { orderConfigSchema } from './config';

const base = {
  ORDER_DATABASE_URL: 'postgres://o:o@localhost:5432/order',
  KAFKA_BROKERS: 'k:9092',
  USER_GRPC_URL: 'user:50052',
};
const random = () => randomBytes(32).toString('hex');
/** The variables a configuration is refused for (empty when it loads). */
const refused = (env: Record<string, string>): string[] => {
  const r = orderConfigSchema.safeParse({ ...base, ...env });
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('order config: the user service', () => {
  it('may be left out in development, never with NODE_ENV=production (frozen accounts)', () => {
    expect(refused({ USER_GRPC_URL: '' })).toEqual([]);
    expect(refused({ USER_GRPC_URL: '', NODE_ENV: 'production' })).toEqual(['USER_GRPC_URL']);
    expect(refused({ NODE_ENV: 'production' })).toEqual([]);
  });
});

describe('order config: the sandbox and the webhook secrets', () => {
  it('has no secret by default: the sandbox and carrier webhooks are off', () => {
    const c = loadConfig(orderConfigSchema, base);
    expect(c.PAYMENT_SANDBOX_ENABLED).toBe(false);
    expect(c.PAYMENT_SANDBOX_SECRET).toBe('');
    expect(c.CARRIER_WEBHOOK_SECRET).toBe('');
    expect(c.CARRIER_WEBHOOK_MAX_AGE_SECONDS).toBe(300);
  });

  it('enables the sandbox only with a secret, and never with NODE_ENV=production', () => {
    expect(refused({ PAYMENT_SANDBOX_ENABLED: 'true' })).toEqual(['PAYMENT_SANDBOX_SECRET']);
    expect(refused({ PAYMENT_SANDBOX_ENABLED: 'true', PAYMENT_SANDBOX_SECRET: random() })).toEqual(
      [],
    );
    expect(
      refused({
        PAYMENT_SANDBOX_ENABLED: 'true',
        PAYMENT_SANDBOX_SECRET: random(),
        NODE_ENV: 'production',
      }),
    ).toEqual(['PAYMENT_SANDBOX_ENABLED']);
    expect(() =>
      loadConfig(orderConfigSchema, {
        ...base,
        PAYMENT_SANDBOX_ENABLED: 'true',
        PAYMENT_SANDBOX_SECRET: random(),
        NODE_ENV: 'production',
      }),
    ).toThrow(/PAYMENT_SANDBOX_ENABLED.*NODE_ENV=production/s);
    expect(refused({ NODE_ENV: 'production', CARRIER_WEBHOOK_SECRET: random() })).toEqual([]);
  });

  it.each(['development', 'test', 'production'])(
    'refuses the formerly published secrets with NODE_ENV=%s',
    (nodeEnv) => {
      expect(
        refused({
          NODE_ENV: nodeEnv,
          CARRIER_WEBHOOK_SECRET: 'emporia-carrier-development-secret',
        }),
      ).toEqual(['CARRIER_WEBHOOK_SECRET']);
      expect(
        refused({
          NODE_ENV: nodeEnv,
          PAYMENT_SANDBOX_SECRET: 'emporia-sandbox-development-secret',
        }),
      ).toEqual(['PAYMENT_SANDBOX_SECRET']);
    },
  );

  it('refuses secrets shorter than 32 characters', () => {
    expect(refused({ CARRIER_WEBHOOK_SECRET: 'x'.repeat(31) })).toEqual(['CARRIER_WEBHOOK_SECRET']);
    expect(
      refused({ PAYMENT_SANDBOX_ENABLED: 'true', PAYMENT_SANDBOX_SECRET: 'x'.repeat(31) }),
    ).toEqual(['PAYMENT_SANDBOX_SECRET']);
    expect(refused({ CARRIER_WEBHOOK_SECRET: 'x'.repeat(32) })).toEqual([]);
  });

  it('bounds the age of tracking webhooks and the guest token lifetimes', () => {
    expect(refused({ CARRIER_WEBHOOK_MAX_AGE_SECONDS: '86400' })).toEqual([
      'CARRIER_WEBHOOK_MAX_AGE_SECONDS',
    ]);
    expect(
      refused({ GUEST_CART_TTL_SECONDS: '3600', GUEST_TOKEN_UNUSED_TTL_SECONDS: '7200' }),
    ).toEqual(['GUEST_TOKEN_UNUSED_TTL_SECONDS']);
  });

  it('leases checkouts for 15 s and sweeps them after 2 minutes; never a sweep inside the lease', () => {
    const c = loadConfig(orderConfigSchema, base);
    expect([c.CHECKOUT_LEASE_SECONDS, c.CHECKOUT_ABANDON_AFTER_SECONDS]).toEqual([15, 120]);
    expect(refused({ CHECKOUT_LEASE_SECONDS: '0' })).toEqual(['CHECKOUT_LEASE_SECONDS']);
    expect(refused({ CHECKOUT_LEASE_SECONDS: '30', CHECKOUT_ABANDON_AFTER_SECONDS: '20' })).toEqual(
      ['CHECKOUT_ABANDON_AFTER_SECONDS'],
    );
  });
});
