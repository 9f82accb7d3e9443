import { catalogV1 } from '@emporia/contracts';
import type { CatalogBackend, Principal } from '../application/ports';
import { holdsRole } from './auth.guard';
import { PASS, type FastRoute } from './fast-route';
import { productView } from './mappers';
import { ProblemError } from './problem';
import type { ProductPageCache } from './product-page.cache';

/** The UUIDs ParseUUIDPipe takes (any other id is left to the Nest route: 400 ID_INVALID). */
const UUID =
  '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[1-8][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$';

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
    schema: {
      params: {
        type: 'object',
        properties: { id: { type: 'string', pattern: UUID } },
        required: ['id'],
      },
    },
    handle: async ({ params: { id }, principal, ctx }) => {
      if (seesUnlisted(principal)) return PASS;
      return pages.get(id, async () => {
        const product = (await catalog.getProduct(ctx, { id })).product!;
        // an unlisted product is, to a shopper, a product that does not exist
        if (product.status !== catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE)
          throw new ProblemError(404, 'PRODUCT_NOT_FOUND', `product ${id} not found`);
        return JSON.stringify(productView(product));
      });
    },
  };
}

const seesUnlisted = (caller: Principal | undefined) =>
  caller !== undefined && holdsRole(caller, 'operator');
