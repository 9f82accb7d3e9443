import { catalogV1 } from '@emporia/contracts';
import type { CatalogBackend, Principal } from '../application/ports';
import { holdsRole } from './auth.guard';
import { PASS, type FastRoute } from './fast-route';
import { productView } from './mappers';
import type { ProductView } from './dto/views.dto';
import { ProblemError } from './problem';
import type { ProductPageCache } from './product-page.cache';
import { uuidIdParams } from './uuid-param';

/**
 * `GET /v1/products/:id` for shoppers (anonymous or signed in) on the fast-route kit: the
 * rendered public view (JSON) from `pages`, the per-replica product page cache, or from catalog.
 * Operators (the admin view, unlisted products) are left to the Nest route, never served from the
 * shoppers' cache. An unlisted or unknown product is the same 404 problem as before.
 */
export function productDetailRoute(
  catalog: CatalogBackend,
  pages: ProductPageCache,
): FastRoute<{ id: string }> {
  return {
    method: 'GET',
    url: '/v1/products/:id',
    auth: { role: null, optional: true },
    schema: { params: uuidIdParams },
    handle: async ({ params: { id }, principal, ctx }) => {
      if (seesUnlisted(principal)) return PASS;
      return pages.get(id, async () =>
        JSON.stringify(shopperProductView((await catalog.getProduct(ctx, { id })).product!)),
      );
    },
  };
}

/** Operators (and admins) see drafts and archived products, with the admin view. */
export const seesUnlisted = (caller: Principal | undefined) =>
  caller !== undefined && holdsRole(caller, 'operator');

/** A product as a shopper sees it: an unlisted product is one that does not exist (404). */
export function shopperProductView(product: catalogV1.Product): ProductView {
  if (product.status !== catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE)
    throw new ProblemError(404, 'PRODUCT_NOT_FOUND', `product ${product.id} not found`);
  return productView(product);
}
