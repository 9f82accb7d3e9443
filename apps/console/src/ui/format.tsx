import { useIntl } from 'react-intl';

const UNITS: [number, 'day' | 'hour' | 'minute' | 'second'][] = [
  [86_400, 'day'],
  [3_600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** A window in seconds in the largest whole unit of the language ("1 小时", "7 days"). */
export function Duration({ seconds }: { seconds: number }) {
  const intl = useIntl();
  const [size, unit] = UNITS.find(([n]) => seconds % n === 0 && seconds >= n) ?? [1, 'second'];
  return <>{intl.formatNumber(seconds / size, { style: 'unit', unit, unitDisplay: 'long' })}</>;
}

/** A date and time in the language's format. */
export function DateTime({ value }: { value: string | null | undefined }) {
  const intl = useIntl();
  if (!value) return <>—</>;
  return (
    <time dateTime={value}>
      {intl.formatDate(value, { dateStyle: 'medium', timeStyle: 'short' })}
    </time>
  );
}
