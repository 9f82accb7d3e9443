import { aDelivery, anOrderPaid, anOrderRefunded, cny, userHarness } from '../testing';

/**
 * Membership through the use cases against the in-memory unit of work: order events earn and
 * revoke points and move tiers, each event applies once (inbox in the same transaction), a
 * failure leaves nothing half-written so the redelivery applies it whole.
 */
describe('membership from order events', () => {
  const balance = async (h: ReturnType<typeof userHarness>, accountId: string) =>
    (await h.pointsUseCase.get(h.ctx, accountId)).pointsBalance;

  it('a paid order adds spend and earns whole yuan as points; a redelivery counts once', async () => {
    const h = userHarness();
    const a = await h.customer();
    const paid = aDelivery('OrderPaid');
    expect(await h.orderEvents.onOrderPaid(h.ctx, paid, anOrderPaid(a.id))).toBe(true);
    expect(await h.orderEvents.onOrderPaid(h.ctx, paid, anOrderPaid(a.id))).toBe(false);
    const view = await h.pointsUseCase.get(h.ctx, a.id);
    expect(view).toMatchObject({ tierCode: 'MEMBER', pointsBalance: 129 });
    expect(view.rollingSpend.equals(cny(12990))).toBe(true);
    // the same order under another event id (the producer re-sent it) still earns once
    await h.orderEvents.onOrderPaid(h.ctx, aDelivery('OrderPaid'), anOrderPaid(a.id));
    expect(await balance(h, a.id)).toBe(129);
    expect(h.store.ledgerOf(a.id).map((e) => [e.type, e.points, e.balanceAfter])).toEqual([
      ['EARN', 129, 129],
    ]);
  });

  it('spend crossing a threshold upgrades the tier with one TierChanged; a full refund downgrades and revokes', async () => {
    const h = userHarness();
    const a = await h.customer();
    await h.orderEvents.onOrderPaid(
      h.ctx,
      aDelivery('OrderPaid'),
      anOrderPaid(a.id, { orderId: 'o-big', amountPaid: cny(150000) }),
    );
    expect(h.store.memberships.get(a.id)!.tierCode).toBe('SILVER');
    const changes = () => h.store.outbox.filter((e) => e.type === 'tierChanged').map((e) => e.data);
    expect(changes()).toEqual([
      expect.objectContaining({ from: 'MEMBER', to: 'SILVER', direction: 'UPGRADE' }),
    ]);
    expect(await balance(h, a.id)).toBe(1500);

    await h.orderEvents.onOrderRefunded(
      h.ctx,
      aDelivery('OrderRefunded'),
      anOrderRefunded(a.id, { orderId: 'o-big', amountRefunded: cny(150000) }),
    );
    expect(h.store.memberships.get(a.id)!.tierCode).toBe('MEMBER');
    expect(changes()).toHaveLength(2);
    expect(changes()[1]).toMatchObject({ from: 'SILVER', to: 'MEMBER', direction: 'DOWNGRADE' });
    expect(await balance(h, a.id)).toBe(0);
  });

  it('a partial refund takes the spend back but leaves the points', async () => {
    const h = userHarness();
    const a = await h.customer();
    await h.orderEvents.onOrderPaid(h.ctx, aDelivery('OrderPaid'), anOrderPaid(a.id));
    await h.orderEvents.onOrderRefunded(
      h.ctx,
      aDelivery('OrderRefunded'),
      anOrderRefunded(a.id, { amountRefunded: cny(2990), full: false }),
    );
    const view = await h.pointsUseCase.get(h.ctx, a.id);
    expect(view.rollingSpend.equals(cny(10000))).toBe(true);
    expect(view.pointsBalance).toBe(129);
  });

  it('events for unknown accounts (guest checkouts) are acknowledged and change nothing', async () => {
    const h = userHarness();
    const delivery = aDelivery('OrderPaid');
    expect(await h.orderEvents.onOrderPaid(h.ctx, delivery, anOrderPaid(h.ids.newId()))).toBe(true);
    expect([h.store.memberships.size, h.store.spend.size, h.store.lots.size]).toEqual([0, 0, 0]);
    expect(h.store.inbox.size).toBe(1);
  });

  it('a failure mid-event rolls back the inbox row with the rest; the redelivery applies it whole', async () => {
    const h = userHarness();
    const a = await h.customer();
    const delivery = aDelivery('OrderPaid');
    // the tier evaluation is the last step: make it fail once, after spend and points were written
    const tiers = h.store.tiers;
    h.store.tiers = [];
    await expect(h.orderEvents.onOrderPaid(h.ctx, delivery, anOrderPaid(a.id))).rejects.toThrow();
    expect([
      h.store.inbox.size,
      h.store.spend.size,
      h.store.lots.size,
      h.store.ledger.length,
    ]).toEqual([0, 0, 0, 0]);
    h.store.tiers = tiers;
    expect(await h.orderEvents.onOrderPaid(h.ctx, delivery, anOrderPaid(a.id))).toBe(true);
    expect(await balance(h, a.id)).toBe(129);
  });
});

