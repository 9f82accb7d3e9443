import { addressFingerprint } from '@emporia/domain';
import { ReviewError } from './review-error';

/** What order says about one of the caller's orders (only the caller's are answered). */
export interface OrderFacts {
  orderId: string;
  status: string;
  lines: { skuId: string; productId: string; title: string }[];
  shipments: { status: string; skuIds: string[]; deliveredAt: Date | null }[];
  address: {
    country: string;
    province: string;
    city: string;
    district: string;
    line1: string;
    line2: string;
  } | null;
}

export interface ReviewableLine {
  orderId: string;
  skuId: string;
  productId: string;
  title: string;
  deliveredAt: Date;
}

/**
 * When the SKU of this order reached the customer: the earliest DELIVERED shipment holding it
 * (null when none has).
 */
export function deliveredAt(order: OrderFacts, skuId: string): Date | null {
  const times = order.shipments
    .filter((s) => s.status === 'DELIVERED' && s.skuIds.includes(skuId) && s.deliveredAt)
    .map((s) => s.deliveredAt!.getTime());
  return times.length ? new Date(Math.min(...times)) : null;
}

/**
 * The line a review is about: a line of the order (LINE_NOT_FOUND), in a delivered shipment
 * (NOT_DELIVERED), delivered at most `windowDays` ago (REVIEW_WINDOW_CLOSED).
 */
export function reviewableLine(
  order: OrderFacts,
  skuId: string,
  now: Date,
  windowDays: number,
): ReviewableLine {
  const line = order.lines.find((l) => l.skuId === skuId);
  if (!line)
    throw new ReviewError('NOT_FOUND', 'LINE_NOT_FOUND', 'this SKU is not a line of the order', {
      field: 'sku_id',
    });
  const at = deliveredAt(order, skuId);
  if (!at)
    throw new ReviewError('FAILED_PRECONDITION', 'NOT_DELIVERED', 'this line is not delivered yet');
  if (now.getTime() > at.getTime() + windowDays * 86_400_000)
    throw new ReviewError(
      'FAILED_PRECONDITION',
      'REVIEW_WINDOW_CLOSED',
      `a line can be reviewed for ${windowDays} days after delivery`,
    );
  return {
    orderId: order.orderId,
    skuId,
    productId: line.productId,
    title: line.title,
    deliveredAt: at,
  };
}

/** Every line of the order still inside the window, delivered (for ListReviewable). */
export function deliveredLines(order: OrderFacts, now: Date, windowDays: number): ReviewableLine[] {
  return order.lines.flatMap((l) => {
    const at = deliveredAt(order, l.skuId);
    if (!at || now.getTime() > at.getTime() + windowDays * 86_400_000) return [];
    return [
      {
        orderId: order.orderId,
        skuId: l.skuId,
        productId: l.productId,
        title: l.title,
        deliveredAt: at,
      },
    ];
  });
}

/**
 * The order's shipping address normalised for risk's velocity and lists: the fingerprint order
 * sends to risk's ScoreOrder (libs/domain), so both count one place.
 */
export function orderAddressFingerprint(a: OrderFacts['address']): string {
  return a ? addressFingerprint(a) : '';
}
