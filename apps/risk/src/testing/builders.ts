import { Money } from '@emporia/money';
import type { ScoreOrderInput, ScoreReviewInput } from '../application/risk.use-case';
import type { Rule } from '../domain/rules';

/** An order to score: one account, device, IP and address; 50.00 CNY, no coupons. */
export function anOrder(over: Partial<ScoreOrderInput> = {}): ScoreOrderInput {
  return {
    orderId: 'order-1',
    accountId: 'acc-1',
    ip: '203.0.113.7',
    deviceId: 'dev-1',
    addressFingerprint: 'cn|zj|hz|xh|line 1|',
    phone: '+86 138 0000 0000',
    total: Money.of(5000, 'CNY'),
    couponCodes: [],
    ...over,
  };
}

type RuleOf<K extends Rule['kind']> = Extract<Rule, { kind: K }>;

/** A rule of a kind with the given fields; active, REVIEW, score 10, applies to orders. */
export function aRule<K extends Rule['kind']>(
  kind: K,
  fields: Omit<RuleOf<K>, 'id' | 'name' | 'kind' | 'appliesTo' | 'action' | 'score' | 'active'> &
    Partial<Pick<Rule, 'id' | 'name' | 'appliesTo' | 'action' | 'score' | 'active'>>,
): Rule {
  return {
    id: `r-${kind.toLowerCase()}`,
    name: `${kind} rule`,
    appliesTo: 'ORDER',
    action: 'REVIEW',
    score: 10,
    active: true,
    kind,
    ...fields,
  } as unknown as Rule;
}

/**
 * A review to score: account acc-1 made a year before 2026-11-25T10:00Z (FakeClock's start), the
 * line delivered three days before, one device, IP and address; 5 stars, no photos.
 */
export function aReview(over: Partial<ScoreReviewInput> = {}): ScoreReviewInput {
  return {
    reviewId: 'review-1',
    accountId: 'acc-1',
    deviceId: 'dev-1',
    ip: '203.0.113.7',
    addressFingerprint: 'cn|zj|hz|xh|line 1|',
    productId: 'prod-1',
    deliveredAt: new Date('2026-11-22T10:00:00Z'),
    accountCreatedAt: new Date('2025-11-25T10:00:00Z'),
    rating: 5,
    photoCount: 0,
    ...over,
  };
}
