import { Money } from '@emporia/money';
import { isUniqueViolation } from '@emporia/persistence';
import { In, type EntityManager } from 'typeorm';
import type { CategoryRepository, ProductRepository, StockRepository } from '../application/ports';
import { CatalogError } from '../domain/catalog-error';
import { type Category, depthOf } from '../domain/category';
import type { Product, ProductStatus } from '../domain/product';
import type { StockLevel } from '../domain/stock';
import {
  CategoryRecord,
  ProductRecord,
  SkuRecord,
  StockLevelRecord,
  StockMovementRecord,
} from './orm/catalog.orm-entities';

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

const toCategory = (r: CategoryRecord): Category => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  parentId: r.parentId,
  pathIds: r.pathIds,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const toCategoryRecord = (c: Category): CategoryRecord =>
  Object.assign(new CategoryRecord(), { ...c, depth: depthOf(c) });

export class TypeormCategoryRepository implements CategoryRepository {
  constructor(private readonly m: EntityManager) {}

  async get(id: string): Promise<Category | null> {
    const r = await this.m.findOneBy(CategoryRecord, { id });
    return r && toCategory(r);
  }

  async getMany(ids: string[]): Promise<Category[]> {
    if (ids.length === 0) return [];
    return (await this.m.findBy(CategoryRecord, { id: In(ids) })).map(toCategory);
  }

  async getBySlug(slug: string): Promise<Category | null> {
    const r = await this.m.findOneBy(CategoryRecord, { slug });
    return r && toCategory(r);
  }

  async insert(category: Category): Promise<void> {
    await mapUnique(() => this.m.insert(CategoryRecord, toCategoryRecord(category)));
  }

  async save(categories: Category[]): Promise<void> {
    await mapUnique(() => this.m.save(CategoryRecord, categories.map(toCategoryRecord)));
  }

  async descendantsOf(id: string): Promise<Category[]> {
    const rows = await this.m
      .createQueryBuilder(CategoryRecord, 'c')
      .where(':id = ANY(c.path_ids)', { id })
      .andWhere('c.id <> :id', { id })
      .orderBy('c.depth')
      .getMany();
    return rows.map(toCategory);
  }

  async listChildren(
    parentId: string | null,
    afterId: string | undefined,
    limit: number,
  ): Promise<Category[]> {
    const qb = this.m.createQueryBuilder(CategoryRecord, 'c');
    if (parentId) qb.where('c.parent_id = :parentId', { parentId });
    else qb.where('c.parent_id IS NULL');
    if (afterId) qb.andWhere('c.id > :afterId', { afterId });
    return (await qb.orderBy('c.id').limit(limit).getMany()).map(toCategory);
  }

  async listAll(afterId: string | undefined, limit: number): Promise<Category[]> {
    const qb = this.m.createQueryBuilder(CategoryRecord, 'c');
    if (afterId) qb.where('c.id > :afterId', { afterId });
    return (await qb.orderBy('c.id').limit(limit).getMany()).map(toCategory);
  }

  async lockTree(): Promise<void> {
    await this.m.query(`SELECT pg_advisory_xact_lock(hashtext('catalog.category-tree'))`);
  }
}

export class TypeormProductRepository implements ProductRepository {
  constructor(private readonly m: EntityManager) {}

  async get(id: string, opts: { forUpdate?: boolean } = {}): Promise<Product | null> {
    const qb = this.m.createQueryBuilder(ProductRecord, 'p').where('p.id = :id', { id });
    if (opts.forUpdate) qb.setLock('pessimistic_write');
    const r = await qb.getOne();
    if (!r) return null;
    const skus = await this.m.find(SkuRecord, {
      where: { productId: id },
      order: { position: 'ASC' },
    });
    return this.toProduct(r, skus);
  }

  async insert(product: Product): Promise<void> {
    await this.m.insert(ProductRecord, this.toRecord(product));
    await mapUnique(() => this.m.insert(SkuRecord, this.skuRecords(product)));
  }

  async save(product: Product): Promise<void> {
    await this.m.update(ProductRecord, { id: product.id }, this.toRecord(product));
    await mapUnique(() => this.m.upsert(SkuRecord, this.skuRecords(product), ['id']));
  }

  async productIdOfSku(skuId: string): Promise<string | null> {
    const r = await this.m.findOne(SkuRecord, {
      where: { id: skuId },
      select: { productId: true },
    });
    return r?.productId ?? null;
  }

  async unitsSold(skuIds: string[]): Promise<Map<string, number>> {
    const sold = new Map<string, number>(skuIds.map((id) => [id, 0]));
    if (skuIds.length === 0) return sold;
    // a column the SkuRecord entity leaves out, so saving a product can never overwrite it
    const rows = (await this.m.query(
      `SELECT id, units_sold::bigint AS units_sold FROM skus WHERE id = ANY($1::uuid[])`,
      [skuIds],
    )) as { id: string; units_sold: string }[];
    for (const r of rows) sold.set(r.id, Number(r.units_sold));
    return sold;
  }

  async addUnitsSold(skuId: string, quantity: number): Promise<void> {
    await this.m.query(`UPDATE skus SET units_sold = units_sold + $2 WHERE id = $1`, [
      skuId,
      quantity,
    ]);
  }

