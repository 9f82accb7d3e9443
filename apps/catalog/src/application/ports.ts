import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { Category } from '../domain/category';
import type {
  ComplianceAuditEntry,
  ComplianceReview,
  ComplianceRules,
  ReviewStatus,
} from '../domain/compliance';
import type { TagRule } from '../domain/tag';
import type { PriceChange } from '../domain/price-history';
import type { ProductRatingSummary } from '../domain/product-rating';
import type { Product, ProductStatus } from '../domain/product';
import type { StockLevel } from '../domain/stock';
import type { StockThreshold } from '../domain/stock-threshold';
import type { Warehouse } from '../domain/warehouse';
import type {
  Availability,
  Reservation,
  ReservationStatus,
  ReservedLine,
} from '../domain/reservation';

export interface CategoryRepository {
  get(id: string): Promise<Category | null>;
  getBySlug(slug: string): Promise<Category | null>;
  insert(category: Category): Promise<void>;
  /** Writes name, slug, parent and path of each category. */
  save(categories: Category[]): Promise<void>;
  /** Every category below `id` (not `id` itself). */
  descendantsOf(id: string): Promise<Category[]>;
  /** Children of `parentId` (null: the roots), by id, after `afterId`. */
  listChildren(
    parentId: string | null,
    afterId: string | undefined,
    limit: number,
  ): Promise<Category[]>;
  listAll(afterId: string | undefined, limit: number): Promise<Category[]>;
  /** Serialises tree moves for the rest of the transaction (two concurrent moves cannot form a cycle). */
  lockTree(): Promise<void>;
}

export interface ProductRepository {
  get(id: string, opts?: { forUpdate?: boolean }): Promise<Product | null>;
  insert(product: Product): Promise<void>;
  save(product: Product): Promise<void>;
  /**
   * Writes only the version and updated_at of a product `touch`ed (a stock movement): one
   * statement where `save` rewrites the product and each of its SKUs.
   */
  saveTouched(product: Product): Promise<void>;
  productIdOfSku(skuId: string): Promise<string | null>;
  /** Units sold per SKU (0 for an unknown id). Not part of the aggregate: `save` never writes it. */
  unitsSold(skuIds: string[]): Promise<Map<string, number>>;
  /** Which of `codes` already belong to a product other than `exceptProductId`. */
  takenSkuCodes(codes: string[], exceptProductId?: string): Promise<string[]>;
  /**
   * Products whose category is `categoryId` or below it (null: all), by id, after `afterId`;
   * only those in `statuses` when some are given.
   */
  listInSubtree(
    categoryId: string | null,
    afterId: string | undefined,
    limit: number,
    statuses?: readonly ProductStatus[],
  ): Promise<Product[]>;
  idsInSubtree(categoryId: string): Promise<string[]>;
}

/** Every change of a SKU's price or original price (table sku_price_history). */
export interface PriceHistoryRepository {
  /** Appends a change; a request id already recorded is REQUEST_ID_REUSED (a lost race). */
  append(change: PriceChange): Promise<void>;
  /** The SKU's changes at or after `from`, oldest first. */
  since(skuId: string, from: Date): Promise<PriceChange[]>;
  /** The SKU's newest `limit` changes, newest first. */
  latest(skuId: string, limit: number): Promise<PriceChange[]>;
  /** The change SetSkuPrice recorded for this request id. */
  byRequestId(requestId: string): Promise<PriceChange | null>;
}

export interface StockRepository {
  /** The level with a row lock, or null when the SKU never had stock in that warehouse. */
  getForUpdate(skuId: string, warehouseCode: string): Promise<StockLevel | null>;
  put(
    level: StockLevel,
    movement: { delta: number; reason: string; traceId: string },
  ): Promise<void>;
  levels(skuId: string): Promise<StockLevel[]>;
  totals(skuIds: string[]): Promise<Map<string, number>>;
}

/** What a product view reads beside its product (`loadProductViews`). */
export interface ProductViewFacts {
  /** The categories of the ids asked that exist, in no particular order. */
  categories: Pick<Category, 'id' | 'pathIds' | 'regulated'>[];
  /** Stock on hand and units sold per SKU asked, each 0 for a SKU without rows. */
  totals: Map<string, number>;
  unitsSold: Map<string, number>;
}

export interface ProductViewRepository {
  /**
   * The categories' paths and the SKUs' stock and sales, in one query: a view is read inside
   * transactions that hold the product's lock (a reservation's commit), one round trip there.
   */
  facts(categoryIds: string[], skuIds: string[]): Promise<ProductViewFacts>;
}

export interface SkuFacts {
  skuId: string;
  code: string;
  productId: string;
  title: string;
  categoryPathIds: string[];
  priceMinor: number;
  currency: string;
  orderable: boolean;
  available: number;
  /** Available per warehouse with any available, by warehouse code. */
  stock: { warehouseCode: string; available: number }[];
}

