import type { commonV1, marketingV1 } from '@emporia/contracts';
import type {
  CampaignView,
  CouponTemplateView,
  CreateCouponTemplateDto,
  CreateFlashSaleDto,
  CreateGroupDealDto,
  FlashSaleDetailView,
  FlashSaleView,
  GroupDealView,
  PreviewPromotionDto,
  PromotionActionDto,
  PromotionConditionDto,
  PromotionPreviewView,
  PromotionView,
  UpsertCampaignDto,
  UpsertPromotionDto,
} from './dto/marketing-admin.dto';
import type { CouponView, FlashWinView, GroupView } from './dto/marketing.dto';
import type { MoneyDto } from './dto/money.dto';
import { ProblemError, problemBody, type Problem } from './problem';

/**
 * Marketing messages ↔ JSON: camelCase fields; money as {amountMinor, currency}; a message or
 * optional string the backend leaves unset is null; an omitted optional field is the proto
 * default ('' / 0 / false / []).
 */

type Money = commonV1.Money;

const money = (m: Money | undefined): MoneyDto => ({
  amountMinor: Number(m?.amountMinor ?? 0),
  currency: m?.currency ?? '',
});
const maybeMoney = (m: Money | undefined): MoneyDto | null => (m ? money(m) : null);
const toMoney = (m: MoneyDto): Money => ({ amountMinor: m.amountMinor, currency: m.currency });
const toMaybeMoney = (m: MoneyDto | undefined | null): Money | undefined =>
  m ? toMoney(m) : undefined;

// ---- requests

export const campaignToProto = (id: string, b: UpsertCampaignDto): marketingV1.Campaign => ({
  id,
  name: b.name,
  startsAt: b.startsAt,
  endsAt: b.endsAt,
  active: b.active,
});

const conditionToProto = (c: PromotionConditionDto): marketingV1.PromotionCondition => ({
  kind: c.kind,
  amount: toMaybeMoney(c.amount),
  values: c.values ?? [],
  from: c.from ?? '',
  to: c.to ?? '',
});

const actionToProto = (a: PromotionActionDto): marketingV1.PromotionAction => ({
  kind: a.kind,
  amount: toMaybeMoney(a.amount),
  basisPoints: a.basisPoints ?? 0,
  cap: toMaybeMoney(a.cap),
  tiers: (a.tiers ?? []).map((t) => ({ threshold: toMoney(t.threshold), off: toMoney(t.off) })),
  every: toMaybeMoney(a.every),
  buy: a.buy ?? 0,
  free: a.free ?? 0,
  skuId: a.skuId ?? '',
  quantity: a.quantity ?? 0,
});

export const promotionToProto = (id: string, b: UpsertPromotionDto): marketingV1.Promotion => ({
  id,
  name: b.name,
  priority: b.priority ?? 0,
  exclusive: b.exclusive ?? false,
  scopeKind: b.scopeKind,
  scopeIds: b.scopeIds ?? [],
  conditions: (b.conditions ?? []).map(conditionToProto),
  action: actionToProto(b.action),
  campaignId: b.campaignId ?? '',
  startsAt: b.startsAt ?? '',
  endsAt: b.endsAt ?? '',
  active: b.active,
  couponOnly: b.couponOnly ?? false,
});

export const couponTemplateToProto = (b: CreateCouponTemplateDto): marketingV1.CouponTemplate => ({
  id: '',
  name: b.name,
  promotionId: b.promotionId,
  totalLimit: b.totalLimit,
  perUserLimit: b.perUserLimit,
  validFrom: b.validFrom,
  validTo: b.validTo,
  issued: 0,
});

export const flashSaleToProto = (b: CreateFlashSaleDto): marketingV1.FlashSale => ({
  id: '',
  skuId: b.skuId,
  price: toMoney(b.price),
  stock: b.stock,
  perUserLimit: b.perUserLimit,
  startsAt: b.startsAt,
  endsAt: b.endsAt,
});

export const groupDealToProto = (b: CreateGroupDealDto): marketingV1.GroupDeal => ({
  id: '',
  skuId: b.skuId,
  price: toMoney(b.price),
  groupSize: b.groupSize,
  windowSeconds: b.windowSeconds,
  startsAt: b.startsAt,
  endsAt: b.endsAt,
});

// ---- responses

export const campaignView = (c: marketingV1.Campaign): CampaignView => ({
  id: c.id,
  name: c.name,
  startsAt: c.startsAt,
  endsAt: c.endsAt,
  active: c.active,
});

export const promotionView = (p: marketingV1.Promotion): PromotionView => {
  const a = p.action;
  return {
    id: p.id,
    name: p.name,
    priority: p.priority,
    exclusive: p.exclusive,
    scopeKind: p.scopeKind,
    scopeIds: p.scopeIds,
    conditions: p.conditions.map((c) => ({
      kind: c.kind,
      amount: maybeMoney(c.amount),
      values: c.values,
      from: c.from || null,
      to: c.to || null,
    })),
    action: {
      kind: a?.kind ?? '',
      amount: maybeMoney(a?.amount),
      basisPoints: a?.basisPoints ?? 0,
      cap: maybeMoney(a?.cap),
      tiers: (a?.tiers ?? []).map((t) => ({ threshold: money(t.threshold), off: money(t.off) })),
      every: maybeMoney(a?.every),
      buy: a?.buy ?? 0,
      free: a?.free ?? 0,
      skuId: a?.skuId || null,
      quantity: a?.quantity ?? 0,
    },
    campaignId: p.campaignId || null,
    startsAt: p.startsAt || null,
    endsAt: p.endsAt || null,
    active: p.active,
    couponOnly: p.couponOnly,
  };
};

