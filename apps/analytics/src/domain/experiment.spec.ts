import { createHash } from 'node:crypto';
import { AnalyticsError } from './analytics-error';
import {
  assignVariant,
  bucketOf,
  experimentStatus,
  inWindow,
  reviseExperiment,
  validateExperiment,
  variantOfBucket,
  type ExperimentInput,
} from './experiment';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const input = (over: Partial<ExperimentInput> = {}): ExperimentInput => ({
  key: 'checkout-button',
  name: 'Green checkout button',
  variants: [
    { key: 'control', weight: 1 },
    { key: 'green', weight: 1 },
  ],
  startAt: '2026-12-01T00:00:00Z',
  stopAt: '2026-12-15T00:00:00Z',
  primaryMetric: 'checkout_started',
  ...over,
});

function refusal(f: () => unknown): AnalyticsError {
  try {
    f();
  } catch (e) {
    if (e instanceof AnalyticsError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('validateExperiment', () => {
  it('accepts a good definition and types it', () => {
    const e = validateExperiment(input({ startAt: '2026-12-01T08:00:00+08:00' }));
    expect(e).toEqual({
      key: 'checkout-button',
      name: 'Green checkout button',
      variants: [
        { key: 'control', weight: 1 },
        { key: 'green', weight: 1 },
      ],
      startAt: new Date('2026-12-01T00:00:00Z'),
      stopAt: new Date('2026-12-15T00:00:00Z'),
      primaryMetric: 'checkout_started',
    });
  });

  it.each([
    [{ key: '' }, 'experiment.key', 'EXPERIMENT_KEY_INVALID'],
    [{ key: 'Upper' }, 'experiment.key', 'EXPERIMENT_KEY_INVALID'],
    [{ key: 'a'.repeat(65) }, 'experiment.key', 'EXPERIMENT_KEY_INVALID'],
    [{ name: 'x'.repeat(201) }, 'experiment.name', 'EXPERIMENT_NAME_INVALID'],
    [{ variants: [{ key: 'a', weight: 1 }] }, 'experiment.variants', 'VARIANTS_INVALID'],
    [
      { variants: Array.from({ length: 11 }, (_, i) => ({ key: `v${i}`, weight: 1 })) },
      'experiment.variants',
      'VARIANTS_INVALID',
    ],
    [
      {
        variants: [
          { key: 'a', weight: 1 },
          { key: 'B', weight: 1 },
        ],
      },
      'experiment.variants.1.key',
      'VARIANT_KEY_INVALID',
    ],
    [
      {
        variants: [
          { key: 'a', weight: 1 },
          { key: 'b'.repeat(33), weight: 1 },
        ],
      },
      'experiment.variants.1.key',
      'VARIANT_KEY_INVALID',
    ],
    [
      {
        variants: [
          { key: 'a', weight: 1 },
          { key: 'a', weight: 1 },
        ],
      },
      'experiment.variants.1.key',
      'VARIANT_KEY_DUPLICATE',
    ],
    [
      {
        variants: [
          { key: 'a', weight: 0 },
          { key: 'b', weight: 1 },
        ],
      },
      'experiment.variants.0.weight',
      'VARIANT_WEIGHT_INVALID',
    ],
    [
      {
        variants: [
          { key: 'a', weight: 1 },
          { key: 'b', weight: 10001 },
        ],
      },
      'experiment.variants.1.weight',
      'VARIANT_WEIGHT_INVALID',
    ],
    [
      {
        variants: [
          { key: 'a', weight: 1.5 },
          { key: 'b', weight: 1 },
        ],
      },
      'experiment.variants.0.weight',
      'VARIANT_WEIGHT_INVALID',
    ],
    [{ startAt: 'yesterday' }, 'experiment.start_at', 'TIME_INVALID'],
    [{ startAt: '2026-12-01' }, 'experiment.start_at', 'TIME_INVALID'],
    [{ stopAt: '2026-13-01T00:00:00Z' }, 'experiment.stop_at', 'TIME_INVALID'],
    [{ stopAt: '2026-12-01T00:00:00Z' }, 'experiment.stop_at', 'EXPERIMENT_WINDOW_INVALID'],
    [{ primaryMetric: 'revenue' }, 'experiment.primary_metric', 'METRIC_INVALID'],
  ])('refuses %j: %s %s', (over, field, code) => {
    const e = refusal(() => validateExperiment(input(over)));
    expect(e.kind).toBe('INVALID_ARGUMENT');
    expect(e.code).toBe(code);
    expect(e.details).toEqual({ field });
  });

  it('accepts 10 variants with weights at the bounds, and every metric', () => {
    const variants = Array.from({ length: 10 }, (_, i) => ({
      key: `v_${i}`,
      weight: i === 0 ? 1 : 10000,
    }));
    expect(validateExperiment(input({ variants })).variants).toHaveLength(10);
    for (const m of ['paid_order', 'checkout_started', 'add_to_cart', 'banner_click'])
      expect(validateExperiment(input({ primaryMetric: m })).primaryMetric).toBe(m);
  });
});

describe('status and window', () => {
  const e = validateExperiment(input());
  it('is SCHEDULED before the start, RUNNING in [start, stop), STOPPED from the stop', () => {
    expect(experimentStatus(e, new Date('2026-11-30T23:59:59.999Z'))).toBe('SCHEDULED');
    expect(experimentStatus(e, new Date('2026-12-01T00:00:00Z'))).toBe('RUNNING');
    expect(experimentStatus(e, new Date('2026-12-14T23:59:59.999Z'))).toBe('RUNNING');
    expect(experimentStatus(e, new Date('2026-12-15T00:00:00Z'))).toBe('STOPPED');
    expect(inWindow(e, new Date('2026-12-01T00:00:00Z'))).toBe(true);
    expect(inWindow(e, new Date('2026-12-15T00:00:00Z'))).toBe(false);
  });
});

describe('reviseExperiment', () => {
  const current = validateExperiment(input());
  const before = new Date('2026-11-30T00:00:00Z');
  const during = new Date('2026-12-02T00:00:00Z');

  it('lets anything change before the start, and creates a new one', () => {
    const next = validateExperiment(
      input({
        variants: [
          { key: 'a', weight: 3 },
          { key: 'b', weight: 1 },
        ],
      }),
    );
    expect(reviseExperiment(current, next, before)).toBe(next);
    expect(reviseExperiment(null, next, during)).toBe(next);
  });

  it('lets the name, stop and metric change after the start', () => {
    const next = validateExperiment(
      input({ name: 'renamed', stopAt: '2026-12-20T00:00:00Z', primaryMetric: 'paid_order' }),
    );
    expect(reviseExperiment(current, next, during)).toBe(next);
  });

  it.each([
    [
      {
        variants: [
          { key: 'control', weight: 1 },
          { key: 'green', weight: 2 },
        ],
      },
      'variants',
    ],
    [
      {
        variants: [
          { key: 'green', weight: 1 },
          { key: 'control', weight: 1 },
        ],
      },
      'variants',
    ],
    [
      {
        variants: [
          { key: 'control', weight: 1 },
          { key: 'green', weight: 1 },
          { key: 'red', weight: 1 },
        ],
      },
      'variants',
    ],
    [{ startAt: '2026-11-01T00:00:00Z' }, 'start_at'],
  ])('refuses %j after the start (EXPERIMENT_STARTED)', (over, field) => {
    const e = refusal(() => reviseExperiment(current, validateExperiment(input(over)), during));
    expect(e.kind).toBe('FAILED_PRECONDITION');
    expect(e.code).toBe('EXPERIMENT_STARTED');
    expect(e.details).toEqual({ field: `experiment.${field}` });
  });
});

describe('assignment', () => {
  it('buckets by the first 8 hex digits of sha256(key:unit) mod 10000', () => {
    // computed outside: `echo -n 'checkout-button:anon-1' | sha256sum` → 6ec1f5e0… = 1858205152
    expect(bucketOf('checkout-button', 'anon-1', sha256)).toBe(5152);
    // 5c59587f = 1549359231
    expect(bucketOf('checkout-button', '0192f3a4-5b6c-7d8e-9f01-23456789abcd', sha256)).toBe(9231);
    // 6a252fcf = 1780821967
    expect(bucketOf('hero', 'x', sha256)).toBe(1967);
  });

  it('gives consecutive bucket ranges in proportion to the weights', () => {
    const v = [
      { key: 'a', weight: 1 },
      { key: 'b', weight: 2 },
      { key: 'c', weight: 1 },
    ];
    expect(variantOfBucket(v, 0)).toBe('a');
    expect(variantOfBucket(v, 2499)).toBe('a');
    expect(variantOfBucket(v, 2500)).toBe('b');
    expect(variantOfBucket(v, 7499)).toBe('b');
    expect(variantOfBucket(v, 7500)).toBe('c');
    expect(variantOfBucket(v, 9999)).toBe('c');
    // thirds: floor(10000/3) = 3333, floor(20000/3) = 6666
    const thirds = ['x', 'y', 'z'].map((key) => ({ key, weight: 7 }));
    expect(variantOfBucket(thirds, 3332)).toBe('x');
    expect(variantOfBucket(thirds, 3333)).toBe('y');
    expect(variantOfBucket(thirds, 6666)).toBe('z');
  });

  it('is stable: the same unit gets the same variant every time, and different experiments differ', () => {
    const e = validateExperiment(input());
    const other = { ...e, key: 'other-test' };
    let differs = 0;
    for (let i = 0; i < 1000; i++) {
      const unit = `visitor-${i}`;
      expect(assignVariant(e, unit, sha256)).toBe(assignVariant({ ...e }, unit, sha256));
      if (assignVariant(e, unit, sha256) !== assignVariant(other, unit, sha256)) differs++;
    }
    // independent experiments: about half the units land differently
    expect(differs).toBeGreaterThan(400);
    expect(differs).toBeLessThan(600);
  });

  it('spreads 100k ids by weight within 1.5% (20/30/50)', () => {
    const e = {
      key: 'spread',
      variants: [
        { key: 'a', weight: 20 },
        { key: 'b', weight: 30 },
        { key: 'c', weight: 50 },
      ],
    };
    const n = 100_000;
    const seen: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < n; i++) seen[assignVariant(e, `anon-${i}`, sha256)]++;
    // sd of a share of 100k is at most 0.16%: 1.5% is far beyond chance
    expect(Math.abs(seen.a / n - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(seen.b / n - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(seen.c / n - 0.5)).toBeLessThan(0.015);
  });
});
