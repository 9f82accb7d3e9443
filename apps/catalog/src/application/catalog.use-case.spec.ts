import { aProductInput, aSkuInput, aWarehouseInput, catalogHarness } from '../testing';

/**
 * Product, category, stock and warehouse rules through the use cases against the in-memory
 * unit of work: each change raises its snapshot event once, a refused change writes nothing
 * and raises nothing, uniqueness is the catalog's, not the caller's.
 */
describe('catalog use cases', () => {
  it('a product is created with its event; a taken SKU code is refused and nothing is written', async () => {
    const h = catalogHarness();
    const cat = await h.category();
    const view = await h.createProduct.execute(h.ctx, aProductInput(cat.id));
    expect(view.categoryPathIds).toEqual([cat.id]);
    expect(h.store.eventTypes(view.product.id)).toEqual(['productCreated']);

    await expect(
      h.createProduct.execute(
        h.ctx,
        aProductInput(cat.id, { title: 'Other', skus: [aSkuInput('CUP-RED')] }),
      ),
    ).rejects.toMatchObject({ code: 'SKU_CODE_TAKEN' });
    await expect(
      h.createProduct.execute(h.ctx, aProductInput(h.ids.newId(), { skus: [aSkuInput('X-1')] })),
    ).rejects.toMatchObject({ code: 'CATEGORY_NOT_FOUND' });
    expect(h.store.products.size).toBe(1);
    expect(h.store.outbox.filter((e) => e.type === 'productCreated')).toHaveLength(1);
  });

  it('an update that changes nothing writes nothing; a stale version is refused', async () => {
    const h = catalogHarness();
    const { product } = await h.stockedProduct({});
    const events = h.store.outbox.length;
    const same = await h.updateProduct.execute(h.ctx, product.id, { title: product.title });
    expect(same.product.version).toBe(product.version);
    expect(h.store.outbox.length).toBe(events);

    const renamed = await h.updateProduct.execute(h.ctx, product.id, {
      title: 'Big tea cup',
      expectedVersion: product.version,
    });
    expect(renamed.product.version).toBe(product.version + 1);
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'productUpdated',
      changedFields: ['title'],
      version: product.version + 1,
    });
    await expect(
      h.updateProduct.execute(h.ctx, product.id, {
        title: 'Late',
        expectedVersion: product.version,
      }),
    ).rejects.toMatchObject({ code: 'PRODUCT_VERSION_CONFLICT' });
    expect(h.store.products.get(product.id)!.title).toBe('Big tea cup');
    expect(h.store.outbox.length).toBe(events + 1);
  });

  it('a product cannot take another product’s SKU code, nor move to an unknown category', async () => {
    const h = catalogHarness();
    const a = await h.stockedProduct({});
    const b = await h.stockedProduct({}, { skus: [aSkuInput('MUG-1')] });
    await expect(
      h.updateProduct.execute(h.ctx, b.product.id, { upsertSkus: [aSkuInput('CUP-RED')] }),
    ).rejects.toMatchObject({ code: 'SKU_CODE_TAKEN' });
    await expect(
      h.updateProduct.execute(h.ctx, b.product.id, { categoryId: h.ids.newId() }),
    ).rejects.toMatchObject({ code: 'CATEGORY_NOT_FOUND' });
    expect(h.store.products.get(b.product.id)).toEqual(b.product);
    expect(h.store.products.get(a.product.id)).toEqual(a.product);
  });

  it('stock adjustments record a movement, bump the version and raise stockChanged', async () => {
    const h = catalogHarness();
    const { product, skuIds } = await h.stockedProduct({ SH: 10 });
    const level = await h.adjustStock.execute(h.ctx, skuIds[0], {
      warehouseCode: 'sh',
      delta: -3,
      reason: 'damaged',
    });
    expect(level).toMatchObject({ warehouseCode: 'SH', onHand: 7 });
    expect(h.store.movements.map((m) => [m.delta, m.onHandAfter])).toEqual([
      [10, 10],
      [-3, 7],
    ]);
    expect(h.store.eventTypes(product.id)).toEqual([
      'productCreated',
      'stockChanged',
      'stockChanged',
    ]);
    // created at 1, +1 for the receipt, +1 for this adjustment
    expect(h.store.products.get(product.id)!.version).toBe(product.version + 2);
    await expect(
      h.adjustStock.execute(h.ctx, skuIds[0], { warehouseCode: 'SH', delta: -8, reason: '' }),
    ).rejects.toMatchObject({ code: 'STOCK_INSUFFICIENT' });
    await expect(
      h.adjustStock.execute(h.ctx, h.ids.newId(), { warehouseCode: 'SH', delta: 1, reason: '' }),
    ).rejects.toMatchObject({ code: 'SKU_NOT_FOUND' });
    expect(h.store.movements).toHaveLength(2);
  });

  it('category slugs are unique, on create and on rename', async () => {
    const h = catalogHarness();
    await h.category('kitchen');
    const garden = await h.category('garden');
    await expect(h.category('kitchen')).rejects.toMatchObject({ code: 'CATEGORY_SLUG_TAKEN' });
    await expect(
      h.updateCategory.execute(h.ctx, { id: garden.id, slug: 'kitchen' }),
    ).rejects.toMatchObject({ code: 'CATEGORY_SLUG_TAKEN' });
    expect(h.store.categories.size).toBe(2);
    expect(h.store.eventTypes()).toEqual(['categoryCreated', 'categoryCreated']);
  });

  it('a move rebases the subtree and re-snapshots its products; a cycle writes nothing', async () => {
    const h = catalogHarness();
    const home = await h.category('home');
    const kitchen = await h.category('kitchen', home.id);
    const cups = await h.category('cups', kitchen.id);
    const garden = await h.category('garden');
    const { product } = await h.stockedProduct({}, { categoryId: cups.id });

    const before = h.store.outbox.length;
    const moved = await h.moveCategory.execute(h.ctx, { id: kitchen.id, newParentId: garden.id });
    expect(moved.pathIds).toEqual([garden.id, kitchen.id]);
    expect(h.store.categories.get(cups.id)!.pathIds).toEqual([garden.id, kitchen.id, cups.id]);
    expect(h.store.outbox.slice(before)).toEqual([
      expect.objectContaining({ type: 'categoryMoved', categoryId: kitchen.id }),
      expect.objectContaining({
        type: 'productUpdated',
        productId: product.id,
        changedFields: ['category_path_ids'],
      }),
    ]);
    expect((await h.products.get(h.ctx, product.id)).categoryPathIds).toEqual([
      garden.id,
      kitchen.id,
      cups.id,
    ]);

    const tree = new Map(h.store.categories);
    const events = h.store.outbox.length;
    await expect(
      h.moveCategory.execute(h.ctx, { id: garden.id, newParentId: cups.id }),
    ).rejects.toMatchObject({ code: 'CATEGORY_CYCLE' });
    expect(h.store.categories).toEqual(tree);
    expect(h.store.outbox.length).toBe(events);
  });

  it('lists products of a subtree by id, paged', async () => {
    const h = catalogHarness();
    const home = await h.category('home');
    const cups = await h.category('cups', home.id);
    const ids: string[] = [];
    for (const code of ['A-1', 'B-1', 'C-1'])
      ids.push(
        (await h.stockedProduct({}, { categoryId: cups.id, skus: [aSkuInput(code)] })).product.id,
      );
    await h.stockedProduct({}, { skus: [aSkuInput('ELSEWHERE')] });
    const first = await h.products.list(h.ctx, { categoryId: home.id, limit: 2 });
    expect(first.items.map((v) => v.product.id)).toEqual(ids.slice(0, 2));
    const rest = await h.products.list(h.ctx, {
      categoryId: home.id,
      limit: 2,
      afterId: first.nextAfterId!,
    });
    expect(rest.items.map((v) => v.product.id)).toEqual(ids.slice(2));
    expect(rest.nextAfterId).toBeUndefined();
  });

  it('a repeated warehouse upsert writes nothing; a changed one replaces the fields', async () => {
    const h = catalogHarness();
    const first = await h.warehouses.upsert(h.ctx, aWarehouseInput('sh', { name: 'Shanghai 1' }));
    expect(first).toMatchObject({ created: true, warehouse: { code: 'SH', active: true } });
    h.clock.advance(1000);
    const again = await h.warehouses.upsert(h.ctx, aWarehouseInput('SH', { name: 'Shanghai 1' }));
    expect(again.created).toBe(false);
    expect(again.warehouse.updatedAt).toEqual(first.warehouse.updatedAt);
    const off = await h.warehouses.upsert(
      h.ctx,
      aWarehouseInput('SH', { name: 'Shanghai 1', active: false }),
    );
    expect(off.warehouse).toMatchObject({ active: false, createdAt: first.warehouse.createdAt });
    expect(off.warehouse.updatedAt).toEqual(h.clock.now());
    // validated before the transaction: a currency the catalog does not sell never reaches it
    const commits = h.uow.commits;
    expect(() =>
      h.warehouses.upsert(
        h.ctx,
        aWarehouseInput('BJ', { shippingCost: { amountMinor: 1, currency: 'EUR' } }),
      ),
    ).toThrow(expect.objectContaining({ kind: 'INVALID_ARGUMENT' }));
    expect(h.uow.commits).toBe(commits);
    expect((await h.warehouses.list(h.ctx, { activeOnly: true, limit: 10 })).items).toEqual([]);
  });
});

describe('the in-memory unit of work', () => {
  it('a throw rolls back every write of the unit, its recorded events included', async () => {
    const h = catalogHarness();
    const cat = await h.category();
    const snapshot = { categories: new Map(h.store.categories), outbox: [...h.store.outbox] };
    await expect(
      h.uow.run(h.ctx, async (tx) => {
        await tx.categories.insert({ ...cat, id: h.ids.newId(), slug: 'other' });
        tx.events.categoryCreated(cat);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(h.store.categories).toEqual(snapshot.categories);
    expect(h.store.outbox).toEqual(snapshot.outbox);
  });
});
