import { Money } from '@emporia/money';
import { anyOf, isUniqueViolation, qualified, Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type {
  CategoryRepository,
  ProductRepository,
  ProductViewFacts,
  ProductViewRepository,
  StockRepository,
} from '../application/ports';
import { CatalogError } from '../domain/catalog-error';
import { type Category, depthOf } from '../domain/category';
import type { Product, ProductStatus } from '../domain/product';
import type { ComplianceState } from '../domain/compliance';
import type { StockLevel } from '../domain/stock';

// Rows as Postgres returns them (see the catalog schema migrations): bigint as a string,
// timestamptz as a Date, jsonb parsed, char(3) padded.

interface CategoryRow {
  id: string;
  name: string;
  slug: string;
  parent_id: string | null;
  path_ids: string[];
  depth: number;
  created_at: Date;
  updated_at: Date;
  regulated_marked: boolean;
  regulated: boolean;
}

// named, not `*`: statements with `*` columns are never prepared (libs/persistence README,
// "Prepared statements")
const CATEGORY_COLUMNS = `id, name, slug, parent_id, path_ids, depth, created_at, updated_at,
  regulated_marked, regulated`;

interface ProductRow {
  id: string;
  title: string;
  description: string;
  brand: string;
  category_id: string;
  status: ProductStatus;
  version: string;
  created_at: Date;
  updated_at: Date;
  // listing schedule (issue 18)
  publish_at: Date | null;
  unpublish_at: Date | null;
  // issue 18 (catalog-merch)
  manual_tags: string[];
  rule_tags: string[];
  first_published_at: Date | null;
  compliance_status: ComplianceState;
}

// named, not `*`: statements with `*` columns are never prepared (libs/persistence README,
// "Prepared statements")
const PRODUCT_COLUMNS = `id, title, description, brand, category_id, status, version, created_at,
  updated_at, publish_at, unpublish_at, manual_tags, rule_tags, first_published_at,
  compliance_status`;

/** The SKU columns a product owns (`units_sold` is written by orders only, never by a save). */
interface SkuRow {
  id: string;
  product_id: string;
  code: string;
  attributes: Record<string, string>;
  price_amount_minor: string;
  original_price_amount_minor: string | null;
  currency: string;
  position: number;
}

const SKU_COLUMNS =
  'id, product_id, code, attributes, price_amount_minor, original_price_amount_minor, currency, position';

/**
 * The SKUs of the product `p` in position order, as a JSON array of `SkuRow`s (amounts as text,
 * as the driver reads a bigint): a product and its SKUs in one statement.
 */
const SKUS_OF_P = `COALESCE((SELECT json_agg(json_build_object(
    'id', s.id, 'product_id', s.product_id, 'code', s.code, 'attributes', s.attributes,
    'price_amount_minor', s.price_amount_minor::text,
    'original_price_amount_minor', s.original_price_amount_minor::text,
    'currency', s.currency, 'position', s.position) ORDER BY s.position)
  FROM skus s WHERE s.product_id = p.id), '[]'::json)`;

/** The stock columns a stock write owns (`reserved` belongs to reservations). */
interface StockLevelRow {
  sku_id: string;
  warehouse_code: string;
  on_hand: string;
  reserved: string;
  updated_at: Date;
}

/** Turns a unique-constraint race (two writers passed the pre-check) into the same error the pre-check gives. */
async function mapUnique<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isUniqueViolation(e, 'categories_slug_key'))
      throw new CatalogError('ALREADY_EXISTS', 'CATEGORY_SLUG_TAKEN', 'slug is already used');
    if (isUniqueViolation(e, 'skus_code_key'))
      throw new CatalogError(
        'ALREADY_EXISTS',
        'SKU_CODE_TAKEN',
        'a SKU code already belongs to another product',
      );
    throw e;
  }
}

