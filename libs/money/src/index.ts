export { Money, MoneyError, MAX_MINOR, isCurrencyCode, minorUnitExponent } from './money';
export type { MoneyErrorCode } from './money';
export { ISO_4217_CURRENCIES, isIso4217Currency } from './iso4217';
