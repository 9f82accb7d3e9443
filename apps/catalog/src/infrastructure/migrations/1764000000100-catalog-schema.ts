import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CatalogSchema1764000000100 implements MigrationInterface {
  name = 'CatalogSchema1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE categories (
        id         uuid PRIMARY KEY,
        name       text NOT NULL,
        slug       text NOT NULL,
        parent_id  uuid REFERENCES categories(id),
        path_ids   uuid[] NOT NULL,
        depth      integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT categories_slug_key UNIQUE (slug),
        CONSTRAINT categories_path_ends_with_self CHECK (path_ids[array_length(path_ids, 1)] = id),
        CONSTRAINT categories_depth_matches_path CHECK (depth = array_length(path_ids, 1) - 1)
      )`);
    await q.query(`CREATE INDEX categories_parent_idx ON categories (parent_id, id)`);
    await q.query(`CREATE INDEX categories_path_idx ON categories USING gin (path_ids)`);
    await q.query(`
      CREATE TABLE products (
        id          uuid PRIMARY KEY,
        title       text NOT NULL,
        description text NOT NULL DEFAULT '',
        brand       text NOT NULL DEFAULT '',
        category_id uuid NOT NULL REFERENCES categories(id),
        status      text NOT NULL CHECK (status IN ('DRAFT', 'ACTIVE', 'ARCHIVED')),
        version     bigint NOT NULL CHECK (version > 0),
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX products_category_idx ON products (category_id, id)`);
    await q.query(`
      CREATE TABLE skus (
        id                 uuid PRIMARY KEY,
        product_id         uuid NOT NULL REFERENCES products(id),
        code               text NOT NULL,
        attributes         jsonb NOT NULL DEFAULT '{}'::jsonb,
        price_amount_minor bigint NOT NULL CHECK (price_amount_minor >= 0),
        currency           char(3) NOT NULL,
        position           integer NOT NULL,
        CONSTRAINT skus_code_key UNIQUE (code)
      )`);
    await q.query(`CREATE INDEX skus_product_idx ON skus (product_id, position)`);
    await q.query(`
      CREATE TABLE stock_levels (
        sku_id         uuid NOT NULL REFERENCES skus(id),
        warehouse_code text NOT NULL,
        on_hand        bigint NOT NULL CHECK (on_hand >= 0),
        updated_at     timestamptz NOT NULL,
        PRIMARY KEY (sku_id, warehouse_code)
      )`);
    await q.query(`
      CREATE TABLE stock_movements (
        id             bigserial PRIMARY KEY,
        sku_id         uuid NOT NULL REFERENCES skus(id),
        warehouse_code text NOT NULL,
        delta          bigint NOT NULL CHECK (delta <> 0),
        on_hand_after  bigint NOT NULL CHECK (on_hand_after >= 0),
        reason         text NOT NULL,
        trace_id       text NOT NULL,
        created_at     timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX stock_movements_sku_idx ON stock_movements (sku_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['stock_movements', 'stock_levels', 'skus', 'products', 'categories'])
      await q.query(`DROP TABLE ${t}`);
  }
}
