import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 18 (catalog-merch): product tags (manual and rule tags, the tag rules with their
 * defaults, first publication time for NEW_ARRIVAL) and compliance review (regulated categories,
 * the product's review state, reviews, audit trail, banned words and blacklisted brands).
 */
export class TagsAndCompliance1767000000200 implements MigrationInterface {
  name = 'TagsAndCompliance1767000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE categories
        ADD COLUMN regulated_marked boolean NOT NULL DEFAULT false,
        ADD COLUMN regulated boolean NOT NULL DEFAULT false`);
    await q.query(`
      ALTER TABLE products
        ADD COLUMN manual_tags text[] NOT NULL DEFAULT '{}',
        ADD COLUMN rule_tags text[] NOT NULL DEFAULT '{}',
        ADD COLUMN first_published_at timestamptz,
        ADD COLUMN compliance_status text NOT NULL DEFAULT 'REQUIRED'
          CHECK (compliance_status IN ('REQUIRED', 'PENDING', 'APPROVED', 'REJECTED'))`);
    // products published before first_published_at existed: their creation is the best bound known
    await q.query(`UPDATE products SET first_published_at = created_at WHERE status = 'ACTIVE'`);
    await q.query(
      `CREATE INDEX products_first_published_idx ON products (first_published_at) WHERE status = 'ACTIVE'`,
    );
    await q.query(
      `CREATE INDEX products_rule_tagged_idx ON products (id) WHERE cardinality(rule_tags) > 0`,
    );
    // the best-seller rule sums committed reservations by commit time (updated_at)
    await q.query(
      `CREATE INDEX stock_reservations_committed_idx ON stock_reservations (updated_at) WHERE status = 'COMMITTED'`,
    );
    await q.query(`
      CREATE TABLE tag_rules (
        tag       text PRIMARY KEY,
        kind      text NOT NULL CHECK (kind IN ('NEW_ARRIVAL', 'BEST_SELLER')),
        days      integer NOT NULL CHECK (days > 0),
        top       integer NOT NULL CHECK (top >= 0),
        min_units bigint NOT NULL CHECK (min_units >= 0),
        position  integer NOT NULL
      )`);
    await q.query(`
      INSERT INTO tag_rules (tag, kind, days, top, min_units, position) VALUES
        ('新品', 'NEW_ARRIVAL', 30, 0, 0, 0),
        ('爆款', 'BEST_SELLER', 7, 20, 1, 1)`);
    await q.query(`
      CREATE TABLE compliance_rules (
        kind text NOT NULL CHECK (kind IN ('BANNED_WORD', 'BLACKLISTED_BRAND')),
        term text NOT NULL,
        PRIMARY KEY (kind, term)
      )`);
    await q.query(`
      CREATE TABLE compliance_reviews (
        id                 uuid PRIMARY KEY,
        product_id         uuid NOT NULL REFERENCES products(id),
        product_version    bigint NOT NULL,
        quality_report_ref text NOT NULL,
        status             text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
        submitted_by       text NOT NULL,
        submitted_at       timestamptz NOT NULL,
        decided_by         text NOT NULL DEFAULT '',
        decided_at         timestamptz,
        reason             text NOT NULL DEFAULT ''
      )`);
    await q.query(
      `CREATE UNIQUE INDEX compliance_reviews_one_pending ON compliance_reviews (product_id) WHERE status = 'PENDING'`,
    );
    await q.query(`CREATE INDEX compliance_reviews_status_idx ON compliance_reviews (status, id)`);
    await q.query(`
      CREATE TABLE compliance_audit (
        id          uuid PRIMARY KEY,
        product_id  uuid NOT NULL REFERENCES products(id),
        review_id   uuid REFERENCES compliance_reviews(id),
        action      text NOT NULL
          CHECK (action IN ('submitted', 'approved', 'rejected', 'invalidated', 'refused_publish')),
        actor_id    text NOT NULL,
        detail      text NOT NULL,
        occurred_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX compliance_audit_product_idx ON compliance_audit (product_id, occurred_at, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE compliance_audit`);
    await q.query(`DROP TABLE compliance_reviews`);
    await q.query(`DROP TABLE compliance_rules`);
    await q.query(`DROP TABLE tag_rules`);
    await q.query(`DROP INDEX stock_reservations_committed_idx`);
    await q.query(`
      ALTER TABLE products DROP COLUMN manual_tags, DROP COLUMN rule_tags,
        DROP COLUMN first_published_at, DROP COLUMN compliance_status`);
    await q.query(`ALTER TABLE categories DROP COLUMN regulated_marked, DROP COLUMN regulated`);
  }
}
