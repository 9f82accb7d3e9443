import { createHash } from 'node:crypto';
import { AnalyticsError } from '../domain/analytics-error';
import { bucketOf, type ExperimentInput } from '../domain/experiment';
import {
  FakeClock,
  InMemoryExperimentStore,
  InMemoryRecommendationStore,
} from '../testing/experiment-in-memory';
import { ExperimentsUseCase } from './experiment.use-case';
import { RecommendationsUseCase } from './recommendation.use-case';

const ACCOUNT = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
const sha256 = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');

const definition = (over: Partial<ExperimentInput> = {}): ExperimentInput => ({
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

async function failure(p: Promise<unknown>): Promise<AnalyticsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AnalyticsError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('ExperimentsUseCase', () => {
  let store: InMemoryExperimentStore;
  let clock: FakeClock;
  let uc: ExperimentsUseCase;
  beforeEach(() => {
    store = new InMemoryExperimentStore();
    clock = new FakeClock(new Date('2026-11-30T00:00:00Z'));
    uc = new ExperimentsUseCase(store, clock);
  });

  it('creates, lists with the status of the moment, and revises before the start', async () => {
    expect((await uc.upsert(definition())).status).toBe('SCHEDULED');
    const revised = await uc.upsert(
      definition({
        variants: [
          { key: 'control', weight: 9 },
          { key: 'green', weight: 1 },
        ],
      }),
    );
    expect(revised.experiment.variants[0].weight).toBe(9);
    await uc.upsert(definition({ key: 'banner', primaryMetric: 'banner_click' }));
    clock.advance(2 * 86_400_000);
    expect((await uc.list()).map((v) => [v.experiment.key, v.status])).toEqual([
      ['banner', 'RUNNING'],
      ['checkout-button', 'RUNNING'],
    ]);
    clock.advance(30 * 86_400_000);
    expect((await uc.list()).every((v) => v.status === 'STOPPED')).toBe(true);
  });

  it('after the start, changes the name, stop and metric but refuses new variants or weights', async () => {
    await uc.upsert(definition());
    clock.advance(2 * 86_400_000);
    const changed = await uc.upsert(
      definition({ name: 'renamed', stopAt: '2026-12-31T00:00:00Z', primaryMetric: 'paid_order' }),
    );
    expect(changed.experiment).toMatchObject({ name: 'renamed', primaryMetric: 'paid_order' });
    const refused = await failure(
      uc.upsert(
        definition({
          variants: [
            { key: 'control', weight: 1 },
            { key: 'green', weight: 3 },
          ],
        }),
      ),
    );
    expect(refused).toMatchObject({ kind: 'FAILED_PRECONDITION', code: 'EXPERIMENT_STARTED' });
    expect(store.experiments.get('checkout-button')?.variants[1].weight).toBe(1);
  });

  it('refuses a bad definition with the field named, storing nothing', async () => {
    const e = await failure(uc.upsert(definition({ primaryMetric: 'revenue' })));
    expect(e).toMatchObject({
      kind: 'INVALID_ARGUMENT',
      code: 'METRIC_INVALID',
      details: { field: 'experiment.primary_metric' },
    });
    expect(store.experiments.size).toBe(0);
  });

  it('assigns running experiments only, by the account when given, else the visitor', async () => {
    await uc.upsert(definition());
    await uc.upsert(definition({ key: 'later', startAt: '2026-12-10T00:00:00Z' }));
    clock.advance(2 * 86_400_000);
    const byVisitor = await uc.assignments({ anonymousId: 'anon-1', accountId: '' });
    // bucket of 'checkout-button:anon-1' is 5152 (see domain spec): the second half → green
    expect(bucketOf('checkout-button', 'anon-1', sha256)).toBe(5152);
    expect(byVisitor).toEqual([{ experimentKey: 'checkout-button', variant: 'green' }]);
    // the account decides when signed in: bucket 9231 → green; the same on every call
    const byAccount = await uc.assignments({
      anonymousId: 'anon-1',
      accountId: ACCOUNT.toUpperCase(),
    });
    expect(byAccount).toEqual(await uc.assignments({ anonymousId: 'other', accountId: ACCOUNT }));
    expect(byAccount).toEqual([{ experimentKey: 'checkout-button', variant: 'green' }]);
    // 'hero:x' buckets at 1967: control
    await uc.upsert(definition({ key: 'hero', startAt: '2026-11-01T00:00:00Z' }));
    expect(await uc.assignments({ anonymousId: 'x', accountId: '' })).toContainEqual({
      experimentKey: 'hero',
      variant: 'control',
    });
  });

  it.each([
    [{ anonymousId: '', accountId: '' }, 'anonymous_id', 'UNIT_REQUIRED'],
    [{ anonymousId: 'has space', accountId: '' }, 'anonymous_id', 'ANONYMOUS_ID_INVALID'],
    [{ anonymousId: 'a'.repeat(65), accountId: '' }, 'anonymous_id', 'ANONYMOUS_ID_INVALID'],
    [{ anonymousId: 'ok', accountId: 'not-a-uuid' }, 'account_id', 'ACCOUNT_ID_INVALID'],
  ])('refuses assignments for %j', async (req, field, code) => {
    expect(await failure(uc.assignments(req))).toMatchObject({
      kind: 'INVALID_ARGUMENT',
      code,
      details: { field },
    });
  });

  it('computes results from the first exposures and the actions after them', async () => {
    await uc.upsert(definition());
    const at = (iso: string) => new Date(iso);
    store.expose('checkout-button', 'u1', 'control', at('2026-12-02T10:00:00Z'));
    store.expose('checkout-button', 'u2', 'control', at('2026-12-02T10:00:00Z'));
    store.expose('checkout-button', 'u3', 'green', at('2026-12-02T10:00:00Z'));
    store.expose('checkout-button', 'u4', 'green', at('2026-12-02T10:00:00Z'));
    // u4 saw control earlier: it counts in control
    store.expose('checkout-button', 'u4', 'control', at('2026-12-02T09:00:00Z'));
    store.act('checkout-button', 'u1', at('2026-12-02T11:00:00Z'));
    store.act('checkout-button', 'u3', at('2026-12-02T09:59:59Z')); // before its exposure
    store.act('checkout-button', 'u4', at('2026-12-03T00:00:00Z'));
    clock.advance(4 * 86_400_000);
    const r = await uc.results('checkout-button');
    expect(r.status).toBe('RUNNING');
    expect(r.variants.map((v) => [v.variant, v.users, v.conversions])).toEqual([
      ['control', 3, 2],
      ['green', 1, 0],
    ]);
    expect(r.variants[1].rate).toBe(0);
    expect(r.variants[1].absoluteUplift).toBeCloseTo(-2 / 3, 15);
    expect(r.variants[1].relativeUplift).toBeCloseTo(-1, 15);
  });

  it('reports every defined variant, with zeros when nobody saw it', async () => {
    await uc.upsert(definition());
    const r = await uc.results('checkout-button');
    expect(r.variants.map((v) => [v.variant, v.users])).toEqual([
      ['control', 0],
      ['green', 0],
    ]);
    expect(r.srmPValue).toBe(1);
  });

  it('answers NOT_FOUND for an unknown experiment and INVALID_ARGUMENT for a bad key', async () => {
    expect(await failure(uc.results('nope'))).toMatchObject({
      kind: 'NOT_FOUND',
      code: 'EXPERIMENT_NOT_FOUND',
    });
    expect(await failure(uc.results('Bad Key'))).toMatchObject({
      kind: 'INVALID_ARGUMENT',
      code: 'EXPERIMENT_KEY_INVALID',
      details: { field: 'key' },
    });
  });
});

describe('RecommendationsUseCase', () => {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('ranks by cosine and keeps kinds apart', async () => {
    const store = new InMemoryRecommendationStore();
    store.add('bought_together', [id(1), id(2)]);
    store.add('bought_together', [id(1), id(2), id(3)]);
    store.add('bought_together', [id(3)]);
    store.add('bought_together', [id(3)]);
    store.add('viewed_together', [id(1), id(4)]);
    const uc = new RecommendationsUseCase(store);
    // orders: 1 → 2, 2 → 2, 3 → 3; together(1,2) = 2 → 2/2 = 1; together(1,3) = 1 → 1/√6
    expect(await uc.get({ productId: id(1), kind: 'bought_together', limit: 0 })).toEqual([
      { productId: id(2), together: 2, score: 1 },
      { productId: id(3), together: 1, score: 1 / Math.sqrt(6) },
    ]);
    expect(await uc.get({ productId: id(1), kind: 'viewed_together', limit: 1 })).toEqual([
      { productId: id(4), together: 1, score: 1 },
    ]);
    await expect(
      uc.get({ productId: 'x', kind: 'bought_together', limit: 1 }),
    ).rejects.toMatchObject({ code: 'PRODUCT_ID_INVALID' });
  });
});
