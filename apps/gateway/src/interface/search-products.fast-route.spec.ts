import { searchQueryOf } from './search-products.fast-route';

describe('the search fast route takes exactly the queries SearchQuery takes as they are', () => {
  it('reads every parameter the DTO declares', () => {
    expect(searchQueryOf({})).toEqual({});
    expect(
      searchQueryOf({
        q: '降噪 耳机',
        cursor: 'abc',
        limit: '20',
        categoryId: '0b8f5a6e-3c1d-4e2f-8a9b-1c2d3e4f5a6b',
        minPrice: '0',
        maxPrice: '99900',
        currency: 'CNY',
        brand: ['Sony', '漫步者'],
        tag: '新品',
        attr: ['colour:black', 'size:a:b'],
        sort: 'price_desc',
        minRating: '4.5',
        inStock: 'true',
        facets: 'false',
        priceEdges: '5000,10000',
      }),
    ).toEqual({
      q: '降噪 耳机',
      cursor: 'abc',
      limit: 20,
      categoryId: '0b8f5a6e-3c1d-4e2f-8a9b-1c2d3e4f5a6b',
      minPrice: 0,
      maxPrice: 99900,
      currency: 'CNY',
      brand: ['Sony', '漫步者'],
      tag: ['新品'],
      attr: ['colour:black', 'size:a:b'],
      sort: 'price_desc',
      minRating: 4.5,
      inStock: 'true',
      facets: 'false',
      priceEdges: '5000,10000',
    });
    expect(searchQueryOf({ q: '' })).toEqual({ q: '' });
    expect(searchQueryOf({ brand: '' })).toEqual({ brand: [''] });
  });

  it('leaves everything else to the Nest route (its validation problems)', () => {
    for (const query of [
      undefined,
      null,
      { unknown: '1' },
      { q: 'x'.repeat(201) },
      { q: ['a', 'b'] },
      { cursor: 'c'.repeat(1001) },
      { limit: '' },
      { limit: '0' },
      { limit: '101' },
      { limit: '1.5' },
      { limit: '+5' },
      { limit: ['1', '2'] },
      { categoryId: 'not-a-uuid' },
      { categoryId: '' },
      { minPrice: '-1' },
      { minPrice: '0.0' },
      { maxPrice: '1e3' },
      { currency: 'cny' },
      { brand: Array.from({ length: 51 }, () => 'b') },
      { brand: 'b'.repeat(101) },
      { tag: '' },
      { tag: 't'.repeat(21) },
      { tag: Array.from({ length: 21 }, () => 't') },
      { attr: 'colour' },
      { attr: ':black' },
      { sort: 'cheapest' },
      { minRating: '0.5' },
      { minRating: '5.5' },
      { minRating: '4.0000000' },
      { inStock: 'yes' },
      { facets: '1' },
      { priceEdges: '1,,2' },
      JSON.parse('{"__proto__": {"q": "x"}}'),
    ])
      expect(searchQueryOf(query)).toBeUndefined();
  });
});
