import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rating summaries from `review.product` (issue 17), one row per product, beside the product
 * (no foreign key: a summary may arrive before its product, and it never changes the product).
 */
export class ProductRatings1766000000100 implements MigrationInterface {
  name = 'ProductRatings1766000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE product_ratings (
        product_id        text PRIMARY KEY,
        review_count      integer NOT NULL CHECK (review_count >= 0),
        rating_sum        bigint NOT NULL CHECK (rating_sum >= 0),
        average           numeric(3, 2) NOT NULL CHECK (average BETWEEN 0 AND 5),
        distribution      integer[] NOT NULL CHECK (cardinality(distribution) = 5),
        with_photo_count  integer NOT NULL CHECK (with_photo_count >= 0),
        version           bigint NOT NULL,
        changed_at        timestamptz NOT NULL,
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE product_ratings`);
  }
}
