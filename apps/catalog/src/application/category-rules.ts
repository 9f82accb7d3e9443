import { CatalogError, notFound } from '../domain/catalog-error';
import type { Category } from '../domain/category';
import type { CatalogTx } from './ports';

export async function requireCategory(tx: CatalogTx, id: string, code?: string): Promise<Category> {
  const c = await tx.categories.get(id);
  if (!c) throw notFound('Category', id, code);
  return c;
}

export async function requireFreeSlug(
  tx: CatalogTx,
  slug: string,
  exceptId?: string,
): Promise<void> {
  const other = await tx.categories.getBySlug(slug);
  if (other && other.id !== exceptId) {
    throw new CatalogError(
      'ALREADY_EXISTS',
      'CATEGORY_SLUG_TAKEN',
      `slug '${slug}' is used by category ${other.id}`,
      { slug },
    );
  }
}
