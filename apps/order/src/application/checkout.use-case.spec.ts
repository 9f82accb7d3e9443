import { OrderError } from '../domain/order-error';
import { ACCOUNT, anAddress, checkoutHarness, SKU_A, unavailable } from '../testing';
import { deriveCheckoutKey } from './checkout-key';

/**
 * The checkout saga against in-memory ports: each step failing undoes exactly the steps that
 * started (stock, coupons), places no order, and leaves the checkout record saying how it ended.
 */
describe('checkout saga: steps and their compensations', () => {
  const refuse = (code: string) => new OrderError('FAILED_PRECONDITION', code, code);

  it('places the order: stock held once, coupons held, OrderPlaced once, cart emptied', async () => {
    const h = checkoutHarness();
    const input = h.input();
    const { order } = await h.checkout.execute(h.ctx, input);
    expect(order).toMatchObject({ status: 'PENDING_PAYMENT', id: input.checkoutKey });
    expect(order.total.amountMinor).toBe(30000 - 500);
    expect(h.catalog.held()).toEqual([order.reservationId]);
    expect(h.pricing.couponsHeld.get(order.id)).toEqual(['SAVE5']);
    expect(h.store.eventsOf(order.id)).toEqual(['placed']);
    expect(h.store.outbox[0].couponCodes).toEqual(['SAVE5']);
    expect(
      (await h.uow.run(h.ctx, (tx) => tx.carts.find({ accountId: order.accountId })))!.lines,
    ).toEqual([]);
    expect(h.store.checkouts.get(input.checkoutKey)!.status).toBe('PLACED');
    // a retry with the key answers the same order and reserves nothing more
    const { order: again } = await h.checkout.execute(h.ctx, input);
    expect(again.id).toBe(order.id);
    expect(h.catalog.calls.filter((c) => c.method === 'reserve')).toHaveLength(1);
    expect(h.store.eventsOf(order.id)).toEqual(['placed']);
  });

  it('answers the price explanation with the order, placed now or replayed', async () => {
    const h = checkoutHarness();
    const input = h.input();
    // placed now: marketing's explanation, as stored with the order
    const placed = await h.checkout.execute(h.ctx, input);
    expect(placed.explanation).toEqual(['coupon SAVE5']);
    expect(h.store.orders.get(placed.order.id)!.explanation).toEqual(placed.explanation);
    // replayed: nothing is priced again; the stored explanation comes with the stored order
    const priced = jest.spyOn(h.pricing, 'price');
    const replayed = await h.checkout.execute(h.ctx, input);
    expect(priced).not.toHaveBeenCalled();
    expect(replayed).toEqual({ order: placed.order, explanation: ['coupon SAVE5'] });
  });

  it.each<{
    name: string;
    fail: (h: ReturnType<typeof checkoutHarness>) => void;
    code: string;
    status: 'FAILED' | 'ABANDONED';
    undone: { coupons: boolean; stock: boolean };
  }>([
    {
      name: 'CART: the catalog is down',
      fail: (h) => h.catalog.faults.fail('skus', unavailable('catalog')),
      code: 'CATALOG_UNAVAILABLE',
      status: 'ABANDONED',
      undone: { coupons: false, stock: false },
    },
    {
      name: 'CART: a SKU cannot be ordered',
      fail: (h) =>
        h.catalog.skuInfo.set(SKU_A, { ...h.catalog.skuInfo.get(SKU_A)!, orderable: false }),
      code: 'SKU_UNAVAILABLE',
      status: 'FAILED',
      undone: { coupons: false, stock: false },
    },
    {
      // the call may have reserved the coupons before its answer was lost: its own undo runs
      name: 'PRICE: marketing fails',
      fail: (h) => h.pricing.faults.fail('price', unavailable('marketing')),
      code: 'MARKETING_UNAVAILABLE',
      status: 'ABANDONED',
      undone: { coupons: true, stock: false },
    },
    {
      name: 'PRICE: after pricing',
      fail: (h) => h.faults.failAfter('PRICED'),
      code: 'CHECKOUT_FAILED',
      status: 'ABANDONED',
      undone: { coupons: true, stock: false },
    },
    {
      name: 'SCORE: risk rejects',
      fail: (h) =>
        (h.risk.verdict = { decision: 'REJECT', score: 99, reasons: ['FRAUD'], degraded: false }),
      code: 'ORDER_REJECTED',
      status: 'FAILED',
      undone: { coupons: true, stock: false },
    },
    {
      name: 'SCORE: after scoring',
      fail: (h) => h.faults.failAfter('SCORED'),
      code: 'CHECKOUT_FAILED',
      status: 'ABANDONED',
      undone: { coupons: true, stock: false },
    },
    {
      name: 'RESERVE: out of stock',
      fail: (h) => {
        h.catalog.faults.fail('reserve', refuse('STOCK_INSUFFICIENT'), 2);
      },
      code: 'STOCK_INSUFFICIENT',
      status: 'FAILED',
      undone: { coupons: true, stock: true },
    },
    {
      name: 'RESERVE: after reserving',
      fail: (h) => h.faults.failAfter('RESERVED'),
      code: 'CHECKOUT_FAILED',
      status: 'ABANDONED',
      undone: { coupons: true, stock: true },
    },
    {
      // thrown inside the placing transaction: the order, its event and the PLACED record roll back
      name: 'PLACE: the transaction fails',
      fail: (h) => h.faults.failAfter('PLACED'),
      code: 'CHECKOUT_FAILED',
      status: 'ABANDONED',
      undone: { coupons: true, stock: true },
    },
  ])('$name: undoes exactly the started steps', async ({ fail, code, status, undone }) => {
    const h = checkoutHarness();
    const input = h.input();
    fail(h);
    await expect(h.checkout.execute(h.ctx, input)).rejects.toBeDefined();

    const record = h.store.checkouts.get(input.checkoutKey)!;
    expect(record).toMatchObject({ status, errorCode: code });
    expect(h.store.orders.size).toBe(0);
    expect(h.store.outbox).toEqual([]);
    // nothing stays held
    expect(h.catalog.held()).toEqual([]);
    expect(h.pricing.couponsHeld.size).toBe(0);
    // and only what was started is undone
    expect(h.pricing.released.map((r) => r.orderId)).toEqual(
      undone.coupons ? [record.orderId] : [],
    );
    expect(h.catalog.calls.filter((c) => c.method === 'release')).toEqual(
      undone.stock
        ? [{ method: 'release', id: record.reservationId, reason: 'CHECKOUT_FAILED' }]
        : [],
    );
    // the cart is untouched
    expect(h.store.carts.get(`a:${input.accountId}`)!.lines).toHaveLength(2);
  });

  it('after a passing failure the same key runs again and places one order', async () => {
    const h = checkoutHarness();
    const input = h.input();
    h.faults.failAfter('RESERVED');
    await expect(h.checkout.execute(h.ctx, input)).rejects.toThrow('injected fault');
    const { order } = await h.checkout.execute(h.ctx, input);
    expect(order.status).toBe('PENDING_PAYMENT');
    expect(h.catalog.held()).toEqual([order.reservationId]);
    expect(h.store.eventsOf(order.id)).toEqual(['placed']);
    expect(h.store.checkouts.get(input.checkoutKey)!.attempts).toBe(2);
  });

  it('a refusal is final: the same key answers the same refusal without running again', async () => {
    const h = checkoutHarness();
    const input = h.input();
    h.catalog.faults.fail('reserve', refuse('STOCK_INSUFFICIENT'), 2);
    await expect(h.checkout.execute(h.ctx, input)).rejects.toMatchObject({
      code: 'STOCK_INSUFFICIENT',
    });
    const calls = h.catalog.calls.length;
    await expect(h.checkout.execute(h.ctx, input)).rejects.toMatchObject({
      code: 'STOCK_INSUFFICIENT',
    });
    expect(h.catalog.calls.length).toBe(calls);
  });

  it('an attempt taken over meanwhile releases its own stock but leaves the coupons to the new owner', async () => {
    const h = checkoutHarness();
    const input = h.input();
    // while risk scores, another attempt takes the record over (this one's lease ran out)
    const score = h.risk.scoreOrder.bind(h.risk);
    h.risk.scoreOrder = async (ctx, i) => {
      const r = h.store.checkouts.get(input.checkoutKey)!;
      h.store.checkouts.set(r.key, { ...r, attemptId: 'someone-else', reservationId: 'theirs' });
      return score(ctx, i);
    };
    await expect(h.checkout.execute(h.ctx, input)).rejects.toMatchObject({
      code: 'CHECKOUT_ABANDONED',
    });
    const mine = h.catalog.calls.find((c) => c.method === 'reserve')!.id;
    expect(h.catalog.calls.filter((c) => c.method === 'release')).toEqual([
      { method: 'release', id: mine, reason: 'CHECKOUT_FAILED' },
    ]);
    expect(h.pricing.released).toEqual([]);
    // the record is the new owner's, untouched
    expect(h.store.checkouts.get(input.checkoutKey)).toMatchObject({
      status: 'STARTED',
      attemptId: 'someone-else',
    });
    expect(h.store.orders.size).toBe(0);
  });

  it('when compensating fails, the record stays STARTED with its lease given up; a retry takes over', async () => {
    const h = checkoutHarness();
    const input = h.input();
    h.faults.failAfter('RESERVED');
    h.catalog.faults.fail('release', unavailable('catalog'));
    await expect(h.checkout.execute(h.ctx, input)).rejects.toThrow('injected fault');
    const record = h.store.checkouts.get(input.checkoutKey)!;
    expect(record.status).toBe('STARTED');
    expect(record.heartbeatAt.getTime()).toBeLessThanOrEqual(
      h.clock.now().getTime() - h.settings.checkoutLeaseMs,
    );
    expect(h.catalog.held()).toEqual([record.reservationId]);
    // the retry releases what the dead attempt held and places the order with its own stock
    const { order } = await h.checkout.execute(h.ctx, input);
    expect(order.reservationId).not.toBe(record.reservationId);
    expect(h.catalog.held()).toEqual([order.reservationId]);
    expect(h.store.eventsOf(order.id)).toEqual(['placed']);
  });

  it('a held order (risk REVIEW) is placed PENDING_REVIEW with its stock held through review', async () => {
    const h = checkoutHarness();
    h.risk.verdict = { decision: 'REVIEW', score: 60, reasons: ['NEW_DEVICE'], degraded: false };
    const { order } = await h.checkout.execute(h.ctx, h.input());
    expect(order.status).toBe('PENDING_REVIEW');
    expect(order.paymentDeadline.getTime() - h.clock.now().getTime()).toBe(
      h.settings.paymentTtlMs + h.settings.reviewTtlMs,
    );
  });

  it('the sweep releases stock and coupons of a checkout whose attempt went silent', async () => {
    const h = checkoutHarness();
    const input = h.input();
    // the attempt dies after reserving: no compensation ran (the process is gone)
    h.faults.failAfter('RESERVED');
    h.catalog.faults.fail('release', unavailable('catalog'));
    await expect(h.checkout.execute(h.ctx, input)).rejects.toThrow();
    const record = h.store.checkouts.get(input.checkoutKey)!;
    h.clock.advance(h.settings.checkoutAbandonAfterMs);
    expect(await h.attempts.sweepStale(h.ctx)).toBe(1);
    expect(h.store.checkouts.get(input.checkoutKey)).toMatchObject({ status: 'ABANDONED' });
    expect(h.catalog.held()).toEqual([]);
    expect(h.pricing.released.map((r) => r.reason)).toEqual(['CHECKOUT_ABANDONED']);
    expect(record.status).toBe('STARTED');
  });
});

