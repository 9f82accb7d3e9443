import { FakeUnitOfWork } from '@emporia/domain/testing';
import type { RequestContext } from '@emporia/platform';
import type {
  CatalogEvents,
  CatalogTx,
  // issue 18: catalog-stock
  ListingScheduleRepository,
  LowStockCursor,
  LowStockItem,
  StockCrossingEvent,
  StockThresholdRepository,
  WatchedStock,
  CategoryRepository,
  ProductRatingRepository,
  ProductRepository,
  ProductView,
  ProductViewRepository,
  ReservationRepository,
  SkuFacts,
  StockRepository,
  UnitOfWork,
  WarehouseRepository,
  ComplianceRepository,
  TagRepository,
} from '../application/ports';
import { CatalogError } from '../domain/catalog-error';
import type { Category } from '../domain/category';
import type { PriceChange } from '../domain/price-history';
import { replaces, type ProductRatingSummary } from '../domain/product-rating';
import { MemPriceHistory } from './in-memory-price-history';
import type { Product, ProductStatus } from '../domain/product';
import type {
  Availability,
  Reservation,
  ReservationStatus,
  ReservedLine,
} from '../domain/reservation';
import type { StockLevel } from '../domain/stock';
import type { Warehouse } from '../domain/warehouse';
import type { StockThreshold } from '../domain/stock-threshold';
import type {
  ComplianceAuditEntry,
  ComplianceReview,
  ComplianceRules,
  ReviewStatus,
} from '../domain/compliance';
import { DEFAULT_TAG_RULES, type TagRule } from '../domain/tag';

/**
 * In-memory ports of the catalog for fast application-layer tests (CONVENTIONS 18). Behaves
 * like the SQL adapters where the use cases depend on it:
 * - unique slugs and SKU codes raise CATEGORY_SLUG_TAKEN / SKU_CODE_TAKEN, as `mapUnique` does;
 * - the CHECK constraints of `stock_levels` (0 <= reserved <= on_hand, on_hand >= 0) and of
 *   `skus.units_sold` throw a plain Error, as Postgres would (a bug, not a business outcome);
 * - lists are ordered as the SQL orders them (ids, codes, warehouse codes, expiry).
 * Locking is simplified: tests run one use case call at a time, so `FOR UPDATE`, `lockTree`
 * and `lockAvailability`'s lock are no-ops (lockAvailability still returns rows in the SQL's
 * fixed order). Values are stored as immutable copies, so a use case never mutates the store
 * except through a port.
 */

/** An outbox row as the fake records it. */
export type RecordedCatalogEvent =
  | { type: 'productCreated'; productId: string; version: number }
  | { type: 'productUpdated'; productId: string; version: number; changedFields: string[] }
  | {
      type: 'stockChanged';
      productId: string;
      version: number;
      skuId: string;
      warehouseCode: string;
      onHand: number;
      delta: number;
      reason: string;
      reference?: string;
    }
  | { type: 'categoryCreated' | 'categoryUpdated'; categoryId: string }
  | { type: 'categoryMoved'; categoryId: string; pathIds: string[]; oldPathIds: string[] }
  // issue 18: catalog-stock (catalog.stock, keyed by SKU id)
  | ({ type: 'stockLow' | 'stockRecovered' } & StockCrossingEvent);

