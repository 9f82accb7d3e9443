import { Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type { ProductRatingRepository } from '../application/ports';
import type { ProductRatingSummary } from '../domain/product-rating';

/** A row of product_ratings (migration 1766000000100). */
interface RatingRow {
  product_id: string;
  review_count: number;
  rating_sum: string;
  average: string;
  distribution: number[];
  with_photo_count: number;
  version: string;
  changed_at: Date;
}

const toSummary = (r: RatingRow): ProductRatingSummary => ({
  productId: r.product_id,
  reviewCount: Number(r.review_count),
  ratingSum: Number(r.rating_sum),
  average: Number(r.average),
  distribution: r.distribution.map(Number) as ProductRatingSummary['distribution'],
  withPhotoCount: Number(r.with_photo_count),
  version: Number(r.version),
  changedAt: r.changed_at,
});

export class SqlProductRatingRepository implements ProductRatingRepository {
  private readonly sql: Sql;

  constructor(manager: EntityManager) {
    this.sql = new Sql(manager);
  }

  async getMany(productIds: string[]): Promise<Map<string, ProductRatingSummary>> {
    if (productIds.length === 0) return new Map();
    const rows = await this.sql.rows<RatingRow>(
      `SELECT * FROM product_ratings WHERE product_id = ANY($1::text[])`,
      [productIds],
    );
    return new Map(rows.map((r) => [r.product_id, toSummary(r)]));
  }

  /** One statement: inserted, or updated only from a lower version (concurrent-safe). */
  async saveIfNewer(s: ProductRatingSummary): Promise<boolean> {
    const rows = await this.sql.rows<{ product_id: string }>(
      `INSERT INTO product_ratings
         (product_id, review_count, rating_sum, average, distribution, with_photo_count, version, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (product_id) DO UPDATE SET review_count = EXCLUDED.review_count,
         rating_sum = EXCLUDED.rating_sum, average = EXCLUDED.average,
         distribution = EXCLUDED.distribution, with_photo_count = EXCLUDED.with_photo_count,
         version = EXCLUDED.version, changed_at = EXCLUDED.changed_at, updated_at = now()
       WHERE product_ratings.version < EXCLUDED.version RETURNING product_id`,
      [
        s.productId,
        s.reviewCount,
        s.ratingSum,
        s.average,
        s.distribution,
        s.withPhotoCount,
        s.version,
        s.changedAt,
      ],
    );
    return rows.length === 1;
  }
}
