import { docRating, type RatingSummary } from './product-rating';

/** The product snapshot as catalog publishes it (mapped from the event by the interface layer). */
export interface ProductSnapshot {
  id: string;
  title: string;
  description: string;
  brand: string;
  categoryId: string;
  categoryPathIds: string[];
  status: 'DRAFT' | 'ACTIVE' | 'ARCHIVED' | 'UNKNOWN';
  skus: {
    id: string;
    code: string;
    amountMinor: number;
    currency: string;
    stockOnHand: number;
    attributes: Record<string, string>;
  }[];
  /** Units sold over all SKUs (gross: returns do not lower it). */
  unitsSold: number;
  /** Catalog's tags (manual and rule tags, e.g. 新品, 促销, 爆款): the whole set each time. */
  tags: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** One attribute value of a product (from its SKUs), e.g. { name: 'colour', value: 'red' }. */
export interface AttributeValue {
  name: string;
  value: string;
}

/** What the search index stores for one product. */
export interface ProductDocument {
  product_id: string;
  title: string;
  description: string;
  brand: string;
  category_id: string;
  category_path_ids: string[];
  /** Names along the category path, root first (for relevance and display). */
  category_names: string[];
  status: string;
  currency: string;
  prices: number[];
  min_price: number;
  max_price: number;
  in_stock: boolean;
  sku_ids: string[];
  sku_codes: string[];
  attributes: AttributeValue[];
  units_sold: number;
  /** The product's tags (keyword; v4, issue 18): distinct, trimmed, sorted. */
  tags: string[];
  /** From review.product (0 and 0 when unrated, so unrated products sort last). */
  rating_average: number;
  review_count: number;
  /** The rating summary version the two fields above come from (0: none). */
  rating_version: number;
  version: number;
  created_at: string;
  updated_at: string;
  last_event_id: string;
  /** When this document was written; a reindex copies what changed after it started. */
  indexed_at: string;
}

/** Attribute names and values are trimmed; empty ones are dropped; each pair appears once. */
export function productAttributes(skus: ProductSnapshot['skus']): AttributeValue[] {
  const seen = new Map<string, AttributeValue>();
  for (const sku of skus) {
    for (const [rawName, rawValue] of Object.entries(sku.attributes ?? {})) {
      const name = rawName.trim();
      const value = String(rawValue).trim();
      if (!name || !value) continue;
      const key = `${name}\u0000${value}`;
      if (!seen.has(key)) seen.set(key, { name, value });
    }
  }
  return [...seen.values()];
}

/** Tags as indexed: trimmed, empty ones dropped, each once, sorted (catalog sends them sorted). */
export function productTags(tags: readonly string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim()).filter((t) => t.length > 0))].sort();
}

/**
 * Maps a snapshot to its document: price bounds over SKUs, in stock when any SKU has stock, the
 * SKUs' attributes, the category path's names (given by the caller, in path order; an unknown
 * name is left empty rather than failing the product), and the rating summary search holds for
 * the product (the snapshot does not carry one), so a full rewrite keeps the rating.
 */
export function toProductDocument(
  p: ProductSnapshot,
  eventId: string,
  categoryNames: ReadonlyMap<string, string>,
  now: Date,
  rating?: RatingSummary,
): ProductDocument {
  const prices = p.skus.map((s) => s.amountMinor);
  const pathIds = p.categoryPathIds.length > 0 ? p.categoryPathIds : [p.categoryId];
  return {
    product_id: p.id,
    title: p.title,
    description: p.description,
    brand: p.brand,
    category_id: p.categoryId,
    category_path_ids: pathIds,
    category_names: pathIds.map((id) => categoryNames.get(id) ?? ''),
    status: p.status,
    currency: p.skus[0]?.currency ?? '',
    prices,
    min_price: prices.length ? Math.min(...prices) : 0,
    max_price: prices.length ? Math.max(...prices) : 0,
    in_stock: p.skus.some((s) => s.stockOnHand > 0),
    sku_ids: p.skus.map((s) => s.id),
    sku_codes: p.skus.map((s) => s.code),
    attributes: productAttributes(p.skus),
    units_sold: Math.max(0, p.unitsSold),
    tags: productTags(p.tags),
    ...docRating(rating),
    version: p.version,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    last_event_id: eventId,
    indexed_at: now.toISOString(),
  };
}

/** The path ids of many snapshots, once each: what a batch needs category names for. */
export function categoryIdsOf(snapshots: readonly ProductSnapshot[]): string[] {
  const ids = new Set<string>();
  for (const p of snapshots) {
    for (const id of p.categoryPathIds.length ? p.categoryPathIds : [p.categoryId]) {
      if (id) ids.add(id);
    }
  }
  return [...ids];
}
