import type { ProductDocument } from '../domain/product-document';
import type { SearchCriteria } from '../domain/search-criteria';

export interface SearchHit {
  document: ProductDocument;
  score: number;
}

export interface SearchPage {
  hits: SearchHit[];
  total: number;
  /** Opaque position after the last hit, when there may be more. */
  after?: unknown[];
}

/** The product index port: Elasticsearch in production, same contract everywhere. */
export interface ProductIndex {
  /** 'applied', or 'stale' when the index already holds this version or a newer one. */
  upsert(doc: ProductDocument): Promise<'applied' | 'stale'>;
  search(criteria: SearchCriteria, after?: unknown[]): Promise<SearchPage>;
}

export const PRODUCT_INDEX = Symbol('PRODUCT_INDEX');
