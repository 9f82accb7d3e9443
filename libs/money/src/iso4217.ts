/**
 * ISO 4217 currencies as the JavaScript runtime knows them (`Intl.supportedValuesOf`, from the
 * ICU data Node ships), minus the codes that are not money: precious metals (XAU, XAG, XPT,
 * XPD), bond-market and fund units (XBA–XBD, XDR, XSU, XUA), the test code XTS and "no currency"
 * XXX. Codes made up to look like one (BTC, ABC) are not in it.
 */
const NOT_MONEY = new Set([
  'XAG',
  'XAU',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XDR',
  'XPD',
  'XPT',
  'XSU',
  'XTS',
  'XUA',
  'XXX',
]);

export const ISO_4217_CURRENCIES: ReadonlySet<string> = new Set(
  Intl.supportedValuesOf('currency').filter((c) => !NOT_MONEY.has(c)),
);

/** A currency of ISO 4217 that is money: `CNY`, `HKD`; not `BTC`, `XXX`, `XAU` or `cny`. */
export function isIso4217Currency(code: unknown): code is string {
  return typeof code === 'string' && ISO_4217_CURRENCIES.has(code);
}
