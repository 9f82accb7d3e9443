/**
 * The collector's check of a storefront behaviour event (IngestBehaviourEvents): every problem
 * of an event is named (index, event id, field, code), nothing is thrown for an event's own
 * problems; a valid event comes out normalised (ids lower-cased, account from the request,
 * its time fixed by `eventTime`).
 */
import { BEHAVIOUR_TYPES, eventTime, type BehaviourType } from './facts';

/** A behaviour event as sent (the shape of the contract's BehaviourEvent). */
export interface RawBehaviourEvent {
  eventId: string;
  type: string;
  anonymousId: string;
  accountId: string;
  sessionId: string;
  occurredAt: string;
  receivedAt: string;
  channel: string;
  utm?: { source: string; medium: string; campaign: string; term: string; content: string };
  referrer: string;
  device?: { type: string; os: string; browser: string };
  page: string;
  productId: string;
  skuId: string;
  quantity: number;
  query: string;
  resultCount: number;
  bannerId: string;
  experimentKey: string;
  variant: string;
}

/** A checked event, ready to publish: every optional part present. */
export type CollectedEvent = Required<RawBehaviourEvent> & { type: BehaviourType };

export type RejectionCode =
  | 'REQUIRED'
  | 'INVALID_UUID'
  | 'INVALID_FORMAT'
  | 'INVALID_TIME'
  | 'UNKNOWN_VALUE'
  | 'TOO_LONG'
  | 'OUT_OF_RANGE';

export interface EventRejection {
  index: number;
  eventId: string;
  field: string;
  code: RejectionCode;
  detail: string;
}

