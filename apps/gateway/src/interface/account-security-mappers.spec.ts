import { userV1 } from '@emporia/contracts';
import {
  sessionOf,
  sessionView,
  smsCodeRequest,
  stepUpOptionsView,
  stepUpRequest,
} from './account-security-mappers';
import { ChangePhoneDto, SmsLoginCodeDto, SmsMfaDto, StepUpDto } from './dto/account-security.dto';
import { MfaLoginDto } from './dto/user.dto';
import { secondFactorAtOf } from './orders.http-controller';
import { clientOf, loginView, mfaLoginRequest } from './user-mappers';
import { validationPipe } from './validation';

const body = (metatype: new () => object, value: unknown) =>
  validationPipe.transform(value, { type: 'body', metatype });
const refused = (metatype: new () => object, value: unknown, field: string) =>
  expect(body(metatype, value)).rejects.toMatchObject({
    status: 400,
    code: 'VALIDATION_FAILED',
    errors: expect.arrayContaining([expect.objectContaining({ field })]),
  });

const who = { accountId: 'acc', sessionId: 'sid', ip: '10.0.0.1' };

describe('account security: requests and views', () => {
  it('sends a step-up proof in the field of its method only', () => {
    expect(stepUpRequest({ method: 'TOTP', code: '123456' }, who)).toEqual({
      ...who,
      method: 'TOTP',
      code: '123456',
      password: '',
      passkeyResponseJson: '',
    });
    expect(stepUpRequest({ method: 'PASSWORD', password: 'pw', code: 'ignored' }, who)).toEqual({
      ...who,
      method: 'PASSWORD',
      code: '',
      password: 'pw',
      passkeyResponseJson: '',
    });
    expect(
      stepUpRequest({ method: 'PASSKEY', passkeyResponse: { id: 'cred', type: 'public-key' } }, who)
        .passkeyResponseJson,
    ).toBe('{"id":"cred","type":"public-key"}');
  });

  it('names the purpose of an SMS code and leaves the fields it does not need empty', () => {
    expect(smsCodeRequest('login', { mfaChallenge: 'ch', ip: '10.0.0.1' })).toEqual({
      purpose: userV1.SmsCodePurpose.SMS_CODE_PURPOSE_LOGIN,
      mfaChallenge: 'ch',
      accountId: '',
      sessionId: '',
      phone: '',
      ip: '10.0.0.1',
    });
    expect(smsCodeRequest('phoneChange', { ...who, phone: '+8613900000000' }).purpose).toBe(
      userV1.SmsCodePurpose.SMS_CODE_PURPOSE_PHONE_CHANGE,
    );
  });

  it('shows what a session leaves unset as null, and the passkey options as JSON', () => {
    expect(
      sessionView({
        id: 's1',
        deviceId: '',
        deviceName: 'Chrome 131 on Windows',
        ip: '',
        place: '',
        createdAt: '2026-12-05T10:00:00.000Z',
        lastUsedAt: '2026-12-05T10:01:00.000Z',
        expiresAt: '2027-01-04T10:00:00.000Z',
        current: true,
        signedInWith: 'PASSWORD+SMS',
        secondFactorAt: '',
      }),
    ).toMatchObject({
      deviceId: null,
      deviceName: 'Chrome 131 on Windows',
      ip: null,
      place: null,
      current: true,
      secondFactorAt: null,
    });
    expect(
      stepUpOptionsView({
        methods: ['PASSKEY', 'PASSWORD'],
        passkeyOptionsJson: '{"challenge":"abc","allowCredentials":[]}',
        maskedPhone: '',
      }),
    ).toEqual({
      methods: ['PASSKEY', 'PASSWORD'],
      maskedPhone: null,
      passkeyOptions: { challenge: 'abc', allowCredentials: [] },
    });
    expect(
      stepUpOptionsView({ methods: [], passkeyOptionsJson: '', maskedPhone: '' }),
    ).toMatchObject({ passkeyOptions: null });
  });

  it('refuses a token without a session on the routes that name it (401 SESSION_REQUIRED)', () => {
    expect(() => sessionOf({})).toThrow(expect.objectContaining({ status: 401 }));
    expect(sessionOf({ sessionId: 'sid' })).toBe('sid');
  });

  it("shows the login's second factors and the masked phone with mfaRequired", () => {
    const account: userV1.Account = {
      id: 'acc',
      email: 'a@example.cn',
      phone: '+8613800138000',
      roles: ['customer'],
      status: userV1.AccountStatus.ACCOUNT_STATUS_ACTIVE,
      createdAt: '2026-12-01T00:00:00.000Z',
    };
    const base = {
      account,
      tokens: undefined,
      mfaRequired: true,
      mfaChallenge: 'ch',
      mfaChallengeExpiresAt: '2026-12-05T10:05:00.000Z',
    };
    expect(
      loginView({ ...base, mfaMethods: ['TOTP', 'SMS'], mfaPhoneMasked: '+86138****8000' }),
    ).toMatchObject({
      mfaRequired: true,
      mfaChallenge: 'ch',
      mfaMethods: ['TOTP', 'SMS'],
      mfaPhoneMasked: '+86138****8000',
    });
    expect(loginView({ ...base, mfaMethods: ['TOTP'], mfaPhoneMasked: '' })).toMatchObject({
      mfaMethods: ['TOTP'],
      mfaPhoneMasked: null,
    });
  });

  it("passes the client's address and User-Agent, and the MFA method (none: the service guesses)", () => {
    expect(clientOf({ ip: '10.0.0.9', headers: { 'user-agent': 'curl/8.0' } })).toEqual({
      ip: '10.0.0.9',
      userAgent: 'curl/8.0',
    });
    expect(clientOf({ ip: '10.0.0.9', headers: {} }).userAgent).toBe('');
    expect(clientOf({ ip: '', headers: { 'user-agent': 'x'.repeat(600) } }).userAgent).toHaveLength(
      512,
    );
    expect(mfaLoginRequest({ challenge: 'ch', code: '123456', method: 'SMS' })).toEqual({
      mfaChallenge: 'ch',
      code: '123456',
      method: 'SMS',
      passkeyResponseJson: '',
    });
    expect(mfaLoginRequest({ challenge: 'ch', code: '123456' }).method).toBe('');
  });

  it("passes the token's mfa_at to checkout as RFC 3339, or nothing", () => {
    expect(
      secondFactorAtOf({
        accountId: 'a',
        roles: ['customer'],
        secondFactorAt: Date.parse('2026-12-05T10:00:00Z') / 1000,
      }),
    ).toBe('2026-12-05T10:00:00.000Z');
    expect(secondFactorAtOf({ accountId: 'a', roles: ['customer'] })).toBe('');
  });

  describe('the bodies (400 VALIDATION_FAILED naming the field, never a 500)', () => {
    it('takes a step-up with the field its method needs', async () => {
      await expect(body(StepUpDto, { method: 'TOTP', code: '123456' })).resolves.toBeInstanceOf(
        StepUpDto,
      );
      await expect(body(StepUpDto, { method: 'PASSWORD', password: 'pw' })).resolves.toMatchObject({
        method: 'PASSWORD',
      });
      await expect(
        body(StepUpDto, { method: 'PASSKEY', passkeyResponse: { id: 'c' } }),
      ).resolves.toMatchObject({ passkeyResponse: { id: 'c' } });
      await refused(StepUpDto, { method: 'SMS' }, 'code');
      await refused(StepUpDto, { method: 'RECOVERY_CODE', code: 7 }, 'code');
      await refused(StepUpDto, { method: 'PASSWORD' }, 'password');
      await refused(
        StepUpDto,
        { method: 'PASSKEY', passkeyResponse: '{"id":"c"}' },
        'passkeyResponse',
      );
      await refused(StepUpDto, { method: 'FINGERPRINT', code: '1' }, 'method');
      await refused(StepUpDto, {}, 'method');
      await refused(StepUpDto, { method: 'TOTP', code: '1', sessionId: 'other' }, 'sessionId');
    });

    it('turns SMS on only with a code, off without one', async () => {
      await expect(body(SmsMfaDto, { enabled: false })).resolves.toMatchObject({ enabled: false });
      await expect(body(SmsMfaDto, { enabled: true, code: '123456' })).resolves.toMatchObject({
        enabled: true,
      });
      await refused(SmsMfaDto, { enabled: true }, 'code');
      await refused(SmsMfaDto, { enabled: 'yes' }, 'enabled');
    });

    it('checks the phone change, the sign-in code and the MFA method', async () => {
      await refused(ChangePhoneDto, { phone: '+8613900000000' }, 'code');
      await refused(ChangePhoneDto, { phone: '', code: '123456' }, 'phone');
      await refused(SmsLoginCodeDto, { challenge: '' }, 'challenge');
      await refused(MfaLoginDto, { challenge: 'ch', code: '1', method: 'EMAIL' }, 'method');
      await expect(
        body(MfaLoginDto, { challenge: 'ch', code: '123456', method: 'SMS' }),
      ).resolves.toMatchObject({ method: 'SMS' });
    });
  });
});