class RecordingEvents implements CatalogEvents {
  readonly rows: RecordedCatalogEvent[] = [];
  productCreated(v: ProductView) {
    this.rows.push({ type: 'productCreated', productId: v.product.id, version: v.product.version });
  }
  productUpdated(v: ProductView, changedFields: string[]) {
    this.rows.push({
      type: 'productUpdated',
      productId: v.product.id,
      version: v.product.version,
      changedFields,
    });
  }
  stockChanged(v: ProductView, l: StockLevel, delta: number, reason: string, reference?: string) {
    this.rows.push({
      type: 'stockChanged',
      productId: v.product.id,
      version: v.product.version,
      skuId: l.skuId,
      warehouseCode: l.warehouseCode,
      onHand: l.onHand,
      delta,
      reason,
      ...(reference !== undefined ? { reference } : {}),
    });
  }
  categoryCreated(c: Category) {
    this.rows.push({ type: 'categoryCreated', categoryId: c.id });
  }
  categoryUpdated(c: Category) {
    this.rows.push({ type: 'categoryUpdated', categoryId: c.id });
  }
  categoryMoved(c: Category, old: Category) {
    this.rows.push({
      type: 'categoryMoved',
      categoryId: c.id,
      pathIds: c.pathIds,
      oldPathIds: old.pathIds,
    });
  }
  // issue 18: catalog-stock
  stockLow(e: StockCrossingEvent) {
    this.rows.push({ type: 'stockLow', ...e });
  }
  stockRecovered(e: StockCrossingEvent) {
    this.rows.push({ type: 'stockRecovered', ...e });
  }
}

/** A stock movement row (`stock_movements`). */
export interface RecordedMovement {
  skuId: string;
  warehouseCode: string;
  delta: number;
  onHandAfter: number;
  reason: string;
  reference?: string;
}

interface StoredReservation {
  header: Omit<Reservation, 'lines'>;
  lines: ReservedLine[];
  reason: string | null;
}

const levelKey = (skuId: string, warehouseCode: string) => `${skuId}|${warehouseCode}`;
const byKey =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** Every table of the catalog database, as maps of immutable values. */
export class InMemoryCatalogStore {
  categories = new Map<string, Category>();
  products = new Map<string, Product>();
  unitsSold = new Map<string, number>();
  levels = new Map<string, StockLevel>();
  movements: RecordedMovement[] = [];
  reservations = new Map<string, StoredReservation>();
  warehouses = new Map<string, Warehouse>();
  /** sku_price_history, in insert order. */
  priceHistory: PriceChange[] = [];
  /** product_ratings by product id. */
  ratings = new Map<string, ProductRatingSummary>();
  /** Consumed events (`consumer/eventId`), as the inbox table. */
  inbox = new Set<string>();
  /** Committed outbox rows, in commit order. */
  outbox: RecordedCatalogEvent[] = [];
  /** issue 18: stock_thresholds by `sku|warehouse`. */
  thresholds = new Map<string, StockThreshold>();
  // issue 18 (catalog-merch)
  /** tag_rules, in order (the migration's defaults). */
  tagRules: TagRule[] = DEFAULT_TAG_RULES.map((r) => ({ ...r }));
  complianceRules: ComplianceRules = { bannedWords: [], blacklistedBrands: [] };
  /** compliance_reviews by id. */
  reviews = new Map<string, ComplianceReview>();
  /** compliance_audit, in insert order. */
  audit: ComplianceAuditEntry[] = [];

  level(skuId: string, warehouseCode: string): StockLevel | undefined {
    return this.levels.get(levelKey(skuId, warehouseCode));
  }

  /** The committed event types, optionally of one product. */
  eventTypes(productId?: string): RecordedCatalogEvent['type'][] {
    return this.outbox
      .filter((e) => !productId || ('productId' in e && e.productId === productId))
      .map((e) => e.type);
  }

  /** Postgres CHECK constraints of stock_levels, enforced on every write. */
  putLevel(l: StockLevel): void {
    if (l.onHand < 0 || l.reserved < 0 || l.reserved > l.onHand)
      throw new Error(
        `new row for relation "stock_levels" violates check constraint (on_hand ${l.onHand}, reserved ${l.reserved})`,
      );
    this.levels.set(levelKey(l.skuId, l.warehouseCode), l);
  }

  skuOwner(skuId: string): Product | undefined {
    for (const p of this.products.values()) if (p.skus.some((s) => s.id === skuId)) return p;
    return undefined;
  }
}

const slugTaken = () =>
  new CatalogError('ALREADY_EXISTS', 'CATEGORY_SLUG_TAKEN', 'slug is already used');
