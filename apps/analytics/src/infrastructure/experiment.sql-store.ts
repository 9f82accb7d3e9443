import { inTransaction, Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type {
  ExperimentStore,
  ExposureCount,
  RecommendationStore,
} from '../application/experiment.ports';
import type { Experiment, ExperimentMetric, ExperimentVariant } from '../domain/experiment';
import type { Recommendation, RecommendationQuery } from '../domain/recommendation';

interface ExperimentRow {
  key: string;
  name: string;
  variants: ExperimentVariant[];
  start_at: Date;
  stop_at: Date;
  primary_metric: ExperimentMetric;
  created_at: Date;
  updated_at: Date;
}

interface ExposureCountRow {
  variant: string;
  users: string;
  conversions: string;
}

interface DeletedRow {
  deleted: number;
}

interface RecommendationRow {
  product_id: string;
  together: string;
  score: number;
}

const toExperiment = (r: ExperimentRow): Experiment => ({
  key: r.key,
  name: r.name,
  variants: r.variants.map((v) => ({ key: v.key, weight: v.weight })),
  startAt: r.start_at,
  stopAt: r.stop_at,
  primaryMetric: r.primary_metric,
});

/** Experiment definitions, and the counts of the exposures and conversions the projection keeps. */
export class SqlExperimentStore implements ExperimentStore {
  constructor(private readonly ds: DataSource) {}

  upsert(key: string, change: (current: Experiment | null) => Experiment): Promise<Experiment> {
    return inTransaction(this.ds, async (m) => {
      const sql = new Sql(m);
      // serialises changes of one key, creation included (no row to lock yet)
      await sql.run(`SELECT pg_advisory_xact_lock(hashtext('experiment:' || $1))`, [key]);
      const row = await sql.one<ExperimentRow>(`SELECT * FROM experiments WHERE key = $1`, [key]);
      const next = change(row ? toExperiment(row) : null);
      await sql.run(
        `INSERT INTO experiments
           (key, name, variants, start_at, stop_at, primary_metric, created_at, updated_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, now(), now())
         ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, variants = EXCLUDED.variants,
           start_at = EXCLUDED.start_at, stop_at = EXCLUDED.stop_at,
           primary_metric = EXCLUDED.primary_metric, updated_at = now()`,
        [
          next.key,
          next.name,
          JSON.stringify(next.variants),
          next.startAt,
          next.stopAt,
          next.primaryMetric,
        ],
      );
      return next;
    });
  }

  async find(key: string): Promise<Experiment | null> {
    const row = await new Sql(this.ds).one<ExperimentRow>(
      `SELECT * FROM experiments WHERE key = $1`,
      [key],
    );
    return row ? toExperiment(row) : null;
  }

  async list(): Promise<Experiment[]> {
    const rows = await new Sql(this.ds).rows<ExperimentRow>(
      `SELECT * FROM experiments ORDER BY key`,
    );
    return rows.map(toExperiment);
  }

  async exposureCounts(key: string): Promise<ExposureCount[]> {
    // the rollup the projection keeps with every exposure and conversion
    const rows = await new Sql(this.ds).rows<ExposureCountRow>(
      `SELECT variant, users, conversions FROM experiment_variant_counts
        WHERE experiment_key = $1 ORDER BY variant`,
      [key],
    );
    return rows.map((r) => ({
      variant: r.variant,
      users: Number(r.users),
      conversions: Number(r.conversions),
    }));
  }
}

/** The count table of each kind: orders for "bought together", sessions for "viewed together". */
const OCCURRENCES = {
  bought_together: { table: 'product_orders', column: 'orders' },
  viewed_together: { table: 'product_sessions', column: 'sessions' },
} as const;

/** Recommendations read from the pair counts, scored and sorted in SQL (IEEE doubles, as in JS). */
export class SqlRecommendationStore implements RecommendationStore {
  constructor(private readonly ds: DataSource) {}

  async related(q: RecommendationQuery): Promise<Recommendation[]> {
    const { table, column } = OCCURRENCES[q.kind];
    const rows = await new Sql(this.ds).rows<RecommendationRow>(
      `SELECT p.b AS product_id, p.together,
              p.together::float8 / sqrt(np.${column}::float8 * nq.${column}::float8) AS score
         FROM product_pairs p
         JOIN ${table} np ON np.product_id = p.a
         JOIN ${table} nq ON nq.product_id = p.b
        WHERE p.kind = $1 AND p.a = $2
        ORDER BY score DESC, p.together DESC, p.b
        LIMIT $3`,
      [q.kind, q.productId, q.limit],
    );
    return rows.map((r) => ({
      productId: r.product_id,
      together: Number(r.together),
      score: Number(r.score),
    }));
  }

  /**
   * Forgets the product sets of sessions whose day is before `beforeDay` (YYYY-MM-DD), in
   * batches of `batch` rows; the pair counts they made stay. Returns the rows deleted.
   */
  async pruneViewSessions(beforeDay: string, batch = 10_000): Promise<number> {
    const sql = new Sql(this.ds);
    let total = 0;
    for (;;) {
      const r = await sql.one<DeletedRow>(
        `WITH gone AS (
           DELETE FROM recommendation_session_products WHERE ctid IN (
             SELECT ctid FROM recommendation_session_products WHERE day < $1::date LIMIT $2)
           RETURNING 1)
         SELECT count(*)::int AS deleted FROM gone`,
        [beforeDay, batch],
      );
      const deleted = r?.deleted ?? 0;
      total += deleted;
      if (deleted < batch) return total;
    }
  }
}
