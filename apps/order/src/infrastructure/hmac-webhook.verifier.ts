import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CarrierWebhookVerifier } from '../application/ports';

/** Carrier webhooks signed with HMAC-SHA256 (hex) over the signed content. */
export class HmacWebhookVerifier implements CarrierWebhookVerifier {
  constructor(private readonly secret: string) {}

  sign(content: Uint8Array): string {
    return createHmac('sha256', this.secret).update(content).digest('hex');
  }

  verify(content: Uint8Array, signatures: string[]): boolean {
    const expected = Buffer.from(this.sign(content), 'hex');
    let ok = false;
    for (const signature of signatures) {
      const given = /^[0-9a-f]{64}$/i.test(signature)
        ? Buffer.from(signature, 'hex')
        : Buffer.alloc(0);
      // every entry is compared, in constant time each
      if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
    }
    return ok;
  }
}
