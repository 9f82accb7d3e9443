import { isIso4217Currency, Money } from '@emporia/money';
import type { commonV1 } from '@emporia/contracts';
import { marketingV1 } from '@emporia/contracts';
import type { AudienceGrant } from '../application/ports';
import { UUID_RE } from '@emporia/domain';
import type { Campaign, PromotionRecord } from '../domain/campaign';
import { MarketingError } from '../domain/marketing-error';
import type { Action, CartLine, Condition, Scope } from '../domain/promotion-engine';

const bad = (code: string, message: string) =>
  new MarketingError('INVALID_ARGUMENT', code, message);

export const uuid = (field: string, v: string): string => {
  if (!UUID_RE.test(v ?? ''))
    throw new MarketingError('INVALID_ARGUMENT', 'ID_INVALID', `${field} must be a UUID`, {
      field,
    });
  return v.toLowerCase();
};

export const time = (field: string, v: string): Date => {
  const d = new Date(v ?? '');
  if (!v || Number.isNaN(d.getTime()))
    throw bad('TIME_INVALID', `${field} must be an RFC 3339 time`);
  return d;
};
const optionalTime = (field: string, v: string) => (v ? time(field, v) : null);

export const money = (field: string, m: commonV1.Money | undefined): Money => {
  if (!m) throw bad('MONEY_INVALID', `${field} is required`);
  // what marketing is sent (promotions, sales, deals, cart lines) is in a real currency
  if (!isIso4217Currency(m.currency))
    throw bad('MONEY_INVALID', `${field}: '${m.currency}' is not an ISO 4217 currency`);
  try {
    return Money.of(Number(m.amountMinor), m.currency);
  } catch (e) {
    throw bad('MONEY_INVALID', `${field}: ${(e as Error).message}`);
  }
};
const optionalMoney = (field: string, m: commonV1.Money | undefined) =>
  m && (m.currency || Number(m.amountMinor)) ? money(field, m) : undefined;

export const moneyOut = (m: Money): commonV1.Money => ({
  amountMinor: m.amountMinor,
  currency: m.currency,
});
const timeOut = (d: Date | null) => (d ? d.toISOString() : '');

export function campaignIn(id: string, c: marketingV1.Campaign | undefined): Campaign {
  if (!c) throw bad('CAMPAIGN_INVALID', 'campaign is required');
  return {
    id: uuid('campaign.id', id),
    name: c.name ?? '',
    startsAt: time('campaign.starts_at', c.startsAt),
    endsAt: time('campaign.ends_at', c.endsAt),
    active: c.active,
  };
}

export const campaignOut = (c: Campaign): marketingV1.Campaign => ({
  id: c.id,
  name: c.name,
  startsAt: c.startsAt.toISOString(),
  endsAt: c.endsAt.toISOString(),
  active: c.active,
});

function scopeIn(kind: string, ids: string[]): Scope {
  switch (kind || 'CART') {
    case 'CART':
      return { kind: 'CART' };
    case 'SKUS':
      if (!ids.length) throw bad('PROMOTION_INVALID', 'a SKUS scope names SKUs');
      return { kind: 'SKUS', skuIds: ids.map((i) => uuid('scope_ids', i)) };
    case 'CATEGORIES':
      if (!ids.length) throw bad('PROMOTION_INVALID', 'a CATEGORIES scope names categories');
      return { kind: 'CATEGORIES', categoryIds: ids.map((i) => uuid('scope_ids', i)) };
    default:
      throw bad('PROMOTION_INVALID', `scope_kind is CART, SKUS or CATEGORIES, not '${kind}'`);
  }
}

function conditionIn(c: marketingV1.PromotionCondition, i: number): Condition {
  const f = `conditions[${i}]`;
  switch (c.kind) {
    case 'MIN_SUBTOTAL':
      return { kind: c.kind, amount: money(`${f}.amount`, c.amount) };
    case 'MEMBER_TIER':
    case 'CHANNEL':
      if (!c.values.length) throw bad('PROMOTION_INVALID', `${f} lists values`);
      return c.kind === 'MEMBER_TIER'
        ? { kind: c.kind, tiers: c.values }
        : { kind: c.kind, channels: c.values };
    case 'FIRST_ORDER':
      return { kind: c.kind };
    case 'DATE_WINDOW':
      return { kind: c.kind, from: time(`${f}.from`, c.from), to: time(`${f}.to`, c.to) };
    default:
      throw bad(
        'PROMOTION_INVALID',
        `${f}.kind is MIN_SUBTOTAL, MEMBER_TIER, FIRST_ORDER, DATE_WINDOW or CHANNEL, not '${c.kind}'`,
      );
  }
}