const skuCodeTaken = () =>
  new CatalogError(
    'ALREADY_EXISTS',
    'SKU_CODE_TAKEN',
    'a SKU code already belongs to another product',
  );

/** product_ratings: a summary replaces the held one only with a higher version. */
class MemRatings implements ProductRatingRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}

  async getMany(productIds: string[]): Promise<Map<string, ProductRatingSummary>> {
    const out = new Map<string, ProductRatingSummary>();
    for (const id of productIds) {
      const r = this.s.ratings.get(id);
      if (r) out.set(id, r);
    }
    return out;
  }

  async saveIfNewer(summary: ProductRatingSummary): Promise<boolean> {
    if (!replaces(this.s.ratings.get(summary.productId), summary)) return false;
    this.s.ratings.set(summary.productId, { ...summary });
    return true;
  }
}

class MemCategories implements CategoryRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  private sorted = () => [...this.s.categories.values()].sort(byKey((c) => c.id));
  get = async (id: string) => this.s.categories.get(id) ?? null;
  getBySlug = async (slug: string) =>
    [...this.s.categories.values()].find((c) => c.slug === slug) ?? null;
  private checkSlug(c: Category) {
    for (const other of this.s.categories.values())
      if (other.slug === c.slug && other.id !== c.id) throw slugTaken();
  }
  async insert(c: Category) {
    if (this.s.categories.has(c.id)) throw new Error(`duplicate key categories_pkey ${c.id}`);
    this.checkSlug(c);
    this.s.categories.set(c.id, c);
  }
  async save(categories: Category[]) {
    for (const c of categories) {
      this.checkSlug(c);
      if (this.s.categories.has(c.id)) this.s.categories.set(c.id, c);
    }
  }
  /** By depth, as the SQL orders them. */
  descendantsOf = async (id: string) =>
    [...this.s.categories.values()]
      .filter((c) => c.id !== id && c.pathIds.includes(id))
      .sort((a, b) => a.pathIds.length - b.pathIds.length);
  listChildren = async (parentId: string | null, afterId: string | undefined, limit: number) =>
    this.sorted()
      .filter((c) => c.parentId === parentId && (!afterId || c.id > afterId))
      .slice(0, limit);
  listAll = async (afterId: string | undefined, limit: number) =>
    this.sorted()
      .filter((c) => !afterId || c.id > afterId)
      .slice(0, limit);
  /** A no-op: one call at a time. */
  async lockTree() {}
}

class MemProducts implements ProductRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  get = async (id: string) => this.s.products.get(id) ?? null;
  private checkCodes(p: Product) {
    const codes = new Set(p.skus.map((x) => x.code));
    for (const other of this.s.products.values())
      if (other.id !== p.id && other.skus.some((x) => codes.has(x.code))) throw skuCodeTaken();
  }
  async insert(p: Product) {
    if (this.s.products.has(p.id)) throw new Error(`duplicate key products_pkey ${p.id}`);
    this.checkCodes(p);
    this.s.products.set(p.id, p);
  }
  async save(p: Product) {
    if (!this.s.products.has(p.id)) return; // UPDATE ... WHERE id: no row, nothing written
    this.checkCodes(p);
    this.s.products.set(p.id, p);
  }
  async saveTouched(p: Product) {
    const stored = this.s.products.get(p.id);
    if (stored)
      this.s.products.set(p.id, { ...stored, version: p.version, updatedAt: p.updatedAt });
  }
  productIdOfSku = async (skuId: string) => this.s.skuOwner(skuId)?.id ?? null;
  unitsSold = async (skuIds: string[]) =>
    new Map(skuIds.map((id) => [id, this.s.unitsSold.get(id) ?? 0]));
  async takenSkuCodes(codes: string[], exceptProductId?: string) {
    const taken: string[] = [];
    for (const p of this.s.products.values())
      if (p.id !== exceptProductId)
        for (const x of p.skus) if (codes.includes(x.code)) taken.push(x.code);
    return taken;
  }
  private inSubtree(p: Product, categoryId: string) {
    return this.s.categories.get(p.categoryId)?.pathIds.includes(categoryId) ?? false;
  }
  async listInSubtree(
    categoryId: string | null,
    afterId: string | undefined,
    limit: number,
    statuses: readonly ProductStatus[] = [],
  ) {
    return [...this.s.products.values()]
      .filter(
        (p) =>
          (categoryId === null || this.inSubtree(p, categoryId)) &&
          (!afterId || p.id > afterId) &&
          (statuses.length === 0 || statuses.includes(p.status)),
      )
      .sort(byKey((p) => p.id))
      .slice(0, limit);
  }
  idsInSubtree = async (categoryId: string) =>
    [...this.s.products.values()]
      .filter((p) => this.inSubtree(p, categoryId))
      .map((p) => p.id)
      .sort();
}

