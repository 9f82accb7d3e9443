import type { ReceivedEvent } from '@emporia/messaging';
import type { ProductRatingSummary } from '../domain/product-rating';
import { aSkuInput, catalogHarness } from '../testing';

let delivered = 0;
const delivery = (eventId = `evt-${++delivered}`): ReceivedEvent => ({
  topic: 'review.product',
  key: 'p',
  value: Buffer.alloc(0),
  headers: {},
  eventId,
  eventType: 'emporia.review.v1.ProductRatingChanged',
  occurredAt: '2026-11-25T10:00:00Z',
  partition: 0,
  offset: String(delivered),
});

const summary = (
  productId: string,
  version: number,
  distribution: ProductRatingSummary['distribution'],
): ProductRatingSummary => {
  const reviewCount = distribution.reduce((a, n) => a + n, 0);
  const ratingSum = distribution.reduce((a, n, i) => a + n * (i + 1), 0);
  return {
    productId,
    reviewCount,
    ratingSum,
    average: reviewCount ? Math.round((ratingSum / reviewCount) * 100) / 100 : 0,
    distribution,
    withPhotoCount: Math.min(1, reviewCount),
    version,
    changedAt: new Date('2026-11-25T10:00:00Z'),
  };
};

/** Rating summaries from review events in product views (issue 17), in-memory ports. */
describe('product ratings', () => {
  it('keeps the highest version whatever the order and duplicates; the product does not change', async () => {
    const h = catalogHarness();
    const id = (await h.stockedProduct()).product.id;
    const before = await h.products.get(h.ctx, id);
    const outbox = h.store.outbox.length;
    const v3 = summary(id, 3, [0, 0, 1, 1, 1]);
    expect(
      await h.ratings.onRatingChanged(h.ctx, delivery(), summary(id, 2, [0, 0, 0, 1, 1])),
    ).toBe('STORED');
    const e3 = delivery();
    expect(await h.ratings.onRatingChanged(h.ctx, e3, v3)).toBe('STORED');
    expect(await h.ratings.onRatingChanged(h.ctx, e3, v3)).toBe('DUPLICATE_EVENT');
    expect(
      await h.ratings.onRatingChanged(h.ctx, delivery(), summary(id, 1, [0, 0, 0, 0, 1])),
    ).toBe('STALE');
    expect(
      await h.ratings.onRatingChanged(h.ctx, delivery(), summary(id, 3, [1, 0, 0, 0, 0])),
    ).toBe('STALE');
    const got = await h.products.get(h.ctx, id);
    expect(got.rating).toMatchObject({ version: 3, reviewCount: 3, average: 4 });
    expect(got.product).toEqual(before.product);
    expect(h.store.outbox).toHaveLength(outbox);
  });

  it('lists products with their ratings; an unrated product has none; a rating may come first', async () => {
    const h = catalogHarness();
    const cat = await h.category('tea');
    const early = 'p-not-yet';
    await h.ratings.onRatingChanged(h.ctx, delivery(), summary(early, 1, [0, 0, 0, 0, 2]));
    const a = await h.stockedProduct({ SH: 1 }, { categoryId: cat.id, skus: [aSkuInput('A')] });
    const b = await h.stockedProduct({ SH: 1 }, { categoryId: cat.id, skus: [aSkuInput('B')] });
    await h.ratings.onRatingChanged(h.ctx, delivery(), summary(a.product.id, 1, [0, 1, 0, 0, 0]));
    const page = await h.products.list(h.ctx, { categoryId: cat.id, limit: 10 });
    const byId = new Map(page.items.map((v) => [v.product.id, v.rating]));
    expect(byId.get(a.product.id)).toMatchObject({ average: 2, distribution: [0, 1, 0, 0, 0] });
    expect(byId.get(b.product.id)).toBeUndefined();
    expect(h.store.ratings.get(early)?.reviewCount).toBe(2);
  });
});
