import { useIntl } from 'react-intl';

export interface MoneyValue {
  amountMinor: number;
  currency: string;
}

/** Digits after the point of a currency (CNY 2, JPY 0), from the runtime's ISO 4217 data. */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** Minor units to a decimal amount (12900 CNY → 129). */
export const toMajor = (m: MoneyValue) => m.amountMinor / 10 ** minorDigits(m.currency);

/** A decimal amount to minor units, exact to the currency's digits (129.005 → refused by rounding). */
export const toMinor = (major: number, currency: string) =>
  Math.round(major * 10 ** minorDigits(currency));

/** An amount in the current language (¥129.00, CN¥129.00). */
export function Money({ value }: { value: MoneyValue | null | undefined }) {
  const intl = useIntl();
  if (!value) return <>—</>;
  return (
    <span className="money">
      {intl.formatNumber(toMajor(value), { style: 'currency', currency: value.currency })}
    </span>
  );
}