describe('checkout rules owned by order (moved from the gateway)', () => {
  it('derives the checkout key from the account and the Idempotency-Key, as the gateway did', async () => {
    // vectors computed with the gateway's former checkoutKey()
    expect(deriveCheckoutKey(ACCOUNT, 'key-0001')).toBe('46b92f6b-32a4-8ce7-bd31-3faf734fb17d');
    expect(deriveCheckoutKey('0190a000-0000-7000-8000-0000000000bb', 'key-0001')).toBe(
      '7fe89680-f2a9-8b42-b8a3-c1f90bd62b74',
    );
    expect(() => deriveCheckoutKey(ACCOUNT, 'no spaces allowed')).toThrow(
      expect.objectContaining({ code: 'IDEMPOTENCY_KEY_INVALID' }),
    );
    const h = checkoutHarness();
    const { order } = await h.checkout.execute(h.ctx, {
      ...h.input(),
      checkoutKey: '',
      idempotencyKey: 'key-0001',
    });
    expect(order.id).toBe('46b92f6b-32a4-8ce7-bd31-3faf734fb17d');
    // the same Idempotency-Key is the same checkout
    const { order: again } = await h.checkout.execute(h.ctx, {
      ...h.input(),
      checkoutKey: '',
      idempotencyKey: 'key-0001',
    });
    expect(again.id).toBe(order.id);
    expect(h.store.orders.size).toBe(1);
  });

  it('a frozen account is refused ACCOUNT_FROZEN before anything starts', async () => {
    const h = checkoutHarness();
    h.accounts.frozen.add(ACCOUNT);
    await expect(h.checkout.execute(h.ctx, h.input())).rejects.toMatchObject({
      kind: 'PERMISSION_DENIED',
      code: 'ACCOUNT_FROZEN',
    });
    expect(h.store.checkouts.size).toBe(0);
    expect(h.catalog.calls).toEqual([]);
  });

  it('a frozen account naming an unknown address-book entry is refused ACCOUNT_FROZEN (both asked at once)', async () => {
    const h = checkoutHarness();
    h.accounts.frozen.add(ACCOUNT);
    await expect(
      h.checkout.execute(h.ctx, { ...h.input(), address: undefined, addressId: 'nope' }),
    ).rejects.toMatchObject({ kind: 'PERMISSION_DENIED', code: 'ACCOUNT_FROZEN' });
    expect(h.store.checkouts.size).toBe(0);
  });

  it("an address-book entry is used by id; another account's or an unknown one is ADDRESS_NOT_FOUND", async () => {
    const h = checkoutHarness();
    const home = anAddress({ line1: '8 Home Road' });
    h.accounts.addAddress(ACCOUNT, 'addr-1', home);
    h.accounts.addAddress('0190a000-0000-7000-8000-0000000000bb', 'addr-2', anAddress());
    for (const addressId of ['addr-2', 'nope'])
      await expect(
        h.checkout.execute(h.ctx, { ...h.input(), address: undefined, addressId }),
      ).rejects.toMatchObject({ kind: 'NOT_FOUND', code: 'ADDRESS_NOT_FOUND' });
    expect(h.store.checkouts.size).toBe(0);
    const { order } = await h.checkout.execute(h.ctx, {
      ...h.input(),
      address: undefined,
      addressId: 'addr-1',
    });
    // snapshotted as the national divisions spell the place, with its GB/T 2260 codes
    expect(order.address).toEqual({
      ...home,
      province: '上海市',
      city: '上海市',
      district: '浦东新区',
      provinceCode: '310000',
      cityCode: '310100',
      districtCode: '310115',
    });
  });

  it('refuses an undeliverable address naming the field and the reason, and starts nothing', async () => {
    const h = checkoutHarness();
    const cases: [Partial<ReturnType<typeof anAddress>>, string, string][] = [
      [
        { province: '浙江省', city: '杭州市', district: '南山区' },
        'address.district',
        'DISTRICT_NOT_IN_CITY',
      ],
      [
        { province: '江苏省', city: '杭州市', district: '' },
        'address.city',
        'CITY_NOT_IN_PROVINCE',
      ],
      [
        { province: '上海市', city: '上海市', district: '' },
        'address.district',
        'DISTRICT_MISSING',
      ],
      [{ line1: '测试测试测试' }, 'address.line1', 'DETAIL_REPEATED'],
      [{ phone: '+86 123' }, 'address.phone', 'PHONE_INVALID'],
    ];
    for (const [over, field, reason] of cases)
      await expect(
        h.checkout.execute(h.ctx, { ...h.input(), address: anAddress(over) }),
      ).rejects.toMatchObject({
        kind: 'INVALID_ARGUMENT',
        code: 'ADDRESS_INVALID',
        details: { field, reason },
      });
    expect(h.store.checkouts.size).toBe(0);
    expect(h.risk.scored).toEqual([]);
  });

  it('places an order to a doubtful address and tells risk the doubts', async () => {
    const h = checkoutHarness();
    const { order } = await h.checkout.execute(h.ctx, {
      ...h.input(),
      address: anAddress({
        line1: '西湖边上',
        province: '浙江',
        city: '杭州',
        district: '西湖',
        phone: '+852 9123 4567',
      }),
    });
    expect(order.address).toMatchObject({
      province: '浙江省',
      districtCode: '330106',
      phone: '+85291234567',
    });
    expect(h.risk.inputs.map((i) => i.addressIssues)).toEqual([
      ['PHONE_OTHER_COUNTRY', 'DETAIL_VAGUE'],
    ]);
    const clean = checkoutHarness();
    await clean.checkout.execute(clean.ctx, clean.input());
    expect(clean.risk.inputs[0].addressIssues).toEqual([]);
  });

  it('the user service down is UNAVAILABLE and starts nothing', async () => {
    const h = checkoutHarness();
    h.accounts.faults.fail('isFrozen', unavailable('user'));
    await expect(h.checkout.execute(h.ctx, h.input())).rejects.toMatchObject({
      kind: 'UNAVAILABLE',
    });
    expect(h.store.checkouts.size).toBe(0);
  });
});
