/** The console's languages: Simplified Chinese first (the shop's operators), English. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * A part of the console's messages in every language, ids prefixed by the part (`catalog.…`);
 * ICU MessageFormat (`{count, plural, one {# order} other {# orders}}`).
 */
export type Messages = Record<Locale, Record<string, string>>;
