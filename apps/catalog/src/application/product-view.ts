import type { Product } from '../domain/product';
import type { CatalogTx, ProductView } from './ports';

/** What a view also carries: the rating, for answers (events never carry it, so they skip it). */
export interface ViewOptions {
  rating?: boolean;
}

/**
 * Assembles the snapshot of a product: its category path, stock and units sold per SKU, and,
 * when asked, its rating summary when review events gave it one.
 */
export async function loadProductView(
  tx: CatalogTx,
  product: Product,
  options: ViewOptions = {},
): Promise<ProductView> {
  return (await loadProductViews(tx, [product], options))[0];
}

/**
 * Snapshots of many products with a fixed number of queries (one for the categories, stock and
 * units sold and, when asked, one for ratings), whatever the number of products: a page of
 * ListProducts may hold 500. Event snapshots (a stock reservation committed at checkout) skip the ratings.
 */
export async function loadProductViews(
  tx: CatalogTx,
  products: Product[],
  options: ViewOptions = {},
): Promise<ProductView[]> {
  if (products.length === 0) return [];
  const skuIds = products.flatMap((p) => p.skus.map((s) => s.id));
  // one after the other: they share the transaction's connection
  const {
    categories,
    totals: stockBySku,
    unitsSold: unitsSoldBySku,
  } = await tx.views.facts([...new Set(products.map((p) => p.categoryId))], skuIds);
  const ratings = options.rating
    ? await tx.ratings.getMany(products.map((p) => p.id))
    : new Map<string, NonNullable<ProductView['rating']>>();
  const pathOf = new Map(categories.map((c) => [c.id, c.pathIds]));
  const regulated = new Set(categories.filter((c) => c.regulated).map((c) => c.id));
  return products.map((product) => ({
    product,
    categoryPathIds: pathOf.get(product.categoryId) ?? [product.categoryId],
    stockBySku,
    unitsSoldBySku,
    rating: ratings.get(product.id),
    regulated: regulated.has(product.categoryId),
  }));
}

/** Reads one page (`limit` + 1 rows tells whether there is a next page). */
export async function page<T extends { id: string }>(
  fetch: (limit: number) => Promise<T[]>,
  limit: number,
): Promise<{ items: T[]; nextAfterId?: string }> {
  const rows = await fetch(limit + 1);
  const items = rows.slice(0, limit);
  return rows.length > limit ? { items, nextAfterId: items[items.length - 1].id } : { items };
}
