import { CatalogError, notFound } from '../domain/catalog-error';
import type { Product } from '../domain/product';
import type { CatalogTx } from './ports';

export async function requireProduct(
  tx: CatalogTx,
  id: string,
  forUpdate = false,
): Promise<Product> {
  const p = await tx.products.get(id, { forUpdate });
  if (!p) throw notFound('Product', id);
  return p;
}

/** The product's category must exist: an unknown one is a bad reference in the request. */
export async function requireProductCategory(tx: CatalogTx, categoryId: string): Promise<void> {
  if (!categoryId)
    throw new CatalogError('INVALID_ARGUMENT', 'PRODUCT_FIELD_REQUIRED', 'categoryId is required', {
      field: 'categoryId',
    });
  if (!(await tx.categories.get(categoryId))) {
    throw new CatalogError(
      'FAILED_PRECONDITION',
      'CATEGORY_NOT_FOUND',
      `category ${categoryId} does not exist`,
      { categoryId },
    );
  }
}

/** SKU codes are unique across the catalog (they are the merchant's SKU numbers). */
export async function requireFreeSkuCodes(
  tx: CatalogTx,
  codes: string[],
  productId?: string,
): Promise<void> {
  const taken = await tx.products.takenSkuCodes(codes, productId);
  if (taken.length > 0) {
    throw new CatalogError(
      'ALREADY_EXISTS',
      'SKU_CODE_TAKEN',
      `SKU code(s) ${taken.join(', ')} already belong to another product`,
      { codes: taken },
    );
  }
}