export interface WarehouseRepository {
  get(code: string, forUpdate?: boolean): Promise<Warehouse | null>;
  /** Inserts unless the code exists; false when it does (a concurrent insert waits for the first). */
  insert(warehouse: Warehouse): Promise<boolean>;
  save(warehouse: Warehouse): Promise<void>;
  /** By code, after `afterCode`. */
  list(opts: { activeOnly: boolean; afterCode?: string; limit: number }): Promise<Warehouse[]>;
}

export interface ReservationRepository {
  /** The reservation with its lines (each with its SKU's product, `productId`). */
  find(id: string, forUpdate?: boolean): Promise<Reservation | null>;
  /**
   * Inserts the reservation without lines unless the id exists, and then locks and returns the
   * stock rows of `skuIds` as `lockAvailability` does, in one statement; null when the id exists
   * (nothing inserted, nothing locked). A concurrent claim of the same id waits until the first
   * transaction ends.
   */
  claimAndLock(r: Omit<Reservation, 'lines'>, skuIds: string[]): Promise<Availability[] | null>;
  addLines(reservationId: string, lines: ReservedLine[]): Promise<void>;
  setStatus(id: string, status: ReservationStatus, reason: string | null, now: Date): Promise<void>;
  /** ACTIVE reservations past their expiry, oldest first. */
  dueToExpire(now: Date, limit: number): Promise<string[]>;
  /** The stock rows of these SKUs, row-locked in a fixed order (concurrent callers cannot deadlock). */
  lockAvailability(skuIds: string[]): Promise<Availability[]>;
  /** Changes the held quantity of one row (negative releases). */
  changeReserved(skuId: string, warehouseCode: string, delta: number, now: Date): Promise<void>;
  /**
   * Takes held units out of on-hand stock as sold (a reservation's commit): a movement, and the
   * SKU's units sold raised by as much, in one statement; returns the level after.
   */
  consumeReserved(
    skuId: string,
    warehouseCode: string,
    quantity: number,
    movement: { reason: string; reference: string; traceId: string },
    now: Date,
  ): Promise<StockLevel>;
  skuFacts(skuIds: string[]): Promise<SkuFacts[]>;
  /** Which of `skuIds` exist (a reservation's check; `skuFacts` reads far more). */
  existingSkus(skuIds: string[]): Promise<string[]>;
}

/** A product with what its snapshot needs from outside the aggregate. */
export interface ProductView {
  product: Product;
  categoryPathIds: string[];
  stockBySku: Map<string, number>;
  /** Units sold per SKU: committed reservations' quantities, never lowered. */
  unitsSoldBySku: Map<string, number>;
  /** The rating summary from review events, when the product has one (not part of the product). */
  rating?: ProductRatingSummary;
  /** Whether the product's category is regulated (its compliance status shows only then). */
  regulated?: boolean;
}

/** Rating summaries from `review.product` (table product_ratings), one per product. */
export interface ProductRatingRepository {
  getMany(productIds: string[]): Promise<Map<string, ProductRatingSummary>>;
  /** Stores the summary when its version is higher than the one held; true when it did. */
  saveIfNewer(summary: ProductRatingSummary): Promise<boolean>;
}

/** Domain events of this transaction; written to the outbox with the change, never published directly. */
export interface CatalogEvents {
  productCreated(view: ProductView): void;
  productUpdated(view: ProductView, changedFields: string[]): void;
  /** `reference` names what caused the change when it is not an adjustment (a reservation id). */
  stockChanged(
    view: ProductView,
    level: StockLevel,
    delta: number,
    reason: string,
    reference?: string,
  ): void;
  categoryCreated(category: Category): void;
  categoryUpdated(category: Category): void;
  categoryMoved(category: Category, old: Category): void;
  // Low-stock crossings (issue 18), on `catalog.stock` keyed by SKU id.
  stockLow(e: StockCrossingEvent): void;
  stockRecovered(e: StockCrossingEvent): void;
}

export interface CatalogTx {
  categories: CategoryRepository;
  products: ProductRepository;
  stock: StockRepository;
  views: ProductViewRepository;
  reservations: ReservationRepository;
  warehouses: WarehouseRepository;
  priceHistory: PriceHistoryRepository;
  ratings: ProductRatingRepository;
  events: CatalogEvents;
  // issue 18: low-stock thresholds and the listing schedule
  stockThresholds: StockThresholdRepository;
  listingSchedule: ListingScheduleRepository;
  // issue 18 (catalog-merch)
  tags: TagRepository;
  compliance: ComplianceRepository;
}

/** Runs work in one database transaction; events recorded in it commit with it. */
export interface UnitOfWork {
  run<T>(ctx: RequestContext, work: (tx: CatalogTx) => Promise<T>): Promise<T>;
  /**
   * Read-only work outside a transaction (no BEGIN/COMMIT round trips): for reads that need no
   * snapshot across their queries and no locks. Writes and events belong in `run`.
   */
  read<T>(ctx: RequestContext, work: (tx: CatalogTx) => Promise<T>): Promise<T>;
  /** Runs `work` once per consumed event (inbox row in the same transaction); false if seen. */
  runForEvent(
    ctx: RequestContext,
    consumer: string,
    event: ReceivedEvent,
    work: (tx: CatalogTx) => Promise<void>,
  ): Promise<boolean>;
}

