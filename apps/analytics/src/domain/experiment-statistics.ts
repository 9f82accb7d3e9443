/**
 * Statistics of an experiment's results: rates, uplifts against the control (the first
 * variant), the 95% confidence interval of the difference (unpooled standard error), the
 * two-sided p-value of the pooled two-proportion z-test, and the sample-ratio-mismatch check
 * (chi-square goodness of fit of the exposed users against the weights).
 *
 * No library: the normal CDF is Marsaglia's series (G. Marsaglia, "Evaluating the Normal
 * Distribution", Journal of Statistical Software 11(4), 2004; absolute error about 1e-15), and
 * the chi-square survival function is the regularized upper incomplete gamma function Q(k/2,
 * x/2) by its series and continued fraction (Numerical Recipes, 3rd ed., section 6.2) over the
 * Lanczos log-gamma (g = 7, 9 coefficients; relative error about 1e-15).
 */

/** The 0.975 quantile of the standard normal distribution. */
export const Z_95 = 1.959964;
export const SIGNIFICANCE = 0.05;
export const SRM_THRESHOLD = 0.001;

const LN_SQRT_2PI = 0.9189385332046727;

/** Φ(x), the standard normal CDF (Marsaglia 2004); 0 or 1 beyond |x| > 8.5 (error < 1e-17). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < -8.5) return 0;
  if (x > 8.5) return 1;
  const q = x * x;
  let s = x;
  let t = 0;
  let b = x;
  let i = 1;
  while (s !== t) {
    t = s;
    i += 2;
    b *= q / i;
    s = t + b;
  }
  return 0.5 + s * Math.exp(-0.5 * q - LN_SQRT_2PI);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(a) for a > 0 (Lanczos approximation, g = 7). */
export function logGamma(a: number): number {
  if (a < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * a)) - logGamma(1 - a);
  const z = a - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-15;
const MAX_ITERATIONS = 10_000;
const TINY = 1e-300;

/** Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function (a > 0, x ≥ 0). */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    // the series of P(a, x), then Q = 1 - P
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < MAX_ITERATIONS && Math.abs(del) > Math.abs(sum) * EPS; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
    }
    return Math.min(1, Math.max(0, 1 - sum * front));
  }
  // the continued fraction of Q(a, x), modified Lentz
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.min(1, Math.max(0, front * h));
}

/** P(X ≥ x) for X chi-square distributed with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return regularizedGammaQ(df / 2, x / 2);
}

/**
 * The two-sided p-value of the pooled two-proportion z-test of c1/n1 against c2/n2; 1 when
 * there is nothing to compare (a group without users, or no variation at all).
 */
export function twoProportionPValue(c1: number, n1: number, c2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 1;
  const pooled = (c1 + c2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  const z = (c2 / n2 - c1 / n1) / se;
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

/**
 * The p-value of the chi-square goodness-of-fit test of observed counts against expected
 * shares in proportion to `weights` (df = groups − 1); 1 when nothing was observed.
 */
export function sampleRatioPValue(observed: number[], weights: number[]): number {
  const n = observed.reduce((s, o) => s + o, 0);
  const w = weights.reduce((s, x) => s + x, 0);
  if (n === 0 || observed.length < 2) return 1;
  let chi2 = 0;
  observed.forEach((o, i) => {
    const expected = (n * weights[i]) / w;
    chi2 += ((o - expected) * (o - expected)) / expected;
  });
  return chiSquareSurvival(chi2, observed.length - 1);
}

export interface VariantCounts {
  key: string;
  weight: number;
  users: number;
  conversions: number;
}

export interface VariantStatistics {
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

export interface ExperimentStatistics {
  variants: VariantStatistics[];
  srmPValue: number;
  sampleRatioMismatch: boolean;
}

/**
 * Every variant against the control (the first): rate = conversions / users (0 without
 * users); absolute uplift = rate − control rate; relative = absolute / control rate (0 when
 * the control rate is 0); the 95% CI is absolute ± 1.959964 · sqrt(p1(1−p1)/n1 + p2(1−p2)/n2)
 * (the difference itself when a group has no users); significant when p < 0.05. The control's
 * own row has uplift 0, CI [0, 0] and p-value 1.
 */
export function experimentStatistics(counts: VariantCounts[]): ExperimentStatistics {
  const rate = (v: VariantCounts) => (v.users > 0 ? v.conversions / v.users : 0);
  const control = counts[0];
  const p1 = control ? rate(control) : 0;
  const variants = counts.map((v, i): VariantStatistics => {
    const p2 = rate(v);
    const base = { variant: v.key, users: v.users, conversions: v.conversions, rate: p2 };
    if (i === 0)
      return {
        ...base,
        absoluteUplift: 0,
        relativeUplift: 0,
        ciLow: 0,
        ciHigh: 0,
        pValue: 1,
        significant: false,
      };
    const absolute = p2 - p1;
    const margin =
      control.users > 0 && v.users > 0
        ? Z_95 * Math.sqrt((p1 * (1 - p1)) / control.users + (p2 * (1 - p2)) / v.users)
        : 0;
    const pValue = twoProportionPValue(control.conversions, control.users, v.conversions, v.users);
    return {
      ...base,
      absoluteUplift: absolute,
      relativeUplift: p1 > 0 ? absolute / p1 : 0,
      ciLow: absolute - margin,
      ciHigh: absolute + margin,
      pValue,
      significant: pValue < SIGNIFICANCE,
    };
  });
  const srmPValue = sampleRatioPValue(
    counts.map((v) => v.users),
    counts.map((v) => v.weight),
  );
  return { variants, srmPValue, sampleRatioMismatch: srmPValue < SRM_THRESHOLD };
}
