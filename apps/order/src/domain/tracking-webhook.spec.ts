import { createHmac } from 'node:crypto';
import { HmacWebhookVerifier } from '../infrastructure/hmac-webhook.verifier';
import {
  checkWebhookFreshness,
  parseSignatureHeader,
  parseTrackingEvent,
  signedContent,
} from './tracking-webhook';

const SECRET = 'carrier-unit-test-secret-0123456789abcdef';
const now = new Date('2025-06-01T08:00:00Z');
const t = Math.floor(now.getTime() / 1000);
const body = (over: object = {}) =>
  Buffer.from(
    JSON.stringify({
      trackingNumber: 'SF1234567890',
      eventId: 'e-1',
      status: 'EXCEPTION',
      description: 'held at the depot',
      occurredAt: '2025-06-01T07:59:00Z',
      ...over,
    }),
  );
/** What a carrier sends: the header over "<t>.<carrier>.<body>". */
const header = (carrier: string, b: Buffer, at = t) =>
  `t=${at},v1=${createHmac('sha256', SECRET).update(`${at}.${carrier}.`).update(b).digest('hex')}`;
const verifies = (carrier: string, b: Buffer, h: string) => {
  const sig = parseSignatureHeader(h);
  return new HmacWebhookVerifier(SECRET).verify(
    signedContent(sig.timestamp, carrier, b),
    sig.signatures,
  );
};

describe('carrier tracking webhooks: signed over the whole body, fresh', () => {
  it('verifies the exact body and refuses any change to it, the description included', () => {
    const b = body();
    const h = header('sf', b);
    expect(verifies('sf', b, h)).toBe(true);
    expect(verifies('sf', body({ description: 'delivered to a neighbour' }), h)).toBe(false);
    expect(verifies('sf', Buffer.from(b.toString().replace('"e-1"', '"e-2"')), h)).toBe(false);
    // the same bytes re-serialised with other whitespace are other bytes
    expect(verifies('sf', Buffer.from(JSON.stringify(JSON.parse(b.toString()), null, 1)), h)).toBe(
      false,
    );
    expect(verifies('jd', b, h)).toBe(false);
    // the timestamp is signed: a replay cannot be freshened
    expect(verifies('sf', b, h.replace(`t=${t}`, `t=${t + 300}`))).toBe(false);
  });

  it('accepts any of several v1 signatures (key rotation) and ignores unknown schemes', () => {
    const b = body();
    const good = header('sf', b).split('v1=')[1];
    expect(verifies('sf', b, `t=${t},v0=abc,v1=${'0'.repeat(64)},v1=${good}`)).toBe(true);
  });

  it.each([
    '',
    'v1=' + '0'.repeat(64),
    `t=${t}`,
    `t=abc,v1=${'0'.repeat(64)}`,
    `t=${t},v1=xyz`,
    'garbage',
  ])('refuses the header %p as WEBHOOK_SIGNATURE_INVALID', (h) => {
    expect(() => parseSignatureHeader(h)).toThrow(
      expect.objectContaining({ kind: 'UNAUTHENTICATED', code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );
  });

  it('refuses signatures older than the maximum age or from the future beyond 60 s', () => {
    expect(() => checkWebhookFreshness(t - 300, now, 300)).not.toThrow();
    expect(() => checkWebhookFreshness(t + 60, now, 300)).not.toThrow();
    for (const stale of [t - 301, t + 61, 0])
      expect(() => checkWebhookFreshness(stale, now, 300)).toThrow(
        expect.objectContaining({ kind: 'UNAUTHENTICATED', code: 'WEBHOOK_STALE' }),
      );
  });

  it('reads the event from the verified body, and refuses a malformed one', () => {
    expect(parseTrackingEvent(body(), now)).toEqual({
      trackingNumber: 'SF1234567890',
      eventId: 'e-1',
      status: 'EXCEPTION',
      description: 'held at the depot',
      occurredAt: new Date('2025-06-01T07:59:00Z'),
    });
    expect(parseTrackingEvent(body({ description: undefined }), now).description).toBe('');
    const code = (b: Buffer) => {
      try {
        parseTrackingEvent(b, now);
        return 'accepted';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code(Buffer.from('not json'))).toBe('TRACKING_EVENT_INVALID');
    expect(code(Buffer.from([0x7b, 0xff, 0x7d]))).toBe('TRACKING_EVENT_INVALID');
    expect(code(Buffer.from('[]'))).toBe('TRACKING_EVENT_INVALID');
    expect(code(body({ status: 'LOST' }))).toBe('TRACKING_STATUS_INVALID');
    expect(code(body({ eventId: '' }))).toBe('TRACKING_EVENT_INVALID');
    expect(code(body({ description: 'x'.repeat(501) }))).toBe('TRACKING_EVENT_INVALID');
    expect(code(body({ occurredAt: 'yesterday' }))).toBe('TRACKING_EVENT_INVALID');
    expect(code(body({ occurredAt: '2025-06-01T08:05:00Z' }))).toBe('TRACKING_EVENT_INVALID');
  });
});
