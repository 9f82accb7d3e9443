/**
 * The arithmetic of the operator figures over rollup rows: AOV, totals, the funnel's step
 * conversions, the order of attribution rows (definitions in apps/analytics/README.md).
 * Money is integer minor units.
 */

/** round-half-up(gmv / paidOrders) in minor units; 0 without paid orders. */
export function aov(gmvMinor: number, paidOrders: number): number {
  if (paidOrders <= 0) return 0;
  // exact integer arithmetic: floor((2 * gmv + n) / (2 * n)) rounds a half up
  const n = BigInt(paidOrders);
  const g = BigInt(gmvMinor);
  const twice = 2n * g + n;
  const q = twice / (2n * n);
  // BigInt division truncates toward zero: make it a floor for negative sums
  return Number(twice < 0n && twice % (2n * n) !== 0n ? q - 1n : q);
}

export interface KpiDay {
  day: string;
  channel: string;
  currency: string;
  orders: number;
  paidOrders: number;
  gmvMinor: number;
  units: number;
  refundsMinor: number;
  newBuyers: number;
  returningBuyers: number;
}

/** Channel as shown: an order without a channel is "unknown". */
export const shownChannel = (channel: string): string => channel || 'unknown';
/** The stored channel a query names ("unknown" is the empty channel). */
export const storedChannel = (channel: string): string => (channel === 'unknown' ? '' : channel);

/**
 * The range total: sums of the daily rows (of one currency) and the buyers over the whole
 * range (distinct accounts; new = first paid order in the range), which the days cannot give.
 */
export function kpiTotal(
  rows: readonly KpiDay[],
  buyers: { payers: number; newBuyers: number },
  label: { channel: string; currency: string; day: string },
): KpiDay {
  const mine = rows.filter((r) => r.currency === label.currency);
  const sum = (f: (r: KpiDay) => number) => mine.reduce((s, r) => s + f(r), 0);
  return {
    day: label.day,
    channel: label.channel,
    currency: label.currency,
    orders: sum((r) => r.orders),
    paidOrders: sum((r) => r.paidOrders),
    gmvMinor: sum((r) => r.gmvMinor),
    units: sum((r) => r.units),
    refundsMinor: sum((r) => r.refundsMinor),
    newBuyers: buyers.newBuyers,
    returningBuyers: Math.max(0, buyers.payers - buyers.newBuyers),
  };
}

/** The currency of a range's total: the one with the most GMV (ties by code), else `fallback`. */
export function mainCurrency(rows: readonly KpiDay[], fallback: string): string {
  const gmv = new Map<string, number>();
  for (const r of rows) gmv.set(r.currency, (gmv.get(r.currency) ?? 0) + r.gmvMinor);
  const sorted = [...gmv].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  return sorted[0]?.[0] ?? fallback;
}

export const FUNNEL_STEPS = ['view', 'cart', 'checkout', 'paid'] as const;
export type FunnelStepName = (typeof FUNNEL_STEPS)[number];

/** Bits of a visitor-day's steps in `funnel_visitor_days.steps`. */
export const STEP_BIT = { product_view: 1, add_to_cart: 2, checkout_started: 4 } as const;

export interface FunnelStep {
  step: FunnelStepName;
  visitors: number;
  conversion: number;
  dropOff: number;
}

/** Step conversion (visitors / previous step's; 1 for view, 0 after an empty step). */
export function funnelSteps(counts: Record<FunnelStepName, number>): FunnelStep[] {
  return FUNNEL_STEPS.map((step, i) => {
    const visitors = counts[step];
    const previous = i === 0 ? null : counts[FUNNEL_STEPS[i - 1]];
    const conversion = previous === null ? 1 : previous === 0 ? 0 : visitors / previous;
    return { step, visitors, conversion, dropOff: 1 - conversion };
  });
}

export interface AttributionRow {
  source: string;
  medium: string;
  campaign: string;
  currency: string;
  paidOrders: number;
  gmvMinor: number;
}

/** The source of an order without any touch. */
export const DIRECT = { source: '(direct)', medium: '', campaign: '' } as const;

/** Sorted by GMV descending, then source, medium, campaign. */
export function sortAttribution(rows: AttributionRow[]): AttributionRow[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort(
    (a, b) =>
      b.gmvMinor - a.gmvMinor ||
      cmp(a.source, b.source) ||
      cmp(a.medium, b.medium) ||
      cmp(a.campaign, b.campaign) ||
      cmp(a.currency, b.currency),
  );
}
