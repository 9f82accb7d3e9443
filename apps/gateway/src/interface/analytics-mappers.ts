import type { analyticsV1, commonV1 } from '@emporia/contracts';
import type {
  AbandonedCartView,
  AttributionRowView,
  ExperimentResultsView,
  ExperimentView,
  FunnelView,
  InventoryHealthView,
  KpiFiguresView,
  KpiRowView,
  KpisView,
  PriceSuggestionView,
  PricingPolicyView,
  RetentionView,
  RfmView,
} from './dto/analytics-views.dto';
import type { UpsertExperimentDto, UpsertPricingPolicyDto } from './dto/analytics.dto';
import type { BehaviourEventDto, EventErrorView, EventsAcceptedView } from './dto/events.dto';
import type { MoneyDto } from './dto/money.dto';
import { ProblemError } from './problem';

/**
 * Analytics messages ↔ JSON: camelCase fields, money as {amountMinor, currency}, a field the
 * client left out is the proto default ('' / 0), an optional string the backend leaves empty
 * is null.
 */

type Money = commonV1.Money;

const money = (m: Money | undefined): MoneyDto => ({
  amountMinor: Number(m?.amountMinor ?? 0),
  currency: m?.currency ?? '',
});
const toMoney = (m: MoneyDto): Money => ({ amountMinor: m.amountMinor, currency: m.currency });

// ---- collection

export function eventToProto(e: BehaviourEventDto): analyticsV1.BehaviourEvent {
  return {
    eventId: e.eventId ?? '',
    type: e.type ?? '',
    anonymousId: e.anonymousId ?? '',
    // set by the service from the request's account_id (the token), never from the body
    accountId: '',
    sessionId: e.sessionId ?? '',
    occurredAt: e.occurredAt ?? '',
    receivedAt: '',
    channel: e.channel ?? '',
    utm: {
      source: e.utm?.source ?? '',
      medium: e.utm?.medium ?? '',
      campaign: e.utm?.campaign ?? '',
      term: e.utm?.term ?? '',
      content: e.utm?.content ?? '',
    },
    referrer: e.referrer ?? '',
    device: {
      type: e.device?.type ?? '',
      os: e.device?.os ?? '',
      browser: e.device?.browser ?? '',
    },
    page: e.page ?? '',
    productId: e.productId ?? '',
    skuId: e.skuId ?? '',
    quantity: e.quantity ?? 0,
    query: e.query ?? '',
    resultCount: e.resultCount ?? 0,
    bannerId: e.bannerId ?? '',
    experimentKey: e.experimentKey ?? '',
    variant: e.variant ?? '',
  };
}

/** The batch for the analytics service: the account from the token, the receive time now. */
export const ingestRequest = (
  events: BehaviourEventDto[],
  accountId: string | undefined,
  receivedAt: Date,
): analyticsV1.IngestBehaviourEventsRequest => ({
  events: events.map(eventToProto),
  receivedAt: receivedAt.toISOString(),
  accountId: accountId ?? '',
});

/** Proto field paths (`occurred_at`, `utm.source`) as the JSON names them (`occurredAt`). */
export const jsonField = (field: string): string =>
  field.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * Every event accepted: 202's body. Any refused: a 400 problem INVALID_EVENTS naming each, with
 * how many of the batch were kept (they are: the valid ones are not sent again).
 */
export function ingestResult(r: analyticsV1.IngestBehaviourEventsResponse): EventsAcceptedView {
  if (r.rejected.length === 0) return { accepted: r.accepted, rejected: [] };
  const errors: EventErrorView[] = r.rejected.map((x) => ({
    index: x.index,
    eventId: x.eventId,
    field: jsonField(x.field),
    code: x.code,
    detail: x.detail,
    message: x.detail,
  }));
  throw new ProblemError(
    400,
    'INVALID_EVENTS',
    `${errors.length} event(s) refused: ${errors
      .slice(0, 5)
      .map((e) => `events.${e.index}.${e.field} ${e.code}`)
      .join('; ')}${errors.length > 5 ? '; …' : ''}; ${r.accepted} kept`,
    errors,
    undefined,
    { accepted: r.accepted },
  );
}

/**
 * What a batch costs under the events rate limit: its events (at least 1, at most the batch
 * limit: a larger batch is refused anyway), and per anonymous id its events.
 */
export function weighEvents(
  body: unknown,
  maxBatch: number,
): { cost: number; visitors: Map<string, number> } {
  const visitors = new Map<string, number>();
  const events = (body as { events?: unknown } | null | undefined)?.events;
  if (!Array.isArray(events)) return { cost: 1, visitors };
  for (const e of events.slice(0, maxBatch)) {
    const id = (e as { anonymousId?: unknown } | null)?.anonymousId;
    if (typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id))
      visitors.set(id, (visitors.get(id) ?? 0) + 1);
  }
  return { cost: Math.max(1, Math.min(events.length, maxBatch)), visitors };
}

// ---- operator figures

const kpiFigures = (r: analyticsV1.KpiRow): KpiFiguresView => ({
  channel: r.channel,
  gmv: money(r.gmv),
  orders: Number(r.orders),
  paidOrders: Number(r.paidOrders),
  aov: money(r.aov),
  units: Number(r.units),
  refunds: money(r.refunds),
  newBuyers: Number(r.newBuyers),
  returningBuyers: Number(r.returningBuyers),
});

export const kpisView = (r: analyticsV1.GetKpisResponse): KpisView => ({
  rows: r.rows.map((row): KpiRowView => ({ day: row.day, ...kpiFigures(row) })),
  total: r.total ? kpiFigures(r.total) : null,
});

