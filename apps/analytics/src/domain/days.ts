/**
 * Days ("YYYY-MM-DD", local dates in the shop's time zone) and day ranges as the operator
 * queries take them. Plain calendar arithmetic in UTC, so no time zone enters a date's sums.
 */
import { AnalyticsError } from './analytics-error';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Whether `v` is a real calendar date written YYYY-MM-DD. */
export function isDay(v: string): boolean {
  const m = DAY.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v;
}

/** The day `n` days after `day` (before, when negative). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY);
}

/** Every day from `from` to `to`, both included. */
export function daysFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export interface DayRange {
  from: string;
  to: string;
}

export const MAX_RANGE_DAYS = 366;

const invalid = (field: string, code: string, message: string) =>
  new AnalyticsError('INVALID_ARGUMENT', code, message, { field });

/**
 * A query's day range, checked: both days well-formed, from ≤ to, at most 366 days (both ends
 * included). Anything else is INVALID_ARGUMENT naming the field.
 */
export function dayRange(range: { fromDay: string; toDay: string } | undefined): DayRange {
  if (!range) throw invalid('range', 'RANGE_REQUIRED', 'range is required');
  const { fromDay, toDay } = range;
  if (!isDay(fromDay ?? ''))
    throw invalid('range.from_day', 'DAY_INVALID', 'range.from_day must be a date YYYY-MM-DD');
  if (!isDay(toDay ?? ''))
    throw invalid('range.to_day', 'DAY_INVALID', 'range.to_day must be a date YYYY-MM-DD');
  if (fromDay > toDay)
    throw invalid('range', 'RANGE_INVALID', 'range.from_day must not be after range.to_day');
  if (daysBetween(fromDay, toDay) + 1 > MAX_RANGE_DAYS)
    throw invalid('range', 'RANGE_TOO_LONG', `a range covers at most ${MAX_RANGE_DAYS} days`);
  return { from: fromDay, to: toDay };
}

/** The name of the behaviour_events partition holding `day`. */
export function partitionName(day: string): string {
  return `behaviour_events_${day.replace(/-/g, '')}`;
}

/** The day a partition name holds, or null for a name that is not a day partition. */
export function partitionDay(name: string): string | null {
  const m = /^behaviour_events_(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!m) return null;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  return isDay(day) ? day : null;
}

/**
 * The partition plan of a sweep on `today`: the days that must exist (today − maxLate ..
 * today + ahead) and the first day kept (older partitions are dropped).
 */
export function partitionPlan(
  today: string,
  opts: { maxLateDays: number; aheadDays: number; retentionDays: number },
): { ensure: string[]; keepFrom: string } {
  return {
    ensure: daysFrom(addDays(today, -opts.maxLateDays), addDays(today, opts.aheadDays)),
    keepFrom: addDays(today, -opts.retentionDays),
  };
}
