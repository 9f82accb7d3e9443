import { Money } from '@emporia/money';
import { marginFloor, type PricingPolicy } from './pricing-policy';

/** A price in effect from `day` (YYYY-MM-DD, shop time zone) on, as snapshots showed it. */
export interface PricePoint {
  day: string;
  priceMinor: number;
}

export interface Elasticity {
  value: number;
  /** True when estimated from the history; false: the default. */
  estimated: boolean;
  /** Price periods with sales that went into the fit. */
  periods: number;
  reason: string;
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/**
 * Price periods within the lookback (`fromDay`..`toDay`): maximal runs of days with one price in
 * effect (the last price point on or before the day; days before the first point have no
 * price and are left out), each with its mean daily units (units sold on its days / its days).
 */
export function pricePeriods(
  points: readonly PricePoint[],
  unitsByDay: ReadonlyMap<string, number>,
  fromDay: string,
  toDay: string,
): { priceMinor: number; days: number; units: number }[] {
  const sorted = [...points].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const periods: { priceMinor: number; days: number; units: number }[] = [];
  let i = -1;
  for (let d = dayNumber(fromDay); d <= dayNumber(toDay); d++) {
    const day = new Date(d * DAY_MS).toISOString().slice(0, 10);
    while (i + 1 < sorted.length && sorted[i + 1].day <= day) i++;
    if (i < 0) continue;
    const price = sorted[i].priceMinor;
    const last = periods[periods.length - 1];
    const units = unitsByDay.get(day) ?? 0;
    if (last && last.priceMinor === price && last.days > 0) {
      last.days++;
      last.units += units;
    } else periods.push({ priceMinor: price, days: 1, units });
  }
  return periods;
}

/**
 * Price elasticity by least squares of ln(mean daily units) on ln(price) over the price periods
 * with sales (a period without sales has no logarithm). Needs ≥ 2 distinct prices among them;
 * otherwise, or when the fit is not negative (demand rising with price says nothing usable), the
 * default is used and the reason says why.
 */
export function estimateElasticity(
  periods: readonly { priceMinor: number; days: number; units: number }[],
  defaultElasticity: number,
): Elasticity {
  const pts = periods
    .filter((p) => p.units > 0 && p.priceMinor > 0)
    .map((p) => ({ x: Math.log(p.priceMinor), y: Math.log(p.units / p.days) }));
  const distinct = new Set(pts.map((p) => p.x)).size;
  if (distinct < 2)
    return {
      value: defaultElasticity,
      estimated: false,
      periods: pts.length,
      reason: `elasticity ${defaultElasticity} (default: ${distinct} distinct price(s) with sales in the lookback, 2 needed)`,
    };
  const mx = pts.reduce((a, p) => a + p.x, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.y, 0) / pts.length;
  const sxy = pts.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = pts.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const slope = sxy / sxx;
  if (!(slope < 0))
    return {
      value: defaultElasticity,
      estimated: false,
      periods: pts.length,
      reason: `elasticity ${defaultElasticity} (default: the fit over ${pts.length} price periods gave ${round(slope)}, not negative)`,
    };
  return {
    value: slope,
    estimated: true,
    periods: pts.length,
    reason: `elasticity ${round(slope)} (least squares over ${pts.length} price periods, ${distinct} prices)`,
  };
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface SuggestionInput {
  policy: PricingPolicy;
  current: Money;
  onHand: number;
  unitsSold: number;
  windowDays: number;
  daysOfSupply: number;
  sellThrough: number;
  elasticity: Elasticity;
  /** Largest change of one suggestion, as a fraction (0.2 = 20%). */
  maxStep: number;
  /** Smallest change worth suggesting, as a fraction (0.01 = 1%). */
  minChange: number;
}

export type SuggestionOutcome =
  { suggested: Money; reasons: string[] } | { suggested: null; reasons: string[] };

/**
 * One SKU's suggestion (pure; every rule applied named in `reasons`):
 * 1. lower when days of supply > target (or no sales with stock) and sell-through < target:
 *    the price at which the elasticity says daily sales reach on hand / target days, i.e.
 *    p × (target rate / rate)^(1/e); with no sales the elasticity cannot say, so the largest step;
 * 2. raise when 0 ≤ days of supply < target / 2, by the same formula (a lower target rate);
 *    out of stock (rate and target both 0) takes the largest step;
 * 3. the step is capped at ±maxStep of the current price;
 * 4. clamped to [floor, ceiling], then raised to the margin guard (cost × (1 + margin)), which wins;
 * 5. rounded to whole minor units (half up); a change below minChange suggests nothing.
 */
export function suggestPrice(i: SuggestionInput): SuggestionOutcome {
  const { policy: pol, current } = i;
  const reasons: string[] = [];
  if (current.currency !== pol.floor.currency)
    return {
      suggested: null,
      reasons: [`price in ${current.currency}, policy in ${pol.floor.currency}`],
    };
  const dos = i.daysOfSupply;
  const dosText = dos < 0 ? 'no sales' : `${round(dos, 1)} days of supply`;
  const rate = i.unitsSold / i.windowDays;
  const targetRate = i.onHand / pol.targetDaysOfSupply;
  const p = current.amountMinor;
  let factor: number;
  const overstocked = i.onHand > 0 && (dos < 0 || dos > pol.targetDaysOfSupply);
  if (overstocked && i.sellThrough < pol.targetSellThrough) {
    reasons.push(
      `${dosText} > target ${pol.targetDaysOfSupply} and sell-through ${round(i.sellThrough)} < target ${pol.targetSellThrough}: lower`,
    );
    reasons.push(i.elasticity.reason);
    if (rate === 0) {
      factor = 1 - i.maxStep;
      reasons.push('no sales in the window: the largest step');
    } else factor = (targetRate / rate) ** (1 / i.elasticity.value);
  } else if (dos >= 0 && dos < pol.targetDaysOfSupply / 2) {
    reasons.push(`${dosText} < half the target ${pol.targetDaysOfSupply}: raise`);
    reasons.push(i.elasticity.reason);
    factor = targetRate === 0 ? 1 + i.maxStep : (targetRate / rate) ** (1 / i.elasticity.value);
    if (targetRate === 0) reasons.push('out of stock: the largest step');
  } else {
    return {
      suggested: null,
      reasons: [`${dosText}, sell-through ${round(i.sellThrough)}: within the targets`],
    };
  }
  let price = p * factor;
  if (price < p * (1 - i.maxStep) || price > p * (1 + i.maxStep)) {
    price = factor < 1 ? p * (1 - i.maxStep) : p * (1 + i.maxStep);
    reasons.push(`step capped at ${round(i.maxStep * 100, 1)}%`);
  }
  if (price < pol.floor.amountMinor) {
    price = pol.floor.amountMinor;
    reasons.push(`floor ${pol.floor.amountMinor}`);
  }
  if (price > pol.ceiling.amountMinor) {
    price = pol.ceiling.amountMinor;
    reasons.push(`ceiling ${pol.ceiling.amountMinor}`);
  }
  const guard = marginFloor(pol.unitCost, pol.minMarginBps).amountMinor;
  if (price < guard) {
    price = guard;
    reasons.push(
      `margin guard ${guard} (cost ${pol.unitCost.amountMinor} + ${pol.minMarginBps} bps)`,
    );
  }
  const minor = Math.floor(price + 0.5);
  if (p > 0 ? Math.abs(minor - p) / p < i.minChange : minor === p)
    return {
      suggested: null,
      reasons: [...reasons, `change below ${round(i.minChange * 100, 1)}%: no suggestion`],
    };
  return { suggested: Money.of(minor, current.currency), reasons };
}
