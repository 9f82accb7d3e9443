import { AnalyticsError } from './analytics-error';
import {
  addDays,
  dayRange,
  daysBetween,
  daysFrom,
  isDay,
  partitionDay,
  partitionName,
  partitionPlan,
} from './days';
import { dayOf, eventTime } from './facts';

const fieldOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AnalyticsError);
    const err = e as AnalyticsError;
    expect(err.kind).toBe('INVALID_ARGUMENT');
    return [err.code, err.details?.['field']];
  }
  throw new Error('expected an error');
};

describe('days', () => {
  it('knows real dates only', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-2-01')).toBe(false);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('')).toBe(false);
  });

  it('adds and counts days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-12-25', '2027-01-02')).toBe(8);
    expect(daysFrom('2026-12-30', '2027-01-01')).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
    ]);
  });

  it('checks a range: well-formed days, from <= to, at most 366 days, naming the field', () => {
    expect(dayRange({ fromDay: '2026-01-01', toDay: '2026-12-31' })).toEqual({
      from: '2026-01-01',
      to: '2026-12-31',
    });
    expect(dayRange({ fromDay: '2028-01-01', toDay: '2028-12-31' }).to).toBe('2028-12-31'); // 366
    expect(dayRange({ fromDay: '2026-01-01', toDay: '2027-01-01' }).to).toBe('2027-01-01'); // 366
    expect(fieldOf(() => dayRange({ fromDay: '2026-01-01', toDay: '2027-01-02' }))).toEqual([
      'RANGE_TOO_LONG',
      'range',
    ]);
    expect(fieldOf(() => dayRange({ fromDay: '2026-01-32', toDay: '2026-02-01' }))).toEqual([
      'DAY_INVALID',
      'range.from_day',
    ]);
    expect(fieldOf(() => dayRange({ fromDay: '2026-01-01', toDay: 'tomorrow' }))).toEqual([
      'DAY_INVALID',
      'range.to_day',
    ]);
    expect(fieldOf(() => dayRange({ fromDay: '2026-02-02', toDay: '2026-02-01' }))).toEqual([
      'RANGE_INVALID',
      'range',
    ]);
    expect(fieldOf(() => dayRange(undefined))).toEqual(['RANGE_REQUIRED', 'range']);
  });

  it('names partitions by day and reads the day back', () => {
    expect(partitionName('2026-12-02')).toBe('behaviour_events_20261202');
    expect(partitionDay('behaviour_events_20261202')).toBe('2026-12-02');
    expect(partitionDay('behaviour_events_20261302')).toBeNull();
    expect(partitionDay('behaviour_events')).toBeNull();
  });

  it('plans partitions from today - max late to today + ahead, keeping retention days', () => {
    const plan = partitionPlan('2026-12-02', { maxLateDays: 2, aheadDays: 2, retentionDays: 400 });
    expect(plan.ensure).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
    ]);
    expect(plan.keepFrom).toBe('2025-10-28');
  });
});

describe('dayOf and eventTime', () => {
  it('files an instant under its local date in the shop time zone', () => {
    // 16:30 UTC is 00:30 the next day in Shanghai
    expect(dayOf(new Date('2026-12-01T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-02');
    expect(dayOf(new Date('2026-12-01T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-12-01');
    expect(dayOf(new Date('2026-12-01T16:30:00Z'), 'UTC')).toBe('2026-12-01');
  });

  it('keeps a plausible client time, replaces one too far ahead or too late by the receive time', () => {
    const received = new Date('2026-12-02T12:00:00Z');
    const opts = { skewMs: 5 * 60_000, maxLateMs: 7 * 86_400_000 };
    const t = (iso: string) => eventTime(new Date(iso), received, opts).toISOString();
    expect(t('2026-12-02T12:04:59Z')).toBe('2026-12-02T12:04:59.000Z');
    expect(t('2026-12-02T12:05:01Z')).toBe(received.toISOString());
    expect(t('2026-11-26T12:00:00Z')).toBe('2026-11-26T12:00:00.000Z');
    expect(t('2026-11-25T11:59:59Z')).toBe(received.toISOString());
    expect(eventTime(null, received, opts)).toBe(received);
  });
});
