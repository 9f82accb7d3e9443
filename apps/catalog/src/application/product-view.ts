import type { Product } from '../domain/product';
import type { CatalogTx, ProductView } from './ports';

/** Assembles the snapshot of a product: its category path and stock per SKU. */
export async function loadProductView(tx: CatalogTx, product: Product): Promise<ProductView> {
  const category = await tx.categories.get(product.categoryId);
  const stockBySku = await tx.stock.totals(product.skus.map((s) => s.id));
  return { product, categoryPathIds: category?.pathIds ?? [product.categoryId], stockBySku };
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