export const couponTemplateView = (t: marketingV1.CouponTemplate): CouponTemplateView => ({
  id: t.id,
  name: t.name,
  promotionId: t.promotionId,
  totalLimit: t.totalLimit,
  perUserLimit: t.perUserLimit,
  validFrom: t.validFrom,
  validTo: t.validTo,
  issued: t.issued,
});

export const flashSaleView = (s: marketingV1.FlashSale): FlashSaleView => ({
  id: s.id,
  skuId: s.skuId,
  price: money(s.price),
  stock: s.stock,
  perUserLimit: s.perUserLimit,
  startsAt: s.startsAt,
  endsAt: s.endsAt,
});

/** A sale with its reconciliation: GetFlashSale's answer, or an item of ListFlashSales. */
export const flashSaleDetailView = (
  r: marketingV1.GetFlashSaleResponse | marketingV1.FlashSaleDetail,
): FlashSaleDetailView => ({
  ...flashSaleView(r.sale!),
  reconciliation: {
    redisRemaining: r.reconciliation?.redisRemaining ?? 0,
    held: r.reconciliation?.held ?? 0,
    paid: r.reconciliation?.paid ?? 0,
    drift: r.reconciliation?.drift ?? 0,
  },
});

/** The draft (its id is not read) and its sample cart, as PreviewPromotion takes them. */
export const previewToProto = (b: PreviewPromotionDto): marketingV1.PreviewPromotionRequest => {
  const { lines, context, ...draft } = b;
  return {
    promotion: promotionToProto('', draft),
    lines: lines.map((l) => ({
      skuId: l.skuId ?? '',
      productId: '',
      categoryPathIds: l.categoryId ? [l.categoryId] : [],
      quantity: l.quantity,
      unitPrice: toMoney(l.unitPrice),
    })),
    memberTier: context?.memberTier ?? '',
    firstOrder: context?.firstOrder ?? false,
    channel: context?.channel ?? '',
    at: context?.at ?? '',
  };
};

/** The priced sample cart; each line keeps the ids it was sent with (null when none). */
export const promotionPreviewView = (
  r: marketingV1.PreviewPromotionResponse,
  sent: PreviewPromotionDto,
): PromotionPreviewView => ({
  lines: r.lines.map((l, i) => ({
    skuId: sent.lines[i]?.skuId ?? null,
    categoryId: sent.lines[i]?.categoryId ?? null,
    quantity: Number(l.quantity),
    unitPrice: money(l.unitPrice),
    discount: money(l.discount),
    total: money(l.total),
  })),
  subtotal: money(r.subtotal),
  discount: money(r.discount),
  total: money(r.total),
  discounts: r.applied.map((a) => ({
    promotionName: a.promotionName,
    amount: money(a.discount),
    explanation: a.explanation,
  })),
  gifts: r.gifts.map((g) => ({ skuId: g.skuId, quantity: g.quantity })),
  inForce: r.inForce,
});

export const groupDealView = (d: marketingV1.GroupDeal): GroupDealView => ({
  id: d.id,
  skuId: d.skuId,
  price: money(d.price),
  groupSize: d.groupSize,
  windowSeconds: d.windowSeconds,
  startsAt: d.startsAt,
  endsAt: d.endsAt,
});

export const couponView = (c: marketingV1.Coupon): CouponView => ({
  code: c.code,
  templateId: c.templateId,
  name: c.name,
  status: c.status,
  orderId: c.orderId || null,
  validFrom: c.validFrom,
  validTo: c.validTo,
});

export const groupView = (g: marketingV1.Group): GroupView => ({
  id: g.id,
  dealId: g.dealId,
  size: g.size,
  joined: g.joined,
  status: g.status,
  deadline: g.deadline,
});

/** A lost flash-sale attempt: an expected outcome for marketing, a 409 for the HTTP caller. */
const LOST: Record<string, { code: string; detail: string }> = {
  SOLD_OUT: {
    code: 'FLASH_SALE_SOLD_OUT',
    detail: 'the flash sale is sold out: no units are left in its pool',
  },
  LIMIT_REACHED: {
    code: 'FLASH_SALE_LIMIT_REACHED',
    detail: 'this account has won as many units of the flash sale as one account may',
  },
  NOT_STARTED: {
    code: 'FLASH_SALE_NOT_STARTED',
    detail: 'the flash sale has not started yet; try again once it starts',
  },
  ENDED: { code: 'FLASH_SALE_ENDED', detail: 'the flash sale has ended' },
};

/** WON → the win (token for checkout); a known loss → 409 problem; anything else is a bug. */
/** The 409 problem of a lost attempt, as flashAttemptResult throws it, to answer without throwing. */
export function lostFlashAttemptProblem(result: 'SOLD_OUT' | 'LIMIT_REACHED'): Problem {
  const lost = LOST[result];
  return problemBody(409, lost.code, lost.detail);
}

export function flashAttemptResult(r: marketingV1.AttemptFlashPurchaseResponse): FlashWinView {
  if (r.result === 'WON') return { result: 'WON', token: r.token, expiresAt: r.expiresAt };
  const lost = LOST[r.result];
  if (lost) throw new ProblemError(409, lost.code, lost.detail);
  throw new Error(`marketing answered an unknown flash-sale result '${r.result}'`);
}
