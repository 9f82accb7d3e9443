import { newContext } from '@emporia/platform';
import {
  ACCOUNT,
  aSku,
  checkoutHarness,
  FakeCatalog,
  FakeClock,
  InMemoryUnitOfWork,
  SequentialIds,
  SKU_A,
  SKU_B,
  unavailable,
} from '../testing';
import { CartUseCase } from './cart.use-case';

const SKU_C = '0190a000-0000-7000-8000-00000000000c';

/**
 * `CartChanged`: every change of an account's cart is announced in the transaction that made
 * it, with the whole cart priced from the catalog; guest carts announce nothing.
 */
function cartHarness() {
  const uow = new InMemoryUnitOfWork();
  const catalog = new FakeCatalog([
    aSku(SKU_A).pricedAt(10000).build(),
    aSku(SKU_B).pricedAt(2550).build(),
    aSku(SKU_C).notOrderable().build(),
  ]);
  const clock = new FakeClock();
  const carts = new CartUseCase(uow, catalog, clock, new SequentialIds(), {
    guestCartTtlMs: 3_600_000,
    guestTokenUnusedTtlMs: 600_000,
  });
  return { ctx: newContext(), uow, store: uow.store, catalog, clock, carts };
}

const owner = { accountId: ACCOUNT };
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

describe('CartChanged', () => {
  it('announces the whole account cart after each line set, priced from the catalog', async () => {
    const h = cartHarness();
    await h.carts.setLine(h.ctx, owner, SKU_A, 2);
    h.clock.advance(1000);
    await h.carts.setLine(h.ctx, owner, SKU_B, 3);
    expect(h.store.cartEvents).toHaveLength(2);
    const last = h.store.cartEvents[1];
    expect(last).toMatchObject({ accountId: ACCOUNT, cause: 'set_line', changedAt: h.clock.now() });
    expect(last.lines.map((l) => ({ ...l, unitPrice: l.unitPrice && { ...l.unitPrice } }))).toEqual(
      [
        { skuId: SKU_A, productId: `p-${SKU_A}`, quantity: 2, unitPrice: cny(10000) },
        { skuId: SKU_B, productId: `p-${SKU_B}`, quantity: 3, unitPrice: cny(2550) },
      ],
    );
    expect(last.subtotal?.amountMinor).toBe(2 * 10000 + 3 * 2550);
    // the SKUs already in the cart are asked in the same catalog call as the one being set
    expect(h.catalog.calls.filter((c) => c.method === 'skus')).toHaveLength(2);
  });

  it('announces a removal; an empty cart has no lines and no subtotal', async () => {
    const h = cartHarness();
    await h.carts.setLine(h.ctx, owner, SKU_A, 1);
    await h.carts.setLine(h.ctx, owner, SKU_A, 0);
    expect(h.store.cartEvents.at(-1)).toMatchObject({ lines: [], subtotal: null });
  });

  it('announces nothing when nothing changed, and nothing of a refused change', async () => {
    const h = cartHarness();
    await h.carts.setLine(h.ctx, owner, SKU_B, 0);
    await expect(h.carts.setLine(h.ctx, owner, SKU_C, 1)).rejects.toMatchObject({
      code: 'SKU_UNAVAILABLE',
    });
    await h.carts.setLine(h.ctx, owner, SKU_A, 1);
    await h.carts.setLine(h.ctx, owner, SKU_A, 1);
    expect(h.store.cartEvents.map((e) => e.lines.length)).toEqual([1]);
  });

  it('a removal does not wait on the catalog: lines it could not price go without a price', async () => {
    const h = cartHarness();
    await h.carts.setLine(h.ctx, owner, SKU_A, 1);
    await h.carts.setLine(h.ctx, owner, SKU_B, 1);
    // both the look-up before the transaction and the one for the missing SKUs in it fail
    h.catalog.faults.fail('skus', unavailable('catalog'), 2);
    await h.carts.setLine(h.ctx, owner, SKU_B, 0);
    expect(h.store.cartEvents.at(-1)).toMatchObject({
      lines: [{ skuId: SKU_A, productId: '', quantity: 1, unitPrice: null }],
      subtotal: null,
    });
  });

  it('guest carts announce nothing; the merge at sign-in announces the account cart', async () => {
    const h = cartHarness();
    const token = await h.carts.issueGuestToken(h.ctx);
    await h.carts.setLine(h.ctx, { guestToken: token }, SKU_B, 2);
    expect(h.store.cartEvents).toEqual([]);
    await h.carts.setLine(h.ctx, owner, SKU_B, 1);
    await h.carts.merge(h.ctx, ACCOUNT, token);
    expect(h.store.cartEvents).toHaveLength(2);
    expect(h.store.cartEvents[1]).toMatchObject({
      cause: 'merge',
      lines: [{ skuId: SKU_B, quantity: 3 }],
    });
    expect(h.store.cartEvents[1].subtotal?.amountMinor).toBe(3 * 2550);
  });

  it('a merge of an empty guest cart changes nothing and announces nothing', async () => {
    const h = cartHarness();
    const token = await h.carts.issueGuestToken(h.ctx);
    await h.carts.merge(h.ctx, ACCOUNT, token);
    expect(h.store.cartEvents).toEqual([]);
  });

  it('checkout announces the cart it emptied, in the transaction that placed the order', async () => {
    const h = checkoutHarness();
    const { order } = await h.checkout.execute(h.ctx, h.input({ channel: 'app' }));
    expect(order.channel).toBe('app');
    expect(h.store.cartEvents).toEqual([
      expect.objectContaining({ accountId: ACCOUNT, cause: 'checkout', lines: [], subtotal: null }),
    ]);
  });

  it('a failed checkout announces nothing (the cart is unchanged)', async () => {
    const h = checkoutHarness();
    h.faults.failAfter('PLACED');
    await expect(h.checkout.execute(h.ctx, h.input())).rejects.toThrow('injected fault');
    expect(h.store.cartEvents).toEqual([]);
  });
});
