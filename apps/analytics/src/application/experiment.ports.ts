import type { Experiment } from '../domain/experiment';
import type { Recommendation, RecommendationQuery } from '../domain/recommendation';

/**
 * The ports of the experiments and recommendations area. The projections that keep their
 * tables (exposures, conversions, pair counts) live in infrastructure/ and run inside the
 * fact sink's transaction; the use cases only read them and keep the definitions.
 */

export const EXPERIMENT_STORE = Symbol('EXPERIMENT_STORE');

/** Users exposed to a variant and how many of them converted (variants nobody saw are absent). */
export interface ExposureCount {
  variant: string;
  users: number;
  conversions: number;
}

export interface ExperimentStore {
  /**
   * Creates or replaces the definition under `key` as `change` decides from the current one
   * (null when new), atomically: no other change of the same key runs in between. What
   * `change` throws is thrown, and nothing is stored.
   */
  upsert(key: string, change: (current: Experiment | null) => Experiment): Promise<Experiment>;
  find(key: string): Promise<Experiment | null>;
  /** Every definition, by key. */
  list(): Promise<Experiment[]>;
  /**
   * Per variant: units whose first exposure (inside the window) was to it, and those of them
   * with a primary-metric action (inside the window) at or after that first exposure; kept
   * incrementally by the projection, read as they are.
   */
  exposureCounts(key: string): Promise<ExposureCount[]>;
}

export const RECOMMENDATION_STORE = Symbol('RECOMMENDATION_STORE');

export interface RecommendationStore {
  /** The products seen with the query's product, ranked (see `rankRecommendations`). */
  related(query: RecommendationQuery): Promise<Recommendation[]>;
}
