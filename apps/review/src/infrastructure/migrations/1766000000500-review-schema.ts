import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reviews and follow-ups, their moderation trail, helpful votes, rating summaries, banned words. */
export class ReviewSchema1766000000500 implements MigrationInterface {
  name = 'ReviewSchema1766000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reviews (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL,
        sku_id uuid NOT NULL,
        order_id uuid NOT NULL,
        account_id uuid NOT NULL,
        author_name text NOT NULL,
        anonymous boolean NOT NULL,
        rating smallint NOT NULL CHECK (rating BETWEEN 0 AND 5),
        text text NOT NULL,
        photo_urls text[] NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('HELD', 'APPROVED', 'REJECTED')),
        reasons text[] NOT NULL DEFAULT '{}',
        helpful_votes integer NOT NULL DEFAULT 0 CHECK (helpful_votes >= 0),
        reply_text text,
        reply_by text,
        reply_at timestamptz,
        follows_review_id uuid REFERENCES reviews (id),
        address_fingerprint text NOT NULL,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL,
        moderated_at timestamptz,
        moderated_by text,
        CHECK ((follows_review_id IS NULL) = (rating > 0))
      )`);
    // one review per (account, order, SKU); one follow-up per review
    await q.query(`CREATE UNIQUE INDEX reviews_once_uq ON reviews (account_id, order_id, sku_id)
      WHERE follows_review_id IS NULL`);
    await q.query(`CREATE UNIQUE INDEX reviews_follow_up_uq ON reviews (follows_review_id)
      WHERE follows_review_id IS NOT NULL`);
    await q.query(`CREATE INDEX reviews_product_recent ON reviews (product_id, created_at DESC, id DESC)
      WHERE status = 'APPROVED' AND follows_review_id IS NULL`);
    await q.query(`CREATE INDEX reviews_product_helpful
      ON reviews (product_id, helpful_votes DESC, created_at DESC, id DESC)
      WHERE status = 'APPROVED' AND follows_review_id IS NULL`);
    await q.query(`CREATE INDEX reviews_status_queue ON reviews (status, created_at, id)`);
    await q.query(`CREATE INDEX reviews_account ON reviews (account_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE review_votes (
        review_id uuid NOT NULL REFERENCES reviews (id),
        account_id uuid NOT NULL,
        voted_at timestamptz NOT NULL,
        PRIMARY KEY (review_id, account_id)
      )`);
    await q.query(`
      CREATE TABLE review_moderation_log (
        id bigserial PRIMARY KEY,
        review_id uuid NOT NULL REFERENCES reviews (id),
        action text NOT NULL CHECK (action IN ('SUBMITTED', 'APPROVED', 'HELD', 'REJECTED', 'REPLIED')),
        actor text NOT NULL,
        note text NOT NULL,
        reasons text[] NOT NULL,
        at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX review_moderation_log_review ON review_moderation_log (review_id, id)`,
    );
    await q.query(`
      CREATE TABLE rating_summaries (
        product_id uuid PRIMARY KEY,
        review_count integer NOT NULL,
        rating_sum bigint NOT NULL,
        distribution integer[] NOT NULL CHECK (cardinality(distribution) = 5),
        with_photo_count integer NOT NULL,
        version bigint NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE banned_words (
        id smallint PRIMARY KEY CHECK (id = 1),
        words text[] NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE banned_words`);
    await q.query(`DROP TABLE rating_summaries`);
    await q.query(`DROP TABLE review_moderation_log`);
    await q.query(`DROP TABLE review_votes`);
    await q.query(`DROP TABLE reviews`);
  }
}
