import { OrderError } from './order-error';
import { TRACKING_STATUSES, type TrackingStatus } from './shipment';

/**
 * Carriers' tracking webhooks, signed like Stripe's: the `Emporia-Signature` header is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256>` over `<t>.<carrier>.<body>`, where body is the exact
 * bytes of the request and carrier the code in its URL. Every field of the event (the
 * description too, and any added later) is covered because the whole body is; the timestamp is
 * covered, and bounded, so a captured event cannot be replayed later.
 */

/** How far a signature's timestamp may be ahead of this clock. */
export const WEBHOOK_CLOCK_SKEW_SECONDS = 60;

export interface WebhookSignature {
  /** Unix seconds when the carrier signed. */
  timestamp: number;
  /** Hex HMACs (`v1` entries: more than one while the carrier rotates its key). */
  signatures: string[];
}

const invalidSignature = (detail: string) =>
  new OrderError('UNAUTHENTICATED', 'WEBHOOK_SIGNATURE_INVALID', detail);

/** Parses `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`; other schemes' entries are ignored. */
export function parseSignatureHeader(header: string): WebhookSignature {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of (header ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0)
    throw invalidSignature(
      'send an Emporia-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<carrier>.<body>">',
    );
  return { timestamp, signatures: signatures.slice(0, 5) };
}

/** The bytes a signature covers: `<t>.<carrier>.` followed by the body as received. */
export function signedContent(timestamp: number, carrier: string, body: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`${timestamp}.${carrier}.`);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

/** Refuses a signature older than `maxAgeSeconds` or ahead of the clock beyond the skew. */
export function checkWebhookFreshness(timestamp: number, now: Date, maxAgeSeconds: number): void {
  const age = Math.floor(now.getTime() / 1000) - timestamp;
  if (age > maxAgeSeconds || age < -WEBHOOK_CLOCK_SKEW_SECONDS)
    throw new OrderError(
      'UNAUTHENTICATED',
      'WEBHOOK_STALE',
      `the event was signed ${age} s ago: events signed more than ${maxAgeSeconds} s ago or ahead of this clock are refused`,
    );
}

export interface TrackingEventInput {
  trackingNumber: string;
  eventId: string;
  status: TrackingStatus;
  description: string;
  occurredAt: Date;
}

const badEvent = (code: string, message: string) =>
  new OrderError('INVALID_ARGUMENT', code, message);

/** The event in a verified body: `{trackingNumber, eventId, status, description?, occurredAt}`. */
export function parseTrackingEvent(body: Uint8Array, now: Date): TrackingEventInput {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw badEvent('TRACKING_EVENT_INVALID', 'the body is not UTF-8 JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw badEvent('TRACKING_EVENT_INVALID', 'the body is a JSON object');
  const e = json as Record<string, unknown>;
  const text = (field: string, max: number, required = true): string => {
    const v = e[field];
    if (v === undefined && !required) return '';
    if (typeof v !== 'string' || (required && v.length === 0) || v.length > max)
      throw badEvent(
        'TRACKING_EVENT_INVALID',
        `${field} is ${required ? 'a' : 'an optional'} string of up to ${max} characters`,
      );
    return v;
  };
  const status = text('status', 32);
  if (!(TRACKING_STATUSES as readonly string[]).includes(status))
    throw badEvent('TRACKING_STATUS_INVALID', `status is one of ${TRACKING_STATUSES.join(', ')}`);
  const occurredAt = new Date(text('occurredAt', 40));
  if (Number.isNaN(occurredAt.getTime()))
    throw badEvent('TRACKING_EVENT_INVALID', 'occurredAt is an RFC 3339 time');
  if (occurredAt.getTime() > now.getTime() + WEBHOOK_CLOCK_SKEW_SECONDS * 1000)
    throw badEvent('TRACKING_EVENT_INVALID', 'occurredAt is in the future');
  return {
    trackingNumber: text('trackingNumber', 64),
    eventId: text('eventId', 128),
    status: status as TrackingStatus,
    description: text('description', 500, false),
    occurredAt,
  };
}