const toCategory = (r: CategoryRow): Category => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  parentId: r.parent_id,
  pathIds: r.path_ids,
  regulatedMarked: r.regulated_marked,
  regulated: r.regulated,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const categoryParams = (c: Category): unknown[] => [
  c.id,
  c.name,
  c.slug,
  c.parentId,
  c.pathIds,
  depthOf(c),
  c.createdAt,
  c.updatedAt,
  c.regulatedMarked,
  c.regulated,
];

const INSERT_CATEGORY = `INSERT INTO categories (id, name, slug, parent_id, path_ids, depth, created_at, updated_at,
    regulated_marked, regulated)
  VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7, $8, $9, $10)`;

export class SqlCategoryRepository implements CategoryRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async get(id: string): Promise<Category | null> {
    const r = await this.sql.one<CategoryRow>(
      `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE id = $1`,
      [id],
    );
    return r && toCategory(r);
  }

  async getBySlug(slug: string): Promise<Category | null> {
    const r = await this.sql.one<CategoryRow>(
      `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE slug = $1`,
      [slug],
    );
    return r && toCategory(r);
  }

  async insert(category: Category): Promise<void> {
    await mapUnique(() => this.sql.run(INSERT_CATEGORY, categoryParams(category)));
  }

  async save(categories: Category[]): Promise<void> {
    for (const c of categories)
      await mapUnique(() =>
        this.sql.run(
          `${INSERT_CATEGORY}
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, slug = EXCLUDED.slug,
             parent_id = EXCLUDED.parent_id, path_ids = EXCLUDED.path_ids, depth = EXCLUDED.depth,
             updated_at = EXCLUDED.updated_at, regulated_marked = EXCLUDED.regulated_marked,
             regulated = EXCLUDED.regulated`,
          categoryParams(c),
        ),
      );
  }

  async descendantsOf(id: string): Promise<Category[]> {
    return (
      await this.sql.rows<CategoryRow>(
        `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE $1::uuid = ANY(path_ids) AND id <> $1::uuid ORDER BY depth`,
        [id],
      )
    ).map(toCategory);
  }

  async listChildren(
    parentId: string | null,
    afterId: string | undefined,
    limit: number,
  ): Promise<Category[]> {
    const parent = parentId ? `parent_id = $3::uuid` : `parent_id IS NULL`;
    return (
      await this.sql.rows<CategoryRow>(
        `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE ${parent} AND ($1::uuid IS NULL OR id > $1::uuid)
         ORDER BY id LIMIT $2`,
        parentId ? [afterId ?? null, limit, parentId] : [afterId ?? null, limit],
      )
    ).map(toCategory);
  }

  async listAll(afterId: string | undefined, limit: number): Promise<Category[]> {
    return (
      await this.sql.rows<CategoryRow>(
        `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
        [afterId ?? null, limit],
      )
    ).map(toCategory);
  }

  async lockTree(): Promise<void> {
    await this.sql.run(`SELECT pg_advisory_xact_lock(hashtext('catalog.category-tree'))`);
  }
}

const toProduct = (r: ProductRow, skus: SkuRow[]): Product => ({
  id: r.id,
  title: r.title,
  description: r.description,
  brand: r.brand,
  categoryId: r.category_id,
  status: r.status,
  version: Number(r.version),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  publishAt: r.publish_at,
  unpublishAt: r.unpublish_at,
  manualTags: r.manual_tags,
  ruleTags: r.rule_tags,
  firstPublishedAt: r.first_published_at,
  compliance: r.compliance_status,
  skus: skus.map((s) => ({
    id: s.id,
    code: s.code,
    attributes: s.attributes,
    price: Money.of(Number(s.price_amount_minor), s.currency.trim()),
    originalPrice:
      s.original_price_amount_minor === null
        ? null
        : Money.of(Number(s.original_price_amount_minor), s.currency.trim()),
  })),
});

export class SqlProductRepository implements ProductRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  /**
   * The product with its SKUs in one round trip (the SKUs as a JSON array of their rows). With
   * `forUpdate` only the product's row is locked, as every writer of its stock or SKUs locks it
   * first: one round trip less under that lock, unless the lock was waited for.
   *
   * A lock waited for: `FOR UPDATE` answers the product's row as the writer that held the lock
   * committed it, but the SKUs' subquery still reads the statement's snapshot, taken before the
   * wait: the writer's SKU changes would be missed, and a `save` would write the old SKUs back
   * over them. Every write of a product's SKUs (`save`) moves its row's `skus_revision` in the
   * same transaction, so a locked row whose revision is not the snapshot's says the SKUs changed
   * meanwhile: they are read again, by a statement whose snapshot is taken under the lock. A
   * writer that moved only stock (a reservation's commit, `saveTouched`: the hot product of a
   * sale) leaves the revision, and the SKUs read with the lock stand.
   */
  async get(id: string, opts: { forUpdate?: boolean } = {}): Promise<Product | null> {
    if (!opts.forUpdate) {
      const r = await this.sql.one<ProductRow & { skus: SkuRow[] }>(
        `SELECT ${qualified('p', PRODUCT_COLUMNS)}, ${SKUS_OF_P} AS skus FROM products p WHERE p.id = $1`,
        [id],
      );
      return r && toProduct(r, r.skus);
    }
    const r = await this.sql.one<ProductRow & { skus: SkuRow[]; as_snapshot: boolean }>(
      `SELECT ${qualified('p', PRODUCT_COLUMNS)}, ${SKUS_OF_P} AS skus,
              p.skus_revision = (SELECT q.skus_revision FROM products q WHERE q.id = p.id) AS as_snapshot
         FROM products p WHERE p.id = $1 FOR UPDATE OF p`,
      [id],
    );
    if (!r) return null;
    if (r.as_snapshot) return toProduct(r, r.skus);
    const again = await this.sql.one<{ skus: SkuRow[] }>(
      `SELECT ${SKUS_OF_P} AS skus FROM products p WHERE p.id = $1`,
      [id],
    );
    return toProduct(r, again?.skus ?? []);
  }

  async insert(product: Product): Promise<void> {
    await this.sql.run(
      `INSERT INTO products (id, title, description, brand, category_id, status, version, created_at, updated_at,
         publish_at, unpublish_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        product.id,
        product.title,
        product.description,
        product.brand,
        product.categoryId,
        product.status,
        product.version,
        product.createdAt,
        product.updatedAt,
        product.publishAt,
        product.unpublishAt,
      ],
    );
    await this.writeMerch(product);
    await mapUnique(() => this.writeSkus(product, false));
  }

  /** Issue 18 (catalog-merch): tags, first publication and compliance state of a product. */
  private async writeMerch(p: Product): Promise<void> {
    await this.sql.run(
      `UPDATE products SET manual_tags = $2::text[], rule_tags = $3::text[], first_published_at = $4,
         compliance_status = $5 WHERE id = $1`,
      [p.id, p.manualTags, p.ruleTags, p.firstPublishedAt, p.compliance],
    );
  }

  async save(product: Product): Promise<void> {
    await this.sql.run(
      `UPDATE products SET title = $2, description = $3, brand = $4, category_id = $5, status = $6,
         version = $7, updated_at = $8, publish_at = $9, unpublish_at = $10,
         skus_revision = skus_revision + 1 WHERE id = $1`,
      [
        product.id,
        product.title,
        product.description,
        product.brand,
        product.categoryId,
        product.status,
        product.version,
        product.updatedAt,
        product.publishAt,
        product.unpublishAt,
      ],
    );
    await this.writeMerch(product);
    await mapUnique(() => this.writeSkus(product, true));
  }

  async saveTouched(product: Product): Promise<void> {
    await this.sql.runAtCommit(`UPDATE products SET version = $2, updated_at = $3 WHERE id = $1`, [
      product.id,
      product.version,
      product.updatedAt,
    ]);
  }

  /** Inserts the product's SKUs in their order; `upsert` updates those that exist (by id). */
  private async writeSkus(p: Product, upsert: boolean): Promise<void> {
    for (const [position, s] of p.skus.entries())
      await this.sql.run(
        `INSERT INTO skus (id, product_id, code, attributes, price_amount_minor, currency, position,
           original_price_amount_minor)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)${
           upsert
             ? ` ON CONFLICT (id) DO UPDATE SET product_id = EXCLUDED.product_id, code = EXCLUDED.code,
                 attributes = EXCLUDED.attributes, price_amount_minor = EXCLUDED.price_amount_minor,
                 currency = EXCLUDED.currency, position = EXCLUDED.position,
                 original_price_amount_minor = EXCLUDED.original_price_amount_minor`
             : ''
         }`,
        [
          s.id,
          p.id,
          s.code,
          JSON.stringify(s.attributes),
          s.price.amountMinor,
          s.price.currency,
          position,
          s.originalPrice?.amountMinor ?? null,
        ],
      );
  }

  async productIdOfSku(skuId: string): Promise<string | null> {
    const r = await this.sql.one<{ product_id: string }>(
      `SELECT product_id FROM skus WHERE id = $1`,
      [skuId],
    );
    return r?.product_id ?? null;
  }

  async unitsSold(skuIds: string[]): Promise<Map<string, number>> {
    const sold = new Map<string, number>(skuIds.map((id) => [id, 0]));
    if (skuIds.length === 0) return sold;
    const [byId, ids] = anyOf('id', 1, 'uuid', skuIds);
    const rows = await this.sql.rows<{ id: string; units_sold: string }>(
      `SELECT id, units_sold::bigint AS units_sold FROM skus WHERE ${byId}`,
      [ids],
    );
    for (const r of rows) sold.set(r.id, Number(r.units_sold));
    return sold;
  }

  async takenSkuCodes(codes: string[], exceptProductId?: string): Promise<string[]> {
    if (codes.length === 0) return [];
    const rows = await this.sql.rows<{ code: string; product_id: string }>(
      `SELECT code, product_id FROM skus WHERE code = ANY($1::text[])`,
      [codes],
    );
    return rows.filter((r) => r.product_id !== exceptProductId).map((r) => r.code);
  }

  async listInSubtree(
    categoryId: string | null,
    afterId: string | undefined,
    limit: number,
    statuses: readonly ProductStatus[] = [],
  ): Promise<Product[]> {
    const rows = await this.sql.rows<ProductRow>(
      `SELECT ${qualified('p', PRODUCT_COLUMNS)} FROM products p
       WHERE ($1::uuid IS NULL OR EXISTS (
               SELECT 1 FROM categories c WHERE c.id = p.category_id AND $1::uuid = ANY(c.path_ids)))
         AND ($2::uuid IS NULL OR p.id > $2::uuid)
         AND (cardinality($3::text[]) = 0 OR p.status = ANY($3::text[]))
       ORDER BY p.id LIMIT $4`,
      [categoryId, afterId ?? null, [...statuses], limit],
    );
    if (rows.length === 0) return [];
    const skus = await this.sql.rows<SkuRow>(
      `SELECT ${SKU_COLUMNS} FROM skus WHERE product_id = ANY($1::uuid[]) ORDER BY position`,
      [rows.map((r) => r.id)],
    );
    return rows.map((r) =>
      toProduct(
        r,
        skus.filter((s) => s.product_id === r.id),
      ),
    );
  }

  async idsInSubtree(categoryId: string): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id WHERE $1 = ANY(c.path_ids) ORDER BY p.id`,
      [categoryId],
    );
    return rows.map((r) => r.id);
  }
}

const toLevel = (r: StockLevelRow): StockLevel => ({
  skuId: r.sku_id,
  warehouseCode: r.warehouse_code,
  onHand: Number(r.on_hand),
  reserved: Number(r.reserved),
  updatedAt: r.updated_at,
});

const LEVEL_COLUMNS = 'sku_id, warehouse_code, on_hand, reserved, updated_at';

export class SqlStockRepository implements StockRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async getForUpdate(skuId: string, warehouseCode: string): Promise<StockLevel | null> {
    const r = await this.sql.one<StockLevelRow>(
      `SELECT ${LEVEL_COLUMNS} FROM stock_levels WHERE sku_id = $1 AND warehouse_code = $2 FOR UPDATE`,
      [skuId, warehouseCode],
    );
    return r && toLevel(r);
  }

  async put(
    level: StockLevel,
    movement: { delta: number; reason: string; traceId: string },
  ): Promise<void> {
    // Only on_hand and updated_at: `reserved` belongs to reservations.
    await this.sql.run(
      `INSERT INTO stock_levels (sku_id, warehouse_code, on_hand, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sku_id, warehouse_code) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = EXCLUDED.updated_at`,
      [level.skuId, level.warehouseCode, level.onHand, level.updatedAt],
    );
    await this.sql.run(
      `INSERT INTO stock_movements (sku_id, warehouse_code, delta, on_hand_after, reason, trace_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        level.skuId,
        level.warehouseCode,
        movement.delta,
        level.onHand,
        movement.reason,
        movement.traceId,
        level.updatedAt,
      ],
    );
  }

  async levels(skuId: string): Promise<StockLevel[]> {
    return (
      await this.sql.rows<StockLevelRow>(
        `SELECT ${LEVEL_COLUMNS} FROM stock_levels WHERE sku_id = $1 ORDER BY warehouse_code`,
        [skuId],
      )
    ).map(toLevel);
  }

  async totals(skuIds: string[]): Promise<Map<string, number>> {
    const totals = new Map<string, number>(skuIds.map((id) => [id, 0]));
    if (skuIds.length === 0) return totals;
    const [bySku, ids] = anyOf('sku_id', 1, 'uuid', skuIds);
    const rows = await this.sql.rows<{ sku_id: string; total: string }>(
      `SELECT sku_id, sum(on_hand)::bigint AS total FROM stock_levels WHERE ${bySku} GROUP BY sku_id`,
      [ids],
    );
    for (const r of rows) totals.set(r.sku_id, Number(r.total));
    return totals;
  }
}

