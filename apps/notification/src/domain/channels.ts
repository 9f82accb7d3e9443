/** Where a message goes. */
export const CHANNELS = ['EMAIL', 'SMS', 'PUSH'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What a message is about. ORDER, SERVICE and OPERATIONS are transactional (quiet hours do not
 * hold them); MARKETING needs consent, is held during quiet hours and carries an unsubscribe link.
 * SECURITY (a sign-in from a new device, a changed password, one-time codes) is always sent, by
 * e-mail and SMS wherever the account has an address, whatever its preferences.
 */
export const CATEGORIES = ['ORDER', 'SERVICE', 'MARKETING', 'OPERATIONS', 'SECURITY'] as const;
export type Category = (typeof CATEGORIES)[number];

/** The categories a customer's preferences cover (OPERATIONS goes to operators only). */
export const CUSTOMER_CATEGORIES = ['ORDER', 'SERVICE', 'MARKETING'] as const;
export type CustomerCategory = (typeof CUSTOMER_CATEGORIES)[number];

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** A profile's locale (`en-US`, `zh`, `zh-Hans-CN`, ...) to one we have templates for. */
export function supportedLocale(tag: string | undefined): Locale | undefined {
  const t = (tag ?? '').trim().toLowerCase();
  if (!t) return undefined;
  if (t === 'en' || t.startsWith('en-') || t.startsWith('en_')) return 'en';
  if (t === 'zh' || t.startsWith('zh-') || t.startsWith('zh_')) return 'zh-CN';
  return undefined;
}

export const isTransactional = (c: Category) => c !== 'MARKETING';
