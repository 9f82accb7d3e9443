/**
 * Inventory health (definitions.md, "Inventory health"): per SKU and per category, over a window
 * of W days ending today. Pure: the figures from what the projection kept.
 */

export const DEFAULT_WINDOW_DAYS = 30;
export const MAX_WINDOW_DAYS = 365;

export interface HealthThresholds {
  /** ANALYTICS_SLOW_DAYS: more days of supply than this (or no sales) is a slow mover. */
  slowDays: number;
  /** ANALYTICS_STOCKOUT_DAYS: fewer days of supply than this (with sales) is a stock-out risk. */
  stockoutDays: number;
}

/** What the projection knows of one SKU for a window. */
export interface SkuWindowFacts {
  skuId: string;
  productId: string;
  categoryId: string;
  categoryPathIds: string[];
  /** On hand in catalog's last snapshot. */
  onHand: number;
  /** Units in orders paid within the window. */
  unitsSold: number;
  /** Σ over the window's days of the end-of-day on hand (carried forward); / W is the average. */
  onHandDaySum: number;
}

export interface Figures {
  onHand: number;
  unitsSold: number;
  turnover: number;
  daysOfSupply: number;
  sellThrough: number;
}

export interface SkuHealthFigures extends Figures {
  skuId: string;
  productId: string;
  categoryId: string;
  slowMover: boolean;
  stockoutRisk: boolean;
}

export interface CategoryHealthFigures extends Figures {
  categoryId: string;
}

/** The shared figures of a SKU or a category (sums of its SKUs) over W days. */
export function figures(
  onHand: number,
  unitsSold: number,
  onHandDaySum: number,
  windowDays: number,
): Figures {
  const dailySales = unitsSold / windowDays;
  const averageOnHand = onHandDaySum / windowDays;
  return {
    onHand,
    unitsSold,
    daysOfSupply: dailySales > 0 ? onHand / dailySales : -1,
    turnover: averageOnHand > 0 ? unitsSold / averageOnHand : 0,
    sellThrough: unitsSold + onHand > 0 ? unitsSold / (unitsSold + onHand) : 0,
  };
}

export function skuHealth(
  f: SkuWindowFacts,
  windowDays: number,
  t: HealthThresholds,
): SkuHealthFigures {
  const fig = figures(f.onHand, f.unitsSold, f.onHandDaySum, windowDays);
  const selling = f.unitsSold > 0;
  return {
    skuId: f.skuId,
    productId: f.productId,
    categoryId: f.categoryId,
    ...fig,
    slowMover: f.onHand > 0 && (!selling || fig.daysOfSupply > t.slowDays),
    stockoutRisk: selling && fig.daysOfSupply < t.stockoutDays,
  };
}

/**
 * Sort: stock-out risks first (fewest days of supply first), then slow movers (most days of
 * supply first, no sales before any), then the rest; ties and the rest by SKU id.
 */
export function compareHealth(a: SkuHealthFigures, b: SkuHealthFigures): number {
  const rank = (h: SkuHealthFigures) => (h.stockoutRisk ? 0 : h.slowMover ? 1 : 2);
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  if (a.stockoutRisk && a.daysOfSupply !== b.daysOfSupply) return a.daysOfSupply - b.daysOfSupply;
  if (a.slowMover) {
    const slowness = (h: SkuHealthFigures) => (h.daysOfSupply < 0 ? Infinity : h.daysOfSupply);
    if (slowness(a) !== slowness(b)) return slowness(b) > slowness(a) ? 1 : -1;
  }
  return a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0;
}

/**
 * Every SKU's health, sorted (compareHealth) and cut to `limit`, and one row per category on the
 * path of any SKU (the SKUs whose category path contains it: sums, then the same figures),
 * restricted to `categoryId` and its descendants when one is given. Categories by id.
 */
export function inventoryHealth(
  skus: readonly SkuWindowFacts[],
  opts: { windowDays: number; limit: number; categoryId: string } & HealthThresholds,
): { skus: SkuHealthFigures[]; categories: CategoryHealthFigures[] } {
  const selected = opts.categoryId
    ? skus.filter((s) => s.categoryPathIds.includes(opts.categoryId))
    : skus;
  const perSku = selected
    .map((s) => skuHealth(s, opts.windowDays, opts))
    .sort(compareHealth)
    .slice(0, opts.limit);
  const sums = new Map<string, { onHand: number; unitsSold: number; daySum: number }>();
  for (const s of selected) {
    const path = opts.categoryId
      ? s.categoryPathIds.slice(s.categoryPathIds.indexOf(opts.categoryId))
      : s.categoryPathIds;
    for (const c of new Set(path)) {
      const acc = sums.get(c) ?? { onHand: 0, unitsSold: 0, daySum: 0 };
      acc.onHand += s.onHand;
      acc.unitsSold += s.unitsSold;
      acc.daySum += s.onHandDaySum;
      sums.set(c, acc);
    }
  }
  const categories = [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([categoryId, a]) => ({
      categoryId,
      ...figures(a.onHand, a.unitsSold, a.daySum, opts.windowDays),
    }));
  return { skus: perSku, categories };
}