class MemStock implements StockRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  getForUpdate = async (skuId: string, warehouseCode: string) =>
    this.s.level(skuId, warehouseCode) ?? null;
  /** Writes on_hand and updated_at only: `reserved` belongs to reservations (as the upsert). */
  async put(level: StockLevel, movement: { delta: number; reason: string; traceId: string }) {
    const current = this.s.level(level.skuId, level.warehouseCode);
    this.s.putLevel({ ...level, reserved: current?.reserved ?? 0 });
    this.s.movements.push({
      skuId: level.skuId,
      warehouseCode: level.warehouseCode,
      delta: movement.delta,
      onHandAfter: level.onHand,
      reason: movement.reason,
    });
  }
  levels = async (skuId: string) =>
    [...this.s.levels.values()]
      .filter((l) => l.skuId === skuId)
      .sort(byKey((l) => l.warehouseCode));
  async totals(skuIds: string[]) {
    const totals = new Map(skuIds.map((id) => [id, 0]));
    for (const l of this.s.levels.values())
      if (totals.has(l.skuId)) totals.set(l.skuId, totals.get(l.skuId)! + l.onHand);
    return totals;
  }
}

class MemProductViews implements ProductViewRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  async facts(categoryIds: string[], skuIds: string[]) {
    return {
      categories: categoryIds
        .map((id) => this.s.categories.get(id))
        .filter((c): c is Category => !!c),
      totals: await new MemStock(this.s).totals(skuIds),
      unitsSold: new Map(skuIds.map((id) => [id, this.s.unitsSold.get(id) ?? 0])),
    };
  }
}

