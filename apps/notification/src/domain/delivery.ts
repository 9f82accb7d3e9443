import { afterFailure } from './backoff';
import type { Category, Channel, Locale } from './channels';
import { NotificationError } from './notification-error';
import type { TemplateKey } from './template';

export const DELIVERY_STATUSES = [
  'PENDING',
  'HELD',
  'SENT',
  'DELIVERED',
  'UNDELIVERED',
  'DEAD',
  'SKIPPED',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Why a delivery was skipped or held. */
export type DeliveryReason =
  '' | 'CHANNEL_OFF' | 'NO_CONSENT' | 'NO_ADDRESS' | 'NO_PROVIDER' | 'NO_TEMPLATE' | 'QUIET_HOURS';

/** One message to one recipient on one channel for one event: the delivery log's line. */
export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  /** Null for operators' alerts. */
  accountId: string | null;
  channel: Channel;
  category: Category;
  /** E-mail address, E.164 phone or push token; '' when the account has none (NO_ADDRESS). */
  recipient: string;
  templateKey: TemplateKey;
  locale: Locale;
  subject: string;
  body: string;
  /** E-mail: the HTML part (variables escaped). */
  html: string | null;
  /** Marketing e-mail: the RFC 8058 one-click link. */
  unsubscribeUrl: string | null;
  status: DeliveryStatus;
  attempts: number;
  lastError: string;
  nextAttemptAt: Date | null;
  /** SMS and push: who took it, and their id for it (receipts find it by both). */
  provider: string | null;
  providerMessageId: string | null;
  createdAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  reason: DeliveryReason;
}

/** Statuses the sender picks up once `next_attempt_at` has come. */
export const DUE_STATUSES: readonly DeliveryStatus[] = ['PENDING', 'HELD'];

export function markSent(
  d: Delivery,
  sent: { provider: string | null; providerMessageId: string | null },
  now: Date,
): Delivery {
  return {
    ...d,
    status: 'SENT',
    attempts: d.attempts + 1,
    provider: sent.provider,
    providerMessageId: sent.providerMessageId,
    sentAt: now,
    nextAttemptAt: null,
    reason: '',
  };
}

export function markFailed(
  d: Delivery,
  failure: { error: string; permanent: boolean },
  policy: { maxAttempts: number; baseMs: number },
  now: Date,
  random: number,
): Delivery {
  const attempts = d.attempts + 1;
  const next = afterFailure({
    attempts,
    maxAttempts: policy.maxAttempts,
    permanent: failure.permanent,
    now,
    baseMs: policy.baseMs,
    random,
  });
  return {
    ...d,
    attempts,
    lastError: failure.error.slice(0, 1000),
    status: next.status,
    nextAttemptAt: next.nextAttemptAt,
    reason: '',
  };
}

/** Held back by quiet hours until `until`; no attempt counted. */
export const hold = (d: Delivery, until: Date): Delivery => ({
  ...d,
  status: 'HELD',
  nextAttemptAt: until,
  reason: 'QUIET_HOURS',
});

/** An operator sends a dead letter again: a fresh round of attempts, due now. */
export function retryDead(d: Delivery, now: Date): Delivery {
  // its log keeps the code masked: sending it again would send stars, and the code is stale
  if (d.templateKey === 'auth.sms_code')
    throw new NotificationError(
      'FAILED_PRECONDITION',
      'DELIVERY_NOT_RETRIABLE',
      `delivery ${d.id} is a one-time code: the account asks for a new one instead`,
    );
  if (d.status !== 'DEAD')
    throw new NotificationError(
      'FAILED_PRECONDITION',
      'DELIVERY_NOT_DEAD',
      `delivery ${d.id} is ${d.status}: only a DEAD delivery can be retried`,
    );
  return { ...d, status: 'PENDING', attempts: 0, nextAttemptAt: now, reason: '' };
}

/**
 * A provider's receipt: DELIVERED or UNDELIVERED (with the provider's error code). A repeated
 * receipt changes nothing; a receipt for a delivery not sent yet is refused.
 */
export function applyReceipt(
  d: Delivery,
  r: { status: 'DELIVERED' | 'UNDELIVERED'; at: Date; errorCode: string },
): Delivery {
  if (d.status === r.status) return d;
  if (!['SENT', 'DELIVERED', 'UNDELIVERED'].includes(d.status))
    throw new NotificationError(
      'FAILED_PRECONDITION',
      'DELIVERY_NOT_SENT',
      `delivery ${d.id} is ${d.status}: no receipt is expected`,
    );
  return r.status === 'DELIVERED'
    ? { ...d, status: 'DELIVERED', deliveredAt: r.at, lastError: '' }
    : { ...d, status: 'UNDELIVERED', deliveredAt: null, lastError: r.errorCode || 'UNDELIVERED' };
}
