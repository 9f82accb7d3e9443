import { Money } from '@emporia/money';
import {
  aCoupon,
  aCouponPromotion,
  aTemplate,
  CTX,
  FakeClock,
  InMemoryFlashSaleStore,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
  SequentialIds,
} from '../testing';
import { couponCode } from '../domain/coupon';
import { PricingUseCase, type PriceCartInput } from './pricing.use-case';

/**
 * PriceCart holds what the price relies on (coupons, flash token, group seat) in one
 * transaction; a refused price holds nothing; ReleaseCoupons (the checkout's compensation)
 * gives it all back.
 */
describe('pricing a checkout', () => {
  const cny = (minor: number) => Money.of(minor, 'CNY');
  const setup = () => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    const uow = new InMemoryUnitOfWork(store, clock);
    const pool = new InMemoryFlashSaleStore();
    const pricing = new PricingUseCase(uow, clock, new SequentialIds(), pool, {
      tokenTtlMs: 300_000,
    });
    store.promotions.set('promo-coupon', aCouponPromotion());
    store.templates.set('tpl-1', { ...aTemplate(), issued: 3 });
    const put = (code: string, over: Partial<Parameters<typeof aCoupon>[0]> = {}) =>
      store.coupons.set(code, {
        row: aCoupon({ code, ownerId: 'acc-1', status: 'CLAIMED', ...over }),
        createdAt: 0,
        updatedAt: 0,
        seq: 0,
      });
    return { store, clock, uow, pool, pricing, put };
  };
  /** `sale-1`: 5 units of sku-1 at 50.00, 2 per buyer, selling now; in the database and the pool. */
  const liveSale = async ({
    store,
    pool,
    clock,
  }: Pick<ReturnType<typeof setup>, 'store' | 'pool' | 'clock'>) => {
    const sale = {
      id: 'sale-1',
      skuId: 'sku-1',
      price: cny(5000),
      stock: 5,
      perUserLimit: 2,
      startsAt: new Date(clock.now().getTime() - 1000),
      endsAt: new Date(clock.now().getTime() + 3_600_000),
    };
    store.sales.set('sale-1', sale);
    await pool.load(sale);
  };
  const cart = (over: Partial<PriceCartInput> = {}): PriceCartInput => ({
    orderId: 'o1',
    accountId: 'acc-1',
    lines: [
      {
        skuId: 'sku-1',
        productId: 'p-1',
        categoryPathIds: ['c1'],
        quantity: 2,
        unitPrice: cny(10000),
      },
    ],
    couponCodes: [],
    channel: 'WEB',
    memberTier: '',
    firstOrder: false,
    flashToken: '',
    flashSaleId: null,
    groupDealId: '',
    groupId: '',
    ...over,
  });

  it('applies a claimed coupon and reserves it for the order; pricing again is the same answer', async () => {
    const { pricing, store, put } = setup();
    const code = couponCode(new Uint8Array(9).fill(7));
    put(code);
    const priced = await pricing.priceCart(CTX, cart({ couponCodes: [code] }));
    expect(priced.total.amountMinor).toBe(20000 - 500);
    expect(priced.reservedCoupons).toEqual([code]);
    expect(store.coupons.get(code)!.row).toMatchObject({ status: 'RESERVED', orderId: 'o1' });
    const again = await pricing.priceCart(CTX, cart({ couponCodes: [code] }));
    expect(again.total.amountMinor).toBe(20000 - 500);
    // another order cannot use the held coupon
    await expect(
      pricing.priceCart(CTX, cart({ orderId: 'o2', couponCodes: [code] })),
    ).rejects.toMatchObject({ code: 'COUPON_IN_USE' });
  });

  it('refuses a coupon of someone else, two coupons of one offer, and more than 5 codes; holds nothing', async () => {
    const { pricing, store, put } = setup();
    const [a, b, c] = [1, 2, 3].map((n) => couponCode(new Uint8Array(9).fill(n)));
    put(a);
    put(b);
    put(c, { ownerId: 'acc-2' });
    await expect(pricing.priceCart(CTX, cart({ couponCodes: [a, c] }))).rejects.toMatchObject({
      code: 'COUPON_NOT_OWNED',
    });
    await expect(pricing.priceCart(CTX, cart({ couponCodes: [a, b] }))).rejects.toMatchObject({
      code: 'COUPON_STACKING',
    });
    expect([a, b].map((x) => store.coupons.get(x)!.row.status)).toEqual(['CLAIMED', 'CLAIMED']);
    const six = [1, 2, 3, 4, 5, 6].map((n) => couponCode(new Uint8Array(9).fill(n)));
    await expect(
      Promise.resolve().then(() => pricing.priceCart(CTX, cart({ couponCodes: six }))),
    ).rejects.toMatchObject({ code: 'TOO_MANY_COUPONS' });
  });

  it('a flash token prices its line at the sale price and is ORDERED; release returns units once', async () => {
    const { pricing, store, pool, clock } = setup();
    await liveSale({ store, pool, clock });
    const won = (await pool.attempt('sale-1', 'acc-1', 2, clock.now())) as { token: string };
    store.purchases.set(won.token, {
      token: won.token,
      saleId: 'sale-1',
      accountId: 'acc-1',
      quantity: 2,
      status: 'WON',
      orderId: null,
      wonAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + 60_000),
    });
    const input = cart({ flashToken: won.token, flashSaleId: 'sale-1' });
    await expect(pricing.priceCart(CTX, { ...input, accountId: 'acc-2' })).rejects.toMatchObject({
      code: 'FLASH_TOKEN_INVALID',
    });
    const priced = await pricing.priceCart(CTX, input);
    expect(priced.total.amountMinor).toBe(2 * 5000);
    expect(store.purchases.get(won.token)).toMatchObject({ status: 'ORDERED', orderId: 'o1' });
    await expect(pricing.priceCart(CTX, { ...input, orderId: 'o2' })).rejects.toMatchObject({
      code: 'FLASH_TOKEN_USED',
    });
    await pricing.release(CTX, 'o1');
    await pricing.release(CTX, 'o1');
    expect(store.purchases.get(won.token)!.status).toBe('RETURNED');
    expect((await pool.state('sale-1')).stock).toBe(5);
  });

  it("a token whose win a gateway decided and nobody recorded yet is priced: the sale's pending wins are recorded first", async () => {
    const { pricing, store, pool, clock } = setup();
    await liveSale({ store, pool, clock });
    // decided in the pool only (as a gateway decides): in the win list, not in the database
    const won = (await pool.attempt('sale-1', 'acc-1', 2, clock.now())) as { token: string };
    const other = (await pool.attempt('sale-1', 'acc-9', 1, clock.now())) as { token: string };
    expect(store.purchases.size).toBe(0);
    const priced = await pricing.priceCart(
      CTX,
      cart({ flashToken: won.token, flashSaleId: 'sale-1' }),
    );
    expect(priced.total.amountMinor).toBe(2 * 5000);
    expect(store.purchases.get(won.token)).toMatchObject({
      status: 'ORDERED',
      orderId: 'o1',
      quantity: 2,
      // good for the sale's token TTL from the win
      expiresAt: new Date(clock.now().getTime() + 300_000),
    });
    // every pending win of the sale recorded, and the list emptied
    expect(store.purchases.get(other.token)).toMatchObject({ status: 'WON', accountId: 'acc-9' });
    expect(await pool.pendingWins('sale-1', 10)).toEqual([]);
    // a token nobody won is still refused (after one look at the list)
    await expect(
      pricing.priceCart(
        CTX,
        cart({ orderId: 'o3', flashToken: 'sale-1.nope', flashSaleId: 'sale-1' }),
      ),
    ).rejects.toMatchObject({ code: 'FLASH_TOKEN_INVALID' });
  });

  it('an expired flash token is refused', async () => {
    const { pricing, store, clock } = setup();
    store.sales.set('sale-1', {
      id: 'sale-1',
      skuId: 'sku-1',
      price: cny(5000),
      stock: 5,
      perUserLimit: 2,
      startsAt: clock.now(),
      endsAt: new Date(clock.now().getTime() + 3_600_000),
    });
    store.purchases.set('t', {
      token: 't',
      saleId: 'sale-1',
      accountId: 'acc-1',
      quantity: 1,
      status: 'WON',
      orderId: null,
      wonAt: clock.now(),
      expiresAt: clock.now(),
    });
    await expect(
      pricing.priceCart(CTX, cart({ flashToken: 't', flashSaleId: 'sale-1' })),
    ).rejects.toMatchObject({ code: 'FLASH_TOKEN_EXPIRED' });
  });

  it('a group deal opens a group with a pending seat; a failure later rolls the group back', async () => {
    const { pricing, store, clock } = setup();
    store.deals.set('deal-1', {
      id: 'deal-1',
      skuId: 'sku-1',
      price: cny(7000),
      groupSize: 2,
      windowSeconds: 3600,
      startsAt: new Date(clock.now().getTime() - 1000),
      endsAt: new Date(clock.now().getTime() + 86_400_000),
    });
    const lines = [
      { skuId: 'sku-1', productId: 'p-1', categoryPathIds: [], quantity: 1, unitPrice: cny(10000) },
    ];
    const priced = await pricing.priceCart(CTX, cart({ lines, groupDealId: 'deal-1' }));
    expect(priced.total.amountMinor).toBe(7000);
    expect(priced.group).toEqual({
      id: expect.any(String),
      deadline: new Date(clock.now().getTime() + 3_600_000),
    });
    expect(store.members.get('o1')!.row).toMatchObject({
      groupId: priced.group!.id,
      status: 'PENDING',
    });
    // the same account cannot take a second seat in a group it joined
    store.members.set('o1', {
      ...store.members.get('o1')!,
      row: { ...store.members.get('o1')!.row, status: 'JOINED' },
    });
    await expect(
      pricing.priceCart(
        CTX,
        cart({ orderId: 'o2', lines, groupDealId: 'deal-1', groupId: priced.group!.id }),
      ),
    ).rejects.toMatchObject({ code: 'GROUP_ALREADY_JOINED' });
    // a failure after the group was opened (a deal priced in another currency than the cart):
    // the rollback leaves no group and no seat behind
    store.deals.set('deal-usd', {
      ...store.deals.get('deal-1')!,
      id: 'deal-usd',
      price: Money.of(700, 'USD'),
    });
    const groupsBefore = store.groups.size;
    await expect(
      pricing.priceCart(
        CTX,
        cart({ orderId: 'o3', accountId: 'acc-3', lines, groupDealId: 'deal-usd' }),
      ),
    ).rejects.toThrow(/priced in USD, the cart in CNY/);
    expect(store.groups.size).toBe(groupsBefore);
    expect(store.members.has('o3')).toBe(false);
  });
});