class MemReservations implements ReservationRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  async find(id: string) {
    const r = this.s.reservations.get(id);
    if (!r) return null;
    // each line with its SKU's product, as the SQL repository reads them
    const lines = [...r.lines]
      .sort(byKey((l) => levelKey(l.skuId, l.warehouseCode)))
      .map((l) => ({ ...l, productId: this.s.skuOwner(l.skuId)?.id }));
    return { ...r.header, lines };
  }
  async claimAndLock(r: Omit<Reservation, 'lines'>, skuIds: string[]) {
    if (this.s.reservations.has(r.id)) return null;
    this.s.reservations.set(r.id, { header: r, lines: [], reason: null });
    return this.lockAvailability(skuIds);
  }
  async addLines(reservationId: string, lines: ReservedLine[]) {
    const r = this.s.reservations.get(reservationId)!;
    this.s.reservations.set(reservationId, { ...r, lines: [...r.lines, ...lines] });
  }
  async setStatus(id: string, status: ReservationStatus, reason: string | null, now: Date) {
    const r = this.s.reservations.get(id);
    if (r)
      this.s.reservations.set(id, {
        ...r,
        header: { ...r.header, status, updatedAt: now },
        reason,
      });
  }
  dueToExpire = async (now: Date, limit: number) =>
    [...this.s.reservations.values()]
      .map((r) => r.header)
      .filter((h) => h.status === 'ACTIVE' && h.expiresAt.getTime() <= now.getTime())
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit)
      .map((h) => h.id);
  /** Rows in (sku, warehouse) order, as the SQL locks them; the lock itself is a no-op. */
  lockAvailability = async (skuIds: string[]): Promise<Availability[]> =>
    [...this.s.levels.values()]
      .filter((l) => skuIds.includes(l.skuId))
      .sort(byKey((l) => levelKey(l.skuId, l.warehouseCode)))
      .map(({ skuId, warehouseCode, onHand, reserved }) => ({
        skuId,
        warehouseCode,
        onHand,
        reserved,
      }));
  async changeReserved(skuId: string, warehouseCode: string, delta: number, now: Date) {
    const l = this.s.level(skuId, warehouseCode);
    if (l) this.s.putLevel({ ...l, reserved: l.reserved + delta, updatedAt: now });
  }
  async consumeReserved(
    skuId: string,
    warehouseCode: string,
    quantity: number,
    movement: { reason: string; reference: string; traceId: string },
    now: Date,
  ) {
    const l = this.s.level(skuId, warehouseCode)!;
    const after = {
      ...l,
      onHand: l.onHand - quantity,
      reserved: l.reserved - quantity,
      updatedAt: now,
    };
    this.s.putLevel(after);
    this.s.movements.push({
      skuId,
      warehouseCode,
      delta: -quantity,
      onHandAfter: after.onHand,
      reason: movement.reason,
      reference: movement.reference,
    });
    // the units count as sold, in the same statement in SQL
    if (this.s.skuOwner(skuId)) {
      const sold = (this.s.unitsSold.get(skuId) ?? 0) + quantity;
      if (sold < 0) throw new Error('violates check constraint "skus_units_sold_nonnegative"');
      this.s.unitsSold.set(skuId, sold);
    }
    return after;
  }
  async existingSkus(skuIds: string[]): Promise<string[]> {
    return skuIds.filter((id) => this.s.skuOwner(id));
  }
  async skuFacts(skuIds: string[]): Promise<SkuFacts[]> {
    const out: SkuFacts[] = [];
    for (const id of skuIds) {
      const p = this.s.skuOwner(id);
      if (!p) continue;
      const sku = p.skus.find((x) => x.id === id)!;
      const levels = [...this.s.levels.values()]
        .filter((l) => l.skuId === id)
        .sort(byKey((l) => l.warehouseCode));
      out.push({
        skuId: id,
        code: sku.code,
        productId: p.id,
        title: p.title,
        categoryPathIds: this.s.categories.get(p.categoryId)?.pathIds ?? [],
        priceMinor: sku.price.amountMinor,
        currency: sku.price.currency,
        orderable: p.status === 'ACTIVE',
        available: levels.reduce((a, l) => a + l.onHand - l.reserved, 0),
        stock: levels
          .filter((l) => l.onHand > l.reserved)
          .map((l) => ({ warehouseCode: l.warehouseCode, available: l.onHand - l.reserved })),
      });
    }
    return out;
  }
}

// --- issue 18: catalog-stock ---

