import { createLogger, newContext } from '@emporia/platform';
import { CheckoutAttemptsUseCase } from '../application/checkout-attempts.use-case';
import { CheckoutUseCase, type CheckoutInput } from '../application/checkout.use-case';
import { ImportOrdersUseCase } from '../application/import-orders.use-case';
import { OrderLifecycleUseCase } from '../application/order-lifecycle.use-case';
import { PaymentUseCase } from '../application/payment.use-case';
import type {
  CheckoutSettings,
  CheckoutStep,
  PaymentProvider,
  SagaFaults,
} from '../application/ports';
import { ReturnsUseCase } from '../application/returns.use-case';
import { ShipmentsUseCase } from '../application/shipments.use-case';
import { genericJsonAdapter } from '../domain/imported-order';
import type { PaymentCallback } from '../domain/payment';
import { defaultRoutingStrategy } from '../domain/routing';
import { DEFAULT_STEP_UP_POLICY } from '../domain/step-up';
import { aCart, anAddress, aSku } from './builders';
import {
  FakeCatalog,
  FakeAccounts,
  FakeClock,
  FakePricing,
  FakeRisk,
  InMemoryUnitOfWork,
  SequentialIds,
} from './in-memory';

/**
 * A payment provider whose signature is `ok:<order id>:<txn id>`; records its refunds.
 */
export class FakePaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly refunds: { providerTxnId: string; refundId: string; amountMinor: number }[] = [];
  async startPayment(input: { paymentId: string }) {
    return { redirectUrl: `https://pay.test/${input.paymentId}` };
  }
  sign(c: PaymentCallback): string {
    return `ok:${c.orderId}:${c.providerTxnId}`;
  }
  verify(c: PaymentCallback, signature: string): boolean {
    return signature === this.sign(c);
  }
  async refund(input: Parameters<PaymentProvider['refund']>[0]) {
    this.refunds.push({
      providerTxnId: input.providerTxnId,
      refundId: input.refundId,
      amountMinor: input.amount.amountMinor,
    });
  }
}

/** Throws after the named saga step, once (the production binding never throws). */
export class StepFaults implements SagaFaults {
  private step: CheckoutStep | null = null;
  failAfter(step: CheckoutStep): void {
    this.step = step;
  }
  after(step: CheckoutStep): void {
    if (step !== this.step) return;
    this.step = null;
    throw new Error(`injected fault after ${step}`);
  }
}

export const ACCOUNT = '0190a000-0000-7000-8000-0000000000aa';
export const SKU_A = '0190a000-0000-7000-8000-00000000000a';
export const SKU_B = '0190a000-0000-7000-8000-00000000000b';

/** The one warehouse of the checkout fakes: Shanghai, free shipping, active. */
export const shanghaiWarehouse = () => ({
  code: 'SH',
  country: 'CN',
  province: 'Shanghai',
  city: 'Shanghai',
  shippingCost: aSku(SKU_A).build().unitPrice.times(0),
  active: true,
});

/**
 * A checkout wired to in-memory ports: two SKUs (¥100.00 each, 100 units in SH), an account
 * whose cart holds 2 × A and 1 × B, coupons worth ¥5.00 each, risk allowing.
 */
export function checkoutHarness() {
  const uow = new InMemoryUnitOfWork();
  const catalog = new FakeCatalog([aSku(SKU_A).build(), aSku(SKU_B).build()]);
  catalog.warehouseList = [shanghaiWarehouse()];
  const pricing = new FakePricing(500);
  const risk = new FakeRisk();
  const accounts = new FakeAccounts();
  const clock = new FakeClock();
  const ids = new SequentialIds();
  const faults = new StepFaults();
  const settings: CheckoutSettings = {
    paymentTtlMs: 15 * 60_000,
    reviewTtlMs: 24 * 3_600_000,
    checkoutLeaseMs: 30_000,
    checkoutAbandonAfterMs: 120_000,
    stepUp: { ...DEFAULT_STEP_UP_POLICY },
  };
  const logger = createLogger('order-test', 'silent');
  const attempts = new CheckoutAttemptsUseCase(uow, catalog, pricing, clock, settings, logger);
  const checkout = new CheckoutUseCase(
    uow,
    catalog,
    pricing,
    risk,
    clock,
    ids,
    settings,
    faults,
    defaultRoutingStrategy,
    logger,
    attempts,
    accounts,
  );
  const shipments = new ShipmentsUseCase(uow, catalog, { maxAgeSeconds: 300 }, clock, ids);
  const lifecycle = new OrderLifecycleUseCase(uow, catalog, clock, settings, shipments);
  const provider = new FakePaymentProvider();
  const payments = new PaymentUseCase(
    uow,
    new Map([[provider.name, provider]]),
    clock,
    ids,
    logger,
    lifecycle,
  );
  const imports = new ImportOrdersUseCase(
    uow,
    catalog,
    new Map([[genericJsonAdapter.source, genericJsonAdapter]]),
    clock,
    ids,
    lifecycle,
  );
  const returns = new ReturnsUseCase(
    uow,
    catalog,
    new Map([[provider.name, provider]]),
    clock,
    ids,
    logger,
  );
  /** A signed provider callback for an order (its total, now). */
  const callback = (
    order: { id: string; total: { amountMinor: number; currency: string } },
    over: Partial<PaymentCallback> = {},
  ) => {
    const c: PaymentCallback = {
      provider: provider.name,
      providerTxnId: `txn-${order.id}`,
      orderId: order.id,
      amountMinor: order.total.amountMinor,
      currency: order.total.currency,
      status: 'SUCCEEDED',
      timestamp: Math.floor(clock.now().getTime() / 1000),
      ...over,
    };
    return [c, provider.sign(c)] as const;
  };
  uow.store.carts.set(
    `a:${ACCOUNT}`,
    aCart(ACCOUNT, [
      { skuId: SKU_A, quantity: 2 },
      { skuId: SKU_B, quantity: 1 },
    ]),
  );
  let keys = 0;
  const input = (over: Partial<CheckoutInput> = {}): CheckoutInput => ({
    accountId: ACCOUNT,
    checkoutKey: `0190c000-0000-7000-8000-${(++keys).toString(16).padStart(12, '0')}`,
    address: anAddress(),
    couponCodes: ['SAVE5'],
    ip: '203.0.113.7',
    deviceId: 'd1',
    channel: 'web',
    ...over,
  });
  return {
    ctx: newContext(),
    uow,
    store: uow.store,
    catalog,
    pricing,
    risk,
    accounts,
    clock,
    faults,
    settings,
    attempts,
    checkout,
    input,
    shipments,
    lifecycle,
    provider,
    payments,
    imports,
    returns,
    callback,
  };
}
