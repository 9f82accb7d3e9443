import { Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type { ListingScheduleRepository } from '../application/ports';

/** The listing sweep's claim of due products, inside the caller's transaction. */
export class SqlListingScheduleRepository implements ListingScheduleRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async claimDue(now: Date, skip: string[]): Promise<string | null> {
    // SKIP LOCKED: a product another transaction holds (a sweep elsewhere, an operator's update)
    // is left to it; once that commits, the row is re-checked here and is no longer due
    const r = await this.sql.one<{ id: string }>(
      `SELECT id FROM products
       WHERE (publish_at <= $1 OR unpublish_at <= $1) AND NOT (id = ANY($2::uuid[]))
       ORDER BY LEAST(COALESCE(publish_at, 'infinity'), COALESCE(unpublish_at, 'infinity')), id
       LIMIT 1
       FOR UPDATE SKIP LOCKED`,
      [now, skip],
    );
    return r?.id ?? null;
  }
}
