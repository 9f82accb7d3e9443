import { DAY_MS, localDay, type MonthTruth } from './analytics-month-base';

/**
 * Customers' expected figures as of `now` (the truth's): only accounts with a paid order that
 * were not deleted. Plain loops over the ground truth (see analytics-expected.ts).
 */

export interface Customer {
  accountId: string;
  /** Paid times, oldest first. */
  paid: number[];
  paidMinor: number;
  refundedMinor: number;
}

/** The buyers as of `now`: paid orders, amounts, refunds (refunds before now only). */
export function customers(t: MonthTruth, now = t.now): Customer[] {
  const deleted = new Set(
    t.accounts.filter((a) => a.deletedAt && a.deletedAt <= now).map((a) => a.accountId),
  );
  const by = new Map<string, Customer>();
  for (const o of t.orders) {
    if (!o.paidAt || o.paidAt > now || deleted.has(o.accountId)) continue;
    const c = by.get(o.accountId) ?? {
      accountId: o.accountId,
      paid: [],
      paidMinor: 0,
      refundedMinor: 0,
    };
    c.paid.push(o.paidAt.getTime());
    c.paidMinor += o.totalMinor;
    for (const r of o.refunds) if (r.at <= now) c.refundedMinor += r.amountMinor;
    by.set(o.accountId, c);
  }
  for (const c of by.values()) c.paid.sort((a, b) => a - b);
  return [...by.values()].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
}

const month = (at: number, tz: string) => localDay(new Date(at), tz).slice(0, 7);
const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;

export interface RetentionFigures {
  repurchaseRate: number;
  buyers: number;
  repeatBuyers: number;
  cohorts: { month: string; buyers: number; retained: number[] }[];
}

/** GetRetention: repurchase rate over all buyers, cohorts of [fromMonth, toMonth]. */
export function expectedRetention(
  t: MonthTruth,
  q: { fromMonth: string; toMonth: string },
): RetentionFigures {
  const cs = customers(t);
  const repeat = cs.filter((c) => c.paid.length >= 2).length;
  const current = monthIndex(month(t.now.getTime(), t.timeZone));
  const cohorts = new Map<string, { month: string; buyers: number; retained: number[] }>();
  for (const c of cs) {
    const m = month(c.paid[0], t.timeZone);
    if (m < q.fromMonth || m > q.toMonth) continue;
    const cohort = cohorts.get(m) ?? {
      month: m,
      buyers: 0,
      retained: Array<number>(current - monthIndex(m) + 1).fill(0),
    };
    cohort.buyers += 1;
    const ks = new Set(c.paid.map((p) => monthIndex(month(p, t.timeZone)) - monthIndex(m)));
    for (const k of ks) cohort.retained[k] += 1;
    cohorts.set(m, cohort);
  }
  return {
    repurchaseRate: cs.length === 0 ? 0 : repeat / cs.length,
    buyers: cs.length,
    repeatBuyers: repeat,
    cohorts: [...cohorts.values()].sort((a, b) => (a.month < b.month ? -1 : 1)),
  };
}

export type Stage = 'new' | 'active' | 'dormant' | 'woken_up';

/** A buyer's life-cycle stage as of `now`. */
export function stageOf(
  paid: readonly number[],
  now: number,
  newDays = 30,
  dormantDays = 90,
): Stage {
  const last = paid[paid.length - 1];
  if (now - last > dormantDays * DAY_MS) return 'dormant';
  const withinNew = (at: number) => now - at <= newDays * DAY_MS;
  if (paid.length >= 2 && withinNew(last) && last - paid[paid.length - 2] > dormantDays * DAY_MS)
    return 'woken_up';
  if (withinNew(paid[0])) return 'new';
  return 'active';
}

/** GetLifecycle: accounts per stage. */
export function expectedLifecycle(t: MonthTruth): Record<Stage, number> {
  const out: Record<Stage, number> = { new: 0, active: 0, dormant: 0, woken_up: 0 };
  for (const c of customers(t)) out[stageOf(c.paid, t.now.getTime())] += 1;
  return out;
}

export const SEGMENTS = [
  'champions',
  'cant_lose',
  'loyal',
  'potential_loyalists',
  'new_customers',
  'at_risk',
  'hibernating',
  'lost',
] as const;
export type Segment = (typeof SEGMENTS)[number];

/** The first segment whose rule matches, in the order of the definitions. */
export function segmentOf(r: number, f: number, m: number): Segment {
  if (r >= 4 && f >= 4 && m >= 4) return 'champions';
  if (r <= 2 && f >= 4) return 'cant_lose';
  if (f >= 4) return 'loyal';
  if (r >= 4 && f >= 2) return 'potential_loyalists';
  if (r >= 4) return 'new_customers';
  if (r <= 2 && f >= 2) return 'at_risk';
  if (r === 3) return 'hibernating';
  return 'lost';
}

/** Quintile scores: sort by `key` (then account id), score = floor(5 * index / n) + 1. */
export function quintiles<T extends { accountId: string }>(
  xs: readonly T[],
  compare: (a: T, b: T) => number,
): Map<string, number> {
  const sorted = [...xs].sort((a, b) => compare(a, b) || (a.accountId < b.accountId ? -1 : 1));
  return new Map(sorted.map((x, i) => [x.accountId, Math.floor((5 * i) / sorted.length) + 1]));
}

export interface RfmFigures {
  accountId: string;
  recency: number;
  frequency: number;
  monetary: number;
  segment: Segment;
  daysSinceLastOrder: number;
  paidOrders: number;
  spentMinor: number;
}

/** GetRfm: every buyer's scores and segment. */
export function expectedRfm(t: MonthTruth): RfmFigures[] {
  const now = t.now.getTime();
  const rows = customers(t).map((c) => ({
    accountId: c.accountId,
    days: Math.floor((now - c.paid[c.paid.length - 1]) / DAY_MS),
    orders: c.paid.length,
    spent: c.paidMinor - c.refundedMinor,
  }));
  const r = quintiles(rows, (a, b) => b.days - a.days);
  const f = quintiles(rows, (a, b) => a.orders - b.orders);
  const m = quintiles(rows, (a, b) => a.spent - b.spent);
  return rows.map((x) => {
    const [rs, fs, ms] = [r.get(x.accountId)!, f.get(x.accountId)!, m.get(x.accountId)!];
    return {
      accountId: x.accountId,
      recency: rs,
      frequency: fs,
      monetary: ms,
      segment: segmentOf(rs, fs, ms),
      daysSinceLastOrder: x.days,
      paidOrders: x.orders,
      spentMinor: x.spent,
    };
  });
}

/** Accounts (and their spend) per segment. */
export function rfmSegmentCounts(
  rows: readonly RfmFigures[],
): Record<Segment, { accounts: number; monetaryMinor: number }> {
  const out = Object.fromEntries(
    SEGMENTS.map((s) => [s, { accounts: 0, monetaryMinor: 0 }]),
  ) as Record<Segment, { accounts: number; monetaryMinor: number }>;
  for (const r of rows) {
    out[r.segment].accounts += 1;
    out[r.segment].monetaryMinor += r.spentMinor;
  }
  return out;
}
