import { minorUnitExponent } from '@emporia/money';
import type { Locale } from './channels';
import { formatWallTime } from './quiet-hours';

/**
 * A template variable before it meets its reader: money and instants are formatted for the
 * recipient's locale and time zone when the message is rendered; a phrase (`text`) is given in
 * every locale and picked for the recipient's.
 */
export type TemplateValue =
  | string
  | { money: { amountMinor: number; currency: string } }
  | { instant: Date }
  | { text: Readonly<Record<Locale, string>> };

/** ¥12.50 / CN¥12.50: the locale's currency format with the currency's minor units. */
export function formatMoney(amountMinor: number, currency: string, locale: Locale): string {
  const exp = minorUnitExponent(currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  }).format(amountMinor / 10 ** exp);
}

/** The strings a template gets: money in the locale, instants in the recipient's time zone. */
export function formatValues(
  vars: Readonly<Record<string, TemplateValue>>,
  locale: Locale,
  timeZone: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v === 'string') out[k] = v;
    else if ('money' in v) out[k] = formatMoney(v.money.amountMinor, v.money.currency, locale);
    else if ('text' in v) out[k] = v.text[locale] ?? v.text['zh-CN'];
    else out[k] = `${formatWallTime(v.instant, timeZone)} (${timeZone})`;
  }
  return out;
}
