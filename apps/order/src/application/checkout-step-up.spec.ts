import { ACCOUNT, anAddress, checkoutHarness } from '../testing';

const MIN = 60_000;

/**
 * Checkout's large-order step-up rule (domain `step-up.ts`) against in-memory ports. The
 * harness's cart is worth ¥300.00 at catalog prices (2 × A, 1 × B at ¥100.00): the threshold is
 * set to exactly that.
 */
describe('checkout: a large order to a new address needs a recent step-up', () => {
  const large = () => {
    const h = checkoutHarness();
    h.settings.stepUp = { minTotalMinor: 30_000, newAddressMs: 30 * MIN, windowMs: 5 * MIN };
    return h;
  };

  it('refuses one typed in at checkout with STEP_UP_REQUIRED before anything is priced, scored or reserved', async () => {
    const h = large();
    const input = h.input();
    await expect(h.checkout.execute(h.ctx, input)).rejects.toMatchObject({
      kind: 'FAILED_PRECONDITION',
      code: 'STEP_UP_REQUIRED',
    });
    expect(h.pricing.couponsHeld.size).toBe(0);
    expect(h.risk.scored).toEqual([]);
    expect(h.catalog.calls.filter((c) => c.method === 'reserve')).toEqual([]);
    expect(h.store.orders.size).toBe(0);
    // not a final refusal: the same key runs again once the caller has stepped up
    expect(h.store.checkouts.get(input.checkoutKey)).toMatchObject({
      status: 'ABANDONED',
      errorCode: 'STEP_UP_REQUIRED',
    });
    const { order } = await h.checkout.execute(h.ctx, {
      ...input,
      secondFactorAt: new Date(h.clock.now().getTime() - 10_000),
    });
    expect(order).toMatchObject({ id: input.checkoutKey, status: 'PENDING_PAYMENT' });
  });

  it('takes it with a second factor proved less than the window ago, not exactly the window ago', async () => {
    const h = large();
    const at = h.clock.now();
    h.clock.advance(5 * MIN);
    await expect(
      h.checkout.execute(h.ctx, { ...h.input(), secondFactorAt: at }),
    ).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED' });
    const { order } = await h.checkout.execute(h.ctx, {
      ...h.input(),
      secondFactorAt: new Date(at.getTime() + 1),
    });
    expect(order.status).toBe('PENDING_PAYMENT');
  });

  it('asks an address-book entry saved moments ago for one, not an entry of an hour ago', async () => {
    const h = large();
    const now = h.clock.now().getTime();
    h.accounts.addAddress(ACCOUNT, 'fresh', anAddress(), new Date(now - 29 * MIN));
    h.accounts.addAddress(ACCOUNT, 'settled', anAddress(), new Date(now - 30 * MIN));
    await expect(
      h.checkout.execute(h.ctx, { ...h.input(), address: undefined, addressId: 'fresh' }),
    ).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED', message: /added moments ago/ });
    const { order } = await h.checkout.execute(h.ctx, {
      ...h.input(),
      address: undefined,
      addressId: 'settled',
    });
    expect(order.status).toBe('PENDING_PAYMENT');
  });

  it('leaves orders below the threshold alone, and every order when the rule is off', async () => {
    const below = large();
    below.settings.stepUp.minTotalMinor = 30_001;
    expect((await below.checkout.execute(below.ctx, below.input())).order.status).toBe(
      'PENDING_PAYMENT',
    );
    const off = large();
    off.settings.stepUp.minTotalMinor = 0;
    expect((await off.checkout.execute(off.ctx, off.input())).order.status).toBe('PENDING_PAYMENT');
  });

  it('counts the goods at catalog prices: coupons do not take an order below the threshold', async () => {
    // the payable total is ¥295.00 (a ¥5.00 coupon), the goods are worth ¥300.00
    const h = large();
    await expect(h.checkout.execute(h.ctx, h.input())).rejects.toMatchObject({
      code: 'STEP_UP_REQUIRED',
    });
  });
});
