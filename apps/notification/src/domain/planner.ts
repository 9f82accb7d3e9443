import {
  CHANNELS,
  DEFAULT_LOCALE,
  supportedLocale,
  type Category,
  type Channel,
  type Locale,
} from './channels';
import type { Delivery, DeliveryReason, DeliveryStatus } from './delivery';
import { defaultPreferences, type Preferences } from './preferences';
import { quietHoursEnd } from './quiet-hours';
import { renderHtml, renderText, type Template, type TemplateKey } from './template';
import { formatValues, type TemplateValue } from './values';

/** What an event asks to tell, before anyone is chosen. */
export interface Notice {
  templateKey: TemplateKey;
  category: Category;
  /** The customer concerned; null for operators' alerts. */
  accountId: string | null;
  vars: Readonly<Record<string, TemplateValue>>;
}

/** What the user service says about an account, at consume time. */
export interface AccountContact {
  accountId: string;
  email: string;
  phone: string;
  profileLocale: string;
  /** Granted consent purposes (MARKETING_EMAIL, MARKETING_SMS, ...). */
  consents: ReadonlySet<string>;
  /** False for a deleted (erased) account: nothing is sent. */
  reachable: boolean;
}

export interface PlanInput {
  eventId: string;
  eventType: string;
  notice: Notice;
  /** The account's contact (null: unknown account, or an operators' alert). */
  account: AccountContact | null;
  preferences: Preferences | null;
  pushTokens: readonly string[];
  template: (key: TemplateKey, channel: Channel, locale: Locale) => Template | undefined;
  operatorEmails: readonly string[];
  /** Channels with a provider configured (e-mail always has SMTP). */
  providers: ReadonlySet<Channel>;
  defaultTimeZone: string;
  unsubscribeUrl: (accountId: string) => string;
  newId: () => string;
  now: Date;
}

/** The locale of a customer's messages: the preference, else the profile's, else zh-CN. */
export function localeFor(prefs: Preferences | null, account: AccountContact | null): Locale {
  return prefs?.locale || supportedLocale(account?.profileLocale) || DEFAULT_LOCALE;
}

const MARKETING_CONSENT: Partial<Record<Channel, string>> = {
  EMAIL: 'MARKETING_EMAIL',
  SMS: 'MARKETING_SMS',
};

/**
 * Who hears about an event, on which channels, with which words: one delivery per (channel,
 * recipient), PENDING (due now), HELD (marketing inside quiet hours, due when they end) or
 * SKIPPED with the reason (channel off, no consent, no address, no provider). Operators' alerts
 * go by e-mail to every operator address.
 */
export function planDeliveries(input: PlanInput): Delivery[] {
  const { notice } = input;
  if (notice.category === 'OPERATIONS') {
    return input.operatorEmails.map((email) =>
      draft(input, 'EMAIL', email, DEFAULT_LOCALE, input.defaultTimeZone, 'PENDING', ''),
    );
  }
  const account = input.account;
  if (!account || !account.reachable || notice.accountId === null) return [];
  // no saved preferences: the defaults (quiet hours 22:00-08:00 in the default zone among them)
  const prefs = input.preferences ?? defaultPreferences(account.accountId, input.defaultTimeZone);
  const locale = localeFor(prefs, account);
  const timeZone = prefs.timeZone || input.defaultTimeZone;
  if (notice.category === 'SECURITY') return securityDeliveries(input, account, locale, timeZone);
  const category = notice.category as 'ORDER' | 'SERVICE' | 'MARKETING';
  const switches = prefs.channels[category];
  const out: Delivery[] = [];
  for (const channel of CHANNELS) {
    const recipients =
      channel === 'EMAIL'
        ? [account.email].filter(Boolean)
        : channel === 'SMS'
          ? [account.phone].filter(Boolean)
          : [...input.pushTokens];
    if (recipients.length === 0) {
      out.push(draft(input, channel, '', locale, timeZone, 'SKIPPED', 'NO_ADDRESS'));
      continue;
    }
    const on = switches[channel.toLowerCase() as 'email' | 'sms' | 'push'];
    const consent = MARKETING_CONSENT[channel];
    let status: DeliveryStatus = 'PENDING';
    let reason: DeliveryReason = '';
    let due: Date | null = input.now;
    if (!on) [status, reason] = ['SKIPPED', 'CHANNEL_OFF'];
    else if (category === 'MARKETING' && consent && !account.consents.has(consent))
      [status, reason] = ['SKIPPED', 'NO_CONSENT'];
    else if (!input.providers.has(channel)) [status, reason] = ['SKIPPED', 'NO_PROVIDER'];
    else if (category === 'MARKETING') {
      const end = quietHoursEnd(input.now, {
        start: prefs.quietHoursStart,
        end: prefs.quietHoursEnd,
        timeZone,
      });
      if (end) [status, reason, due] = ['HELD', 'QUIET_HOURS', end];
    }
    for (const r of recipients) {
      const d = draft(input, channel, r, locale, timeZone, status, reason);
      out.push(status === 'SKIPPED' ? d : { ...d, nextAttemptAt: due });
    }
  }
  return out;
}

