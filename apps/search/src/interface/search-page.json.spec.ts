import { decodeCursor } from '@emporia/platform';
import type { SearchResult } from '../application/search-products.use-case';
import { searchPageJson } from './search-page.json';

const doc = {
  product_id: 'p-1',
  title: 'Aurora phone',
  brand: 'Aurora',
  category_id: 'c-phones',
  category_names: ['数码', '手机'],
  min_price: 19900,
  max_price: 29900,
  currency: 'CNY',
  in_stock: true,
  version: 3,
  units_sold: 12,
  rating_average: 4.5,
  review_count: 2,
  tags: ['新品'],
};

describe('the JSON page of a search (SearchProductsPage)', () => {
  it('is the gateway SearchPage of the hits, cursor and facets', () => {
    const result: SearchResult = {
      logged: true,
      hits: [
        {
          document: doc,
          score: 1.25,
          flashSale: {
            saleId: 's-1',
            skuId: 'k-1',
            productId: 'p-1',
            priceMinor: 9900,
            currency: 'CNY',
            startsAt: '2026-11-11T00:00:00.000Z',
            endsAt: '2026-11-12T00:00:00.000Z',
            active: true,
          },
        },
        {
          // an older document: no names, tags, sales or rating fields
          document: {
            ...doc,
            product_id: 'p-2',
            category_names: undefined,
            tags: undefined,
            units_sold: undefined,
            rating_average: undefined,
            review_count: undefined,
          } as unknown as typeof doc,
          score: 0,
        },
      ],
      total: 42,
      after: [1.25, 'p-2'],
      facets: {
        categories: [
          { value: 'c-phones', count: 2 },
          { value: 'c-gone', count: 1 },
        ],
        brands: [{ value: 'Aurora', count: 2 }],
        tags: [{ value: '新品', count: 1 }],
        priceRanges: [
          { to: 5000, count: 0 },
          { from: 5000, to: 10000, count: 1 },
          { from: 10000, count: 1 },
        ],
        attributes: [{ name: 'colour', values: [{ value: 'black', count: 2 }] }],
      },
      categoryLabels: new Map([['c-phones', '手机']]),
    };
    const page = JSON.parse(searchPageJson(result));
    const money = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
    expect(page).toEqual({
      items: [
        {
          productId: 'p-1',
          title: 'Aurora phone',
          brand: 'Aurora',
          categoryId: 'c-phones',
          categoryNames: ['数码', '手机'],
          minPrice: money(19900),
          maxPrice: money(29900),
          inStock: true,
          unitsSold: 12,
          score: 1.25,
          flashSale: {
            saleId: 's-1',
            skuId: 'k-1',
            price: money(9900),
            startsAt: '2026-11-11T00:00:00.000Z',
            endsAt: '2026-11-12T00:00:00.000Z',
            active: true,
          },
          ratingAverage: 4.5,
          reviewCount: 2,
          tags: ['新品'],
        },
        {
          productId: 'p-2',
          title: 'Aurora phone',
          brand: 'Aurora',
          categoryId: 'c-phones',
          categoryNames: [],
          minPrice: money(19900),
          maxPrice: money(29900),
          inStock: true,
          unitsSold: 0,
          score: 0,
          flashSale: null,
          ratingAverage: 0,
          reviewCount: 0,
          tags: [],
        },
      ],
      total: 42,
      nextCursor: expect.any(String),
      facets: {
        categories: [
          { value: 'c-phones', label: '手机', count: 2 },
          { value: 'c-gone', label: '', count: 1 },
        ],
        brands: [{ value: 'Aurora', count: 2 }],
        tags: [{ value: '新品', count: 1 }],
        priceRanges: [
          { from: null, to: 5000, count: 0 },
          { from: 5000, to: 10000, count: 1 },
          { from: 10000, to: null, count: 1 },
        ],
        attributes: [{ name: 'colour', values: [{ value: 'black', count: 2 }] }],
      },
    });
    expect(decodeCursor(page.nextCursor, (_v): _v is { s: unknown[] } => true).s).toEqual([
      1.25,
      'p-2',
    ]);
  });

  it('has no cursor on the last page and no facets unless asked', () => {
    const page = JSON.parse(
      searchPageJson({ hits: [], total: 0, categoryLabels: new Map(), logged: false }),
    );
    expect(page).toEqual({ items: [], total: 0, nextCursor: null });
  });
});
