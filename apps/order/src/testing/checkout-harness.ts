import { createLogger, newContext } from '@emporia/platform';
import { CheckoutAttemptsUseCase } from '../application/checkout-attempts.use-case';
import { CheckoutUseCase, type CheckoutInput } from '../application/checkout.use-case';
import type { CheckoutSettings, CheckoutStep, SagaFaults } from '../application/ports';
import { defaultRoutingStrategy } from '../domain/routing';
import { aCart, anAddress, aSku } from './builders';
import {
  FakeCatalog,
  FakeClock,
  FakePricing,
  FakeRisk,
  InMemoryUnitOfWork,
  SequentialIds,
} from './in-memory';

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

/**
 * A checkout wired to in-memory ports: two SKUs (¥100.00 each, 100 units in SH), an account
 * whose cart holds 2 × A and 1 × B, coupons worth ¥5.00 each, risk allowing.
 */
export function checkoutHarness() {
  const uow = new InMemoryUnitOfWork();
  const catalog = new FakeCatalog([aSku(SKU_A).build(), aSku(SKU_B).build()]);
  catalog.warehouseList = [
    {
      code: 'SH',
      country: 'CN',
      province: 'Shanghai',
      city: 'Shanghai',
      shippingCost: aSku(SKU_A).build().unitPrice.times(0),
      active: true,
    },
  ];
  const pricing = new FakePricing(500);
  const risk = new FakeRisk();
  const clock = new FakeClock();
  const ids = new SequentialIds();
  const faults = new StepFaults();
  const settings: CheckoutSettings = {
    paymentTtlMs: 15 * 60_000,
    reviewTtlMs: 24 * 3_600_000,
    checkoutLeaseMs: 30_000,
    checkoutAbandonAfterMs: 120_000,
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
  );
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
    clock,
    faults,
    settings,
    attempts,
    checkout,
    input,
  };
}
