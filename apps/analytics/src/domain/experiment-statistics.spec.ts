import {
  chiSquareSurvival,
  experimentStatistics,
  logGamma,
  normalCdf,
  regularizedGammaQ,
  sampleRatioPValue,
  twoProportionPValue,
  type VariantCounts,
} from './experiment-statistics';

/** A seeded PRNG (mulberry32): the simulations below are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Conversions of n users each converting with probability p. */
function binomial(rng: () => number, n: number, p: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (rng() < p) c++;
  return c;
}

const counts = (key: string, users: number, conversions: number, weight = 1): VariantCounts => ({
  key,
  weight,
  users,
  conversions,
});

describe('normalCdf (Marsaglia 2004)', () => {
  // Reference values: Abramowitz & Stegun, Handbook of Mathematical Functions, table 26.1, and
  // the standard quantiles z(0.975) = 1.959963984540054, z(0.995) = 2.5758293035489004.
  it.each([
    [0, 0.5],
    [1, 0.8413447460685429],
    [-1, 0.15865525393145705],
    [2, 0.9772498680518208],
    [-3, 0.0013498980316301035],
    [1.959963984540054, 0.975],
    [2.5758293035489004, 0.995],
    [5, 0.9999997133484281],
    [-6, 9.865876450376946e-10],
  ])('Φ(%p) = %p within 1e-12', (x, expected) => {
    expect(Math.abs(normalCdf(x) - expected)).toBeLessThan(1e-12);
  });

  it('is symmetric, monotone and saturates', () => {
    for (let x = -8; x <= 8; x += 0.25) {
      expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThan(1e-14);
      expect(normalCdf(x + 0.25)).toBeGreaterThanOrEqual(normalCdf(x));
    }
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });
});

