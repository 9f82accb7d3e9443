import { aProductInput, aSkuInput, catalogHarness } from '../testing';

const DAY = 86_400_000;
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const REQ = (n: number) => `0190c000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

async function pricedSku() {
  const h = catalogHarness();
  const cat = await h.category();
  const view = await h.createProduct.execute(
    h.ctx,
    aProductInput(cat.id, { skus: [aSkuInput('CUP-RED', { price: cny(10000) })] }),
  );
  return { h, product: view.product, skuId: view.product.skus[0].id };
}

describe('SKU prices: history, original price rule, SetSkuPrice', () => {
  it('every route records the change: create, UpdateProduct, SetSkuPrice (newest first)', async () => {
    const { h, product, skuId } = await pricedSku();
    h.clock.advance(DAY);
    await h.updateProduct.execute(h.ctx, product.id, {
      upsertSkus: [aSkuInput('CUP-RED', { price: cny(9000) })],
    });
    h.clock.advance(DAY);
    const set = await h.skuPrices.setPrice(h.ctx, {
      skuId,
      price: cny(8000),
      originalPrice: cny(9000),
      reason: 'price-suggestion',
      reference: 'sugg-1',
      actorId: 'op-7',
      requestId: REQ(1),
    });
    expect(set.view.product.skus[0]).toMatchObject({
      price: { amountMinor: 8000 },
      originalPrice: { amountMinor: 9000 },
    });
    const { changes, lowest30d } = await h.skuPrices.history(h.ctx, skuId, 50);
    expect(
      changes.map((c) => [c.reason, c.price.amountMinor, c.previousPrice?.amountMinor ?? null]),
    ).toEqual([
      ['price-suggestion', 8000, 9000],
      ['update', 9000, 10000],
      ['create', 10000, null],
    ]);
    expect(changes[0]).toMatchObject({
      reference: 'sugg-1',
      actorId: 'op-7',
      originalPrice: { amountMinor: 9000 },
    });
    expect(lowest30d.amountMinor).toBe(8000);
    expect(h.store.eventTypes(product.id)).toEqual([
      'productCreated',
      'productUpdated',
      'productUpdated',
    ]);
  });

  it('an original price above the lowest of the previous 30 days is refused; older prices do not count', async () => {
    const { h, skuId } = await pricedSku(); // 100.00 from day 0
    h.clock.advance(DAY);
    await h.skuPrices.setPrice(h.ctx, {
      skuId,
      price: cny(9000),
      reason: '',
      reference: '',
      actorId: '',
      requestId: REQ(1),
    });
    h.clock.advance(DAY);
    // the lowest of the last 30 days is 90.00 (the current price): 95.00 is too high
    await expect(
      h.skuPrices.setPrice(h.ctx, {
        skuId,
        price: cny(8000),
        originalPrice: cny(9500),
        reason: '',
        reference: '',
        actorId: '',
        requestId: REQ(2),
      }),
    ).rejects.toMatchObject({
      kind: 'FAILED_PRECONDITION',
      code: 'ORIGINAL_PRICE_TOO_HIGH',
      details: { field: 'original_price', max_minor: 9000 },
    });
    await expect(
      h.skuPrices.setPrice(h.ctx, {
        skuId,
        price: cny(8000),
        originalPrice: cny(8000),
        reason: '',
        reference: '',
        actorId: '',
        requestId: REQ(3),
      }),
    ).rejects.toMatchObject({ kind: 'INVALID_ARGUMENT', code: 'ORIGINAL_PRICE_NOT_ABOVE_PRICE' });
    expect((await h.skuPrices.history(h.ctx, skuId, 50)).changes).toHaveLength(2); // refused: nothing written
    // 90.00 allowed
    await h.skuPrices.setPrice(h.ctx, {
      skuId,
      price: cny(8000),
      originalPrice: cny(9000),
      reason: '',
      reference: '',
      actorId: '',
      requestId: REQ(4),
    });
    // 31 days later the 90.00 left the window: only 80.00 was in effect, so 90.00 is too high now
    h.clock.advance(31 * DAY);
    await expect(
      h.skuPrices.setPrice(h.ctx, {
        skuId,
        price: cny(7000),
        originalPrice: cny(9000),
        reason: '',
        reference: '',
        actorId: '',
        requestId: REQ(5),
      }),
    ).rejects.toMatchObject({ code: 'ORIGINAL_PRICE_TOO_HIGH', details: { max_minor: 8000 } });
  });

  it('a new SKU cannot show an original price (no price in the previous 30 days)', async () => {
    const h = catalogHarness();
    const cat = await h.category();
    await expect(
      h.createProduct.execute(
        h.ctx,
        aProductInput(cat.id, {
          skus: [aSkuInput('N-1', { price: cny(100), originalPrice: cny(200) })],
        }),
      ),
    ).rejects.toMatchObject({
      code: 'ORIGINAL_PRICE_TOO_HIGH',
      details: { sku: 'N-1', max_minor: null },
    });
    expect(h.store.products.size).toBe(0);
    expect(h.store.priceHistory).toHaveLength(0);
  });

  it('UpdateProduct applies the rule to a changed SKU and records nothing for an unchanged one', async () => {
    const { h, product } = await pricedSku();
    h.clock.advance(DAY);
    await expect(
      h.updateProduct.execute(h.ctx, product.id, {
        upsertSkus: [aSkuInput('CUP-RED', { price: cny(9000), originalPrice: cny(10001) })],
      }),
    ).rejects.toMatchObject({ code: 'ORIGINAL_PRICE_TOO_HIGH', details: { max_minor: 10000 } });
    const ok = await h.updateProduct.execute(h.ctx, product.id, {
      upsertSkus: [aSkuInput('CUP-RED', { price: cny(9000), originalPrice: cny(10000) })],
    });
    expect(ok.product.skus[0].originalPrice?.amountMinor).toBe(10000);
    await h.updateProduct.execute(h.ctx, product.id, {
      upsertSkus: [aSkuInput('CUP-RED', { price: cny(9000), originalPrice: cny(10000) })],
    });
    expect(h.store.priceHistory.map((c) => c.reason)).toEqual(['create', 'update']);
  });

  it('SetSkuPrice is idempotent by request id; another change under the same id is refused', async () => {
    const { h, product, skuId } = await pricedSku();
    const input = {
      skuId,
      price: cny(9000),
      reason: 'manual',
      reference: '',
      actorId: 'op',
      requestId: REQ(9),
    };
    const first = await h.skuPrices.setPrice(h.ctx, input);
    h.clock.advance(DAY);
    const again = await h.skuPrices.setPrice(h.ctx, input);
    expect(again.change).toEqual(first.change);
    expect(again.view.product.version).toBe(first.view.product.version);
    expect(h.store.priceHistory).toHaveLength(2);
    expect(h.store.eventTypes(product.id)).toEqual(['productCreated', 'productUpdated']);
    await expect(h.skuPrices.setPrice(h.ctx, { ...input, price: cny(8000) })).rejects.toMatchObject(
      { code: 'REQUEST_ID_REUSED' },
    );
    await expect(
      h.skuPrices.setPrice(h.ctx, { ...input, requestId: 'nope' }),
    ).rejects.toMatchObject({ code: 'ID_INVALID', details: { field: 'request_id' } });
    await expect(
      h.skuPrices.setPrice(h.ctx, { ...input, skuId: REQ(77), requestId: REQ(10) }),
    ).rejects.toMatchObject({ code: 'SKU_NOT_FOUND' });
  });

  it('the same price again is audited without a new version or event', async () => {
    const { h, product, skuId } = await pricedSku();
    const r = await h.skuPrices.setPrice(h.ctx, {
      skuId,
      price: cny(10000),
      reason: 'manual',
      reference: '',
      actorId: 'op',
      requestId: REQ(1),
    });
    expect(r.view.product.version).toBe(product.version);
    expect(r.change.previousPrice?.amountMinor).toBe(10000);
    expect(h.store.eventTypes(product.id)).toEqual(['productCreated']);
  });
});
