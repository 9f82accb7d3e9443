import { aLine, aSkuInput, aWarehouseInput, catalogHarness, type CatalogHarness } from '../testing';

/**
 * Low-stock thresholds through the use cases against the in-memory ports: every movement that
 * changes available stock re-evaluates the threshold in its transaction, and only a crossing
 * emits StockLow / StockRecovered.
 */
describe('low-stock thresholds', () => {
  const crossings = (h: CatalogHarness) =>
    h.store.outbox
      .filter((e) => e.type === 'stockLow' || e.type === 'stockRecovered')
      .map((e) => ('available' in e ? `${e.type}:${e.warehouseCode}:${e.available}` : e.type));

  const setup = async (stock: Record<string, number> = { SH: 10 }) => {
    const h = catalogHarness();
    const { product, skuIds } = await h.stockedProduct(stock);
    return { h, product, sku: skuIds[0] };
  };

  it('a sequence of movements crossing down and up emits StockLow and StockRecovered once each', async () => {
    const { h, sku } = await setup({ SH: 10 });
    await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'SH', threshold: 4 });
    expect(crossings(h)).toEqual([]);
    const adjust = (delta: number) =>
      h.adjustStock.execute(h.ctx, sku, { warehouseCode: 'SH', delta, reason: 'count' });
    await adjust(-3); // 7
    const r1 = h.reservationId();
    await h.reservations.reserve(h.ctx, { id: r1, lines: [aLine(sku, 3, 'SH')], ttlSeconds: 60 }); // 4: low
    const r2 = h.reservationId();
    await h.reservations.reserve(h.ctx, { id: r2, lines: [aLine(sku, 2, 'SH')], ttlSeconds: 60 }); // 2
    await adjust(-1); // 1
    await h.reservations.commit(h.ctx, r1); // on hand and reserved drop together: still 1
    await h.reservations.release(h.ctx, r2, 'cart emptied'); // 3
    expect(crossings(h)).toEqual(['stockLow:SH:4']);
    await adjust(2); // 5: recovered
    await adjust(10); // 15
    expect(crossings(h)).toEqual(['stockLow:SH:4', 'stockRecovered:SH:5']);
    expect(h.store.thresholds.get(`${sku}|SH`)).toMatchObject({ low: false, lowSince: null });
  });

  it('the event names the SKU, its product and the figures, at the time of the crossing', async () => {
    const { h, sku, product } = await setup({ SH: 5 });
    await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'SH', threshold: 4 });
    h.clock.advance(60_000);
    await h.adjustStock.execute(h.ctx, sku, { warehouseCode: 'SH', delta: -2, reason: 'damaged' });
    expect(h.store.outbox.filter((e) => e.type === 'stockLow')).toEqual([
      {
        type: 'stockLow',
        skuId: sku,
        skuCode: 'CUP-RED',
        productId: product.id,
        productTitle: 'Tea cup',
        warehouseCode: 'SH',
        available: 3,
        threshold: 4,
        at: h.clock.now(),
      },
    ]);
    expect(h.store.thresholds.get(`${sku}|SH`)).toMatchObject({
      low: true,
      lowSince: h.clock.now(),
    });
  });

  it('the expiry sweep releasing held units recovers the SKU once', async () => {
    const { h, sku } = await setup({ SH: 6 });
    await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'SH', threshold: 2 });
    await h.reservations.reserve(h.ctx, {
      id: h.reservationId(),
      lines: [aLine(sku, 5, 'SH')],
      ttlSeconds: 60,
    });
    h.clock.advance(61_000);
    expect(await h.reservations.expireDue(h.ctx)).toBe(1);
    expect(await h.reservations.expireDue(h.ctx)).toBe(0);
    expect(crossings(h)).toEqual(['stockLow:SH:1', 'stockRecovered:SH:6']);
  });

  it('a refused movement rolls its evaluation back with it', async () => {
    const { h, sku } = await setup({ SH: 3 });
    await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'SH', threshold: 1 });
    await expect(
      h.reservations.reserve(h.ctx, {
        id: h.reservationId(),
        lines: [aLine(sku, 4, 'SH')],
        ttlSeconds: 60,
      }),
    ).rejects.toMatchObject({ code: 'STOCK_INSUFFICIENT' });
    expect(crossings(h)).toEqual([]);
    expect(h.store.thresholds.get(`${sku}|SH`)?.low).toBe(false);
  });

  it('only the warehouse that moved is evaluated', async () => {
    const { h, sku } = await setup({ SH: 5, BJ: 5 });
    await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'SH', threshold: 3 });
    await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'BJ', threshold: 3 });
    await h.adjustStock.execute(h.ctx, sku, { warehouseCode: 'BJ', delta: -4, reason: 'count' });
    expect(crossings(h)).toEqual(['stockLow:BJ:1']);
    expect(h.store.thresholds.get(`${sku}|SH`)?.low).toBe(false);
  });

  describe('setting a threshold', () => {
    it('evaluates at once: above the stock is low (StockLow), removing it recovers (StockRecovered)', async () => {
      const { h, sku } = await setup({ SH: 3 });
      const t = await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'sh', threshold: 5 });
      expect(t).toMatchObject({ warehouseCode: 'SH', threshold: 5, low: true });
      // changing a low threshold that stays low is quiet and keeps low_since
      const since = t!.lowSince;
      h.clock.advance(1000);
      expect(
        await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'SH', threshold: 4 }),
      ).toMatchObject({ threshold: 4, low: true, lowSince: since });
      expect(
        await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'SH', threshold: 0 }),
      ).toBeNull();
      expect(crossings(h)).toEqual(['stockLow:SH:3', 'stockRecovered:SH:3']);
      expect(h.store.thresholds.size).toBe(0);
      expect(await h.stockThresholds.list(h.ctx, sku)).toEqual([]);
    });

    it('a registered warehouse without stock of the SKU is low at once; an unknown one is WAREHOUSE_NOT_FOUND', async () => {
      const { h, sku } = await setup({ SH: 3 });
      await expect(
        h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'GZ', threshold: 1 }),
      ).rejects.toMatchObject({ code: 'WAREHOUSE_NOT_FOUND', kind: 'NOT_FOUND' });
      await h.warehouses.upsert(h.ctx, aWarehouseInput('GZ'));
      await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'GZ', threshold: 1 });
      expect(crossings(h)).toEqual(['stockLow:GZ:0']);
    });

    it('an unknown SKU is SKU_NOT_FOUND and a bad threshold STOCK_THRESHOLD_INVALID, writing nothing', async () => {
      const { h, sku } = await setup();
      await expect(
        h.stockThresholds.set(h.ctx, h.ids.newId(), { warehouseCode: 'SH', threshold: 1 }),
      ).rejects.toMatchObject({ code: 'SKU_NOT_FOUND' });
      await expect(
        h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'SH', threshold: -1 }),
      ).rejects.toMatchObject({ code: 'STOCK_THRESHOLD_INVALID' });
      expect(h.store.thresholds.size).toBe(0);
    });

    it('lists one SKU’s thresholds or everyone’s, by SKU and warehouse', async () => {
      const { h, sku } = await setup({ SH: 9, BJ: 9 });
      const other = (await h.stockedProduct({ SH: 1 }, { skus: [aSkuInput('MUG-1')] })).skuIds[0];
      await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'SH', threshold: 2 });
      await h.stockThresholds.set(h.ctx, sku, { warehouseCode: 'BJ', threshold: 2 });
      await h.stockThresholds.set(h.ctx, other, { warehouseCode: 'SH', threshold: 2 });
      expect((await h.stockThresholds.list(h.ctx, sku)).map((t) => t.warehouseCode)).toEqual([
        'BJ',
        'SH',
      ]);
      expect((await h.stockThresholds.list(h.ctx)).map((t) => [t.skuId, t.warehouseCode])).toEqual([
        [sku, 'BJ'],
        [sku, 'SH'],
        [other, 'SH'],
      ]);
    });
  });

  it('the low-stock list: longest low first, filtered by warehouse, paged by cursor', async () => {
    const h = catalogHarness();
    const skus: string[] = [];
    for (const code of ['A-1', 'B-1', 'C-1']) {
      const { skuIds } = await h.stockedProduct(
        { SH: 5, BJ: 5 },
        { title: `Product ${code}`, skus: [aSkuInput(code)] },
      );
      skus.push(skuIds[0]);
    }
    for (const sku of skus)
      for (const wh of ['SH', 'BJ'])
        await h.stockThresholds.set(h.ctx, sku, { warehouseCode: wh, threshold: 2 });
    // low in this order: C@SH, A@BJ, A@SH, B@SH (B@BJ and C@BJ stay fine)
    for (const [sku, wh] of [
      [skus[2], 'SH'],
      [skus[0], 'BJ'],
      [skus[0], 'SH'],
      [skus[1], 'SH'],
    ]) {
      h.clock.advance(1000);
      await h.adjustStock.execute(h.ctx, sku, { warehouseCode: wh, delta: -4, reason: 'count' });
    }
    const all = await h.lowStock.list(h.ctx, { limit: 50 });
    expect(all.items.map((i) => `${i.skuCode}@${i.warehouseCode}`)).toEqual([
      'C-1@SH',
      'A-1@BJ',
      'A-1@SH',
      'B-1@SH',
    ]);
    expect(all.items[0]).toMatchObject({
      productTitle: 'Product C-1',
      onHand: 1,
      reserved: 0,
      available: 1,
      threshold: 2,
    });
    expect(all.next).toBeUndefined();
    const first = await h.lowStock.list(h.ctx, { limit: 3 });
    const second = await h.lowStock.list(h.ctx, { limit: 3, after: first.next! });
    expect([...first.items, ...second.items]).toEqual(all.items);
    expect(second.next).toBeUndefined();
    const sh = await h.lowStock.list(h.ctx, { warehouseCode: 'sh', limit: 50 });
    expect(sh.items.map((i) => i.skuCode)).toEqual(['C-1', 'A-1', 'B-1']);
  });
});
