import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Money } from '@emporia/money';
import type { Logger } from '@emporia/platform';
import type { PaymentProvider } from '../application/ports';
import { canonicalCallback, type PaymentCallback, SANDBOX_PROVIDER } from '../domain/payment';

/**
 * The built-in sandbox: a hosted-payment simulation for development and tests, registered only
 * with PAYMENT_SANDBOX_ENABLED (never in production). Its callbacks
 * are signed with HMAC-SHA256 over the canonical fields using `PAYMENT_SANDBOX_SECRET`, exactly
 * as a real provider's would be checked; real providers (Alipay, WeChat Pay, Stripe) implement
 * the same port with their own signature schemes.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = SANDBOX_PROVIDER;
  /** Its page is a URL built here: written with the attempt, in the same transaction. */
  readonly startsInProcess = true;

  constructor(
    private readonly secret: string,
    private readonly baseUrl: string,
    private readonly logger: Logger,
  ) {}

  signAsProvider(callback: PaymentCallback): string {
    return this.sign(callback);
  }

  sign(callback: PaymentCallback): string {
    return createHmac('sha256', this.secret).update(canonicalCallback(callback)).digest('hex');
  }

  async startPayment(input: {
    paymentId: string;
    orderId: string;
    amount: Money;
  }): Promise<{ redirectUrl: string }> {
    const q = new URLSearchParams({
      order: input.orderId,
      amount: String(input.amount.amountMinor),
      currency: input.amount.currency,
    });
    return {
      redirectUrl: `${this.baseUrl.replace(/\/$/, '')}/sandbox/pay/${input.paymentId}?${q.toString()}`,
    };
  }

  verify(callback: PaymentCallback, signature: string): boolean {
    const expected = Buffer.from(this.sign(callback), 'hex');
    const given = /^[0-9a-f]{64}$/i.test(signature)
      ? Buffer.from(signature, 'hex')
      : Buffer.alloc(0);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The sandbox keeps its refunds by id, so a repeated refund is one refund. */
  private readonly refunds = new Map<string, string>();

  async refund(input: {
    providerTxnId: string;
    amount: Money;
    reason: string;
    refundId: string;
  }): Promise<void> {
    if (this.refunds.has(input.refundId)) return;
    this.refunds.set(input.refundId, input.amount.toString());
    this.logger.info(
      {
        txn: input.providerTxnId,
        refundId: input.refundId,
        amount: input.amount.toString(),
        reason: input.reason,
      },
      'sandbox refund',
    );
  }
}
