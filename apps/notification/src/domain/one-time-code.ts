import { DEFAULT_LOCALE, supportedLocale, type Locale } from './channels';
import type { Delivery } from './delivery';
import { invalid } from './notification-error';
import { renderText, type Template } from './template';
import { formatValues, type TemplateValue } from './values';

/** What a code proves (the user service's purposes), for the wording. */
export const ONE_TIME_CODE_PURPOSES = [
  'LOGIN',
  'STEP_UP',
  'PHONE_CHANGE',
  'ENABLE_SMS_MFA',
] as const;
export type OneTimeCodePurpose = (typeof ONE_TIME_CODE_PURPOSES)[number];

const PURPOSE_WORDS: Record<OneTimeCodePurpose, Record<Locale, string>> = {
  LOGIN: { 'zh-CN': '登录', en: 'sign-in' },
  STEP_UP: { 'zh-CN': '身份确认', en: 'identity check' },
  PHONE_CHANGE: { 'zh-CN': '更换手机号', en: 'phone number change' },
  ENABLE_SMS_MFA: { 'zh-CN': '开启短信验证', en: 'turning on SMS codes' },
};

/** The event type a one-time code's delivery is logged under (it has no event of its own). */
export const ONE_TIME_CODE_EVENT = 'emporia.notification.v1.SendOneTimeCode';

export interface OneTimeCode {
  /** Null when the number is not an account's yet. */
  accountId: string | null;
  phone: string;
  code: string;
  purpose: OneTimeCodePurpose;
  /** Empty: the account's preference, else zh-CN. */
  locale: Locale | '';
  validMinutes: number;
}

const PHONE_RE = /^\+[1-9]\d{6,14}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A SendOneTimeCode request checked: INVALID_ARGUMENT naming the field otherwise. */
export function oneTimeCode(input: {
  accountId?: string;
  phone?: string;
  code?: string;
  purpose?: string;
  locale?: string;
  validMinutes?: number;
}): OneTimeCode {
  const accountId = (input.accountId ?? '').trim();
  if (accountId && !UUID_RE.test(accountId))
    throw invalid('ID_INVALID', 'account_id must be a UUID or empty', 'account_id');
  const phone = (input.phone ?? '').trim();
  if (!PHONE_RE.test(phone))
    throw invalid('PHONE_INVALID', 'phone must be E.164 (+8613800138000)', 'phone');
  const code = (input.code ?? '').trim();
  if (!/^\d{4,8}$/.test(code)) throw invalid('CODE_INVALID', 'code must be 4 to 8 digits', 'code');
  const purpose = (input.purpose ?? '').trim().toUpperCase();
  if (!(ONE_TIME_CODE_PURPOSES as readonly string[]).includes(purpose))
    throw invalid(
      'PURPOSE_INVALID',
      `purpose must be one of ${ONE_TIME_CODE_PURPOSES.join(', ')}`,
      'purpose',
    );
  const minutes = input.validMinutes || 5;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60)
    throw invalid('VALIDITY_INVALID', 'valid_minutes must be 1 to 60', 'valid_minutes');
  const locale = input.locale ? supportedLocale(input.locale) : '';
  if (locale === undefined)
    throw invalid('LOCALE_INVALID', 'locale must be zh-CN, en or empty', 'locale');
  return {
    accountId: accountId ? accountId.toLowerCase() : null,
    phone,
    code,
    purpose: purpose as OneTimeCodePurpose,
    locale,
    validMinutes: minutes,
  };
}

/** The code as the log keeps it: as many stars as digits. */
export const maskCode = (code: string) => '*'.repeat(code.length);

/**
 * The message: `text` goes to the provider and nowhere else; `logged` is the same words with the
 * code masked, for the delivery log.
 */
export function renderOneTimeCode(
  template: Template,
  c: OneTimeCode,
  locale: Locale,
): { text: string; logged: string } {
  const vars = (code: string): Record<string, TemplateValue> => ({
    code,
    minutes: String(c.validMinutes),
    purpose: PURPOSE_WORDS[c.purpose][locale] ?? PURPOSE_WORDS[c.purpose][DEFAULT_LOCALE],
  });
  const render = (code: string) =>
    renderText(template.body, formatValues(vars(code), locale, 'UTC'));
  return { text: render(c.code), logged: render(maskCode(c.code)) };
}

/** The delivery log's line of a code sent (SENT) or refused by the provider (DEAD). */
export function oneTimeCodeDelivery(input: {
  id: string;
  code: OneTimeCode;
  locale: Locale;
  logged: string;
  provider: string;
  outcome: { providerMessageId: string } | { error: string };
  now: Date;
}): Delivery {
  const sent = 'providerMessageId' in input.outcome;
  return {
    id: input.id,
    eventId: input.id,
    eventType: ONE_TIME_CODE_EVENT,
    accountId: input.code.accountId,
    channel: 'SMS',
    category: 'SECURITY',
    recipient: input.code.phone,
    templateKey: 'auth.sms_code',
    locale: input.locale,
    subject: '',
    body: input.logged,
    html: null,
    unsubscribeUrl: null,
    status: sent ? 'SENT' : 'DEAD',
    attempts: 1,
    lastError: 'error' in input.outcome ? input.outcome.error.slice(0, 1000) : '',
    nextAttemptAt: null,
    provider: input.provider,
    providerMessageId:
      'providerMessageId' in input.outcome ? input.outcome.providerMessageId : null,
    createdAt: input.now,
    sentAt: sent ? input.now : null,
    deliveredAt: null,
    reason: '',
  };
}
