import { aLine, aSkuInput, catalogHarness, type CatalogHarness } from '../testing';

const DAY = 86_400_000;

/**
 * Manual tags and the rule sweep against the in-memory unit of work: rule tags follow
 * committed sales and first publication, and only a product whose tags change gets a new
 * version and one ProductUpdated ["tags"].
 */
describe('tags', () => {
  const tagEvents = (h: CatalogHarness, productId: string) =>
    h.store.outbox.filter(
      (e) =>
        e.type === 'productUpdated' &&
        e.productId === productId &&
        e.changedFields.includes('tags'),
    ).length;
  const tagsOf = async (h: CatalogHarness, id: string) => (await h.products.get(h.ctx, id)).product;
  const sell = async (h: CatalogHarness, skuId: string, quantity: number) => {
    const id = h.reservationId();
    await h.reservations.reserve(h.ctx, { id, lines: [aLine(skuId, quantity)], ttlSeconds: 600 });
    await h.reservations.commit(h.ctx, id);
  };

  it('sets manual tags (validated); the same tags again change nothing', async () => {
    const h = catalogHarness();
    const { product: created } = await h.stockedProduct();
    const product = await tagsOf(h, created.id);
    const view = await h.tags.setManualTags(h.ctx, product.id, ['促销', ' SALE ']);
    expect(view.product).toMatchObject({
      manualTags: ['SALE', '促销'],
      version: product.version + 1,
    });
    await h.tags.setManualTags(h.ctx, product.id, ['促销', 'SALE']);
    expect(tagEvents(h, product.id)).toBe(1);
    await expect(h.tags.setManualTags(h.ctx, product.id, ['x'.repeat(21)])).rejects.toMatchObject({
      code: 'TAGS_INVALID',
    });
    await expect(
      h.tags.setManualTags(h.ctx, product.id, ['a'], product.version),
    ).rejects.toMatchObject({ code: 'PRODUCT_VERSION_CONFLICT' });
  });

  it('replaces the rules (validated) and lists them; the defaults are 新品 and 爆款', async () => {
    const h = catalogHarness();
    expect((await h.tags.listRules(h.ctx)).map((r) => [r.tag, r.kind])).toEqual([
      ['新品', 'NEW_ARRIVAL'],
      ['爆款', 'BEST_SELLER'],
    ]);
    await expect(
      h.tags.replaceRules(h.ctx, [
        { tag: '爆款', kind: 'BEST_SELLER', days: 7, top: 0, minUnits: 1 },
      ]),
    ).rejects.toMatchObject({ code: 'TAG_RULES_INVALID' });
    expect(await h.tags.listRules(h.ctx)).toHaveLength(2);
  });

  it('tags the best seller by units committed in the window, and untags it when it falls out', async () => {
    const h = catalogHarness();
    await h.tags.replaceRules(h.ctx, [
      { tag: '爆款', kind: 'BEST_SELLER', days: 7, top: 1, minUnits: 2 },
    ]);
    const a = await h.stockedProduct({ SH: 50 });
    const b = await h.stockedProduct({ SH: 50 }, { skus: [aSkuInput('CUP-BLUE')] });
    await sell(h, a.skuIds[0], 1);
    expect(await h.tags.sweep(h.ctx)).toBe(0); // 1 unit < min_units
    await sell(h, a.skuIds[0], 2);
    expect(await h.tags.sweep(h.ctx)).toBe(1);
    expect((await tagsOf(h, a.product.id)).ruleTags).toEqual(['爆款']);
    expect(await h.tags.sweep(h.ctx)).toBe(0); // nothing changed: no new version
    expect(tagEvents(h, a.product.id)).toBe(1);

    h.clock.advance(DAY);
    await sell(h, b.skuIds[0], 5); // b outsells a: top 1
    await h.tags.sweep(h.ctx);
    expect((await tagsOf(h, a.product.id)).ruleTags).toEqual([]);
    expect((await tagsOf(h, b.product.id)).ruleTags).toEqual(['爆款']);
    expect([tagEvents(h, a.product.id), tagEvents(h, b.product.id)]).toEqual([2, 1]);

    h.clock.advance(7 * DAY); // b's sales leave the 7-day window; a's earlier ones too
    await h.tags.sweep(h.ctx);
    expect((await tagsOf(h, b.product.id)).ruleTags).toEqual([]);
    expect(tagEvents(h, b.product.id)).toBe(2);
  });

  it('gives 新品 to products first published within 30 days (default rule), keeping manual tags', async () => {
    const h = catalogHarness();
    const { product } = await h.stockedProduct();
    await h.tags.setManualTags(h.ctx, product.id, ['促销']);
    const draft = await h.stockedProduct(
      { SH: 1 },
      { status: 'DRAFT', skus: [aSkuInput('CUP-2')] },
    );
    await h.tags.sweep(h.ctx);
    const tagged = await h.products.get(h.ctx, product.id);
    expect(tagged.product.ruleTags).toEqual(['新品']);
    expect((await h.products.get(h.ctx, draft.product.id)).product.ruleTags).toEqual([]);
    h.clock.advance(31 * DAY);
    await h.tags.sweep(h.ctx);
    expect((await h.products.get(h.ctx, product.id)).product).toMatchObject({
      ruleTags: [],
      manualTags: ['促销'],
    });
  });
});
