import pino from 'pino';
import type { RatingSummary } from '../domain/product-rating';
import {
  aSnapshot,
  CTX,
  InMemoryCatalogSource,
  InMemoryCategoryNames,
  InMemoryFlashSales,
  InMemoryIndexBuilder,
  InMemoryProductIndex,
  InMemoryProductRatings,
  InMemoryReindexJobs,
  InMemorySearchLog,
  InMemorySynonymStore,
} from '../testing';
import { ProjectionUseCases } from './catalog-events.use-case';
import { IndexProductSnapshotUseCase } from './index-product-snapshot.use-case';
import { ReindexUseCase } from './reindex.use-case';
import { SearchProductsUseCase } from './search-products.use-case';
import { SynonymSetsUseCase } from './synonym-sets.use-case';

/** A summary of `d` (counts of 1..5 stars). */
const rating = (productId: string, version: number, d: number[]): RatingSummary => {
  const reviewCount = d.reduce((a, n) => a + n, 0);
  const ratingSum = d.reduce((a, n, i) => a + n * (i + 1), 0);
  return {
    productId,
    reviewCount,
    ratingSum,
    average: reviewCount ? Math.round((ratingSum / reviewCount) * 100) / 100 : 0,
    distribution: d,
    withPhotoCount: 0,
    version,
    changedAt: '2026-11-25T10:00:00Z',
  };
};

const setup = () => {
  const index = new InMemoryProductIndex();
  const categories = new InMemoryCategoryNames();
  const sales = new InMemoryFlashSales();
  const ratings = new InMemoryProductRatings();
  const synonyms = new SynonymSetsUseCase(new InMemorySynonymStore(), 0);
  return {
    index,
    ratings,
    indexer: new IndexProductSnapshotUseCase(index, categories, ratings),
    projections: new ProjectionUseCases(index, categories, sales, ratings),
    search: new SearchProductsUseCase(index, sales, categories, new InMemorySearchLog(), synonyms),
    doc: (id: string) => index.docs.get(id)?.doc,
  };
};
const query = (over: object = {}) => ({
  query: '',
  categoryId: '',
  currency: '',
  pageSize: 10,
  ...over,
});

describe('ratings in the product index (issue 17)', () => {
  it('converges on the highest version whatever the order and duplicates', async () => {
    const s = setup();
    await s.indexer.execute(CTX, aSnapshot(), 'e1');
    expect(await s.projections.ratingChanged(rating('p-1', 2, [0, 0, 0, 1, 1]))).toBe('applied');
    expect(await s.projections.ratingChanged(rating('p-1', 4, [0, 0, 1, 1, 2]))).toBe('applied');
    expect(await s.projections.ratingChanged(rating('p-1', 3, [1, 0, 0, 0, 0]))).toBe('stale');
    expect(await s.projections.ratingChanged(rating('p-1', 4, [0, 0, 1, 1, 2]))).toBe('stale');
    expect(s.doc('p-1')).toMatchObject({
      rating_average: 4.25,
      review_count: 4,
      rating_version: 4,
    });
    expect(s.ratings.rows.get('p-1')?.version).toBe(4);
  });

  it('keeps a rating that comes before the product, and a newer snapshot keeps the rating', async () => {
    const s = setup();
    expect(await s.projections.ratingChanged(rating('p-1', 1, [0, 0, 0, 0, 2]))).toBe('missing');
    await s.indexer.execute(CTX, aSnapshot({ version: 1 }), 'e1');
    expect(s.doc('p-1')).toMatchObject({ rating_average: 5, review_count: 2 });
    await s.indexer.execute(CTX, aSnapshot({ version: 2, title: 'renamed' }), 'e2');
    expect(s.doc('p-1')).toMatchObject({ title: 'renamed', rating_average: 5, review_count: 2 });
  });

  it('a redelivery completes a document write lost after the store write', async () => {
    const s = setup();
    await s.indexer.execute(CTX, aSnapshot(), 'e1');
    await s.ratings.put(rating('p-1', 2, [0, 0, 0, 2, 0])); // stored, then the consumer died
    expect(s.doc('p-1')?.review_count).toBe(0);
    expect(await s.projections.ratingChanged(rating('p-1', 2, [0, 0, 0, 2, 0]))).toBe('applied');
    expect(s.doc('p-1')).toMatchObject({ rating_average: 4, review_count: 2 });
  });

  it('a rating stored while a snapshot is written is applied after it', async () => {
    const s = setup();
    // the rating lands between the snapshot's read of the store and its write
    const forProducts = s.ratings.forProducts.bind(s.ratings);
    let reads = 0;
    s.ratings.forProducts = async (ids) => {
      const out = await forProducts(ids);
      if (++reads === 1) await s.ratings.put(rating('p-1', 1, [0, 0, 1, 0, 0]));
      return out;
    };
    await s.indexer.execute(CTX, aSnapshot(), 'e1');
    expect(s.doc('p-1')).toMatchObject({ rating_average: 3, review_count: 1, rating_version: 1 });
  });

  it('sorts by rating (average, then count, unrated last) and filters a minimum average', async () => {
    const s = setup();
    for (const id of ['p-a', 'p-b', 'p-c', 'p-d', 'p-e'])
      await s.indexer.execute(CTX, aSnapshot({ id }), `e-${id}`);
    await s.projections.ratingChanged(rating('p-a', 1, [0, 0, 0, 1, 0])); // 4.00 × 1
    await s.projections.ratingChanged(rating('p-b', 1, [0, 0, 0, 0, 2])); // 5.00 × 2
    await s.projections.ratingChanged(rating('p-c', 1, [0, 0, 0, 3, 0])); // 4.00 × 3
    await s.projections.ratingChanged(rating('p-d', 1, [1, 0, 0, 0, 0])); // 1.00 × 1
    const ids = async (over: object) =>
      (await s.search.execute(CTX, query(over))).hits.map((h) => h.document.product_id);
    expect(await ids({ sort: 'RATING' })).toEqual(['p-b', 'p-c', 'p-a', 'p-d', 'p-e']);
    expect(await ids({ sort: 'RATING', minRating: 4 })).toEqual(['p-b', 'p-c', 'p-a']);
    expect(await ids({ minRating: 1 })).not.toContain('p-e');
  });

  it('a full reindex keeps the ratings held by search', async () => {
    const builder = new InMemoryIndexBuilder();
    const catalog = new InMemoryCatalogSource();
    const ratings = new InMemoryProductRatings();
    catalog.products = [aSnapshot({ id: 'p-1' }), aSnapshot({ id: 'p-2' })];
    await ratings.put(rating('p-2', 7, [0, 1, 1, 0, 0]));
    const reindex = new ReindexUseCase(
      builder,
      catalog,
      new InMemoryCategoryNames(),
      new InMemoryReindexJobs(),
      10,
      pino({ level: 'silent' }),
      ratings,
    );
    await reindex.runToCompletion();
    expect(builder.serving().get('p-2')).toMatchObject({
      rating_average: 2.5,
      review_count: 2,
      rating_version: 7,
    });
    expect(builder.serving().get('p-1')).toMatchObject({ rating_average: 0, review_count: 0 });
  });
});