describe('chi-square survival (regularized upper gamma)', () => {
  it('log-gamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });

  // Critical values from any chi-square table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4).
  it.each([
    [3.841458820694124, 1, 0.05],
    [5.991464547107979, 2, 0.05],
    [7.814727903251178, 3, 0.05],
    [16.918977604620448, 9, 0.05],
    [10.827566170662733, 1, 0.001],
    [13.815510557964274, 2, 0.001],
    [6.634896601021213, 1, 0.01],
  ])('P(X² ≥ %p; df %p) = %p', (x, df, p) => {
    expect(Math.abs(chiSquareSurvival(x, df) - p)).toBeLessThan(1e-9);
  });

  it('has the closed forms of df = 2 (e^(−x/2)) and df = 1 (2Φ(−√x))', () => {
    for (const x of [0.1, 0.5, 1, 2, 5, 10, 30]) {
      expect(Math.abs(chiSquareSurvival(x, 2) - Math.exp(-x / 2))).toBeLessThan(1e-13);
      expect(Math.abs(chiSquareSurvival(x, 1) - 2 * normalCdf(-Math.sqrt(x)))).toBeLessThan(1e-12);
    }
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(regularizedGammaQ(3, 1e-9)).toBeCloseTo(1, 12);
  });
});

describe('two-proportion z-test', () => {
  // 100/1000 against 130/1000, by hand: pooled p = 230/2000 = 0.115; SE = sqrt(0.115 · 0.885 ·
  // (1/1000 + 1/1000)) = 0.0142671; z = 0.03 / 0.0142671 = 2.10274; two-sided p = 2Φ(−2.10274)
  // = 0.035488. The same as R's prop.test(c(100, 130), c(1000, 1000), correct = FALSE):
  // X-squared = 4.4215 (= z²), df = 1, p-value = 0.03549.
  it('100/1000 vs 130/1000 gives p ≈ 0.0355 (= the chi-square test of the 2×2 table)', () => {
    const p = twoProportionPValue(100, 1000, 130, 1000);
    expect(p).toBeCloseTo(0.035488, 5);
    expect(Math.abs(p - chiSquareSurvival(4.421518054532055, 1))).toBeLessThan(1e-12);
  });

  it('is 1 without users or without variation, and symmetric in the groups', () => {
    expect(twoProportionPValue(0, 0, 5, 10)).toBe(1);
    expect(twoProportionPValue(0, 100, 0, 100)).toBe(1);
    expect(twoProportionPValue(100, 100, 50, 50)).toBe(1);
    expect(twoProportionPValue(30, 200, 45, 210)).toBeCloseTo(
      twoProportionPValue(45, 210, 30, 200),
      14,
    );
    expect(twoProportionPValue(100, 1000, 100, 1000)).toBe(1);
  });
});

describe('sample-ratio mismatch', () => {
  it('50/50 weights: 5000 vs 5000 fits; 5000 vs 5300 (χ² = 8.74, df 1) stays above 0.001, 5400 not', () => {
    expect(sampleRatioPValue([5000, 5000], [1, 1])).toBe(1);
    // χ² = 2 · 150² / 5150 = 8.7379; p = 0.00312 > 0.001; with 5400 χ² = 15.09, p = 0.0001
    expect(sampleRatioPValue([5000, 5300], [1, 1])).toBeCloseTo(0.003117, 5);
    expect(sampleRatioPValue([5000, 5400], [1, 1])).toBeLessThan(0.001);
  });

  it('tests against the weights, not an even split', () => {
    // 1:3 weights, 2500 vs 7500 is exactly as expected
    expect(sampleRatioPValue([2500, 7500], [1, 3])).toBe(1);
    expect(sampleRatioPValue([5000, 5000], [1, 3])).toBeLessThan(1e-100);
    // three variants, df = 2: χ² = (1100−1000)²/1000 · 2 = 20 → p = e^(−10)
    expect(sampleRatioPValue([1100, 900, 1000], [1, 1, 1])).toBeCloseTo(Math.exp(-10), 12);
  });

  it('is 1 with nobody exposed', () => {
    expect(sampleRatioPValue([0, 0], [1, 1])).toBe(1);
  });
});

describe('experimentStatistics', () => {
  it('reports rates, uplifts, the CI and the test against the control', () => {
    const r = experimentStatistics([counts('control', 1000, 100), counts('treatment', 1000, 130)]);
    expect(r.variants[0]).toEqual({
      variant: 'control',
      users: 1000,
      conversions: 100,
      rate: 0.1,
      absoluteUplift: 0,
      relativeUplift: 0,
      ciLow: 0,
      ciHigh: 0,
      pValue: 1,
      significant: false,
    });
    const t = r.variants[1];
    expect(t.rate).toBe(0.13);
    expect(t.absoluteUplift).toBeCloseTo(0.03, 15);
    expect(t.relativeUplift).toBeCloseTo(0.3, 14);
    // unpooled SE = sqrt(0.1 · 0.9 / 1000 + 0.13 · 0.87 / 1000) = 0.0143562; ± 1.959964 · SE
    const se = Math.sqrt(0.09 / 1000 + 0.1131 / 1000);
    expect(t.ciLow).toBeCloseTo(0.03 - 1.959964 * se, 14);
    expect(t.ciHigh).toBeCloseTo(0.03 + 1.959964 * se, 14);
    expect(t.ciLow).toBeCloseTo(0.002068, 6);
    expect(t.pValue).toBeCloseTo(0.035488, 5);
    expect(t.significant).toBe(true);
    expect(r.sampleRatioMismatch).toBe(false);
  });

  it('has zero rates and uplifts, and no test, when nobody was exposed', () => {
    const r = experimentStatistics([counts('a', 0, 0), counts('b', 0, 0)]);
    expect(r.variants[1]).toMatchObject({
      rate: 0,
      absoluteUplift: 0,
      relativeUplift: 0,
      ciLow: 0,
      ciHigh: 0,
      pValue: 1,
      significant: false,
    });
    expect(r.srmPValue).toBe(1);
  });

  it('gives relative uplift 0 when the control converts nobody', () => {
    const r = experimentStatistics([counts('a', 100, 0), counts('b', 100, 5)]);
    expect(r.variants[1].absoluteUplift).toBe(0.05);
    expect(r.variants[1].relativeUplift).toBe(0);
  });

  it('flags a sample-ratio mismatch', () => {
    const r = experimentStatistics([counts('a', 5000, 500), counts('b', 5400, 540)]);
    expect(r.sampleRatioMismatch).toBe(true);
  });

  it('finds a true effect (10% → 13%, 5000 users each) in most simulated experiments', () => {
    const rng = mulberry32(20261202);
    let found = 0;
    const runs = 100;
    for (let i = 0; i < runs; i++) {
      const r = experimentStatistics([
        counts('a', 5000, binomial(rng, 5000, 0.1)),
        counts('b', 5000, binomial(rng, 5000, 0.13)),
      ]);
      if (r.variants[1].significant && r.variants[1].absoluteUplift > 0) found++;
    }
    // z = 0.03 / 0.006374 = 4.71: the power of this design is Φ(4.71 − 1.96) ≈ 99.7%
    expect(found).toBeGreaterThanOrEqual(97);
  });

  it('mostly finds nothing in A/A tests: the false-positive rate of 200 runs is near 5%', () => {
    const rng = mulberry32(16);
    let positives = 0;
    let covered = 0;
    const runs = 200;
    for (let i = 0; i < runs; i++) {
      const r = experimentStatistics([
        counts('a', 2000, binomial(rng, 2000, 0.1)),
        counts('b', 2000, binomial(rng, 2000, 0.1)),
      ]);
      if (r.variants[1].significant) positives++;
      if (r.variants[1].ciLow <= 0 && r.variants[1].ciHigh >= 0) covered++;
    }
    // binomial(200, 0.05): mean 10, sd 3.1; [2, 20] is beyond 2.5 sd on both sides
    expect(positives).toBeGreaterThanOrEqual(2);
    expect(positives).toBeLessThanOrEqual(20);
    expect(covered).toBeGreaterThanOrEqual(180);
  });
});
