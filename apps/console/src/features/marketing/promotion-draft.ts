import { toMajor, toMinor } from '../../ui/money';
import { fromLocalInput, newId, toLocalInput, UUID, type Currency, type Schemas } from './shared';

export type PromotionView = Schemas['PromotionView'];
export type UpsertPromotion = Schemas['UpsertPromotionDto'];
export type PreviewBody = Schemas['PreviewPromotionDto'];

/** The kinds of action the API has (PromotionActionDto.kind), 满减 first. */
export const ACTION_KINDS = [
  'TIERED_REDUCTION',
  'EVERY_REDUCTION',
  'AMOUNT_OFF',
  'PERCENT_OFF',
  'BUY_X_GET_Y',
  'GIFT',
  'MEMBER_PRICE',
  'FREE_SHIPPING',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const SCOPE_KINDS = ['CART', 'CATEGORIES', 'SKUS'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** A 满减 tier as typed (major units; null while empty). */
export interface Tier {
  key: string;
  threshold: number | null;
  off: number | null;
}

/** A promotion as the editor holds it: amounts in major units, times as datetime-local values. */
export interface Draft {
  id: string;
  name: string;
  currency: Currency;
  priority: number | null;
  exclusive: boolean;
  active: boolean;
  couponOnly: boolean;
  scopeKind: ScopeKind;
  categoryIds: string[];
  skuIdsText: string;
  actionKind: ActionKind;
  tiers: Tier[];
  amount: number | null;
  percent: number | null;
  cap: number | null;
  every: number | null;
  buy: number | null;
  free: number | null;
  giftSkuId: string;
  giftQuantity: number | null;
  minSubtotal: number | null;
  firstOrder: boolean;
  memberTiers: string;
  channels: string;
  /** Conditions the editor does not edit (DATE_WINDOW), kept as they were. */
  otherConditions: Schemas['PromotionConditionDto'][];
  campaignId: string;
  startsAt: string;
  endsAt: string;
}

export const newTier = (threshold: number | null = null, off: number | null = null): Tier => ({
  key: newId(),
  threshold,
  off,
});

export function emptyDraft(): Draft {
  return {
    id: newId(),
    name: '',
    currency: 'CNY',
    priority: 0,
    exclusive: false,
    active: true,
    couponOnly: false,
    scopeKind: 'CART',
    categoryIds: [],
    skuIdsText: '',
    actionKind: 'TIERED_REDUCTION',
    tiers: [newTier()],
    amount: null,
    percent: null,
    cap: null,
    every: null,
    buy: 1,
    free: 1,
    giftSkuId: '',
    giftQuantity: 1,
    minSubtotal: null,
    firstOrder: false,
    memberTiers: '',
    channels: '',
    otherConditions: [],
    campaignId: '',
    startsAt: '',
    endsAt: '',
  };
}

const major = (m: Schemas['MoneyDto'] | null | undefined) => (m ? toMajor(m) : null);
const list = (text: string) =>
  text
    .split(/[\s,，、]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** A saved promotion, for the editor. */
export function fromView(p: PromotionView): Draft {
  const a = p.action;
  const currency = (a.tiers[0]?.threshold.currency ??
    a.amount?.currency ??
    a.every?.currency ??
    a.cap?.currency ??
    p.conditions.find((c) => c.amount)?.amount?.currency ??
    'CNY') as Currency;
  const d = emptyDraft();
  const cond = (kind: string) => p.conditions.find((c) => c.kind === kind);
  return {
    ...d,
    id: p.id,
    name: p.name,
    currency,
    priority: p.priority,
    exclusive: p.exclusive,
    active: p.active,
    couponOnly: p.couponOnly,
    scopeKind: (SCOPE_KINDS as readonly string[]).includes(p.scopeKind)
      ? (p.scopeKind as ScopeKind)
      : 'CART',
    categoryIds: p.scopeKind === 'CATEGORIES' ? p.scopeIds : [],
    skuIdsText: p.scopeKind === 'SKUS' ? p.scopeIds.join('\n') : '',
    actionKind: (ACTION_KINDS as readonly string[]).includes(a.kind)
      ? (a.kind as ActionKind)
      : 'TIERED_REDUCTION',
    tiers:
      a.tiers.length > 0
        ? a.tiers.map((t) => newTier(toMajor(t.threshold), toMajor(t.off)))
        : [newTier()],
    amount: major(a.amount),
    percent: a.kind === 'PERCENT_OFF' ? a.basisPoints / 100 : null,
    cap: major(a.cap),
    every: major(a.every),
    buy: a.kind === 'BUY_X_GET_Y' ? a.buy : 1,
    free: a.kind === 'BUY_X_GET_Y' ? a.free : 1,
    giftSkuId: a.skuId ?? '',
    giftQuantity: a.kind === 'GIFT' ? a.quantity : 1,
    minSubtotal: major(cond('MIN_SUBTOTAL')?.amount),
    firstOrder: Boolean(cond('FIRST_ORDER')),
    memberTiers: (cond('MEMBER_TIER')?.values ?? []).join(', '),
    channels: (cond('CHANNEL')?.values ?? []).join(', '),
    otherConditions: p.conditions
      .filter((c) => !['MIN_SUBTOTAL', 'FIRST_ORDER', 'MEMBER_TIER', 'CHANNEL'].includes(c.kind))
      .map((c) => ({ kind: c.kind, amount: c.amount, values: c.values, from: c.from, to: c.to })),
    campaignId: p.campaignId ?? '',
    startsAt: toLocalInput(p.startsAt),
    endsAt: toLocalInput(p.endsAt),
  };
}

/** Messages of the editor's checks (ids of the marketing part's messages). */
export type DraftErrors = Record<string, string>;

/**
 * The editor's own checks, by field, before anything is sent: what the marketing service would
 * refuse (PROMOTION_INVALID), said next to the field. Values are message ids.
 */
export function validateDraft(d: Draft): DraftErrors {
  const e: DraftErrors = {};
  if (!d.name.trim()) e.name = 'marketing.err.required';
  if (d.priority === null || !Number.isInteger(d.priority)) e.priority = 'marketing.err.priority';
  const positive = (key: string, v: number | null) => {
    if (v === null) e[key] = 'marketing.err.required';
    else if (v <= 0) e[key] = 'marketing.err.positive';
  };
  switch (d.actionKind) {
    case 'TIERED_REDUCTION': {
      let previous: number | null = null;
      d.tiers.forEach((t, i) => {
        if (t.threshold === null) e[`tiers.${i}.threshold`] = 'marketing.err.required';
        else if (t.threshold <= 0) e[`tiers.${i}.threshold`] = 'marketing.err.positive';
        else if (previous !== null && t.threshold <= previous)
          e[`tiers.${i}.threshold`] = 'marketing.err.tierIncreasing';
        if (t.off === null) e[`tiers.${i}.off`] = 'marketing.err.required';
        else if (t.off <= 0) e[`tiers.${i}.off`] = 'marketing.err.positive';
        else if (t.threshold !== null && t.off > t.threshold)
          e[`tiers.${i}.off`] = 'marketing.err.offOverThreshold';
        if (t.threshold !== null) previous = t.threshold;
      });
      if (d.tiers.length === 0) e.tiers = 'marketing.err.tiersNone';
      break;
    }
    case 'EVERY_REDUCTION':
      positive('every', d.every);
      positive('amount', d.amount);
      if (d.every !== null && d.amount !== null && d.amount > d.every)
        e.amount = 'marketing.err.offOverEvery';
      break;
    case 'AMOUNT_OFF':
      positive('amount', d.amount);
      break;
    case 'MEMBER_PRICE':
      if (d.amount === null) e.amount = 'marketing.err.required';
      break;
    case 'PERCENT_OFF':
      if (d.percent === null) e.percent = 'marketing.err.required';
      else if (d.percent <= 0 || d.percent > 100) e.percent = 'marketing.err.percent';
      else if (!Number.isInteger(Math.round(d.percent * 100 * 1e6) / 1e6))
        e.percent = 'marketing.err.percentStep';
      break;
    case 'BUY_X_GET_Y':
      if (d.buy === null || d.buy < 1 || !Number.isInteger(d.buy))
        e.buy = 'marketing.err.wholeFrom1';
      if (d.free === null || d.free < 1 || !Number.isInteger(d.free))
        e.free = 'marketing.err.wholeFrom1';
      break;
    case 'GIFT':
      if (!UUID.test(d.giftSkuId.trim())) e.giftSkuId = 'marketing.err.uuid';
      if (d.giftQuantity === null || d.giftQuantity < 1 || !Number.isInteger(d.giftQuantity))
        e.giftQuantity = 'marketing.err.wholeFrom1';
      break;
    case 'FREE_SHIPPING':
      break;
  }
  if (d.scopeKind === 'CATEGORIES' && d.categoryIds.length === 0)
    e.categoryIds = 'marketing.err.categoriesNone';
  if (d.scopeKind === 'SKUS') {
    const ids = list(d.skuIdsText);
    if (ids.length === 0) e.skuIds = 'marketing.err.skusNone';
    else if (ids.some((id) => !UUID.test(id))) e.skuIds = 'marketing.err.uuid';
  }
  if (d.minSubtotal !== null && d.minSubtotal < 0) e.minSubtotal = 'marketing.err.positive';
  const starts = fromLocalInput(d.startsAt);
  const ends = fromLocalInput(d.endsAt);
  if (starts && ends && new Date(ends) <= new Date(starts)) e.endsAt = 'marketing.err.window';
  return e;
}

/** The draft as `PUT /v1/admin/promotions/{id}` takes it (a valid draft). */
export function toUpsert(d: Draft): UpsertPromotion {
  const money = (major: number | null) =>
    major === null ? null : { amountMinor: toMinor(major, d.currency), currency: d.currency };
  const a = d.actionKind;
  const action: UpsertPromotion['action'] = { kind: a };
  if (a === 'TIERED_REDUCTION')
    action.tiers = d.tiers.map((t) => ({
      threshold: money(t.threshold)!,
      off: money(t.off)!,
    }));
  if (a === 'EVERY_REDUCTION') {
    action.every = money(d.every);
    action.amount = money(d.amount);
    if (d.cap !== null) action.cap = money(d.cap);
  }
  if (a === 'AMOUNT_OFF' || a === 'MEMBER_PRICE') action.amount = money(d.amount);
  if (a === 'PERCENT_OFF') {
    action.basisPoints = Math.round((d.percent ?? 0) * 100);
    if (d.cap !== null) action.cap = money(d.cap);
  }
  if (a === 'BUY_X_GET_Y') {
    action.buy = d.buy ?? 1;
    action.free = d.free ?? 1;
  }
  if (a === 'GIFT') {
    action.skuId = d.giftSkuId.trim();
    action.quantity = d.giftQuantity ?? 1;
  }
  const conditions: Schemas['PromotionConditionDto'][] = [...d.otherConditions];
  if (d.minSubtotal !== null && d.minSubtotal > 0)
    conditions.push({ kind: 'MIN_SUBTOTAL', amount: money(d.minSubtotal) });
  if (d.firstOrder) conditions.push({ kind: 'FIRST_ORDER' });
  if (list(d.memberTiers).length > 0)
    conditions.push({ kind: 'MEMBER_TIER', values: list(d.memberTiers) });
  if (list(d.channels).length > 0) conditions.push({ kind: 'CHANNEL', values: list(d.channels) });
  return {
    name: d.name.trim(),
    priority: d.priority ?? 0,
    exclusive: d.exclusive,
    active: d.active,
    couponOnly: d.couponOnly,
    scopeKind: d.scopeKind,
    scopeIds:
      d.scopeKind === 'CATEGORIES'
        ? d.categoryIds
        : d.scopeKind === 'SKUS'
          ? list(d.skuIdsText)
          : [],
    conditions,
    action,
    campaignId: d.campaignId || null,
    startsAt: fromLocalInput(d.startsAt),
    endsAt: fromLocalInput(d.endsAt),
  };
}

export const scopeSkuIds = (d: Draft) => (d.scopeKind === 'SKUS' ? list(d.skuIdsText) : []);