export const funnelView = (r: analyticsV1.GetFunnelResponse): FunnelView => ({
  steps: r.steps.map((s) => ({
    step: s.step,
    visitors: Number(s.visitors),
    conversion: s.conversion,
    dropOff: s.dropOff,
  })),
});

export const retentionView = (r: analyticsV1.GetRetentionResponse): RetentionView => ({
  repurchaseRate: r.repurchaseRate,
  buyers: Number(r.buyers),
  repeatBuyers: Number(r.repeatBuyers),
  cohorts: r.cohorts.map((c) => ({
    month: c.month,
    buyers: Number(c.buyers),
    retained: c.retained.map(Number),
  })),
});

export const rfmView = (r: analyticsV1.GetRfmResponse): RfmView => ({
  segments: r.segments.map((s) => ({
    name: s.name,
    accounts: Number(s.accounts),
    monetary: money(s.monetary),
  })),
  accounts: r.accounts.map((a) => ({
    accountId: a.accountId,
    recency: a.recency,
    frequency: a.frequency,
    monetary: a.monetary,
    segment: a.segment,
    daysSinceLastOrder: a.daysSinceLastOrder,
    paidOrders: Number(a.paidOrders),
    spent: money(a.spent),
  })),
  asOf: r.asOf,
});

export const inventoryView = (r: analyticsV1.GetInventoryHealthResponse): InventoryHealthView => ({
  skus: r.skus.map((s) => ({
    skuId: s.skuId,
    productId: s.productId,
    categoryId: s.categoryId,
    onHand: Number(s.onHand),
    unitsSold: Number(s.unitsSold),
    turnover: s.turnover,
    daysOfSupply: s.daysOfSupply,
    sellThrough: s.sellThrough,
    slowMover: s.slowMover,
    stockoutRisk: s.stockoutRisk,
  })),
  categories: r.categories.map((c) => ({
    categoryId: c.categoryId,
    onHand: Number(c.onHand),
    unitsSold: Number(c.unitsSold),
    turnover: c.turnover,
    daysOfSupply: c.daysOfSupply,
    sellThrough: c.sellThrough,
  })),
});

export const attributionRowView = (r: analyticsV1.AttributionRow): AttributionRowView => ({
  utmSource: r.utmSource,
  utmMedium: r.utmMedium,
  utmCampaign: r.utmCampaign,
  paidOrders: Number(r.paidOrders),
  gmv: money(r.gmv),
});

export const abandonedCartView = (c: analyticsV1.AbandonedCart): AbandonedCartView => ({
  accountId: c.accountId,
  cartUpdatedAt: c.cartUpdatedAt,
  abandonedAt: c.abandonedAt,
  items: c.items,
  subtotal: money(c.subtotal),
  recovered: c.recovered,
});

// ---- experiments

export const experimentToProto = (key: string, b: UpsertExperimentDto): analyticsV1.Experiment => ({
  key,
  name: b.name,
  variants: b.variants.map((v) => ({ key: v.key, weight: v.weight })),
  startAt: b.startAt,
  stopAt: b.stopAt,
  primaryMetric: b.primaryMetric,
  status: '',
});

export const experimentView = (e: analyticsV1.Experiment): ExperimentView => ({
  key: e.key,
  name: e.name,
  variants: e.variants.map((v) => ({ key: v.key, weight: v.weight })),
  startAt: e.startAt,
  stopAt: e.stopAt,
  primaryMetric: e.primaryMetric,
  status: e.status,
});

export const experimentResultsView = (
  r: analyticsV1.GetExperimentResultsResponse,
): ExperimentResultsView => ({
  experiment: experimentView(r.experiment!),
  variants: r.variants.map((v) => ({
    variant: v.variant,
    users: Number(v.users),
    conversions: Number(v.conversions),
    rate: v.rate,
    absoluteUplift: v.absoluteUplift,
    relativeUplift: v.relativeUplift,
    ciLow: v.ciLow,
    ciHigh: v.ciHigh,
    pValue: v.pValue,
    significant: v.significant,
  })),
  srmPValue: r.srmPValue,
  sampleRatioMismatch: r.sampleRatioMismatch,
});

// ---- pricing

export const pricingPolicyToProto = (
  skuId: string,
  b: UpsertPricingPolicyDto,
): analyticsV1.PricingPolicy => ({
  skuId,
  floor: toMoney(b.floor),
  ceiling: toMoney(b.ceiling),
  unitCost: toMoney(b.unitCost),
  minMarginBps: b.minMarginBps,
  targetSellThrough: b.targetSellThrough,
  targetDaysOfSupply: b.targetDaysOfSupply,
  enabled: b.enabled,
});

export const pricingPolicyView = (p: analyticsV1.PricingPolicy): PricingPolicyView => ({
  skuId: p.skuId,
  floor: money(p.floor),
  ceiling: money(p.ceiling),
  unitCost: money(p.unitCost),
  minMarginBps: p.minMarginBps,
  targetSellThrough: p.targetSellThrough,
  targetDaysOfSupply: p.targetDaysOfSupply,
  enabled: p.enabled,
});

export const priceSuggestionView = (s: analyticsV1.PriceSuggestion): PriceSuggestionView => ({
  id: s.id,
  skuId: s.skuId,
  currentPrice: money(s.currentPrice),
  suggestedPrice: money(s.suggestedPrice),
  reasons: s.reasons,
  elasticity: s.elasticity,
  daysOfSupply: s.daysOfSupply,
  sellThrough: s.sellThrough,
  status: s.status,
  createdAt: s.createdAt,
  decidedBy: s.decidedBy || null,
  decidedAt: s.decidedAt || null,
});
