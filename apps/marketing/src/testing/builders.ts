import type { ReceivedEvent } from '@emporia/messaging';
import { Money } from '@emporia/money';
import type { RequestContext } from '@emporia/platform';
import type { GroupMember } from '../application/ports';
import type { PromotionRecord } from '../domain/campaign';
import type { Coupon, CouponTemplate } from '../domain/coupon';
import type { Group } from '../domain/group-buy';

export const CTX: RequestContext = { traceId: '0'.repeat(32), spanId: '0'.repeat(16) };
const DAY = 86_400_000;
const NOW = new Date('2026-11-25T10:00:00Z').getTime();

/** A coupon-only promotion: 5.00 CNY off the cart. */
export function aCouponPromotion(over: Partial<PromotionRecord> = {}): PromotionRecord {
  return {
    id: 'promo-coupon',
    name: '5 off',
    priority: 10,
    exclusive: false,
    scope: { kind: 'CART' },
    conditions: [],
    action: { kind: 'AMOUNT_OFF', amount: Money.of(500, 'CNY') },
    campaignId: null,
    startsAt: null,
    endsAt: null,
    active: true,
    couponOnly: true,
    ...over,
  };
}

/** A template of that promotion: 10 coupons, 2 per account, valid a week around FakeClock's now. */
export function aTemplate(over: Partial<CouponTemplate> = {}): CouponTemplate {
  return {
    id: 'tpl-1',
    name: 'Five off',
    promotionId: 'promo-coupon',
    totalLimit: 10,
    perUserLimit: 2,
    validFrom: new Date(NOW - DAY),
    validTo: new Date(NOW + 6 * DAY),
    ...over,
  };
}

export function aCoupon(over: Partial<Coupon> & { code: string }): Coupon {
  return { templateId: 'tpl-1', ownerId: null, status: 'ISSUED', orderId: null, ...over };
}

/** An open group of 3 with a deadline an hour after FakeClock's now. */
export function aGroup(over: Partial<Group> = {}): Group {
  return {
    id: 'group-1',
    dealId: 'deal-1',
    size: 3,
    deadline: new Date(NOW + 3_600_000),
    status: 'OPEN',
    participants: [],
    ...over,
  };
}

export function aMember(orderId: string, over: Partial<GroupMember> = {}): GroupMember {
  return { groupId: 'group-1', orderId, accountId: `acc-${orderId}`, status: 'PENDING', ...over };
}

/** A received event with this id (the payload is decoded by the interface layer, not here). */
export function anEvent(eventId: string, eventType = 'order.paid'): ReceivedEvent {
  return {
    eventId,
    eventType,
    occurredAt: new Date(NOW).toISOString(),
    partition: 0,
    offset: '0',
    topic: 'orders',
    key: 'k',
    value: Buffer.alloc(0),
    headers: {},
  };
}
