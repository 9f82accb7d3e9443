import { createHmac } from 'node:crypto';
import { anonymise, validateRoles, type Account } from './account';
import {
  assertChallengeOpen,
  MFA_CHALLENGE_MAX_ATTEMPTS,
  normaliseRecoveryCode,
  readSecondFactor,
  recoveryCodeFrom,
  type MfaChallenge,
  type MfaCredential,
} from './mfa';
import {
  consentView,
  defaultAfterDelete,
  validateAddress,
  validateProfile,
  type Address,
} from './profile';
import { totp, type Hmac } from './totp';

const hmac: Hmac = (alg, key, msg) =>
  new Uint8Array(createHmac(alg.toLowerCase(), key).update(msg).digest());
const secret = new TextEncoder().encode('12345678901234567890');
const now = new Date('2026-11-25T10:00:00Z');
const credential = (lastUsedCounter: number | null = null): MfaCredential => ({
  accountId: 'a',
  status: 'ACTIVE',
  secret,
  lastUsedCounter,
  createdAt: now,
  confirmedAt: now,
});

describe('recovery codes', () => {
  it('are ten unambiguous characters, read in any case with or without the dash', () => {
    const code = recoveryCodeFrom(Uint8Array.from({ length: 10 }, (_, i) => i * 25));
    expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(code).not.toMatch(/[01ilo]/);
    expect(normaliseRecoveryCode(` ${code.toUpperCase()} `)).toBe(code.replace('-', ''));
    expect(normaliseRecoveryCode('abc')).toBeNull();
    expect(normaliseRecoveryCode('aaaaa-0aaaa')).toBeNull();
  });
});

describe('second factor', () => {
  const unix = Math.floor(now.getTime() / 1000);
  it('accepts the current TOTP step and the neighbouring ones', () => {
    for (const offset of [-30, 0, 30]) {
      const code = totp(hmac, secret, unix + offset);
      expect(readSecondFactor(hmac, credential(), code, now)).toEqual({
        kind: 'TOTP',
        counter: Math.floor((unix + offset) / 30),
      });
    }
    expect(readSecondFactor(hmac, credential(), totp(hmac, secret, unix + 90), now)).toBeNull();
  });

  it('refuses a step at or before the last one used (no replay)', () => {
    const code = totp(hmac, secret, unix);
    const counter = Math.floor(unix / 30);
    expect(readSecondFactor(hmac, credential(counter), code, now)).toBeNull();
    expect(readSecondFactor(hmac, credential(counter - 1), code, now)).not.toBeNull();
  });

  it('recognises a recovery code by its shape and anything else as wrong', () => {
    expect(readSecondFactor(hmac, credential(), 'abcde-fghjk', now)).toEqual({
      kind: 'RECOVERY',
      normalised: 'abcdefghjk',
    });
    expect(readSecondFactor(hmac, credential(), '12345', now)).toBeNull();
    expect(readSecondFactor(hmac, credential(), '', now)).toBeNull();
  });
});

describe('MFA challenge', () => {
  const challenge = (over: Partial<MfaChallenge> = {}): MfaChallenge => ({
    id: 'c',
    accountId: 'a',
    throttleKey: 'a@b.cn',
    deviceId: '',
    ip: '1.1.1.1',
    expiresAt: new Date(now.getTime() + 60_000),
    attempts: 0,
    usedAt: null,
    ...over,
  });
  it('is open until used, expired or out of attempts', () => {
    expect(assertChallengeOpen(challenge(), now).id).toBe('c');
    for (const bad of [
      null,
      challenge({ usedAt: now }),
      challenge({ expiresAt: now }),
      challenge({ attempts: MFA_CHALLENGE_MAX_ATTEMPTS }),
    ])
      expect(() => assertChallengeOpen(bad, now)).toThrow(
        expect.objectContaining({ code: 'MFA_CHALLENGE_INVALID' }),
      );
  });
});

