import { ACCOUNT, checkoutHarness, SKU_A, SKU_B } from '../testing';

/**
 * Returns through the use case against the in-memory ports: refund-only approvals, mismatched
 * receipts and their review, each settled once for risk (`ReturnSettled`, committed with the
 * move that settled it), money and stock moved once.
 */
describe('returns use case', () => {
  /** A paid order of 2 × A and 1 × B (¥100.00 each, ¥5.00 off A's line: A pays 9750 a unit). */
  const paidOrder = async () => {
    const h = checkoutHarness();
    const { order } = await h.checkout.execute(h.ctx, h.input());
    const [c, sig] = h.callback(order);
    await h.payments.callback(h.ctx, c, sig);
    const ask = (lines: { skuId: string; quantity: number }[], exchange = false) =>
      h.returns.request(h.ctx, {
        orderId: order.id,
        accountId: ACCOUNT,
        lines,
        reason: 'not as described',
        exchange,
      });
    const settled = () =>
      h.store.outbox.filter((e) => e.type === 'returnSettled').map((e) => e.settled!);
    const restocks = () => h.catalog.calls.filter((x) => x.method === 'restock');
    return { h, order, ask, settled, restocks };
  };

  it('a refund-only approval refunds at once, nothing restocked, settled REFUND_ONLY once', async () => {
    const { h, order, ask, settled, restocks } = await paidOrder();
    const r = await ask([
      { skuId: SKU_A, quantity: 1 },
      { skuId: SKU_B, quantity: 1 },
    ]);
    const done = await h.returns.review(h.ctx, r.id, true, 'parcel lost by the carrier', {
      refundOnly: true,
    });
    expect(done).toMatchObject({
      status: 'REFUNDED',
      kind: 'REFUND_ONLY',
      restocked: false,
      note: 'parcel lost by the carrier',
    });
    expect(done.refund!.amountMinor).toBe(9750 + 10000);
    expect(restocks()).toEqual([]);
    expect(h.provider.refunds).toEqual([
      { providerTxnId: `txn-${order.id}`, refundId: r.id, amountMinor: 19750 },
    ]);
    expect(settled()).toEqual([
      {
        returnId: r.id,
        orderId: order.id,
        accountId: ACCOUNT,
        kind: 'REFUND_ONLY',
        lineCount: 2,
        unitCount: 2,
        itemsMismatch: false,
        settledAt: h.clock.now(),
      },
    ]);
    expect(h.store.eventsOf(order.id).slice(2)).toEqual(['returnSettled', 'refunded']);
    // asked again: refused, nothing more recorded or refunded
    await expect(
      h.returns.review(h.ctx, r.id, true, '', { refundOnly: true }),
    ).rejects.toMatchObject({ code: 'RETURN_REFUND_ONLY_NOT_REQUESTED' });
    expect(settled()).toHaveLength(1);
    expect(h.provider.refunds).toHaveLength(1);
    // the rest of the order refunded the same way makes it REFUNDED, to the cent
    const rest = await ask([{ skuId: SKU_A, quantity: 1 }]);
    const last = await h.returns.review(h.ctx, rest.id, true, '', { refundOnly: true });
    expect(last.refund!.amountMinor).toBe(9750);
    expect(h.provider.refunds.reduce((n, x) => n + x.amountMinor, 0)).toBe(order.total.amountMinor);
    expect(h.store.orders.get(order.id)!.order.status).toBe('REFUNDED');
  });

  it('refund_only without approve is INVALID_ARGUMENT and changes nothing', async () => {
    const { h, ask, settled } = await paidOrder();
    const r = await ask([{ skuId: SKU_A, quantity: 1 }]);
    await expect(
      h.returns.review(h.ctx, r.id, false, '', { refundOnly: true }),
    ).rejects.toMatchObject({ kind: 'INVALID_ARGUMENT', code: 'RETURN_REFUND_ONLY_NEEDS_APPROVE' });
    expect(h.store.returns.get(r.id)!.status).toBe('REQUESTED');
    expect(settled()).toEqual([]);
  });

  it('a refund-only refund the provider failed is finished by the sweep, settled still once', async () => {
    const { h, ask, settled, restocks } = await paidOrder();
    const r = await ask([{ skuId: SKU_B, quantity: 1 }], true);
    const refund = h.provider.refund.bind(h.provider);
    h.provider.refund = async () => {
      throw new Error('provider down');
    };
    await expect(h.returns.review(h.ctx, r.id, true, '', { refundOnly: true })).rejects.toThrow(
      'provider down',
    );
    // the approval committed (an exchange request, approved as refund-only)
    expect(h.store.returns.get(r.id)).toMatchObject({ status: 'REFUNDING', kind: 'REFUND_ONLY' });
    h.provider.refund = refund;
    h.clock.advance(60_000);
    expect(await h.returns.finishPending(h.ctx)).toBe(1);
    expect(h.store.returns.get(r.id)).toMatchObject({ status: 'REFUNDED', restocked: false });
    expect(h.provider.refunds.map((x) => x.amountMinor)).toEqual([10000]);
    expect(restocks()).toEqual([]);
    expect(settled().map((e) => e.kind)).toEqual(['REFUND_ONLY']);
  });

  it('a mismatched receipt is DISPUTED: nothing restocked or refunded, settled once with the mismatch', async () => {
    const { h, order, ask, settled, restocks } = await paidOrder();
    const r = await ask([{ skuId: SKU_A, quantity: 2 }]);
    await h.returns.review(h.ctx, r.id, true, '');
    const disputed = await h.returns.receive(h.ctx, r.id, {
      itemsMismatch: true,
      note: 'two bricks',
    });
    expect(disputed).toMatchObject({
      status: 'DISPUTED',
      itemsMismatch: true,
      restocked: false,
      refund: null,
      note: 'two bricks',
    });
    expect(restocks()).toEqual([]);
    expect(h.provider.refunds).toEqual([]);
    expect(settled()).toEqual([
      expect.objectContaining({
        returnId: r.id,
        kind: 'REFUND',
        itemsMismatch: true,
        unitCount: 2,
      }),
    ]);
    // it waits for an operator: the sweep leaves it, a second receipt is refused
    h.clock.advance(60_000);
    expect(await h.returns.finishPending(h.ctx)).toBe(0);
    await expect(h.returns.receive(h.ctx, r.id)).rejects.toMatchObject({
      code: 'RETURN_TRANSITION_INVALID',
    });

    // approved: restocked and refunded as a whole receipt, no second settlement
    const done = await h.returns.review(h.ctx, r.id, true, '');
    expect(done).toMatchObject({
      status: 'REFUNDED',
      restocked: true,
      itemsMismatch: true,
      note: 'two bricks',
    });
    expect(done.refund!.amountMinor).toBe(19500);
    expect(restocks()).toHaveLength(1);
    expect(h.provider.refunds.map((x) => x.refundId)).toEqual([r.id]);
    expect(settled()).toHaveLength(1);
    expect(h.store.eventsOf(order.id).slice(2)).toEqual(['returnSettled', 'refunded']);
  });

  it('a rejected dispute refunds nothing; the units can be returned again, settled again', async () => {
    const { h, ask, settled, restocks } = await paidOrder();
    const r = await ask([{ skuId: SKU_B, quantity: 1 }]);
    await h.returns.review(h.ctx, r.id, true, '');
    await h.returns.receive(h.ctx, r.id, { itemsMismatch: true, note: 'another brand' });
    const rejected = await h.returns.review(h.ctx, r.id, false, '');
    expect(rejected).toMatchObject({ status: 'REJECTED', refund: null, note: 'another brand' });
    expect(restocks()).toEqual([]);
    expect(h.provider.refunds).toEqual([]);
    const again = await ask([{ skuId: SKU_B, quantity: 1 }]);
    await h.returns.review(h.ctx, again.id, true, '');
    expect((await h.returns.receive(h.ctx, again.id)).status).toBe('REFUNDED');
    expect(settled().map((e) => [e.returnId, e.itemsMismatch])).toEqual([
      [r.id, true],
      [again.id, false],
    ]);
  });

  it('a normal receipt settles REFUND once; an exchange EXCHANGE, kept when it is refunded for want of stock', async () => {
    const { h, ask, settled } = await paidOrder();
    const r = await ask([{ skuId: SKU_A, quantity: 1 }]);
    await h.returns.review(h.ctx, r.id, true, '');
    expect((await h.returns.receive(h.ctx, r.id)).status).toBe('REFUNDED');
    // the catalog has no units left for the exchange
    h.catalog.skuInfo.set(SKU_B, { ...h.catalog.skuInfo.get(SKU_B)!, stock: [] });
    const x = await ask([{ skuId: SKU_B, quantity: 1 }], true);
    await h.returns.review(h.ctx, x.id, true, '');
    const refunded = await h.returns.receive(h.ctx, x.id);
    expect(refunded).toMatchObject({ status: 'REFUNDED', kind: 'REFUND' });
    expect(settled().map((e) => [e.returnId, e.kind])).toEqual([
      [r.id, 'REFUND'],
      [x.id, 'EXCHANGE'],
    ]);
  });
});
