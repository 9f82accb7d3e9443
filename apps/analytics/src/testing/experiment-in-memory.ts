import type {
  ExperimentStore,
  ExposureCount,
  RecommendationStore,
} from '../application/experiment.ports';
import type { Experiment } from '../domain/experiment';
import {
  rankRecommendations,
  type Recommendation,
  type RecommendationKind,
  type RecommendationQuery,
} from '../domain/recommendation';

export { FakeClock } from '@emporia/domain/testing';

/**
 * In-memory experiments: definitions by key, and exposures and last actions per (experiment,
 * unit) as the projection records them (`expose` keeps the earliest exposure, `act` the latest
 * action; the caller gives only what falls in the window), counted as the projection's
 * per-variant rollup counts them: a unit converted when its latest action is at or after its
 * first exposure.
 */
export class InMemoryExperimentStore implements ExperimentStore {
  readonly experiments = new Map<string, Experiment>();
  readonly exposures = new Map<string, { variant: string; firstAt: Date }>();
  readonly lastActions = new Map<string, Date>();

  async upsert(key: string, change: (current: Experiment | null) => Experiment) {
    const next = change(this.experiments.get(key) ?? null);
    this.experiments.set(key, next);
    return next;
  }

  async find(key: string) {
    return this.experiments.get(key) ?? null;
  }

  async list() {
    return [...this.experiments.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  expose(key: string, unit: string, variant: string, at: Date): void {
    const id = `${key}\u0000${unit}`;
    const seen = this.exposures.get(id);
    if (!seen || at < seen.firstAt) this.exposures.set(id, { variant, firstAt: at });
  }

  act(key: string, unit: string, at: Date): void {
    const id = `${key}\u0000${unit}`;
    const last = this.lastActions.get(id);
    if (!last || at > last) this.lastActions.set(id, at);
  }

  async exposureCounts(key: string): Promise<ExposureCount[]> {
    const counts = new Map<string, ExposureCount>();
    for (const [id, x] of this.exposures) {
      const [k] = id.split('\u0000');
      if (k !== key) continue;
      const c = counts.get(x.variant) ?? { variant: x.variant, users: 0, conversions: 0 };
      const last = this.lastActions.get(id);
      counts.set(x.variant, {
        ...c,
        users: c.users + 1,
        conversions: c.conversions + (last && last >= x.firstAt ? 1 : 0),
      });
    }
    return [...counts.values()];
  }
}

/** In-memory pair counts: per kind, how often each product occurred and each pair together. */
export class InMemoryRecommendationStore implements RecommendationStore {
  readonly occurrences = new Map<string, number>();
  readonly pairs = new Map<string, number>();

  /** Counts one order (or session) holding these distinct products. */
  add(kind: RecommendationKind, products: string[]): void {
    for (const p of products) {
      const k = `${kind}|${p}`;
      this.occurrences.set(k, (this.occurrences.get(k) ?? 0) + 1);
      for (const q of products)
        if (q !== p)
          this.pairs.set(`${kind}|${p}|${q}`, (this.pairs.get(`${kind}|${p}|${q}`) ?? 0) + 1);
    }
  }

  async related(q: RecommendationQuery): Promise<Recommendation[]> {
    const candidates = [...this.pairs]
      .map(([k, together]) => ({ parts: k.split('|'), together }))
      .filter(({ parts }) => parts[0] === q.kind && parts[1] === q.productId)
      .map(({ parts, together }) => ({
        productId: parts[2],
        together,
        occurrences: this.occurrences.get(`${q.kind}|${parts[2]}`) ?? 0,
      }));
    return rankRecommendations(
      this.occurrences.get(`${q.kind}|${q.productId}`) ?? 0,
      candidates,
      q.limit,
    );
  }
}