/**
 * A product view's facts in one statement: each subquery's rows as a JSON array (amounts as
 * text, as the driver reads a bigint). One id is asked by its scalar form (persistence's
 * `anyOf`), so a reservation's commit, which reads one product's view, runs a cached plan.
 */
export class SqlProductViewRepository implements ProductViewRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async facts(categoryIds: string[], skuIds: string[]): Promise<ProductViewFacts> {
    const totals = new Map<string, number>(skuIds.map((id) => [id, 0]));
    const unitsSold = new Map<string, number>(skuIds.map((id) => [id, 0]));
    if (categoryIds.length === 0 && skuIds.length === 0)
      return { categories: [], totals, unitsSold };
    const [byCategory, categoryParam] = anyOf('c.id', 1, 'uuid', categoryIds);
    const [bySku, skuParam] = anyOf('s.id', 2, 'uuid', skuIds);
    const [row] = await this.sql.rows<{
      categories: { id: string; path_ids: string[]; regulated: boolean }[];
      skus: { id: string; units_sold: string; total: string | null }[];
    }>(
      `SELECT
         COALESCE((SELECT json_agg(json_build_object(
             'id', c.id, 'path_ids', c.path_ids, 'regulated', c.regulated))
           FROM categories c WHERE ${byCategory}), '[]'::json) AS categories,
         COALESCE((SELECT json_agg(json_build_object(
             'id', s.id, 'units_sold', s.units_sold::text,
             'total', (SELECT sum(l.on_hand) FROM stock_levels l WHERE l.sku_id = s.id)::text))
           FROM skus s WHERE ${bySku}), '[]'::json) AS skus`,
      [categoryParam, skuParam],
    );
    for (const r of row.skus) {
      unitsSold.set(r.id, Number(r.units_sold));
      if (r.total !== null) totals.set(r.id, Number(r.total));
    }
    return {
      categories: row.categories.map((c) => ({
        id: c.id,
        pathIds: c.path_ids,
        regulated: c.regulated,
      })),
      totals,
      unitsSold,
    };
  }
}
