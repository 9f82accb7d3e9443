import { CUSTOMER_CATEGORIES, LOCALES, type CustomerCategory, type Locale } from './channels';
import { invalid } from './notification-error';
import { isValidTimeZone, parseHm } from './quiet-hours';

export interface ChannelSwitches {
  email: boolean;
  sms: boolean;
  push: boolean;
}

/** An account's notification preferences (a default one until the account saves its own). */
export interface Preferences {
  accountId: string;
  channels: Record<CustomerCategory, ChannelSwitches>;
  /** "HH:MM" in `timeZone`; both empty: no quiet hours. */
  quietHoursStart: string;
  quietHoursEnd: string;
  timeZone: string;
  /** Empty: the profile's locale, else zh-CN. */
  locale: Locale | '';
  /** Null while the defaults apply. */
  updatedAt: Date | null;
}

/**
 * Transactional categories go everywhere the account can be reached; marketing goes by e-mail and
 * SMS (each still needs the account's consent), push only when the account turns it on.
 */
export const DEFAULT_CHANNELS: Record<CustomerCategory, ChannelSwitches> = {
  ORDER: { email: true, sms: true, push: true },
  SERVICE: { email: true, sms: true, push: true },
  MARKETING: { email: true, sms: true, push: false },
};

export const DEFAULT_QUIET_HOURS = { start: '22:00', end: '08:00' } as const;

export function defaultPreferences(accountId: string, timeZone: string): Preferences {
  return {
    accountId,
    channels: structuredClone(DEFAULT_CHANNELS),
    quietHoursStart: DEFAULT_QUIET_HOURS.start,
    quietHoursEnd: DEFAULT_QUIET_HOURS.end,
    timeZone,
    locale: '',
    updatedAt: null,
  };
}

export interface PreferencesUpdate {
  /** Categories not listed keep their current switches. */
  channels: { category: string; email: boolean; sms: boolean; push: boolean }[];
  quietHoursStart: string;
  quietHoursEnd: string;
  /** Empty: the service's default time zone. */
  timeZone: string;
  locale: string;
}

/**
 * The preferences after an update, or PREFERENCES_INVALID (an unknown or repeated category, a
 * locale without templates), QUIET_HOURS_INVALID (malformed, or only one end given),
 * TIME_ZONE_INVALID (not an IANA zone).
 */
export function applyPreferencesUpdate(
  current: Preferences,
  u: PreferencesUpdate,
  defaultTimeZone: string,
  now: Date,
): Preferences {
  const channels = structuredClone(current.channels);
  const seen = new Set<string>();
  u.channels.forEach((c, i) => {
    if (!(CUSTOMER_CATEGORIES as readonly string[]).includes(c.category))
      throw invalid(
        'PREFERENCES_INVALID',
        `channels[${i}].category must be one of ${CUSTOMER_CATEGORIES.join(', ')}`,
        `channels.${i}.category`,
      );
    if (seen.has(c.category))
      throw invalid('PREFERENCES_INVALID', `${c.category} is listed twice`, `channels.${i}`);
    seen.add(c.category);
    channels[c.category as CustomerCategory] = { email: c.email, sms: c.sms, push: c.push };
  });
  const start = u.quietHoursStart.trim();
  const end = u.quietHoursEnd.trim();
  if (Boolean(start) !== Boolean(end))
    throw invalid(
      'QUIET_HOURS_INVALID',
      'give both quiet_hours_start and quiet_hours_end, or neither',
    );
  if (start && (parseHm(start) === undefined || parseHm(end) === undefined))
    throw invalid('QUIET_HOURS_INVALID', 'quiet hours are HH:MM (00:00-23:59)');
  if (start && start === end)
    throw invalid('QUIET_HOURS_INVALID', 'quiet hours must not start and end at the same time');
  const timeZone = u.timeZone.trim() || defaultTimeZone;
  if (!isValidTimeZone(timeZone))
    throw invalid('TIME_ZONE_INVALID', `${timeZone} is not an IANA time zone`, 'time_zone');
  const locale = u.locale.trim();
  if (locale && !(LOCALES as readonly string[]).includes(locale))
    throw invalid('PREFERENCES_INVALID', `locale must be one of ${LOCALES.join(', ')}`, 'locale');
  return {
    accountId: current.accountId,
    channels,
    quietHoursStart: start,
    quietHoursEnd: end,
    timeZone,
    locale: locale as Locale | '',
    updatedAt: now,
  };
}

/** Marketing e-mail off (the unsubscribe link); the rest as it was. */
export function withoutMarketingEmail(p: Preferences, now: Date): Preferences {
  return {
    ...p,
    channels: { ...p.channels, MARKETING: { ...p.channels.MARKETING, email: false } },
    updatedAt: now,
  };
}