describe('profile', () => {
  it('validates birthdays, URLs and locales; empty means unset', () => {
    expect(
      validateProfile({ displayName: ' Li ', birthday: '2000-02-29', locale: 'zh-CN' }, now),
    ).toEqual({
      displayName: 'Li',
      birthday: '2000-02-29',
      avatarUrl: null,
      locale: 'zh-CN',
    });
    for (const bad of [
      { birthday: '2001-02-29' },
      { birthday: '1899-12-31' },
      { birthday: '2027-01-01' },
      { avatarUrl: 'http://x.cn/a.png' },
      { avatarUrl: 'not a url' },
      { locale: 'Chinese' },
      { displayName: 'x'.repeat(65) },
    ])
      expect(() => validateProfile(bad, now)).toThrow(
        expect.objectContaining({ code: 'PROFILE_INVALID' }),
      );
  });

  it('reports every consent purpose, opt-in by default', () => {
    expect(consentView([{ purpose: 'ANALYTICS', granted: true, updatedAt: now }])).toEqual([
      { purpose: 'MARKETING_EMAIL', granted: false, updatedAt: null },
      { purpose: 'MARKETING_SMS', granted: false, updatedAt: null },
      { purpose: 'PERSONALISATION', granted: false, updatedAt: null },
      { purpose: 'ANALYTICS', granted: true, updatedAt: now },
    ]);
  });
});

describe('addresses', () => {
  const valid = {
    recipient: '王芳',
    phone: '+86 139 0000 0000',
    country: 'cn',
    province: '广东省',
    city: '深圳市',
    district: '福田区',
    line1: '深南大道 1 号',
  };
  it('normalise the phone and country, and name the bad field', () => {
    expect(validateAddress(valid)).toMatchObject({
      phone: '+8613900000000',
      country: 'CN',
      district: '福田区',
      provinceCode: '440000',
      cityCode: '440300',
      districtCode: '440304',
    });
    expect(() => validateAddress({ ...valid, city: ' ' })).toThrow(
      expect.objectContaining({ code: 'ADDRESS_INVALID', details: { field: 'city' } }),
    );
    expect(() => validateAddress({ ...valid, phone: '12345' })).toThrow(
      expect.objectContaining({ details: { field: 'phone' } }),
    );
  });

  it("stores the national divisions' names and codes however they were written", () => {
    expect(
      validateAddress({ ...valid, province: '廣東', city: 'Shenzhen', district: '福田' }),
    ).toMatchObject({
      province: '广东省',
      city: '深圳市',
      district: '福田区',
      districtCode: '440304',
    });
  });

  it.each([
    [{ district: '' }, 'district', 'DISTRICT_MISSING'],
    [{ district: '西湖区' }, 'district', 'DISTRICT_NOT_IN_CITY'],
    [{ city: '杭州市' }, 'city', 'CITY_NOT_IN_PROVINCE'],
    [{ line1: '测试' }, 'line1', 'DETAIL_PLACEHOLDER'],
    [{ postalCode: '5180' }, 'postal_code', 'POSTAL_CODE_INVALID'],
    [{ phone: '+86 123 4567 8901' }, 'phone', 'PHONE_INVALID'],
  ])('refuses an address that cannot be delivered: %j', (over, field, reason) => {
    expect(() => validateAddress({ ...valid, ...over })).toThrow(
      expect.objectContaining({ code: 'ADDRESS_INVALID', details: { field, reason } }),
    );
  });

  it('hands the default to the most recently updated address when the default goes', () => {
    const a = (id: string, isDefault: boolean, t: number) =>
      ({ id, isDefault, updatedAt: new Date(t) }) as Address;
    expect(defaultAfterDelete([])).toBeNull();
    expect(defaultAfterDelete([a('x', false, 1), a('y', true, 0)])).toBe('y');
    expect(defaultAfterDelete([a('x', false, 1), a('y', false, 5)])).toBe('y');
  });
});

describe('roles and erasure', () => {
  it('accepts known roles only, in a canonical order', () => {
    expect(validateRoles(['Admin', 'customer', 'admin'])).toEqual(['customer', 'admin']);
    expect(() => validateRoles([])).toThrow(expect.objectContaining({ code: 'ROLES_EMPTY' }));
    expect(() => validateRoles(['root'])).toThrow(
      expect.objectContaining({ code: 'ROLE_UNKNOWN' }),
    );
  });

  it('anonymises identifiers and password, keeping the id', () => {
    const account: Account = {
      id: 'id-1',
      email: 'a@b.cn',
      phone: '+8613800138000',
      passwordHash: '$argon2id$...',
      roles: ['customer'],
      status: 'ACTIVE',
      createdAt: now,
    };
    expect(anonymise(account)).toEqual({
      ...account,
      email: null,
      phone: null,
      passwordHash: '!erased',
      status: 'DELETED',
    });
  });
});
