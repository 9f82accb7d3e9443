import { deviceNameFrom } from './device-name';
import { newFamily, revoke, steppedUp, touched } from './refresh-token-family';
import {
  checkSmsCode,
  maskEmail,
  maskPhone,
  newCodeDigits,
  newSmsCode,
  normaliseSubmittedCode,
  SMS_CODE_MAX_ATTEMPTS,
  SMS_CODE_TTL_MS,
  type SmsCode,
} from './sms-code';
import { DEFAULT_SMS_SEND_LIMITS, sendRefused, sendVerdict } from './sms-limits';
import { assertSteppedUp, STEP_UP_WINDOW_MS, stepUpValidUntil } from './step-up';

const T0 = new Date('2026-11-25T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const session = () =>
  newFamily({ id: 's-1', userId: 'acct-1', tokenId: 't', now: T0, ttlMs: 86_400_000 });

describe('step-up window', () => {
  it('a session that never proved a second factor is not stepped up', () => {
    expect(stepUpValidUntil(session(), 'acct-1', T0)).toBeNull();
    expect(() => assertSteppedUp(session(), 'acct-1', T0)).toThrow(
      expect.objectContaining({ kind: 'FAILED_PRECONDITION', code: 'STEP_UP_REQUIRED' }),
    );
  });

  it('a step-up holds for the window, not at its end', () => {
    const s = steppedUp(session(), T0);
    expect(stepUpValidUntil(s, 'acct-1', at(STEP_UP_WINDOW_MS - 1))).toEqual(at(STEP_UP_WINDOW_MS));
    expect(() => assertSteppedUp(s, 'acct-1', at(STEP_UP_WINDOW_MS - 1))).not.toThrow();
    expect(stepUpValidUntil(s, 'acct-1', at(STEP_UP_WINDOW_MS))).toBeNull();
    // a configured window
    expect(stepUpValidUntil(s, 'acct-1', at(90_000), 60_000)).toBeNull();
  });

  it('a sign-in with a second factor counts from its start', () => {
    const s = newFamily({
      id: 's',
      userId: 'acct-1',
      tokenId: 't',
      now: T0,
      ttlMs: 86_400_000,
      signedInWith: 'PASSWORD+TOTP',
      secondFactor: true,
    });
    expect(stepUpValidUntil(s, 'acct-1', at(1000))).toEqual(at(STEP_UP_WINDOW_MS));
  });

  it('only for a live session of the account', () => {
    const s = steppedUp(session(), T0);
    expect(stepUpValidUntil(s, 'acct-2', T0)).toBeNull();
    expect(stepUpValidUntil(revoke(s, 'LOGOUT', T0), 'acct-1', T0)).toBeNull();
    expect(() => assertSteppedUp(null, 'acct-1', T0)).toThrow(
      expect.objectContaining({ code: 'STEP_UP_REQUIRED' }),
    );
  });

  it('a refresh keeps the second factor and records where the session is used from', () => {
    const s = touched(
      steppedUp(session(), T0),
      { ip: '203.0.113.9', place: '浙江省杭州市' },
      at(5),
    );
    expect(s.secondFactorAt).toEqual(T0);
    expect(s.lastUsedAt).toEqual(at(5));
    expect(s.client).toMatchObject({ ip: '203.0.113.9', place: '浙江省杭州市' });
    // no address given: the last one stays
    expect(touched(s, { ip: '', place: '' }, at(6)).client.place).toBe('浙江省杭州市');
  });
});

describe('SMS one-time codes', () => {
  const code = (over: Partial<SmsCode> = {}): SmsCode => ({
    ...newSmsCode({
      id: 'c-1',
      accountId: 'acct-1',
      purpose: 'STEP_UP',
      subject: 's-1',
      phone: '+8613800138000',
      codeHash: 'h:123456',
      now: T0,
    }),
    ...over,
  });
  const matches = (c: SmsCode, digits: string) => c.codeHash === `h:${digits}`;

  it('six digits, rejection-sampled from 4 random bytes at a time', () => {
    const draws = [
      [0xff, 0xff, 0xff, 0xff], // 2^32-1: above the last multiple of 10^6, drawn again
      [0, 0, 0x30, 0x39], // 12345
    ];
    let i = 0;
    expect(newCodeDigits(() => Uint8Array.from(draws[i++]))).toBe('012345');
    expect(i).toBe(2);
    const seen = new Set(
      Array.from({ length: 200 }, () =>
        newCodeDigits((n) => Uint8Array.from({ length: n }, () => Math.floor(Math.random() * 256))),
      ),
    );
    for (const c of seen) expect(c).toMatch(/^\d{6}$/);
    expect(seen.size).toBeGreaterThan(190);
  });

  it('a code lives 5 minutes and works once', () => {
    expect(code().expiresAt).toEqual(at(SMS_CODE_TTL_MS));
    const ok = checkSmsCode(code(), ' 123 456 ', matches, at(1000));
    expect(ok).toMatchObject({ outcome: 'OK', code: { usedAt: at(1000) } });
    if (ok.outcome !== 'OK') throw new Error('unreachable');
    expect(checkSmsCode(ok.code, '123456', matches, at(2000))).toEqual({ outcome: 'EXPIRED' });
    expect(checkSmsCode(code(), '123456', matches, at(SMS_CODE_TTL_MS))).toEqual({
      outcome: 'EXPIRED',
    });
    expect(checkSmsCode(null, '123456', matches, T0)).toEqual({ outcome: 'EXPIRED' });
  });

  it('a wrong code costs an attempt; the fifth wrong one leaves none', () => {
    let c = code();
    for (let n = 1; n <= SMS_CODE_MAX_ATTEMPTS; n++) {
      const r = checkSmsCode(c, '000000', matches, T0);
      expect(r).toMatchObject({ outcome: 'WRONG', code: { attempts: n } });
      if (r.outcome === 'WRONG') c = r.code;
    }
    // out of attempts: even the right code is refused
    expect(checkSmsCode(c, '123456', matches, T0)).toEqual({ outcome: 'EXPIRED' });
    // not a code at all is a wrong one
    expect(checkSmsCode(code(), 'abc', matches, T0)).toMatchObject({ outcome: 'WRONG' });
    expect(normaliseSubmittedCode('12345')).toBeNull();
  });

  it('a phone change proves the number the code went to', () => {
    expect(checkSmsCode(code(), '123456', matches, T0, '+8613900139000')).toEqual({
      outcome: 'EXPIRED',
    });
    expect(checkSmsCode(code(), '123456', matches, T0, '+8613800138000').outcome).toBe('OK');
  });

  it('masks numbers and addresses for messages', () => {
    expect(maskPhone('+8613800138000')).toBe('+86138****8000');
    expect(maskPhone('+14155550100')).toBe('+1415***0100');
    expect(maskEmail('li.lei@example.com')).toBe('l*****@example.com');
  });
});

describe('SMS send limits', () => {
  const L = DEFAULT_SMS_SEND_LIMITS;
  const min = 60_000;

  it('a resend within the cooldown waits for its end', () => {
    const v = sendVerdict({ phone: [0], account: [0], ip: [0] }, L, 20_000);
    expect(v).toEqual({
      allowed: false,
      code: 'SMS_CODE_COOLDOWN',
      scope: 'PHONE',
      retryAfterMs: 40_000,
    });
    expect(sendVerdict({ phone: [0], account: [0], ip: [0] }, L, min)).toMatchObject({
      allowed: true,
      resendAfterMs: min,
    });
  });

  it('five per number per hour: the sixth waits until the first leaves the window', () => {
    const sends = [0, 2, 4, 6, 8].map((m) => m * min);
    const v = sendVerdict({ phone: sends, account: sends, ip: null }, L, 10 * min);
    expect(v).toMatchObject({ code: 'SMS_SEND_LIMITED', scope: 'PHONE', retryAfterMs: 50 * min });
    expect(sendVerdict({ phone: sends, account: sends, ip: null }, L, 60 * min).allowed).toBe(true);
  });

  it('per account and per address across numbers; the longest wait is the answer', () => {
    const ten = Array.from({ length: 10 }, (_, i) => i * 2 * min);
    const twenty = Array.from({ length: 20 }, (_, i) => i * min);
    expect(sendVerdict({ phone: [], account: ten, ip: [] }, L, 30 * min)).toMatchObject({
      scope: 'ACCOUNT',
      retryAfterMs: 30 * min,
    });
    expect(sendVerdict({ phone: [], account: [], ip: twenty }, L, 25 * min)).toMatchObject({
      scope: 'IP',
      retryAfterMs: 35 * min,
    });
    const later = ten.map((t) => t + 5 * min);
    expect(sendVerdict({ phone: [], account: later, ip: twenty }, L, 25 * min)).toMatchObject({
      scope: 'ACCOUNT',
      retryAfterMs: 40 * min,
    });
  });

  it('the refusal says how long to wait', () => {
    const e = sendRefused({
      allowed: false,
      code: 'SMS_SEND_LIMITED',
      scope: 'ACCOUNT',
      retryAfterMs: 1500,
    });
    expect(e).toMatchObject({
      kind: 'RESOURCE_EXHAUSTED',
      code: 'SMS_SEND_LIMITED',
      details: { retryAfterSeconds: 2, scope: 'ACCOUNT' },
    });
    expect(e.message).toContain('2 s');
  });
});

describe('device names from the User-Agent', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome 131 on Windows',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari 17 on iPhone',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome 131 on Android',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      'Safari 17 on macOS',
    ],
    ['curl/8.5.0', 'curl/8.5.0'],
    ['', ''],
  ])('%s → %s', (ua, name) => {
    expect(deviceNameFrom(ua)).toBe(name);
  });

  it('a WeChat browser on an iPhone', () => {
    expect(
      deviceNameFrom(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN',
      ),
    ).toBe('WeChat 8 on iPhone');
  });
});