/** stock_thresholds; the row lock is a no-op (one call at a time), the order is the SQL's. */
class MemStockThresholds implements StockThresholdRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  async lockWatched(keys: { skuId: string; warehouseCode: string }[]): Promise<WatchedStock[]> {
    const wanted = new Set(keys.map((k) => levelKey(k.skuId, k.warehouseCode)));
    return [...this.s.thresholds.entries()]
      .filter(([key]) => wanted.has(key))
      .sort(byKey(([key]) => key))
      .map(([, t]) => {
        const p = this.s.skuOwner(t.skuId)!;
        const l = this.s.level(t.skuId, t.warehouseCode);
        return {
          threshold: t,
          available: l ? l.onHand - l.reserved : 0,
          skuCode: p.skus.find((x) => x.id === t.skuId)!.code,
          productId: p.id,
          productTitle: p.title,
        };
      });
  }
  async save(t: StockThreshold) {
    if (t.threshold <= 0 || t.low !== (t.lowSince !== null))
      throw new Error('violates check constraint of "stock_thresholds"');
    this.s.thresholds.set(levelKey(t.skuId, t.warehouseCode), t);
  }
  async remove(skuId: string, warehouseCode: string) {
    this.s.thresholds.delete(levelKey(skuId, warehouseCode));
  }
  list = async (skuId: string | undefined, limit: number) =>
    [...this.s.thresholds.values()]
      .filter((t) => !skuId || t.skuId === skuId)
      .sort(byKey((t) => levelKey(t.skuId, t.warehouseCode)))
      .slice(0, limit);
  async lowStock(opts: { warehouseCode?: string; after?: LowStockCursor; limit: number }) {
    const key = (x: { lowSince: Date; skuId: string; warehouseCode: string }) =>
      `${x.lowSince.toISOString()}|${x.skuId}|${x.warehouseCode}`;
    const items: LowStockItem[] = [];
    for (const t of this.s.thresholds.values()) {
      if (!t.low || !t.lowSince) continue;
      if (opts.warehouseCode && t.warehouseCode !== opts.warehouseCode) continue;
      const p = this.s.skuOwner(t.skuId)!;
      const l = this.s.level(t.skuId, t.warehouseCode);
      const item: LowStockItem = {
        skuId: t.skuId,
        skuCode: p.skus.find((x) => x.id === t.skuId)!.code,
        productId: p.id,
        productTitle: p.title,
        warehouseCode: t.warehouseCode,
        onHand: l?.onHand ?? 0,
        reserved: l?.reserved ?? 0,
        available: (l?.onHand ?? 0) - (l?.reserved ?? 0),
        threshold: t.threshold,
        lowSince: t.lowSince,
      };
      if (!opts.after || key(item) > key(opts.after)) items.push(item);
    }
    return items.sort(byKey(key)).slice(0, opts.limit);
  }
}

/** The listing sweep's claim: due products, earliest first (SKIP LOCKED is moot here). */
class MemListingSchedule implements ListingScheduleRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  async claimDue(now: Date, skip: string[]) {
    const first = (p: Product) =>
      Math.min(p.publishAt?.getTime() ?? Infinity, p.unpublishAt?.getTime() ?? Infinity);
    const due = [...this.s.products.values()]
      .filter((p) => first(p) <= now.getTime() && !skip.includes(p.id))
      .sort((a, b) => first(a) - first(b) || (a.id < b.id ? -1 : 1));
    return due[0]?.id ?? null;
  }
}

class MemWarehouses implements WarehouseRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  get = async (code: string) => this.s.warehouses.get(code) ?? null;
  async insert(w: Warehouse) {
    if (this.s.warehouses.has(w.code)) return false;
    this.s.warehouses.set(w.code, w);
    return true;
  }
  async save(w: Warehouse) {
    if (this.s.warehouses.has(w.code)) this.s.warehouses.set(w.code, w);
  }
  list = async (opts: { activeOnly: boolean; afterCode?: string; limit: number }) =>
    [...this.s.warehouses.values()]
      .filter((w) => (!opts.activeOnly || w.active) && (!opts.afterCode || w.code > opts.afterCode))
      .sort(byKey((w) => w.code))
      .slice(0, opts.limit);
}

/**
 * The fake unit of work (transactions, inbox and `failNextRuns` from `FakeUnitOfWork`):
 * each `run` commits its writes and recorded events when the work returns, rolls back when it throws.
 */
export class InMemoryCatalogUnitOfWork
  extends FakeUnitOfWork<CatalogTx, RecordedCatalogEvent, InMemoryCatalogStore>
  implements UnitOfWork
{
  constructor(store = new InMemoryCatalogStore()) {
    super(store);
  }

  /** A read: a transaction here too (the fake's runs are cheap; failNextRuns applies alike). */
  read<T>(ctx: RequestContext, work: (tx: CatalogTx) => Promise<T>): Promise<T> {
    return this.run(ctx, work);
  }

  protected begin() {
    const s = this.store;
    const events = new RecordingEvents();
    const tx: CatalogTx = {
      categories: new MemCategories(s),
      products: new MemProducts(s),
      stock: new MemStock(s),
      views: new MemProductViews(s),
      reservations: new MemReservations(s),
      warehouses: new MemWarehouses(s),
      priceHistory: new MemPriceHistory(s),
      ratings: new MemRatings(s),
      events,
      // issue 18: catalog-stock
      stockThresholds: new MemStockThresholds(s),
      listingSchedule: new MemListingSchedule(s),
      // issue 18 (catalog-merch)
      tags: new MemTags(s),
      compliance: new MemCompliance(s),
    };
    return { tx, recorded: events };
  }
}

