import { addDays, localDay, type MonthTruth, startOfDay } from './analytics-month-base';
import { paidOrders, visitorAccounts } from './analytics-expected';

/**
 * Expected experiment results, recommendations and inventory health of a month (plain loops over
 * the ground truth; see analytics-expected.ts).
 */

// ---- statistics

/** Regularized upper incomplete gamma Q(a, x) (series below a + 1, continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnGammaA = lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lnGammaA);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-17) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGammaA) * h;
}

/** ln Γ(x) (Lanczos, g = 7). */
function lnGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = g[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += g[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Two-sided p-value of a standard normal z. */
export const normalTwoSided = (z: number) => gammaQ(0.5, (z * z) / 2);
/** Upper tail of chi-square with `df` degrees of freedom. */
export const chiSquareUpper = (x: number, df: number) => gammaQ(df / 2, x / 2);

export const Z95 = 1.959964;

export interface VariantStats {
  variant: string;
  users: number;
  conversions: number;
  rate: number;
  absoluteUplift: number;
  relativeUplift: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
  significant: boolean;
}

/** Results per variant against the first (control), and the sample-ratio-mismatch test. */
export function experimentStats(
  variants: readonly { variant: string; weight: number; users: number; conversions: number }[],
): { variants: VariantStats[]; srmPValue: number; sampleRatioMismatch: boolean } {
  const rate = (v: { users: number; conversions: number }) =>
    v.users === 0 ? 0 : v.conversions / v.users;
  const c = variants[0];
  const p1 = rate(c);
  const out = variants.map((v, i): VariantStats => {
    const p2 = rate(v);
    const abs = p2 - p1;
    const base = {
      variant: v.variant,
      users: v.users,
      conversions: v.conversions,
      rate: p2,
      absoluteUplift: i === 0 ? 0 : abs,
      relativeUplift: i === 0 || p1 === 0 ? 0 : abs / p1,
    };
    if (i === 0 || c.users === 0 || v.users === 0)
      return { ...base, ciLow: 0, ciHigh: 0, pValue: 1, significant: false };
    const se = Math.sqrt((p1 * (1 - p1)) / c.users + (p2 * (1 - p2)) / v.users);
    const pooled = (c.conversions + v.conversions) / (c.users + v.users);
    const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / c.users + 1 / v.users));
    const pValue = sePooled === 0 ? 1 : normalTwoSided(abs / sePooled);
    return {
      ...base,
      ciLow: abs - Z95 * se,
      ciHigh: abs + Z95 * se,
      pValue,
      significant: pValue < 0.05,
    };
  });
  const n = variants.reduce((s, v) => s + v.users, 0);
  const w = variants.reduce((s, v) => s + v.weight, 0);
  let chi = 0;
  for (const v of variants) {
    const expected = (n * v.weight) / w;
    if (expected > 0) chi += (v.users - expected) ** 2 / expected;
  }
  const srmPValue = n === 0 ? 1 : chiSquareUpper(chi, variants.length - 1);
  return { variants: out, srmPValue, sampleRatioMismatch: srmPValue < 0.001 };
}

/** Users (first variant seen) and conversions per variant of one of the month's experiments. */
export function expectedExperiment(t: MonthTruth, key: string) {
  const x = t.experiments.find((e) => e.key === key);
  if (!x) throw new Error(`no experiment ${key}`);
  const [start, stop] = [x.startAt.getTime(), x.stopAt.getTime()];
  const first = new Map<string, { variant: string; at: number }>();
  const byTime = [...t.behaviour].sort(
    (a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt),
  );
  for (const e of byTime) {
    const at = Date.parse(e.occurredAt);
    if (e.type !== 'experiment_exposure' || e.experimentKey !== key) continue;
    if (at < start || at > stop) continue;
    const unit = e.accountId || e.anonymousId;
    if (!first.has(unit)) first.set(unit, { variant: e.variant, at });
  }
  const links = visitorAccounts(t);
  const paid = paidOrders(t);
  // the metric's behaviour times per unit: the events that carry the unit, as their account or
  // as their anonymous id (an anonymous unit that signs in later still converts in its browser)
  const metricTimes = new Map<string, number[]>();
  for (const e of t.behaviour) {
    if (e.type !== x.primaryMetric) continue;
    for (const u of new Set([e.accountId, e.anonymousId]))
      if (u) metricTimes.set(u, [...(metricTimes.get(u) ?? []), Date.parse(e.occurredAt)]);
  }
  const converted = (unit: string, since: number): boolean => {
    const inWindow = (at: number) => at > since && at < stop;
    if (x.primaryMetric === 'paid_order') {
      const accounts = new Set([unit, ...(links.get(unit) ?? [])]);
      return paid.some((o) => accounts.has(o.accountId) && inWindow(o.paidAt.getTime()));
    }
    return (metricTimes.get(unit) ?? []).some(inWindow);
  };
  const counts = x.variants.map((v) => ({
    variant: v.key,
    weight: v.weight,
    users: 0,
    conversions: 0,
  }));
  for (const [unit, f] of first) {
    const c = counts.find((v) => v.variant === f.variant);
    if (!c) continue;
    c.users += 1;
    if (converted(unit, f.at)) c.conversions += 1;
  }
  return experimentStats(counts);
}