function actionIn(a: marketingV1.PromotionAction | undefined): Action {
  if (!a) throw bad('PROMOTION_INVALID', 'action is required');
  switch (a.kind) {
    case 'AMOUNT_OFF':
      return { kind: a.kind, amount: money('action.amount', a.amount) };
    case 'PERCENT_OFF':
      return { kind: a.kind, basisPoints: a.basisPoints, cap: optionalMoney('action.cap', a.cap) };
    case 'TIERED_REDUCTION':
      return {
        kind: a.kind,
        tiers: a.tiers.map((t, i) => ({
          threshold: money(`action.tiers[${i}].threshold`, t.threshold),
          off: money(`action.tiers[${i}].off`, t.off),
        })),
      };
    case 'EVERY_REDUCTION':
      return {
        kind: a.kind,
        every: money('action.every', a.every),
        off: money('action.amount', a.amount),
        cap: optionalMoney('action.cap', a.cap),
      };
    case 'BUY_X_GET_Y':
      return { kind: a.kind, buy: a.buy, free: a.free };
    case 'GIFT':
      return { kind: a.kind, skuId: uuid('action.sku_id', a.skuId), quantity: a.quantity };
    case 'MEMBER_PRICE':
      return { kind: a.kind, unitPrice: money('action.amount', a.amount) };
    case 'FREE_SHIPPING':
      return { kind: a.kind };
    default:
      throw bad(
        'PROMOTION_INVALID',
        `action.kind is AMOUNT_OFF, PERCENT_OFF, TIERED_REDUCTION, EVERY_REDUCTION, BUY_X_GET_Y, GIFT, MEMBER_PRICE or FREE_SHIPPING, not '${a.kind}'`,
      );
  }
}

export function promotionIn(id: string, p: marketingV1.Promotion | undefined): PromotionRecord {
  if (!p) throw bad('PROMOTION_INVALID', 'promotion is required');
  return {
    id: uuid('promotion.id', id),
    name: p.name ?? '',
    priority: p.priority,
    exclusive: p.exclusive,
    scope: scopeIn(p.scopeKind, p.scopeIds),
    conditions: p.conditions.map(conditionIn),
    action: actionIn(p.action),
    campaignId: p.campaignId ? uuid('promotion.campaign_id', p.campaignId) : null,
    startsAt: optionalTime('promotion.starts_at', p.startsAt),
    endsAt: optionalTime('promotion.ends_at', p.endsAt),
    active: p.active,
    couponOnly: p.couponOnly,
  };
}

/**
 * A line of a sample cart (PreviewPromotion): the SKU and category ids are optional, for SKUS and
 * CATEGORIES scopes; the quantity is the domain's to check.
 */
export const sampleLineIn = (l: marketingV1.CartLineToPrice, i: number): CartLine => ({
  skuId: l.skuId ? uuid(`lines[${i}].sku_id`, l.skuId) : '',
  productId: '',
  categoryPathIds: l.categoryPathIds.map((c, k) => uuid(`lines[${i}].category_path_ids[${k}]`, c)),
  quantity: Number(l.quantity),
  unitPrice: money(`lines[${i}].unit_price`, l.unitPrice),
});

const emptyAction = (kind: string): marketingV1.PromotionAction => ({
  kind,
  amount: undefined,
  basisPoints: 0,
  cap: undefined,
  tiers: [],
  every: undefined,
  buy: 0,
  free: 0,
  skuId: '',
  quantity: 0,
});

function actionOut(a: Action): marketingV1.PromotionAction {
  const out = emptyAction(a.kind);
  switch (a.kind) {
    case 'AMOUNT_OFF':
      return { ...out, amount: moneyOut(a.amount) };
    case 'PERCENT_OFF':
      return { ...out, basisPoints: a.basisPoints, cap: a.cap && moneyOut(a.cap) };
    case 'TIERED_REDUCTION':
      return {
        ...out,
        tiers: a.tiers.map((t) => ({ threshold: moneyOut(t.threshold), off: moneyOut(t.off) })),
      };
    case 'EVERY_REDUCTION':
      return {
        ...out,
        every: moneyOut(a.every),
        amount: moneyOut(a.off),
        cap: a.cap && moneyOut(a.cap),
      };
    case 'BUY_X_GET_Y':
      return { ...out, buy: a.buy, free: a.free };
    case 'GIFT':
      return { ...out, skuId: a.skuId, quantity: a.quantity };
    case 'MEMBER_PRICE':
      return { ...out, amount: moneyOut(a.unitPrice) };
    case 'FREE_SHIPPING':
      return out;
  }
}

function conditionOut(c: Condition): marketingV1.PromotionCondition {
  const out = { kind: c.kind, amount: undefined, values: [] as string[], from: '', to: '' };
  switch (c.kind) {
    case 'MIN_SUBTOTAL':
      return { ...out, amount: moneyOut(c.amount) } as marketingV1.PromotionCondition;
    case 'MEMBER_TIER':
      return { ...out, values: c.tiers };
    case 'CHANNEL':
      return { ...out, values: c.channels };
    case 'DATE_WINDOW':
      return { ...out, from: c.from.toISOString(), to: c.to.toISOString() };
    case 'COUPON':
      return { ...out, values: [c.code] };
    default:
      return out;
  }
}

export const promotionOut = (p: PromotionRecord): marketingV1.Promotion => ({
  id: p.id,
  name: p.name,
  priority: p.priority,
  exclusive: p.exclusive,
  scopeKind: p.scope.kind,
  scopeIds:
    p.scope.kind === 'SKUS'
      ? p.scope.skuIds
      : p.scope.kind === 'CATEGORIES'
        ? p.scope.categoryIds
        : [],
  conditions: p.conditions.map(conditionOut),
  action: actionOut(p.action),
  campaignId: p.campaignId ?? '',
  startsAt: timeOut(p.startsAt),
  endsAt: timeOut(p.endsAt),
  active: p.active,
  couponOnly: p.couponOnly,
});

export const grantOut = (g: AudienceGrant): marketingV1.AudienceGrant => ({
  source: g.source,
  accountId: g.accountId,
  couponCode: g.couponCode ?? '',
  templateId: g.templateId,
  grantedAt: g.grantedAt.toISOString(),
  outcome: g.outcome,
  reason: g.reason,
});
