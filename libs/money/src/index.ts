export { Money, MoneyError, MAX_MINOR, isCurrencyCode, minorUnitExponent } from './money';
export type { MoneyErrorCode } from './money';