describe('points', () => {
  const earned = async (minor = 50000) => {
    const h = userHarness();
    const a = await h.customer();
    await h.orderEvents.onOrderPaid(
      h.ctx,
      aDelivery('OrderPaid'),
      anOrderPaid(a.id, { amountPaid: cny(minor) }),
    );
    return { h, a };
  };

  it('redeems down to zero, never below; a repeated redemption spends once; a refund gives back', async () => {
    const { h, a } = await earned();
    expect(await h.pointsUseCase.redeem(h.ctx, { accountId: a.id, points: 300, ref: 'o-2' })).toBe(
      200,
    );
    expect(await h.pointsUseCase.redeem(h.ctx, { accountId: a.id, points: 300, ref: 'o-2' })).toBe(
      200,
    );
    await expect(
      h.pointsUseCase.redeem(h.ctx, { accountId: a.id, points: 201, ref: 'o-3' }),
    ).rejects.toMatchObject({ code: 'POINTS_INSUFFICIENT' });
    expect(await h.pointsUseCase.refund(h.ctx, { accountId: a.id, ref: 'o-2' })).toBe(500);
    const ledger = h.store.ledgerOf(a.id);
    expect(ledger.map((e) => e.type)).toEqual(['EARN', 'REDEEM', 'REDEMPTION_REFUND']);
    // the entries sum to the balance
    expect(ledger.reduce((s, e) => s + e.points, 0)).toBe(500);
  });

  it('an erased account has no points to spend', async () => {
    const { h, a } = await earned();
    await h.privacy.deleteAccount(h.ctx, { accountId: a.id, byOperator: true, operatorId: 'op' });
    await expect(
      h.pointsUseCase.redeem(h.ctx, { accountId: a.id, points: 1, ref: 'o-9' }),
    ).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    // accounting rows stay under the bare id
    expect(h.store.ledgerOf(a.id)).toHaveLength(1);
  });

  it('the sweep expires lots past their date, once', async () => {
    const { h, a } = await earned();
    expect(await h.pointsUseCase.expireDue(h.ctx)).toBe(0);
    h.clock.advance(h.points.ttlMs);
    expect(await h.pointsUseCase.expireDue(h.ctx)).toBe(1);
    expect(await h.pointsUseCase.expireDue(h.ctx)).toBe(0);
    expect(h.store.ledgerOf(a.id).map((e) => [e.type, e.points])).toEqual([
      ['EARN', 500],
      ['EXPIRE', -500],
    ]);
  });
});

describe('tier table', () => {
  it('a tier with members cannot be removed; a new table re-evaluates every member once', async () => {
    const h = userHarness();
    const a = await h.customer();
    await h.orderEvents.onOrderPaid(
      h.ctx,
      aDelivery('OrderPaid'),
      anOrderPaid(a.id, { amountPaid: cny(150000) }),
    );
    const tiers = (code: string, silver: number) => [
      { code: 'MEMBER', name: 'Member', minSpend: cny(0) },
      { code, name: code, minSpend: cny(silver) },
    ];
    await expect(h.admin.replaceTiers(h.ctx, tiers('GOLDISH', 100000))).rejects.toMatchObject({
      code: 'TIER_IN_USE',
    });
    expect(h.store.tiersVersion).toBe(0);
    expect(await h.admin.replaceTiers(h.ctx, tiers('SILVER', 200000))).toMatchObject({
      toReevaluate: 1,
    });
    expect(await h.admin.reevaluateDue(h.ctx)).toBe(1);
    expect(h.store.memberships.get(a.id)!.tierCode).toBe('MEMBER');
    expect(await h.admin.reevaluateDue(h.ctx)).toBe(0);
    expect((await h.admin.listTiers(h.ctx)).map((t) => [t.code, t.members])).toEqual([
      ['MEMBER', 1],
      ['SILVER', 0],
    ]);
  });
});
