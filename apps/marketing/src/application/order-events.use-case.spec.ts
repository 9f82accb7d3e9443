import type { FlashPurchase } from './ports';
import {
  aCoupon,
  aGroup,
  aMember,
  anEvent,
  CTX,
  FakeClock,
  InMemoryFlashSaleStore,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
} from '../testing';
import { Money } from '@emporia/money';
import { GroupBuyUseCase } from './group-buy.use-case';
import { OrderEventsUseCase } from './order-events.use-case';

/**
 * Order and user events applied to marketing's tables once each (inbox in the unit of work):
 * coupons redeemed or given back, flash units paid or returned, group seats taken, tiers.
 */
describe('order events', () => {
  const setup = () => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    const uow = new InMemoryUnitOfWork(store, clock);
    const flash = new InMemoryFlashSaleStore();
    const events = new OrderEventsUseCase(uow, clock, flash);
    const groups = new GroupBuyUseCase(uow, clock);
    const putCoupon = (code: string, over: Parameters<typeof aCoupon>[0]) =>
      store.coupons.set(code, { row: aCoupon(over), createdAt: 0, updatedAt: 0, seq: 0 });
    const putMember = (orderId: string, over = {}) =>
      store.members.set(orderId, {
        row: aMember(orderId, over),
        createdAt: store.seq,
        updatedAt: store.seq,
        seq: ++store.seq,
      });
    return { store, clock, uow, flash, events, groups, putCoupon, putMember };
  };

  const purchase = (over: Partial<FlashPurchase> = {}): FlashPurchase => ({
    token: 'sale-1.t1',
    saleId: 'sale-1',
    accountId: 'acc-1',
    quantity: 2,
    status: 'ORDERED',
    orderId: 'o1',
    wonAt: new Date('2026-11-25T09:00:00Z'),
    expiresAt: new Date('2026-11-25T09:15:00Z'),
    ...over,
  });

  it('counts a placed order once however often the event is delivered', async () => {
    const { events, store } = setup();
    expect(await events.onOrderPlaced(CTX, anEvent('e1'), 'acc-1')).toBe(true);
    expect(await events.onOrderPlaced(CTX, anEvent('e1'), 'acc-1')).toBe(false);
    expect(await events.onOrderPlaced(CTX, anEvent('e2'), 'acc-1')).toBe(true);
    expect(store.customers.get('acc-1')!.ordersPlaced).toBe(2);
  });

  it('a paid order redeems its reserved coupons and marks its flash purchase paid', async () => {
    const { events, store, putCoupon } = setup();
    putCoupon('AAAAA-AAAAA', {
      code: 'AAAAA-AAAAA',
      ownerId: 'acc-1',
      status: 'RESERVED',
      orderId: 'o1',
    });
    putCoupon('BBBBB-BBBBB', {
      code: 'BBBBB-BBBBB',
      ownerId: 'acc-1',
      status: 'RESERVED',
      orderId: 'o2',
    });
    store.purchases.set('sale-1.t1', purchase());
    await events.onOrderPaid(CTX, anEvent('e1'), 'o1');
    expect(store.coupons.get('AAAAA-AAAAA')!.row).toMatchObject({
      status: 'REDEEMED',
      orderId: 'o1',
    });
    expect(store.coupons.get('BBBBB-BBBBB')!.row.status).toBe('RESERVED');
    expect(store.purchases.get('sale-1.t1')!.status).toBe('PAID');
  });

  it('a paid or cancelled order that holds nothing here is acknowledged without a transaction', async () => {
    const { events, store, putCoupon } = setup();
    putCoupon('AAAAA-AAAAA', { code: 'AAAAA-AAAAA', ownerId: 'acc-1', status: 'CLAIMED' });
    expect(await events.onOrderPaid(CTX, anEvent('p1'), 'o9')).toBe(false);
    expect(await events.onOrderCancelled(CTX, anEvent('c1'), 'o9')).toBe(false);
    expect(store.inbox.size).toBe(0);
    expect(store.outbox).toEqual([]);
    expect(store.coupons.get('AAAAA-AAAAA')!.row.status).toBe('CLAIMED');
    // an order holding only a flash purchase is handled (inbox row and all)
    store.purchases.set('sale-1.t1', purchase({ orderId: 'o8' }));
    expect(await events.onOrderPaid(CTX, anEvent('p2'), 'o8')).toBe(true);
    expect(store.inbox.size).toBe(1);
    expect(store.purchases.get('sale-1.t1')!.status).toBe('PAID');
  });

  it('a paid event for a purchase already given back leaves it returned', async () => {
    const { events, store } = setup();
    store.purchases.set('sale-1.t1', purchase({ status: 'RETURNED' }));
    await events.onOrderPaid(CTX, anEvent('e1'), 'o1');
    expect(store.purchases.get('sale-1.t1')!.status).toBe('RETURNED');
  });

  it('a cancelled order gives its coupons back and its flash units to the pool, once', async () => {
    const { events, store, flash, putCoupon, putMember } = setup();
    putCoupon('AAAAA-AAAAA', {
      code: 'AAAAA-AAAAA',
      ownerId: 'acc-1',
      status: 'RESERVED',
      orderId: 'o1',
    });
    store.purchases.set('sale-1.t1', purchase());
    flash.pools.set('sale-1', {
      starts: 0,
      ends: Number.MAX_SAFE_INTEGER,
      limit: 2,
      stock: 3,
      buyers: { 'acc-1': 2 },
      wins: [],
      returned: new Set(),
    });
    store.groups.set('group-1', aGroup());
    putMember('o1');
    expect(await events.onOrderCancelled(CTX, anEvent('c1'), 'o1')).toBe(true);
    expect(store.coupons.get('AAAAA-AAAAA')!.row).toMatchObject({
      status: 'CLAIMED',
      orderId: null,
    });
    expect(store.purchases.get('sale-1.t1')!.status).toBe('RETURNED');
    expect(await flash.state('sale-1')).toEqual({ stock: 5, buyers: { 'acc-1': 0 } });
    expect(store.members.get('o1')!.row.status).toBe('LEFT');
    // redelivered, or cancelled again under another event id: nothing more comes back
    expect(await events.onOrderCancelled(CTX, anEvent('c1'), 'o1')).toBe(false);
    expect(await events.onOrderCancelled(CTX, anEvent('c2'), 'o1')).toBe(true);
    expect((await flash.state('sale-1')).stock).toBe(5);
  });

  it('a failure mid-handling rolls back every write and the inbox: the redelivery applies it', async () => {
    const { events, store, flash, putCoupon } = setup();
    putCoupon('AAAAA-AAAAA', {
      code: 'AAAAA-AAAAA',
      ownerId: 'acc-1',
      status: 'RESERVED',
      orderId: 'o1',
    });
    store.purchases.set('sale-1.t1', purchase());
    flash.failNext = new Error('redis down');
    await expect(events.onOrderCancelled(CTX, anEvent('c1'), 'o1')).rejects.toThrow('redis down');
    // the coupon was released before the failure: the rollback put it back
    expect(store.coupons.get('AAAAA-AAAAA')!.row.status).toBe('RESERVED');
    expect(store.inbox.size).toBe(0);
    expect(await events.onOrderCancelled(CTX, anEvent('c1'), 'o1')).toBe(true);
    expect(store.coupons.get('AAAAA-AAAAA')!.row.status).toBe('CLAIMED');
    expect(store.purchases.get('sale-1.t1')!.status).toBe('RETURNED');
  });

  it('a tier change older than the one applied is ignored', async () => {
    const { events, store } = setup();
    const at = (h: number) => new Date(Date.UTC(2026, 10, 25, h));
    await events.onTierChanged(CTX, anEvent('t2'), 'acc-1', 'GOLD', at(12));
    await events.onTierChanged(CTX, anEvent('t1'), 'acc-1', 'SILVER', at(11));
    expect(store.customers.get('acc-1')!.tier).toBe('GOLD');
  });

  describe('group seats', () => {
    it('the paid order that fills the group confirms every order and fails the late ones', async () => {
      const { events, store, putMember } = setup();
      store.groups.set('group-1', aGroup({ size: 2 }));
      putMember('o1');
      putMember('o2');
      putMember('o3');
      await events.onOrderPaid(CTX, anEvent('p1'), 'o1');
      expect(store.members.get('o1')!.row.status).toBe('JOINED');
      expect(store.outbox).toEqual([]);
      await events.onOrderPaid(CTX, anEvent('p2'), 'o2');
      expect(store.groups.get('group-1')!.status).toBe('SUCCEEDED');
      expect(store.members.get('o3')!.row.status).toBe('FAILED');
      expect(store.outbox).toEqual([
        { type: 'GroupBuySucceeded', groupId: 'group-1', orderIds: ['o1', 'o2'] },
        { type: 'GroupBuyFailed', groupId: 'group-1', orderIds: ['o3'], reason: 'GROUP_FULL' },
      ]);
      // the late order paying anyway is not given a seat
      await events.onOrderPaid(CTX, anEvent('p3'), 'o3');
      expect(store.outbox).toHaveLength(2);
    });

    it('paying after the deadline fails that order with the reason', async () => {
      const { events, store, clock, putMember } = setup();
      store.groups.set('group-1', aGroup());
      putMember('o1');
      clock.advance(3_600_000);
      await events.onOrderPaid(CTX, anEvent('p1'), 'o1');
      expect(store.members.get('o1')!.row.status).toBe('FAILED');
      expect(store.outbox).toEqual([
        { type: 'GroupBuyFailed', groupId: 'group-1', orderIds: ['o1'], reason: 'GROUP_CLOSED' },
      ]);
    });

    it('one seat per account: a second order of the same account fails', async () => {
      const { events, store, putMember } = setup();
      store.groups.set('group-1', aGroup());
      putMember('o1', { accountId: 'acc-1' });
      putMember('o2', { accountId: 'acc-1' });
      await events.onOrderPaid(CTX, anEvent('p1'), 'o1');
      await events.onOrderPaid(CTX, anEvent('p2'), 'o2');
      expect(store.members.get('o2')!.row.status).toBe('FAILED');
      expect(store.outbox[0]).toMatchObject({ orderIds: ['o2'], reason: 'GROUP_ALREADY_JOINED' });
    });

    it('the deadline sweep fails unfilled groups with every paid or pending order, once', async () => {
      const { groups, store, clock, putMember } = setup();
      store.groups.set('group-1', aGroup());
      store.groups.set(
        'group-2',
        aGroup({ id: 'group-2', deadline: new Date('2026-11-26T00:00:00Z') }),
      );
      putMember('o1', { status: 'JOINED' });
      putMember('o2');
      putMember('o3', { status: 'LEFT' });
      clock.advance(3_600_000);
      expect(await groups.expireDue(CTX)).toBe(1);
      expect(store.groups.get('group-1')!.status).toBe('FAILED');
      expect(store.groups.get('group-2')!.status).toBe('OPEN');
      expect(['o1', 'o2', 'o3'].map((o) => store.members.get(o)!.row.status)).toEqual([
        'FAILED',
        'FAILED',
        'LEFT',
      ]);
      expect(store.outbox).toEqual([
        {
          type: 'GroupBuyFailed',
          groupId: 'group-1',
          orderIds: ['o1', 'o2'],
          reason: 'DEADLINE_PASSED',
        },
      ]);
      expect(await groups.expireDue(CTX)).toBe(0);
      expect(store.outbox).toHaveLength(1);
    });

    it('a deal needs 2..100 participants, a window of at most 2 days, and a unique id', async () => {
      const { groups } = setup();
      const deal = {
        id: 'deal-1',
        skuId: 'sku-1',
        price: Money.of(9900, 'CNY'),
        groupSize: 3,
        windowSeconds: 3600,
        startsAt: new Date('2026-11-25T00:00:00Z'),
        endsAt: new Date('2026-11-30T00:00:00Z'),
      };
      const run = (d: typeof deal) => Promise.resolve().then(() => groups.createDeal(CTX, d));
      await expect(run({ ...deal, groupSize: 1 })).rejects.toMatchObject({
        code: 'GROUP_DEAL_INVALID',
      });
      await expect(run({ ...deal, windowSeconds: 2 * 86_400 + 1 })).rejects.toMatchObject({
        code: 'GROUP_DEAL_INVALID',
      });
      await run(deal);
      await expect(run(deal)).rejects.toMatchObject({ code: 'GROUP_DEAL_EXISTS' });
    });
  });
});
