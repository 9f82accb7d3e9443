import type { OrderBackend, Principal } from '../application/ports';
import { PASS, type FastRoute } from './fast-route';
import { cartView } from './order-mappers';
import { ProblemError } from './problem';
import { uuidIdParams } from './uuid-param';

/** The UUID path parameter `{ skuId }`, as `uuidParam` takes it (uuidIdParams' pattern). */
const skuIdParams = {
  type: 'object',
  properties: { skuId: uuidIdParams.properties.id },
  required: ['skuId'],
} as const;

/**
 * `PUT /v1/cart/lines/:skuId` on the fast-route kit: the same answer as the Nest route
 * (OrdersHttpController.setLine) without Nest's router and ValidationPipe. Signed in (optional
 * authentication, as `@OptionalAuth()`) or with an X-Guest-Token. The body is checked here
 * (`quantityOf`), not by a Fastify schema (its Ajv would coerce "5" to 5, which CartLineDto
 * refuses); anything CartLineDto would not accept exactly is left to the Nest route, which
 * answers its 400 problem as always. The cart is the order service's, mapped by `cartView`.
 */
export function cartLineRoute(orders: OrderBackend): FastRoute<{ skuId: string }> {
  return {
    method: 'PUT',
    url: '/v1/cart/lines/:skuId',
    auth: { role: null, optional: true },
    schema: { params: skuIdParams },
    handle: async ({ req, params: { skuId }, principal, ctx }) => {
      const quantity = quantityOf(req.body);
      if (quantity === undefined) return PASS;
      const { cart } = await orders.setCartLine(ctx, {
        owner: cartOwner(principal, req.headers['x-guest-token']),
        skuId,
        quantity,
      });
      return cartView(cart);
    },
  };
}

/**
 * The quantity of a body CartLineDto accepts as it is (an object with `quantity` alone, an
 * integer 0..999), or undefined (the Nest route then answers whatever it answers).
 */
export function quantityOf(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'quantity') return undefined;
  const q = (body as { quantity: unknown }).quantity;
  return typeof q === 'number' && Number.isInteger(q) && q >= 0 && q <= 999 ? q : undefined;
}

/** Whose cart: the caller's, or a guest's by X-Guest-Token (as OrdersHttpController.owner). */
export function cartOwner(
  me: Principal | undefined,
  raw: string | string[] | undefined,
): { accountId: string; guestToken: string } {
  if (me) return { accountId: me.accountId, guestToken: '' };
  const token = (Array.isArray(raw) ? raw[0] : raw) || undefined;
  if (!token)
    throw new ProblemError(
      401,
      'AUTHENTICATION_REQUIRED',
      'sign in, or send an X-Guest-Token header for a guest cart',
    );
  return { accountId: '', guestToken: token };
}