export const CHANNELS = ['web', 'app', 'mini_program'] as const;
export const DEVICE_TYPES = ['mobile', 'desktop', 'tablet', 'app'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ANON = /^[A-Za-z0-9_-]{1,64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export const isUuid = (v: string): boolean => UUID.test(v);

/** An RFC 3339 time, or null when `v` is not one. */
export function parseRfc3339(v: string): Date | null {
  if (!RFC3339.test(v)) return null;
  const at = new Date(v);
  return Number.isNaN(at.getTime()) ? null : at;
}

export interface CollectOptions {
  receivedAt: Date;
  /** The signed-in caller: when set, it replaces the event's own account id. */
  accountId: string;
  skewMs: number;
  maxLateMs: number;
}

const CART_TYPES: readonly string[] = ['add_to_cart', 'remove_from_cart'];
const PRODUCT_TYPES: readonly string[] = ['product_view', ...CART_TYPES];

/** Checks one event: its problems, or the event as it will be published. */
export function collectEvent(
  e: RawBehaviourEvent,
  index: number,
  opts: CollectOptions,
): { event: CollectedEvent } | { problems: EventRejection[] } {
  const problems: EventRejection[] = [];
  const eventId = e.eventId ?? '';
  const bad = (field: string, code: RejectionCode, detail: string) =>
    problems.push({ index, eventId, field, code, detail });
  const uuid = (field: string, v: string, required: boolean) => {
    if (!v) {
      if (required) bad(field, 'REQUIRED', `${field} is required`);
    } else if (!UUID.test(v)) bad(field, 'INVALID_UUID', `${field} must be a UUID`);
  };
  const length = (field: string, v: string, max: number) => {
    if (v.length > max) bad(field, 'TOO_LONG', `${field} is longer than ${max} characters`);
  };
  const oneOf = (field: string, v: string, allowed: readonly string[]) => {
    if (v && !allowed.includes(v))
      bad(field, 'UNKNOWN_VALUE', `${field} must be one of ${allowed.join(', ')} (or empty)`);
  };

  uuid('event_id', eventId, true);
  const type = e.type ?? '';
  if (!type) bad('type', 'REQUIRED', 'type is required');
  else if (!(BEHAVIOUR_TYPES as readonly string[]).includes(type))
    bad('type', 'UNKNOWN_VALUE', `type must be one of ${BEHAVIOUR_TYPES.join(', ')}`);
  const anon = e.anonymousId ?? '';
  if (!anon) bad('anonymous_id', 'REQUIRED', 'anonymous_id is required');
  else if (!ANON.test(anon))
    bad('anonymous_id', 'INVALID_FORMAT', 'anonymous_id must be 1 to 64 of [A-Za-z0-9_-]');
  if (!opts.accountId) uuid('account_id', e.accountId ?? '', false);
  const clientTime = parseRfc3339(e.occurredAt ?? '');
  if (!e.occurredAt) bad('occurred_at', 'REQUIRED', 'occurred_at is required');
  else if (!clientTime) bad('occurred_at', 'INVALID_TIME', 'occurred_at must be an RFC 3339 time');
  length('session_id', e.sessionId ?? '', 64);
  oneOf('channel', e.channel ?? '', CHANNELS);
  oneOf('device.type', e.device?.type ?? '', DEVICE_TYPES);
  length('device.os', e.device?.os ?? '', 200);
  length('device.browser', e.device?.browser ?? '', 200);
  for (const k of ['source', 'medium', 'campaign', 'term', 'content'] as const)
    length(`utm.${k}`, e.utm?.[k] ?? '', 200);
  length('referrer', e.referrer ?? '', 2048);
  length('page', e.page ?? '', 2048);

  if (PRODUCT_TYPES.includes(type)) {
    uuid('product_id', e.productId ?? '', true);
    uuid('sku_id', e.skuId ?? '', false);
  }
  if (CART_TYPES.includes(type)) {
    const q = e.quantity ?? 0;
    if (!Number.isInteger(q) || q < 1 || q > 999)
      bad('quantity', 'OUT_OF_RANGE', 'quantity must be 1 to 999');
  }
  if (type === 'search') {
    const q = e.query ?? '';
    if (!q.trim()) bad('query', 'REQUIRED', 'query is required for a search');
    else length('query', q, 200);
  }
  if (type === 'banner_click') {
    const b = e.bannerId ?? '';
    if (!b) bad('banner_id', 'REQUIRED', 'banner_id is required for a banner_click');
    else length('banner_id', b, 64);
  }
  if (type === 'experiment_exposure') {
    if (!e.experimentKey) bad('experiment_key', 'REQUIRED', 'experiment_key is required');
    else length('experiment_key', e.experimentKey, 64);
    if (!e.variant) bad('variant', 'REQUIRED', 'variant is required');
    else length('variant', e.variant, 64);
  }
  if (problems.length > 0 || !clientTime) return { problems };

  const lower = (v: string | undefined) => (v ?? '').toLowerCase();
  const at = eventTime(clientTime, opts.receivedAt, opts);
  return {
    event: {
      eventId: lower(eventId),
      type: type as BehaviourType,
      anonymousId: anon,
      accountId: lower(opts.accountId || e.accountId),
      sessionId: e.sessionId ?? '',
      occurredAt: at.toISOString(),
      receivedAt: opts.receivedAt.toISOString(),
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
      productId: PRODUCT_TYPES.includes(type) ? lower(e.productId) : '',
      skuId: PRODUCT_TYPES.includes(type) ? lower(e.skuId) : '',
      quantity: CART_TYPES.includes(type) ? e.quantity : 0,
      query: type === 'search' ? e.query : '',
      resultCount: type === 'search' ? Math.max(0, e.resultCount ?? 0) : 0,
      bannerId: type === 'banner_click' ? e.bannerId : '',
      experimentKey: type === 'experiment_exposure' ? e.experimentKey : '',
      variant: type === 'experiment_exposure' ? e.variant : '',
    },
  };
}

/** Checks a batch: the events to publish, in order, and every problem of the others. */
export function collectBatch(
  events: readonly RawBehaviourEvent[],
  opts: CollectOptions,
): { accepted: CollectedEvent[]; rejected: EventRejection[] } {
  const accepted: CollectedEvent[] = [];
  const rejected: EventRejection[] = [];
  events.forEach((e, i) => {
    const r = collectEvent(e, i, opts);
    if ('event' in r) accepted.push(r.event);
    else rejected.push(...r.problems);
  });
  return { accepted, rejected };
}
