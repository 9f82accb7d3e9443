import { OrderError } from './order-error';

/**
 * What a checkout names beyond coupons: a flash-sale winner's purchase token, or a group deal
 * (and the group to join; none opens a new one). Empty strings mean none. Marketing decides
 * whether they hold; the order only checks their shape.
 */
export interface CheckoutPromotion {
  flashToken: string;
  groupDealId: string;
  groupId: string;
}

const field = (name: string, v: string | undefined, max: number): string => {
  const t = (v ?? '').trim();
  if (t.length > max || /\s/.test(t))
    throw new OrderError(
      'INVALID_ARGUMENT',
      'PROMOTION_INVALID',
      `${name} is at most ${max} characters without spaces`,
      { field: name },
    );
  return t;
};

/** The checkout's promotion, trimmed and checked; a group needs its deal. */
export function checkoutPromotion(input: {
  flashToken?: string;
  groupDealId?: string;
  groupId?: string;
}): CheckoutPromotion {
  const p = {
    flashToken: field('flash_token', input.flashToken, 512),
    groupDealId: field('group_deal_id', input.groupDealId, 128),
    groupId: field('group_id', input.groupId, 128),
  };
  if (p.groupId && !p.groupDealId)
    throw new OrderError(
      'INVALID_ARGUMENT',
      'GROUP_DEAL_REQUIRED',
      'joining a group needs its group_deal_id',
    );
  return p;
}

/** The promotion's part of a checkout's fingerprint: only what is set, so plain ones keep theirs. */
export function promotionFingerprint(p: CheckoutPromotion): Partial<CheckoutPromotion> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== ''));
}
