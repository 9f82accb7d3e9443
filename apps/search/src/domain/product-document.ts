/** The product snapshot as catalog publishes it (mapped from the event by the interface layer). */
export interface ProductSnapshot {
  id: string;
  title: string;
  description: string;
  brand: string;
  categoryId: string;
  categoryPathIds: string[];
  status: 'DRAFT' | 'ACTIVE' | 'ARCHIVED' | 'UNKNOWN';
  skus: { code: string; amountMinor: number; currency: string; stockOnHand: number }[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What the search index stores for one product. */
export interface ProductDocument {
  product_id: string;
  title: string;
  description: string;
  brand: string;
  category_id: string;
  category_path_ids: string[];
  status: string;
  currency: string;
  prices: number[];
  min_price: number;
  max_price: number;
  in_stock: boolean;
  sku_codes: string[];
  version: number;
  created_at: string;
  updated_at: string;
  last_event_id: string;
}

/** Maps a snapshot to its document: price bounds over SKUs, in stock when any SKU has stock. */
export function toProductDocument(p: ProductSnapshot, eventId: string): ProductDocument {
  const prices = p.skus.map((s) => s.amountMinor);
  return {
    product_id: p.id,
    title: p.title,
    description: p.description,
    brand: p.brand,
    category_id: p.categoryId,
    category_path_ids: p.categoryPathIds.length > 0 ? p.categoryPathIds : [p.categoryId],
    status: p.status,
    currency: p.skus[0]?.currency ?? '',
    prices,
    min_price: prices.length ? Math.min(...prices) : 0,
    max_price: prices.length ? Math.max(...prices) : 0,
    in_stock: p.skus.some((s) => s.stockOnHand > 0),
    sku_codes: p.skus.map((s) => s.code),
    version: p.version,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    last_event_id: eventId,
  };
}
