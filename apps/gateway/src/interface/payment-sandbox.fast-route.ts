import type { OrderBackend } from '../application/ports';
import { PASS, type FastRoute } from './fast-route';
import { uuidIdParams } from './uuid-param';

/** The UUID path parameter `{ paymentId }`, as `uuidParam` takes it (uuidIdParams' pattern). */
const paymentIdParams = {
  type: 'object',
  properties: { paymentId: uuidIdParams.properties.id },
  required: ['paymentId'],
} as const;

/**
 * `POST /v1/payments/sandbox/pay/:paymentId` on the fast-route kit: the same answer as the Nest
 * route (OrdersHttpController.sandboxPay) without Nest's router and ValidationPipe. The body is
 * checked here (`succeedOf`), not by a Fastify schema (its Ajv would coerce "false" to false,
 * which SandboxPayDto refuses); anything SandboxPayDto would not accept exactly is left to the
 * Nest route, which answers its 400 problem as always.
 */
export function paymentSandboxRoute(orders: OrderBackend): FastRoute<{ paymentId: string }> {
  return {
    method: 'POST',
    url: '/v1/payments/sandbox/pay/:paymentId',
    auth: { role: null },
    schema: { params: paymentIdParams },
    handle: async ({ req, params: { paymentId }, principal, ctx }) => {
      const succeed = succeedOf(req.body);
      if (succeed === undefined) return PASS;
      return orders.completeSandboxPayment(ctx, {
        paymentId,
        accountId: principal!.accountId,
        succeed,
      });
    },
  };
}

/**
 * Whether to pay, from a body SandboxPayDto accepts as it is (an object, empty or with a boolean
 * `succeed` alone; absent means true), or undefined (left to the Nest route).
 */
export function succeedOf(body: unknown): boolean | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.length === 0) return true;
  if (keys.length !== 1 || keys[0] !== 'succeed') return undefined;
  const s = (body as { succeed: unknown }).succeed;
  return typeof s === 'boolean' ? s : undefined;
}
