import { createHmac, timingSafeEqual } from 'node:crypto';

// Lives in application/ (not domain/) only because it needs node:crypto; it is a pure function.

const hmacHex = (secret: string, text: string) =>
  createHmac('sha256', secret).update(text, 'utf8').digest('hex');

function equalHex(a: string, b: string): boolean {
  if (!/^[0-9a-f]+$/i.test(a) || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a.toLowerCase(), 'hex'), Buffer.from(b, 'hex'));
}

/** What an unsubscribe token turns off. */
export const UNSUBSCRIBE_PURPOSES = ['MARKETING_EMAIL'] as const;
export type UnsubscribePurpose = (typeof UNSUBSCRIBE_PURPOSES)[number];

/**
 * An unsubscribe token: `base64url(accountId|purpose).hmac` under the service's secret. No expiry:
 * a link in an old mail keeps working, and it can only ever turn marketing mail off.
 */
export function signUnsubscribeToken(
  secret: string,
  accountId: string,
  purpose: UnsubscribePurpose,
): string {
  const payload = Buffer.from(`${accountId}|${purpose}`, 'utf8').toString('base64url');
  return `${payload}.${Buffer.from(hmacHex(secret, payload), 'hex').toString('base64url')}`;
}

/** The account and purpose of a genuine token; undefined for anything else. */
export function verifyUnsubscribeToken(
  secret: string,
  token: string,
): { accountId: string; purpose: UnsubscribePurpose } | undefined {
  const [payload, mac, ...rest] = (token ?? '').split('.');
  if (!payload || !mac || rest.length > 0) return undefined;
  const expected = hmacHex(secret, payload);
  if (!equalHex(Buffer.from(mac, 'base64url').toString('hex'), expected)) return undefined;
  const [accountId, purpose] = Buffer.from(payload, 'base64url').toString('utf8').split('|');
  if (!accountId || !(UNSUBSCRIBE_PURPOSES as readonly string[]).includes(purpose ?? ''))
    return undefined;
  return { accountId, purpose: purpose as UnsubscribePurpose };
}

/** A provider's delivery receipt (SMS, push), as the gateway's receipt route carries it. */
export interface Receipt {
  provider: string;
  providerMessageId: string;
  /** DELIVERED or UNDELIVERED. */
  status: string;
  occurredAt: string;
  errorCode: string;
}

/** `provider|providerMessageId|status|occurredAt|errorCode` (shared definitions). */
export const canonicalReceipt = (r: Receipt) =>
  [r.provider, r.providerMessageId, r.status, r.occurredAt, r.errorCode].join('|');

export const signReceipt = (secret: string, r: Receipt) => hmacHex(secret, canonicalReceipt(r));

export const verifyReceipt = (secret: string, r: Receipt, signature: string) =>
  equalHex(signature ?? '', signReceipt(secret, r));