// --- issue 18 (catalog-merch): tags and compliance review ---

/** tag_rules and the sweep's selections, as the SQL computes them. */
class MemTags implements TagRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  rules = async () => this.s.tagRules.map((r) => ({ ...r }));
  async replaceRules(rules: TagRule[]) {
    this.s.tagRules = rules.map((r) => ({ ...r }));
  }
  firstPublishedSince = async (since: Date) =>
    [...this.s.products.values()]
      .filter(
        (p) =>
          p.status === 'ACTIVE' &&
          p.firstPublishedAt !== null &&
          p.firstPublishedAt.getTime() > since.getTime(),
      )
      .map((p) => p.id)
      .sort();
  async bestSellers(since: Date, top: number, minUnits: number) {
    const units = new Map<string, number>();
    for (const r of this.s.reservations.values()) {
      if (r.header.status !== 'COMMITTED' || r.header.updatedAt.getTime() <= since.getTime())
        continue;
      for (const l of r.lines) {
        const p = this.s.skuOwner(l.skuId);
        if (p?.status === 'ACTIVE') units.set(p.id, (units.get(p.id) ?? 0) + l.quantity);
      }
    }
    return [...units.entries()]
      .filter(([, n]) => n >= minUnits)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, top)
      .map(([id]) => id);
  }
  ruleTagged = async () =>
    new Map(
      [...this.s.products.values()]
        .filter((p) => p.ruleTags.length > 0)
        .map((p) => [p.id, [...p.ruleTags]]),
    );
}

/** compliance_reviews (one PENDING per product, as the unique index), compliance_audit, compliance_rules. */
class MemCompliance implements ComplianceRepository {
  constructor(private readonly s: InMemoryCatalogStore) {}
  rules = async () => ({
    bannedWords: [...this.s.complianceRules.bannedWords],
    blacklistedBrands: [...this.s.complianceRules.blacklistedBrands],
  });
  async replaceRules(rules: ComplianceRules) {
    this.s.complianceRules = rules;
  }
  async insertReview(r: ComplianceReview) {
    if (this.s.reviews.has(r.id)) throw new Error(`duplicate key compliance_reviews_pkey ${r.id}`);
    if (r.status === 'PENDING' && (await this.pendingReviewOf(r.productId)))
      throw new Error('duplicate key compliance_reviews_one_pending');
    this.s.reviews.set(r.id, { ...r });
  }
  async saveReview(r: ComplianceReview) {
    if (this.s.reviews.has(r.id)) this.s.reviews.set(r.id, { ...r });
  }
  getReview = async (id: string) => this.s.reviews.get(id) ?? null;
  pendingReviewOf = async (productId: string) =>
    [...this.s.reviews.values()].find((r) => r.productId === productId && r.status === 'PENDING') ??
    null;
  listReviews = async (opts: { status?: ReviewStatus; afterId?: string; limit: number }) =>
    [...this.s.reviews.values()]
      .filter(
        (r) => (!opts.status || r.status === opts.status) && (!opts.afterId || r.id > opts.afterId),
      )
      .sort(byKey((r) => r.id))
      .slice(0, opts.limit);
  async appendAudit(e: ComplianceAuditEntry) {
    if (!this.s.products.has(e.productId))
      throw new Error('violates foreign key constraint compliance_audit_product_id_fkey');
    this.s.audit.push({ ...e });
  }
  audit = async (productId: string) =>
    this.s.audit
      .filter((e) => e.productId === productId)
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : 1));
}

export { FakeClock, SequentialIds } from '@emporia/domain/testing';
