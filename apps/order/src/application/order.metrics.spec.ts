import { metricsRegistry } from '@emporia/platform';
import { checkoutHarness } from '../testing';
import { placedDecision } from './order.metrics';

/** The order counters' values now, by series (`decision`, `currency` or none). */
async function counters() {
  const read = async (name: string, label?: string) => {
    const metric = metricsRegistry.getSingleMetric(name);
    const out: Record<string, number> = {};
    for (const v of (await metric!.get()).values)
      out[label ? String(v.labels[label]) : 'all'] = v.value;
    return out;
  };
  return {
    placed: await read('emporia_orders_placed_total', 'decision'),
    paid: await read('emporia_orders_paid_total'),
    gmv: await read('emporia_gmv_minor_units_total', 'currency'),
  };
}

/** How much each series grew while `work` ran (series that did not move left out). */
async function countedDuring(work: () => Promise<unknown>) {
  const before = await counters();
  await work();
  const after = await counters();
  const grew = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(a)
        .map(([k, v]) => [k, v - (b[k] ?? 0)] as const)
        .filter(([, d]) => d !== 0),
    );
  return {
    placed: grew(after.placed, before.placed),
    paid: grew(after.paid, before.paid),
    gmv: grew(after.gmv, before.gmv),
  };
}

describe('order metrics', () => {
  it('names the decision an order is placed under', () => {
    expect(placedDecision('ALLOW')).toBe('accept');
    expect(placedDecision('REVIEW')).toBe('review');
  });

  it('counts an order placed and paid once: a checkout replayed with its key and a duplicate callback count nothing more', async () => {
    const h = checkoutHarness();
    const input = h.input();
    let total = 0;
    expect(
      await countedDuring(async () => {
        const { order } = await h.checkout.execute(h.ctx, input);
        await h.checkout.execute(h.ctx, input); // the same key: the same order, placed once
        total = order.total.amountMinor;
        const [cb, sig] = h.callback(order);
        expect(await h.payments.callback(h.ctx, cb, sig)).toBe('PAID');
        expect(await h.payments.callback(h.ctx, cb, sig)).toBe('DUPLICATE');
        // another transaction for the paid order is refunded, never paid twice
        const [late, lateSig] = h.callback(order, { providerTxnId: 'txn-late' });
        expect(await h.payments.callback(h.ctx, late, lateSig)).toBe('REFUND_LATE_PAYMENT');
      }),
    ).toEqual({ placed: { accept: 1 }, paid: { all: 1 }, gmv: { CNY: total } });
    expect(total).toBeGreaterThan(0);
  });

  it('counts an order held for review under review; a refused or failed checkout and a failed payment count nothing', async () => {
    // each checkout on a harness of its own (a placed order empties the cart)
    const [held, failing, refused] = [checkoutHarness(), checkoutHarness(), checkoutHarness()];
    held.risk.verdict = { decision: 'REVIEW', score: 50, reasons: ['NEW_DEVICE'], degraded: false };
    refused.risk.verdict = { decision: 'REJECT', score: 99, reasons: ['FRAUD'], degraded: false };
    expect(
      await countedDuring(async () => {
        expect((await held.checkout.execute(held.ctx, held.input())).order.status).toBe(
          'PENDING_REVIEW',
        );
        // the order's transaction fails after placing it: rolled back, not counted
        failing.faults.failAfter('PLACED');
        await expect(failing.checkout.execute(failing.ctx, failing.input())).rejects.toThrow(
          'injected fault',
        );
        await expect(refused.checkout.execute(refused.ctx, refused.input())).rejects.toMatchObject({
          code: 'ORDER_REJECTED',
        });
      }),
    ).toEqual({ placed: { review: 1 }, paid: {}, gmv: {} });
    const h2 = checkoutHarness();
    const { order } = await h2.checkout.execute(h2.ctx, h2.input());
    expect(
      await countedDuring(async () => {
        const [declined, sig] = h2.callback(order, { status: 'FAILED' });
        expect(await h2.payments.callback(h2.ctx, declined, sig)).toBe('FAILED');
        const [short, shortSig] = h2.callback(order, { providerTxnId: 't2', amountMinor: 1 });
        expect(await h2.payments.callback(h2.ctx, short, shortSig)).toBe('AMOUNT_MISMATCH');
      }),
    ).toEqual({ placed: {}, paid: {}, gmv: {} });
  });
});