// --- issue 18 (catalog-merch): tags and compliance review ---

/** Tag rules (table tag_rules) and what the rule sweep selects. */
export interface TagRepository {
  rules(): Promise<TagRule[]>;
  replaceRules(rules: TagRule[]): Promise<void>;
  /** ACTIVE products first published after `since`. */
  firstPublishedSince(since: Date): Promise<string[]>;
  /**
   * The best `top` ACTIVE products by units of committed reservations committed after `since`,
   * with at least `minUnits` units; by units descending, then id.
   */
  bestSellers(since: Date, top: number, minUnits: number): Promise<string[]>;
  /** Every product holding rule tags now, with them. */
  ruleTagged(): Promise<Map<string, string[]>>;
}

/** Compliance reviews, their audit trail and the banned-word / brand rules. */
export interface ComplianceRepository {
  rules(): Promise<ComplianceRules>;
  replaceRules(rules: ComplianceRules): Promise<void>;
  insertReview(review: ComplianceReview): Promise<void>;
  saveReview(review: ComplianceReview): Promise<void>;
  getReview(id: string, forUpdate?: boolean): Promise<ComplianceReview | null>;
  pendingReviewOf(productId: string): Promise<ComplianceReview | null>;
  /** By id (submission order), after `afterId`; only `status` when given. */
  listReviews(opts: {
    status?: ReviewStatus;
    afterId?: string;
    limit: number;
  }): Promise<ComplianceReview[]>;
  appendAudit(entry: ComplianceAuditEntry): Promise<void>;
  /** The product's audit trail, oldest first. */
  audit(productId: string): Promise<ComplianceAuditEntry[]>;
}

export type { Clock, IdGenerator } from '@emporia/domain';

export const UNIT_OF_WORK = Symbol('UNIT_OF_WORK');
export const CLOCK = Symbol('CLOCK');
/** The currencies prices and shipping costs may be in (`SoldCurrencies`, from CURRENCIES). */
export const SOLD_CURRENCIES = Symbol('SOLD_CURRENCIES');
export const ID_GENERATOR = Symbol('ID_GENERATOR');

// --- Issue 18: low-stock thresholds and the listing schedule ---

/** A threshold with what its evaluation and its events need. */
export interface WatchedStock {
  threshold: StockThreshold;
  /** On hand − reserved in the threshold's warehouse (0 when the SKU never had stock there). */
  available: number;
  skuCode: string;
  productId: string;
  productTitle: string;
}

/** The payload of StockLow / StockRecovered. */
export interface StockCrossingEvent {
  skuId: string;
  skuCode: string;
  productId: string;
  productTitle: string;
  warehouseCode: string;
  available: number;
  threshold: number;
  at: Date;
}

/** A row of the low-stock list. */
export interface LowStockItem {
  skuId: string;
  skuCode: string;
  productId: string;
  productTitle: string;
  warehouseCode: string;
  onHand: number;
  reserved: number;
  available: number;
  threshold: number;
  lowSince: Date;
}

/** Keyset position in the low-stock list (ordered by low_since, SKU id, warehouse code). */
export interface LowStockCursor {
  lowSince: Date;
  skuId: string;
  warehouseCode: string;
}

/** Table stock_thresholds: one row per (SKU, warehouse) with a threshold. */
export interface StockThresholdRepository {
  /**
   * The thresholds of these (SKU, warehouse) pairs that exist, row-locked in (SKU, warehouse)
   * order, with the available stock read in the same statement. Callers hold the stock rows'
   * locks already (stock rows first, then thresholds: one lock order, no deadlock), so the
   * figure is current and concurrent movements evaluate one after the other.
   */
  lockWatched(keys: { skuId: string; warehouseCode: string }[]): Promise<WatchedStock[]>;
  save(threshold: StockThreshold): Promise<void>;
  remove(skuId: string, warehouseCode: string): Promise<void>;
  /** By SKU id and warehouse code; one SKU's, or everyone's up to `limit`. */
  list(skuId: string | undefined, limit: number): Promise<StockThreshold[]>;
  /** Low thresholds, longest low first, after `after`. */
  lowStock(opts: {
    warehouseCode?: string;
    after?: LowStockCursor;
    limit: number;
  }): Promise<LowStockItem[]>;
}

/** The listing sweep's claim on the products table. */
export interface ListingScheduleRepository {
  /**
   * One product whose publish_at or unpublish_at is at or before `now`, earliest first, not in
   * `skip`, row-locked with SKIP LOCKED (a product another transaction holds is left to it).
   */
  claimDue(now: Date, skip: string[]): Promise<string | null>;
}

export interface Page<T> {
  items: T[];
  nextAfterId?: string;
}
