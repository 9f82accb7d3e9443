import { buildSearchBody } from './search-body';

describe('search body', () => {
  it('matches everything listed when there is no text', () => {
    const body = buildSearchBody({ text: '', size: 20 });
    expect(body.query.bool.must).toEqual([{ match_all: {} }]);
    expect(body.query.bool.filter).toEqual([{ term: { status: 'ACTIVE' } }]);
    expect(body.size).toBe(21);
  });

  it('boosts the title and filters category subtree, currency and price range on any SKU', () => {
    const body = buildSearchBody(
      {
        text: 'phone case',
        categoryId: 'c1',
        price: { currency: 'CNY', min: 100, max: 500 },
        size: 10,
      },
      [1.5, 'p9'],
    );
    expect(body.query.bool.must[0]).toEqual({
      multi_match: {
        query: 'phone case',
        fields: ['title^3', 'brand.text^2', 'description'],
        operator: 'and',
      },
    });
    expect(body.query.bool.filter).toEqual([
      { term: { status: 'ACTIVE' } },
      { term: { category_path_ids: 'c1' } },
      { term: { currency: 'CNY' } },
      { range: { prices: { gte: 100, lte: 500 } } },
    ]);
    expect(body.search_after).toEqual([1.5, 'p9']);
    expect(body.sort).toEqual([{ _score: { order: 'desc' } }, { product_id: { order: 'asc' } }]);
  });

  it('keeps a one-sided bound one-sided', () => {
    const body = buildSearchBody({ text: '', price: { currency: 'USD', max: 0 }, size: 5 });
    expect(body.query.bool.filter[2]).toEqual({ range: { prices: { lte: 0 } } });
  });
});
