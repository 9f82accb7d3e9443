import { MarketingError } from './marketing-error';

/** A coupon template: what the coupons are worth is a promotion; this is who gets how many. */
export interface CouponTemplate {
  id: string;
  name: string;
  /** The promotion a coupon of this template applies (its COUPON condition names the code). */
  promotionId: string;
  /** Coupons that may ever exist. */
  totalLimit: number;
  /** Coupons one account may hold. */
  perUserLimit: number;
  validFrom: Date;
  validTo: Date;
}

export type CouponStatus = 'ISSUED' | 'CLAIMED' | 'RESERVED' | 'REDEEMED';

export interface Coupon {
  code: string;
  templateId: string;
  ownerId: string | null;
  status: CouponStatus;
  /** The order holding or having used it. */
  orderId: string | null;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I, O, 0, 1
const fail = (kind: MarketingError['kind'], code: string, message: string) =>
  new MarketingError(kind, code, message);

/** Luhn mod 32 check character: a mistyped character or a swap of neighbours is caught. */
function checkChar(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    let addend = factor * ALPHABET.indexOf(body[i]);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / ALPHABET.length) + (addend % ALPHABET.length);
    sum += addend;
  }
  return ALPHABET[(ALPHABET.length - (sum % ALPHABET.length)) % ALPHABET.length];
}

/** A coupon code from random bytes: 9 characters plus a check character, in groups of five. */
export function couponCode(random: Uint8Array): string {
  if (random.length < 9) throw new Error('a coupon code needs 9 random bytes');
  let body = '';
  for (let i = 0; i < 9; i++) body += ALPHABET[random[i] % ALPHABET.length];
  const code = body + checkChar(body);
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** The canonical code, or null when it cannot be one (wrong characters or check). */
export function normaliseCouponCode(input: string): string | null {
  const c = (input ?? '').toUpperCase().replace(/[\s-]/g, '');
  if (c.length !== 10 || [...c].some((ch) => !ALPHABET.includes(ch))) return null;
  return checkChar(c.slice(0, 9)) === c[9] ? `${c.slice(0, 5)}-${c.slice(5)}` : null;
}

export function validateTemplate(t: CouponTemplate): CouponTemplate {
  if (!Number.isInteger(t.totalLimit) || t.totalLimit < 1)
    throw fail(
      'INVALID_ARGUMENT',
      'COUPON_TEMPLATE_INVALID',
      'totalLimit is a whole number from 1',
    );
  if (!Number.isInteger(t.perUserLimit) || t.perUserLimit < 1)
    throw fail(
      'INVALID_ARGUMENT',
      'COUPON_TEMPLATE_INVALID',
      'perUserLimit is a whole number from 1',
    );
  if (t.validFrom.getTime() >= t.validTo.getTime())
    throw fail('INVALID_ARGUMENT', 'COUPON_TEMPLATE_INVALID', 'a coupon is valid for some time');
  return t;
}

/** How many more coupons of the template may be issued now. */
export function issuable(t: CouponTemplate, alreadyIssued: number, wanted: number): number {
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 100_000)
    throw fail('INVALID_ARGUMENT', 'COUPON_BATCH_INVALID', 'issue 1 to 100000 coupons at a time');
  const room = t.totalLimit - alreadyIssued;
  if (room < wanted)
    throw fail(
      'RESOURCE_EXHAUSTED',
      'COUPON_LIMIT_REACHED',
      `only ${Math.max(0, room)} more may be issued`,
    );
  return wanted;
}

/** An account claims an issued coupon, within the template's per-user limit. */
export function claim(
  c: Coupon,
  t: CouponTemplate,
  accountId: string,
  heldByAccount: number,
  now: Date,
): Coupon {
  if (now.getTime() >= t.validTo.getTime())
    throw fail('FAILED_PRECONDITION', 'COUPON_EXPIRED', 'this coupon has expired');
  if (c.status !== 'ISSUED') {
    if (c.ownerId === accountId) return c; // claiming twice is one claim
    throw fail('FAILED_PRECONDITION', 'COUPON_TAKEN', 'this coupon belongs to someone else');
  }
  if (heldByAccount >= t.perUserLimit)
    throw fail(
      'RESOURCE_EXHAUSTED',
      'COUPON_USER_LIMIT',
      `an account holds at most ${t.perUserLimit} of these`,
    );
  return { ...c, status: 'CLAIMED', ownerId: accountId };
}

/** Checkout holds the coupon for an order (order placed); the same order again is fine. */
export function reserve(
  c: Coupon,
  t: CouponTemplate,
  accountId: string,
  orderId: string,
  now: Date,
): Coupon {
  if (c.ownerId !== accountId)
    throw fail('FAILED_PRECONDITION', 'COUPON_NOT_OWNED', 'claim this coupon first');
  if (now.getTime() < t.validFrom.getTime())
    throw fail('FAILED_PRECONDITION', 'COUPON_NOT_YET_VALID', 'this coupon is not valid yet');
  if (now.getTime() >= t.validTo.getTime())
    throw fail('FAILED_PRECONDITION', 'COUPON_EXPIRED', 'this coupon has expired');
  if (c.status === 'RESERVED' && c.orderId === orderId) return c;
  if (c.status !== 'CLAIMED')
    throw fail(
      'FAILED_PRECONDITION',
      'COUPON_IN_USE',
      'this coupon is held by another order or used',
    );
  return { ...c, status: 'RESERVED', orderId };
}

/** The order was paid: the coupon is used. Repeating it for the same order changes nothing. */
export function redeem(c: Coupon, orderId: string): Coupon {
  if (c.status === 'REDEEMED' && c.orderId === orderId) return c;
  if (c.status !== 'RESERVED' || c.orderId !== orderId)
    throw fail(
      'FAILED_PRECONDITION',
      'COUPON_NOT_RESERVED',
      `this coupon is not held by order ${orderId}`,
    );
  return { ...c, status: 'REDEEMED' };
}

/** The order was cancelled or the checkout failed: the coupon is the owner's again. Idempotent. */
export function release(c: Coupon, orderId: string): Coupon {
  if (c.status === 'RESERVED' && c.orderId === orderId)
    return { ...c, status: 'CLAIMED', orderId: null };
  return c;
}