// ---- recommendations

export interface RecommendationFigures {
  productId: string;
  together: number;
  score: number;
}

function cooccurrence(baskets: Iterable<Set<string>>, product: string): RecommendationFigures[] {
  const count = new Map<string, number>();
  const together = new Map<string, number>();
  for (const b of baskets) {
    for (const p of b) count.set(p, (count.get(p) ?? 0) + 1);
    if (!b.has(product)) continue;
    for (const q of b) if (q !== product) together.set(q, (together.get(q) ?? 0) + 1);
  }
  const n = count.get(product) ?? 0;
  return [...together.entries()]
    .map(([q, k]) => ({ productId: q, together: k, score: k / Math.sqrt(n * count.get(q)!) }))
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.together - a.together ||
        (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0),
    );
}

/** bought_together(P): paid orders' products; viewed_together(P): sessions' product views. */
export function expectedRecommendations(
  t: MonthTruth,
  productId: string,
  kind: 'bought_together' | 'viewed_together',
): RecommendationFigures[] {
  if (kind === 'bought_together')
    return cooccurrence(
      paidOrders(t).map((o) => new Set(o.lines.map((l) => l.productId))),
      productId,
    );
  const sessions = new Map<string, Set<string>>();
  for (const e of t.behaviour) {
    if (e.type !== 'product_view' || !e.productId) continue;
    const key = e.sessionId
      ? `s:${e.sessionId}`
      : `d:${e.anonymousId}:${localDay(new Date(e.occurredAt), t.timeZone)}`;
    sessions.set(key, (sessions.get(key) ?? new Set()).add(e.productId));
  }
  return cooccurrence(sessions.values(), productId);
}

// ---- inventory health

export interface HealthFigures {
  id: string;
  onHand: number;
  unitsSold: number;
  turnover: number;
  daysOfSupply: number;
  sellThrough: number;
}
export interface SkuHealthFigures extends HealthFigures {
  productId: string;
  categoryId: string;
  slowMover: boolean;
  stockoutRisk: boolean;
}

const health = (id: string, onHand: number, units: number, avg: number, w: number) => {
  const daily = units / w;
  return {
    id,
    onHand,
    unitsSold: units,
    turnover: avg === 0 ? 0 : units / avg,
    daysOfSupply: daily === 0 ? -1 : onHand / daily,
    sellThrough: units + onHand === 0 ? 0 : units / (units + onHand),
  };
};

/** GetInventoryHealth with a window of `w` days ending today (per SKU and per category). */
export function expectedInventory(
  t: MonthTruth,
  w = 30,
  slowDays = 90,
  stockoutDays = 7,
): { skus: SkuHealthFigures[]; categories: HealthFigures[] } {
  const today = localDay(t.now, t.timeZone);
  const windowDays = Array.from({ length: w }, (_, i) => addDays(today, i - w + 1));
  const sold = new Map<string, number>();
  for (const o of paidOrders(t))
    if (o.paidDay >= windowDays[0] && o.paidDay <= today)
      for (const l of o.lines) sold.set(l.skuId, (sold.get(l.skuId) ?? 0) + l.quantity);
  const snaps = [...t.stock].sort((a, b) => a.at.getTime() - b.at.getTime());
  const onHandAt = (skuId: string, productId: string, before: number) => {
    let v = 0;
    for (const s of snaps)
      if (s.productId === productId && s.at.getTime() < before) v = s.onHand[skuId] ?? 0;
    return v;
  };
  const skus: SkuHealthFigures[] = [];
  const cats = new Map<string, { onHand: number; units: number; avg: number }>();
  for (const p of t.products)
    for (const k of p.skus) {
      const onHand = onHandAt(k.skuId, p.productId, t.now.getTime() + 1);
      const ends = windowDays.map((d) => startOfDay(addDays(d, 1), t.timeZone).getTime());
      const avg = ends.reduce((s, e) => s + onHandAt(k.skuId, p.productId, e), 0) / w;
      const units = sold.get(k.skuId) ?? 0;
      const h = health(k.skuId, onHand, units, avg, w);
      skus.push({
        ...h,
        productId: p.productId,
        categoryId: p.categoryId,
        slowMover: onHand > 0 && (h.daysOfSupply > slowDays || units === 0),
        stockoutRisk: units > 0 && h.daysOfSupply < stockoutDays,
      });
      for (const c of p.categoryPathIds) {
        const x = cats.get(c) ?? { onHand: 0, units: 0, avg: 0 };
        cats.set(c, { onHand: x.onHand + onHand, units: x.units + units, avg: x.avg + avg });
      }
    }
  const categories = [...cats.entries()].map(([id, x]) => health(id, x.onHand, x.units, x.avg, w));
  return { skus, categories };
}