/**
 * A security notice goes by e-mail and SMS to every address the account has, now: no channel
 * switch, consent or quiet hours holds it (the owner must hear of a sign-in or change they did
 * not make). Push is left out: a stolen device would show it to the thief.
 */
function securityDeliveries(
  input: PlanInput,
  account: AccountContact,
  locale: Locale,
  timeZone: string,
): Delivery[] {
  return (['EMAIL', 'SMS'] as const).map((channel) => {
    const recipient = channel === 'EMAIL' ? account.email : account.phone;
    if (!recipient) return draft(input, channel, '', locale, timeZone, 'SKIPPED', 'NO_ADDRESS');
    if (!input.providers.has(channel))
      return draft(input, channel, recipient, locale, timeZone, 'SKIPPED', 'NO_PROVIDER');
    return draft(input, channel, recipient, locale, timeZone, 'PENDING', '');
  });
}

function draft(
  input: PlanInput,
  channel: Channel,
  recipient: string,
  locale: Locale,
  timeZone: string,
  status: DeliveryStatus,
  reason: DeliveryReason,
): Delivery {
  const { notice } = input;
  const base: Delivery = {
    id: input.newId(),
    eventId: input.eventId,
    eventType: input.eventType,
    accountId: notice.accountId,
    channel,
    category: notice.category,
    recipient,
    templateKey: notice.templateKey,
    locale,
    subject: '',
    body: '',
    html: null,
    unsubscribeUrl: null,
    status,
    attempts: 0,
    lastError: '',
    nextAttemptAt: status === 'SKIPPED' ? null : input.now,
    provider: null,
    providerMessageId: null,
    createdAt: input.now,
    sentAt: null,
    deliveredAt: null,
    reason,
  };
  if (status === 'SKIPPED') return base;
  const template =
    input.template(notice.templateKey, channel, locale) ??
    input.template(notice.templateKey, channel, DEFAULT_LOCALE);
  if (!template) return { ...base, status: 'SKIPPED', reason: 'NO_TEMPLATE', nextAttemptAt: null };
  const vars = formatValues(notice.vars, locale, timeZone);
  const marketingMail = channel === 'EMAIL' && notice.category === 'MARKETING' && notice.accountId;
  const unsubscribeUrl = marketingMail ? input.unsubscribeUrl(notice.accountId!) : null;
  let body = renderText(template.body, vars);
  let html = channel === 'EMAIL' ? renderHtml(template.body, vars) : null;
  if (unsubscribeUrl) {
    const [label, textLine] =
      locale === 'en'
        ? ['Unsubscribe', 'Unsubscribe from promotional e-mail:']
        : ['退订', '退订营销邮件：'];
    body = `${body}\n\n${textLine} ${unsubscribeUrl}`;
    html = `${html}\n<p><a href="${escapeAttr(unsubscribeUrl)}">${label}</a></p>`;
  }
  return {
    ...base,
    subject: channel === 'EMAIL' ? renderText(template.subject, vars) : '',
    body,
    html,
    unsubscribeUrl,
  };
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
