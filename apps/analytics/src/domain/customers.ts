/**
 * Customer figures (definitions.md, "Customers"): RFM scores and segments, life-cycle stages
 * and monthly cohorts. Plain functions over per-account aggregates; the SQL adapter computes
 * the same figures at scale from the segment rules below (one source for both).
 */
import { AnalyticsError } from './analytics-error';

export const DAY_MS = 86_400_000;

/** Named RFM segments, in the order their rules are checked (the first match wins). */
export const RFM_SEGMENTS = [
  'champions',
  'cant_lose',
  'loyal',
  'potential_loyalists',
  'new_customers',
  'at_risk',
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export const LIFECYCLE_STAGES = ['new', 'active', 'dormant', 'woken_up'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** An inclusive range of scores 1..5 each of R, F and M. */
export interface SegmentRule {
  segment: RfmSegment;
  r: [number, number];
  f: [number, number];
  m: [number, number];
}

const ANY: [number, number] = [1, 5];
/** The segment rules, in check order; `lost` takes every score. */
export const SEGMENT_RULES: readonly SegmentRule[] = [
  { segment: 'champions', r: [4, 5], f: [4, 5], m: [4, 5] },
  { segment: 'cant_lose', r: [1, 2], f: [4, 5], m: ANY },
  { segment: 'loyal', r: ANY, f: [4, 5], m: ANY },
  { segment: 'potential_loyalists', r: [4, 5], f: [2, 5], m: ANY },
  { segment: 'new_customers', r: [4, 5], f: ANY, m: ANY },
  { segment: 'at_risk', r: [1, 2], f: [2, 5], m: ANY },
  { segment: 'hibernating', r: [3, 3], f: ANY, m: ANY },
  { segment: 'lost', r: ANY, f: ANY, m: ANY },
];

const within = (v: number, [lo, hi]: [number, number]) => v >= lo && v <= hi;

/** The segment of R, F and M scores (1..5 each). */
export function rfmSegment(r: number, f: number, m: number): RfmSegment {
  for (const rule of SEGMENT_RULES)
    if (within(r, rule.r) && within(f, rule.f) && within(m, rule.m)) return rule.segment;
  return 'lost';
}

/** The quintile score of the `index`-th (0-based) of `n` accounts sorted worst first. */
export function quintileScore(index: number, n: number): number {
  return Math.floor((5 * index) / n) + 1;
}

/** What RFM and the life cycle need of a buyer (an account with ≥ 1 paid order). */
export interface Buyer {
  accountId: string;
  firstPaidAt: Date;
  lastPaidAt: Date;
  /** The paid order before the last one; null with one paid order. */
  previousPaidAt: Date | null;
  paidOrders: number;
  /** Σ amount paid − Σ refunds, minor units. */
  spentMinor: number;
}

export interface RfmScore {
  accountId: string;
  recency: number;
  frequency: number;
  monetary: number;
  segment: RfmSegment;
  daysSinceLastOrder: number;
  paidOrders: number;
  spentMinor: number;
}

/** Whole days from `at` to `now` (floor). */
export const daysSince = (at: Date, now: Date) =>
  Math.floor((now.getTime() - at.getTime()) / DAY_MS);

const byId = (a: { accountId: string }, b: { accountId: string }) =>
  a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0;

function scores<T extends { accountId: string }>(
  rows: T[],
  compare: (a: T, b: T) => number,
): Map<string, number> {
  const sorted = [...rows].sort((a, b) => compare(a, b) || byId(a, b));
  return new Map(sorted.map((row, i) => [row.accountId, quintileScore(i, rows.length)]));
}

/**
 * RFM of every buyer as of `now`: recency sorted by days since the last order descending (the
 * most recent score 5), frequency and monetary ascending; ties by account id.
 */
export function scoreRfm(buyers: Buyer[], now: Date): RfmScore[] {
  const rows = buyers.map((b) => ({ ...b, days: daysSince(b.lastPaidAt, now) }));
  const r = scores(rows, (a, b) => b.days - a.days);
  const f = scores(rows, (a, b) => a.paidOrders - b.paidOrders);
  const m = scores(rows, (a, b) => a.spentMinor - b.spentMinor);
  return rows.sort(byId).map((b) => {
    const [rs, fs, ms] = [r.get(b.accountId)!, f.get(b.accountId)!, m.get(b.accountId)!];
    return {
      accountId: b.accountId,
      recency: rs,
      frequency: fs,
      monetary: ms,
      segment: rfmSegment(rs, fs, ms),
      daysSinceLastOrder: b.days,
      paidOrders: b.paidOrders,
      spentMinor: b.spentMinor,
    };
  });
}

export interface LifecycleSettings {
  newDays: number;
  dormantDays: number;
}

/**
 * A buyer's life-cycle stage as of `now`. "Within N days" is `now − t ≤ N × 24 h`, "more than
 * N days ago" is `now − t > N × 24 h`, and the gap exceeds DORMANT when it is longer than
 * DORMANT × 24 h. Checked in order: dormant, woken_up, new, active.
 */
export function lifecycleStage(
  b: Pick<Buyer, 'firstPaidAt' | 'lastPaidAt' | 'previousPaidAt'>,
  now: Date,
  s: LifecycleSettings,
): LifecycleStage {
  const ago = (at: Date) => now.getTime() - at.getTime();
  if (ago(b.lastPaidAt) > s.dormantDays * DAY_MS) return 'dormant';
  const recent = ago(b.lastPaidAt) <= s.newDays * DAY_MS;
  if (
    recent &&
    b.previousPaidAt &&
    b.lastPaidAt.getTime() - b.previousPaidAt.getTime() > s.dormantDays * DAY_MS
  )
    return 'woken_up';
  if (ago(b.firstPaidAt) <= s.newDays * DAY_MS) return 'new';
  return 'active';
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A "YYYY-MM" month, or INVALID_ARGUMENT naming the field. */
export function parseMonth(value: string, field: string): string {
  if (!MONTH_RE.test(value))
    throw new AnalyticsError('INVALID_ARGUMENT', 'MONTH_INVALID', `${field} must be YYYY-MM`, {
      field,
    });
  return value;
}

/** Months from `from` to `to` ("YYYY-MM"); negative when `to` is earlier. */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm);
}

/** One (cohort month, paid month) cell: how many of the cohort's buyers paid in that month. */
export interface CohortCell {
  cohort: string;
  month: string;
  accounts: number;
}

export interface Cohort {
  month: string;
  buyers: number;
  /** retained[k]: buyers of the cohort with a paid order in month + k; k = 0..current month. */
  retained: number[];
}

/** The cohort table from its cells, up to `currentMonth`; cohorts in month order. */
export function cohortTable(cells: CohortCell[], currentMonth: string): Cohort[] {
  const byCohort = new Map<string, number[]>();
  for (const c of cells) {
    const span = monthsBetween(c.cohort, currentMonth);
    if (span < 0) continue;
    const row = byCohort.get(c.cohort) ?? new Array<number>(span + 1).fill(0);
    byCohort.set(c.cohort, row);
    const k = monthsBetween(c.cohort, c.month);
    if (k >= 0 && k < row.length) row[k] += c.accounts;
  }
  return [...byCohort.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([month, retained]) => ({ month, buyers: retained[0], retained }));
}

/** Repurchase rate: buyers with ≥ 2 paid orders / buyers (0 when none). */
export const repurchaseRate = (buyers: number, repeatBuyers: number) =>
  buyers === 0 ? 0 : repeatBuyers / buyers;

/** An audience is an RFM segment or a life-cycle stage. */
export function parseAudienceSegment(value: string): RfmSegment | LifecycleStage {
  if ((RFM_SEGMENTS as readonly string[]).includes(value)) return value as RfmSegment;
  if ((LIFECYCLE_STAGES as readonly string[]).includes(value)) return value as LifecycleStage;
  throw new AnalyticsError(
    'INVALID_ARGUMENT',
    'SEGMENT_UNKNOWN',
    `segment must be one of ${[...RFM_SEGMENTS, ...LIFECYCLE_STAGES].join(', ')}`,
    { field: 'segment' },
  );
}

export const isRfmSegment = (s: string): s is RfmSegment =>
  (RFM_SEGMENTS as readonly string[]).includes(s);
