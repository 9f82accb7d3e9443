import type { RequestContext } from '@emporia/platform';
import { type Cart, type CartChangeCause, cartSnapshot } from '../domain/cart';
import type { CatalogPort, OrderTx, SkuInfo } from './ports';

/**
 * The catalog's facts of some SKUs, or of none when the catalog cannot answer: a cart change
 * does not wait on the catalog for its announcement (an unknown line goes without a price).
 */
export async function skusIfAvailable(
  catalog: CatalogPort,
  ctx: RequestContext,
  skuIds: string[],
): Promise<Map<string, SkuInfo>> {
  if (skuIds.length === 0) return new Map();
  try {
    return await catalog.skus(ctx, skuIds);
  } catch {
    return new Map();
  }
}

/**
 * Announces an account's cart after a change (`CartChanged`, in the transaction `tx`), priced
 * from `known` SKUs; SKUs not among them are asked of the catalog (a line added meanwhile).
 * Guest carts announce nothing.
 */
export async function announceCart(
  catalog: CatalogPort,
  ctx: RequestContext,
  tx: OrderTx,
  cart: Cart,
  cause: CartChangeCause,
  known: ReadonlyMap<string, SkuInfo>,
): Promise<void> {
  if (!('accountId' in cart.owner)) return;
  const missing = cart.lines.map((l) => l.skuId).filter((id) => !known.has(id));
  const skus = missing.length
    ? new Map([...known, ...(await skusIfAvailable(catalog, ctx, missing))])
    : known;
  const snapshot = cartSnapshot(cart, cause, skus);
  if (snapshot) tx.cartEvents.changed(snapshot);
}
