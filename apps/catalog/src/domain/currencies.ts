import { ISO_4217_CURRENCIES } from '@emporia/money';

/**
 * The currencies the catalog prices in: the CURRENCIES setting, checked against ISO 4217 at
 * start-up. Without one, any ISO 4217 currency (never BTC, XXX or a metal).
 */
export type SoldCurrencies = ReadonlySet<string>;

export const ANY_ISO_CURRENCY: SoldCurrencies = ISO_4217_CURRENCIES;

/** Why `currency` cannot price anything here, or undefined when it can. */
export function unsoldCurrency(currency: string, sold: SoldCurrencies): string | undefined {
  if (sold.has(currency)) return undefined;
  return sold === ANY_ISO_CURRENCY
    ? `'${currency}' is not an ISO 4217 currency`
    : `the catalog does not sell in '${currency}'; it sells in ${[...sold].join(', ')}`;
}
