import type { Money } from '@emporia/money';
import { OrderError } from '../domain/order-error';
import type { PaymentProvider, PaymentRecord } from './ports';

/**
 * Returns `amount` of a captured payment through the provider that took it, under `refundId`
 * (the provider's idempotency key, so a retry refunds once). Nothing is sent when there is no
 * captured provider transaction or the amount is zero; answers whether a refund was sent.
 */
export async function refundThroughProvider(
  providers: ReadonlyMap<string, PaymentProvider>,
  payment: PaymentRecord | undefined,
  amount: Money | null | undefined,
  reason: string,
  refundId: string,
): Promise<boolean> {
  if (!payment?.providerTxnId || !amount || amount.isZero()) return false;
  const provider = providers.get(payment.provider);
  if (!provider)
    throw new OrderError(
      'FAILED_PRECONDITION',
      'PAYMENT_PROVIDER_UNKNOWN',
      `no provider ${payment.provider}`,
    );
  await provider.refund({ providerTxnId: payment.providerTxnId, amount, reason, refundId });
  return true;
}
