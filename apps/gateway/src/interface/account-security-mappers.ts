import { userV1 } from '@emporia/contracts';
import type {
  DeviceView,
  SessionView,
  SmsCodeView,
  StepUpDto,
  StepUpOptionsView,
  StepUpView,
} from './dto/account-security.dto';
import { ProblemError } from './problem';

const orNull = (s: string | undefined) => (s ? s : null);

/** The purposes of an SMS code, as the routes that send them name them. */
export const SMS_PURPOSE = {
  login: userV1.SmsCodePurpose.SMS_CODE_PURPOSE_LOGIN,
  stepUp: userV1.SmsCodePurpose.SMS_CODE_PURPOSE_STEP_UP,
  phoneChange: userV1.SmsCodePurpose.SMS_CODE_PURPOSE_PHONE_CHANGE,
  enableSmsMfa: userV1.SmsCodePurpose.SMS_CODE_PURPOSE_ENABLE_SMS_MFA,
} as const;

/**
 * The SMS codes' refusals (the user service's), per status, for the OpenAPI document; their 429s
 * (SMS_CODE_COOLDOWN, SMS_SEND_LIMITED, with Retry-After) are documented with the `sms` rate limit.
 */
export const SMS_SEND_CODES = {
  503: ['SMS_UNAVAILABLE', 'RATE_LIMIT_UNAVAILABLE'],
} as const;

/** A SendSmsCode request: only what the purpose needs is set (the rest is the proto's default). */
export const smsCodeRequest = (
  purpose: keyof typeof SMS_PURPOSE,
  fields: Partial<Omit<userV1.SendSmsCodeRequest, 'purpose'>> & { ip: string },
): userV1.SendSmsCodeRequest => ({
  purpose: SMS_PURPOSE[purpose],
  mfaChallenge: '',
  accountId: '',
  sessionId: '',
  phone: '',
  ...fields,
});

export const smsCodeView = (r: userV1.SendSmsCodeResponse): SmsCodeView => ({
  maskedPhone: r.maskedPhone,
  expiresAt: r.expiresAt,
  resendAfter: r.resendAfter,
});

export const sessionView = (s: userV1.Session): SessionView => ({
  id: s.id,
  deviceId: orNull(s.deviceId),
  deviceName: orNull(s.deviceName),
  ip: orNull(s.ip),
  place: orNull(s.place),
  createdAt: s.createdAt,
  lastUsedAt: s.lastUsedAt,
  expiresAt: s.expiresAt,
  current: s.current,
  signedInWith: s.signedInWith,
  secondFactorAt: orNull(s.secondFactorAt),
});

export const deviceView = (d: userV1.Device): DeviceView => ({
  deviceId: d.deviceId,
  name: orNull(d.name),
  firstSeenAt: d.firstSeenAt,
  lastSeenAt: d.lastSeenAt,
  lastPlace: orNull(d.lastPlace),
  activeSessions: d.activeSessions,
});

/**
 * The user service's passkey options (JSON text) as an object; text that is not a JSON object is
 * the service's fault (500), never passed on as a string.
 */
function jsonObject(text: string): Record<string, unknown> | null {
  if (!text) return null;
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('passkey options are not a JSON object');
  return parsed as Record<string, unknown>;
}

export const stepUpOptionsView = (r: userV1.BeginStepUpResponse): StepUpOptionsView => ({
  methods: r.methods,
  maskedPhone: orNull(r.maskedPhone),
  passkeyOptions: jsonObject(r.passkeyOptionsJson),
});

/** A step-up's proof for the user service: the field of its method, the others empty. */
export function stepUpRequest(
  body: StepUpDto,
  who: { accountId: string; sessionId: string; ip: string },
): userV1.StepUpRequest {
  const request: userV1.StepUpRequest = {
    ...who,
    method: body.method,
    code: '',
    passkeyResponseJson: '',
    password: '',
  };
  switch (body.method) {
    case 'PASSWORD':
      return { ...request, password: body.password! };
    case 'PASSKEY':
      return { ...request, passkeyResponseJson: JSON.stringify(body.passkeyResponse) };
    default:
      return { ...request, code: body.code! };
  }
}

export const stepUpView = (r: userV1.StepUpResponse): StepUpView => ({
  accessToken: r.accessToken,
  accessExpiresAt: r.accessExpiresAt,
  tokenType: 'Bearer',
  steppedUpAt: r.steppedUpAt,
  validUntil: r.validUntil,
});

/**
 * The caller's session (the token's `sid`): every account-security call names it. A token
 * without one (issued before sessions had ids) cannot act on sessions: sign in again.
 */
export function sessionOf(me: { sessionId?: string }): string {
  if (!me.sessionId)
    throw new ProblemError(
      401,
      'SESSION_REQUIRED',
      'this access token names no session; sign in again',
      undefined,
      { 'www-authenticate': 'Bearer realm="emporia", error="invalid_token"' },
    );
  return me.sessionId;
}