  async takenSkuCodes(codes: string[], exceptProductId?: string): Promise<string[]> {
    if (codes.length === 0) return [];
    const rows = await this.m.find(SkuRecord, {
      where: { code: In(codes) },
      select: { code: true, productId: true },
    });
    return rows.filter((r) => r.productId !== exceptProductId).map((r) => r.code);
  }

  async listInSubtree(
    categoryId: string | null,
    afterId: string | undefined,
    limit: number,
    statuses: readonly ProductStatus[] = [],
  ): Promise<Product[]> {
    const qb = this.m.createQueryBuilder(ProductRecord, 'p');
    if (categoryId)
      qb.innerJoin(CategoryRecord, 'c', 'c.id = p.category_id AND :cid = ANY(c.path_ids)', {
        cid: categoryId,
      });
    if (afterId) qb.andWhere('p.id > :afterId', { afterId });
    if (statuses.length) qb.andWhere('p.status IN (:...statuses)', { statuses: [...statuses] });
    const rows = await qb.orderBy('p.id').limit(limit).getMany();
    if (rows.length === 0) return [];
    const skus = await this.m.find(SkuRecord, {
      where: { productId: In(rows.map((r) => r.id)) },
      order: { position: 'ASC' },
    });
    return rows.map((r) =>
      this.toProduct(
        r,
        skus.filter((s) => s.productId === r.id),
      ),
    );
  }

  async idsInSubtree(categoryId: string): Promise<string[]> {
    const rows = (await this.m.query(
      `SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id WHERE $1 = ANY(c.path_ids) ORDER BY p.id`,
      [categoryId],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  private toRecord(p: Product): ProductRecord {
    return Object.assign(new ProductRecord(), {
      id: p.id,
      title: p.title,
      description: p.description,
      brand: p.brand,
      categoryId: p.categoryId,
      status: p.status,
      version: p.version,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    });
  }

  private skuRecords(p: Product): SkuRecord[] {
    return p.skus.map((s, position) =>
      Object.assign(new SkuRecord(), {
        id: s.id,
        productId: p.id,
        code: s.code,
        attributes: s.attributes,
        priceAmountMinor: s.price.amountMinor,
        currency: s.price.currency,
        position,
      }),
    );
  }

  private toProduct(r: ProductRecord, skus: SkuRecord[]): Product {
    return {
      id: r.id,
      title: r.title,
      description: r.description,
      brand: r.brand,
      categoryId: r.categoryId,
      status: r.status as ProductStatus,
      version: r.version,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      skus: skus.map((s) => ({
        id: s.id,
        code: s.code,
        attributes: s.attributes,
        price: Money.of(s.priceAmountMinor, s.currency.trim()),
      })),
    };
  }
}

const toLevel = (r: StockLevelRecord): StockLevel => ({
  skuId: r.skuId,
  warehouseCode: r.warehouseCode,
  onHand: r.onHand,
  reserved: r.reserved ?? 0,
  updatedAt: r.updatedAt,
});

export class TypeormStockRepository implements StockRepository {
  constructor(private readonly m: EntityManager) {}

  async getForUpdate(skuId: string, warehouseCode: string): Promise<StockLevel | null> {
    const r = await this.m
      .createQueryBuilder(StockLevelRecord, 's')
      .where('s.sku_id = :skuId AND s.warehouse_code = :warehouseCode', { skuId, warehouseCode })
      .setLock('pessimistic_write')
      .getOne();
    return r && toLevel(r);
  }

  async put(
    level: StockLevel,
    movement: { delta: number; reason: string; traceId: string },
  ): Promise<void> {
    // Only on_hand and updated_at: `reserved` belongs to reservations. (TypeORM's upsert would
    // overwrite every column of the entity, resetting `reserved` to its default.)
    await this.m.query(
      `INSERT INTO stock_levels (sku_id, warehouse_code, on_hand, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sku_id, warehouse_code) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = EXCLUDED.updated_at`,
      [level.skuId, level.warehouseCode, level.onHand, level.updatedAt],
    );
    await this.m.insert(StockMovementRecord, {
      skuId: level.skuId,
      warehouseCode: level.warehouseCode,
      delta: movement.delta,
      onHandAfter: level.onHand,
      reason: movement.reason,
      traceId: movement.traceId,
      createdAt: level.updatedAt,
    });
  }

  async levels(skuId: string): Promise<StockLevel[]> {
    return (
      await this.m.find(StockLevelRecord, { where: { skuId }, order: { warehouseCode: 'ASC' } })
    ).map(toLevel);
  }

  async totals(skuIds: string[]): Promise<Map<string, number>> {
    const totals = new Map<string, number>(skuIds.map((id) => [id, 0]));
    if (skuIds.length === 0) return totals;
    const rows = (await this.m.query(
      `SELECT sku_id, sum(on_hand)::bigint AS total FROM stock_levels WHERE sku_id = ANY($1::uuid[]) GROUP BY sku_id`,
      [skuIds],
    )) as { sku_id: string; total: string }[];
    for (const r of rows) totals.set(r.sku_id, Number(r.total));
    return totals;
  }
}
