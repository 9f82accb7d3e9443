import type { FlashSaleRecord } from '../domain/flash-offer';
import type { ProductDocument, ProductSnapshot } from '../domain/product-document';
import type { DocRating, RatingSummary } from '../domain/product-rating';
import type { ReindexJob } from '../domain/reindex';
import type { SearchCriteria } from '../domain/search-criteria';
import type { LoggedSearch, TopQueriesWindow } from '../domain/search-log';
import type { SynonymSet } from '../domain/synonyms';

/** The fields of a product document a search page shows (all a search fetches). */
export type HitDocument = Pick<
  ProductDocument,
  | 'product_id'
  | 'title'
  | 'tags'
  | 'brand'
  | 'category_id'
  | 'min_price'
  | 'max_price'
  | 'currency'
  | 'in_stock'
  | 'version'
  | 'units_sold'
  | 'category_names'
  | 'rating_average'
  | 'review_count'
>;

export interface SearchHit {
  document: HitDocument;
  score: number;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface SearchFacets {
  categories: FacetCount[];
  brands: FacetCount[];
  tags: FacetCount[];
  priceRanges: { from?: number; to?: number; count: number }[];
  attributes: { name: string; values: FacetCount[] }[];
}

export interface SearchPage {
  hits: SearchHit[];
  total: number;
  /** Opaque position after the last hit, when there may be more. */
  after?: unknown[];
  facets?: SearchFacets;
  /**
   * How much longer this page may be answered again for the same search (set by the result
   * cache: what is left of its time); absent, not at all.
   */
  reusableForMs?: number;
  /**
   * Which products the facets count, as a string equal between two answers when the same
   * products match the search (its text and filters, before its facet selections) with the same
   * values in every faceted field; given when asked (`SearchOptions.matched`), unless the index
   * cannot tell. Elasticsearch: how many products match and their facet prints' sum, lowest and
   * highest (infrastructure/facet-print.ts); none while a matching document carries no print.
   */
  matched?: string;
}

export interface SearchOptions {
  /** Also answer `SearchPage.matched` (facets asked or not). */
  matched?: boolean;
}

export type Suggestion = { text: string; kind: 'QUERY' | 'BRAND' | 'PRODUCT' };

/** The product index port: Elasticsearch in production, same contract everywhere. */
export interface ProductIndex {
  /** 'applied', or 'stale' when the index already holds this version or a newer one. */
  upsert(doc: ProductDocument): Promise<'applied' | 'stale'>;
  search(criteria: SearchCriteria, after?: unknown[], opts?: SearchOptions): Promise<SearchPage>;
  /** Listed product titles and brands whose words start with the prefix's words. */
  suggest(prefix: string, limit: number): Promise<Suggestion[]>;
  /** Rewrites the category names of every product under this category (a rename or a move). */
  renameCategory(categoryId: string, name: string): Promise<number>;
  /** The product ids having this SKU (to place a flash sale announced by SKU). */
  productOfSku(skuId: string): Promise<string | undefined>;
  /**
   * Writes the rating fields into the product's document, under its next external version (a
   * newer snapshot still wins). 'stale' when the document already has this rating version or a
   * newer one, 'missing' when the product is not indexed yet, 'deferred' when the product
   * version's rewrites are used up (its next snapshot carries the rating).
   */
  setRating(
    productId: string,
    rating: DocRating,
  ): Promise<'applied' | 'stale' | 'missing' | 'deferred'>;
}
export const PRODUCT_INDEX = Symbol('PRODUCT_INDEX');

/** The versioned physical indexes behind the alias, for a full rebuild. */
export interface IndexBuilder {
  /** The physical index the alias points at now. */
  current(): Promise<string>;
  /** A new empty index with the current mapping, tuned for bulk loading. */
  create(): Promise<string>;
  /** Writes a batch into the index (external versions: an older copy never wins). */
  bulk(index: string, docs: ProductDocument[]): Promise<void>;
  /** Restores normal refresh, then points the alias at `to` alone, atomically. */
  swap(from: string, to: string): Promise<void>;
  /** Copies documents of `from` written at or after `since` into `to`, in batches; returns how many. */
  catchUp(from: string, to: string, since: Date, batchSize: number): Promise<number>;
  /** Deletes physical indexes of the alias other than `keep` (at most the newest `retain` others kept). */
  prune(keep: string, retain: number): Promise<string[]>;
  drop(index: string): Promise<void>;
}
export const INDEX_BUILDER = Symbol('INDEX_BUILDER');

/** Category names from catalog's category events. */
export interface CategoryNames {
  put(category: { id: string; name: string; pathIds: string[] }): Promise<void>;
  names(ids: readonly string[]): Promise<Map<string, string>>;
}
export const CATEGORY_NAMES = Symbol('CATEGORY_NAMES');

/** Rating summaries from review events, kept whatever the product index holds. */
export interface ProductRatings {
  /** Stores the summary unless one of this version or newer is held ('stale' then). */
  put(summary: RatingSummary): Promise<'applied' | 'stale'>;
  forProducts(productIds: readonly string[]): Promise<Map<string, RatingSummary>>;
}
export const PRODUCT_RATINGS = Symbol('PRODUCT_RATINGS');

/** Flash sales from marketing's events. */
export interface FlashSales {
  put(sale: FlashSaleRecord): Promise<void>;
  /** Sales of these products that have not ended at `now`. */
  forProducts(productIds: readonly string[], now: Date): Promise<FlashSaleRecord[]>;
}
export const FLASH_SALES = Symbol('FLASH_SALES');

export interface SynonymStore {
  put(set: SynonymSet): Promise<void>;
  /** false when there was no such set. */
  delete(id: string): Promise<boolean>;
  list(): Promise<SynonymSet[]>;
}
export const SYNONYM_STORE = Symbol('SYNONYM_STORE');

export interface QueryStat {
  query: string;
  searches: number;
  zeroResultSearches: number;
  averageResults: number;
  lastSearchedAt: string;
}

export interface SearchLog {
  /**
   * Never blocks or fails the search: entries are buffered and written in batches. An entry with
   * `searches` counts that many searches.
   */
  record(entry: LoggedSearch): void;
  top(window: TopQueriesWindow): Promise<{ queries: QueryStat[]; totalSearches: number }>;
  /** Popular queries (that found something) starting with the prefix. */
  popularWithPrefix(prefix: string, limit: number): Promise<string[]>;
}
export const SEARCH_LOG = Symbol('SEARCH_LOG');

/** The catalog, paged through for a full reindex. */
export interface CatalogSource {
  page(pageToken: string, pageSize: number): Promise<{ products: ProductSnapshot[]; next: string }>;
  categoryPage(
    pageToken: string,
  ): Promise<{ categories: { id: string; name: string; pathIds: string[] }[]; next: string }>;
}
export const CATALOG_SOURCE = Symbol('CATALOG_SOURCE');

export interface ReindexJobs {
  /** Creates the job unless another RUNNING one with a fresh heartbeat exists; false then. */
  claim(job: ReindexJob, mayReplace: (latest: ReindexJob | undefined) => boolean): Promise<boolean>;
  save(job: ReindexJob): Promise<void>;
  get(id: string): Promise<ReindexJob | undefined>;
  latest(): Promise<ReindexJob | undefined>;
}
export const REINDEX_JOBS = Symbol('REINDEX_JOBS');
