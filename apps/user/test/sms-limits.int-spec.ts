import { Redis } from 'ioredis';
import { testEnv, uniqueSuffix } from '@emporia/testing';
import { RedisSmsSendLimiter } from '../src/infrastructure/redis-sms-limiter';

/** The SMS send limits' script on a real Redis: the domain's rule (`sendVerdict`), atomically. */
describe('SMS send limits (real Redis)', () => {
  const redis = new Redis(testEnv.redisUrl());
  const prefix = `it:${uniqueSuffix()}:`;
  const hour = 3_600_000;
  const limiter = new RedisSmsSendLimiter(
    redis,
    {
      cooldownMs: 60_000,
      perPhone: { max: 3, windowMs: hour },
      perAccount: { max: 4, windowMs: hour },
      perIp: { max: 5, windowMs: hour },
    },
    prefix,
  );
  const t0 = Date.UTC(2030, 0, 1);
  const at = (min: number) => new Date(t0 + min * 60_000);
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: { code: string; details: Record<string, unknown> }) => ({
        code: e.code,
        ...e.details,
      }),
    );

  afterAll(() => redis.disconnect());

  it('cooldown per number, then the caps per number, account and address, with the wait', async () => {
    const k = (phone: string, accountId = 'acct-1', ip = '10.0.0.1') => ({ accountId, phone, ip });
    expect(await limiter.reserve(k('+8613800138000'), at(0))).toEqual({ resendAfter: at(1) });
    expect(await refusal(limiter.reserve(k('+8613800138000'), at(0.5)))).toEqual({
      code: 'SMS_CODE_COOLDOWN',
      scope: 'PHONE',
      retryAfterSeconds: 30,
    });
    await limiter.reserve(k('+8613800138000'), at(2));
    await limiter.reserve(k('+8613800138000'), at(4));
    // the first send leaves the hour's window at minute 60
    expect(await refusal(limiter.reserve(k('+8613800138000'), at(10)))).toEqual({
      code: 'SMS_SEND_LIMITED',
      scope: 'PHONE',
      retryAfterSeconds: 50 * 60,
    });
    // another number of the same account: the account's fourth send, then its cap
    await limiter.reserve(k('+8613900139000'), at(11));
    expect(await refusal(limiter.reserve(k('+8613700137000'), at(12)))).toMatchObject({
      code: 'SMS_SEND_LIMITED',
      scope: 'ACCOUNT',
    });
    // other accounts from the same address: its fifth send, then its cap
    await limiter.reserve(k('+8613600136000', 'acct-2'), at(13));
    expect(await refusal(limiter.reserve(k('+8613500135000', 'acct-3'), at(14)))).toMatchObject({
      code: 'SMS_SEND_LIMITED',
      scope: 'IP',
    });
    // without an address, only the number and the account count
    await limiter.reserve(k('+8613500135000', 'acct-3', ''), at(14));
    // refused sends were not counted: after the window the number may be used again
    await limiter.reserve(k('+8613800138000'), at(61));
  });
});
