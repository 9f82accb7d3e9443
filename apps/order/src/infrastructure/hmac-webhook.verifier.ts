import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CarrierWebhookVerifier } from '../application/ports';

/** Carrier webhooks signed with HMAC-SHA256 over their fields joined by '\n' (hex). */
export class HmacWebhookVerifier implements CarrierWebhookVerifier {
  constructor(private readonly secret: string) {}

  sign(fields: string[]): string {
    return createHmac('sha256', this.secret).update(fields.join('\n')).digest('hex');
  }

  verify(fields: string[], signature: string): boolean {
    const expected = Buffer.from(this.sign(fields), 'hex');
    const given = /^[0-9a-f]{64}$/i.test(signature)
      ? Buffer.from(signature, 'hex')
      : Buffer.alloc(0);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
