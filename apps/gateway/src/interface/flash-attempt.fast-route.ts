import type { MarketingBackend } from '../application/ports';
import { PASS, type FastRoute } from './fast-route';
import { countMarkedLoss } from './flash-attempt.metrics';
import type { FlashGate } from './flash-gate';
import type { MarkedLoss } from './flash-sold-out';
import { lostFlashAttemptProblem } from './marketing-mappers';
import { CannedProblem } from './problem.filter';
import type { RateLimiter } from './rate-limit.guard';
import { uuidIdParams } from './uuid-param';

const LOST: Record<MarkedLoss, CannedProblem> = {
  SOLD_OUT: new CannedProblem(lostFlashAttemptProblem('SOLD_OUT')),
  LIMIT_REACHED: new CannedProblem(lostFlashAttemptProblem('LIMIT_REACHED')),
};

/** The 201's body (FlashWinView), serialized by fast-json-stringify. */
export const FLASH_WIN_RESPONSE = {
  type: 'object',
  properties: {
    result: { type: 'string' },
    token: { type: 'string' },
    expiresAt: { type: 'string' },
  },
  required: ['result', 'token', 'expiresAt'],
} as const;

/** FlashAttemptDto's bounds. */
const MAX_QUANTITY = 10;

/**
 * `POST /v1/flash-sales/:id/attempts` on the fast-route kit: the same authentication (`@Auth()`),
 * sale rate limits (`@RateLimit('sale')`), answers and problems as the Nest route
 * (MarketingHttpController.attemptFlashPurchase), through the replica's flash gate (sold-out and
 * limit marks, admission control). The `sale` rate limit is counted here once the gate knows
 * where the answer comes from: an attempt a mark answers from memory is counted in the
 * replica's memory (`limiters.memory`: same policy, per replica, no shared store), one that goes
 * on towards marketing in Redis (`limiters.shared`), both with the same 429. Left to the Nest
 * route (which counts in Redis as always):
 * a request with an `Idempotency-Key` (its records are the interceptor's), and any body the
 * DTO's strict validation would refuse or that this route does not recognise exactly (a JSON
 * object whose only property is an optional integer `quantity` of 1 to 10), so every problem
 * stays the Nest route's. The body is checked here rather than by a Fastify schema, whose Ajv
 * would coerce a string quantity before Nest could refuse it.
 */
export function flashAttemptRoute(
  marketing: MarketingBackend,
  gate: FlashGate,
  limiters: { shared: RateLimiter; memory: RateLimiter },
): FastRoute<{ id: string }> {
  return {
    method: 'POST',
    url: '/v1/flash-sales/:id/attempts',
    auth: { role: null },
    // the 'sale' policy is counted in `handle` (see above), not by the kit
    schema: { params: uuidIdParams },
    status: 201,
    response: FLASH_WIN_RESPONSE,
    handle: async ({ req, params: { id }, principal, ctx }) => {
      if (req.headers['idempotency-key'] !== undefined) return PASS;
      const quantity = quantityOf(req.body);
      if (quantity === undefined || !principal) return PASS;
      // a loss the replica's marks answer: counted in memory, answered without an error built
      const known = gate.marks.known(id, principal.accountId, quantity);
      if (known) {
        limiters.memory.checkNow('sale', req);
        countMarkedLoss(known);
        return LOST[known];
      }
      const r = await gate.decide(marketing, ctx, id, principal.accountId, quantity, () =>
        limiters.shared.check('sale', req),
      );
      return typeof r === 'string' ? LOST[r] : r;
    },
  };
}

/** The quantity of a body FlashAttemptDto accepts as it is, or undefined (left to Nest). */
export function quantityOf(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  let quantity = 1;
  for (const key in body) {
    if (!Object.prototype.hasOwnProperty.call(body, key)) continue;
    if (key !== 'quantity') return undefined;
    const q = (body as { quantity: unknown }).quantity;
    if (q === undefined) continue;
    if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > MAX_QUANTITY)
      return undefined;
    quantity = q;
  }
  return quantity;
}
