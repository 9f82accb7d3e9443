import { createHash } from 'node:crypto';
import { OrderError } from '../domain/order-error';

/** Idempotency-Key shape the gateway accepts (and order checks again). */
const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9_.:-]{8,200}$/;

/**
 * The checkout key of a caller's Idempotency-Key: a UUID (v8 layout) from the SHA-256 of the
 * account and the key, so one account's key never meets another's. Moved from the gateway
 * unchanged: keys derived before the move name the same checkouts.
 */
export function deriveCheckoutKey(accountId: string, idempotencyKey: string): string {
  if (!IDEMPOTENCY_KEY_RE.test(idempotencyKey))
    throw new OrderError(
      'INVALID_ARGUMENT',
      'IDEMPOTENCY_KEY_INVALID',
      'an Idempotency-Key has 8 to 200 letters, digits, - _ . :',
    );
  const h = createHash('sha256').update(`${accountId}\n${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
