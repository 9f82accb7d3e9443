import { toProductDocument, type ProductSnapshot } from './product-document';
import { toCriteria, type SearchInput } from './search-criteria';

const snapshot = (over: Partial<ProductSnapshot> = {}): ProductSnapshot => ({
  id: 'p1',
  title: 'Case',
  description: '',
  brand: 'B',
  categoryId: 'c2',
  categoryPathIds: ['c1', 'c2'],
  status: 'ACTIVE',
  skus: [
    { code: 'A', amountMinor: 2500, currency: 'CNY', stockOnHand: 0 },
    { code: 'B', amountMinor: 1999, currency: 'CNY', stockOnHand: 3 },
  ],
  version: 4,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  ...over,
});

describe('product document', () => {
  it('carries price bounds, every price, stock and version', () => {
    expect(toProductDocument(snapshot(), 'e1')).toMatchObject({
      product_id: 'p1',
      prices: [2500, 1999],
      min_price: 1999,
      max_price: 2500,
      currency: 'CNY',
      in_stock: true,
      category_path_ids: ['c1', 'c2'],
      version: 4,
      last_event_id: 'e1',
    });
  });

  it('is out of stock when no SKU has stock', () => {
    const s = snapshot();
    expect(
      toProductDocument({ ...s, skus: s.skus.map((k) => ({ ...k, stockOnHand: 0 })) }, 'e')
        .in_stock,
    ).toBe(false);
  });

  it('falls back to the category itself when no path is given', () => {
    expect(toProductDocument(snapshot({ categoryPathIds: [] }), 'e').category_path_ids).toEqual([
      'c2',
    ]);
  });
});

describe('search criteria', () => {
  const input = (over: Partial<SearchInput> = {}): SearchInput => ({
    query: '',
    categoryId: '',
    currency: '',
    pageSize: 0,
    ...over,
  });

  it('defaults and clamps the page size', () => {
    expect(toCriteria(input()).size).toBe(20);
    expect(toCriteria(input({ pageSize: 1000 })).size).toBe(100);
  });

  it('keeps a price range with its currency', () => {
    expect(
      toCriteria(input({ minPriceMinor: 100, maxPriceMinor: 200, currency: 'CNY' })).price,
    ).toEqual({ currency: 'CNY', min: 100, max: 200 });
    expect(toCriteria(input({ maxPriceMinor: 0, currency: 'CNY' })).price).toEqual({
      currency: 'CNY',
      max: 0,
    });
  });

  it.each<[Partial<SearchInput>, string]>([
    [{ minPriceMinor: 100 }, 'SEARCH_CURRENCY_REQUIRED'],
    [{ minPriceMinor: -1, currency: 'CNY' }, 'SEARCH_PRICE_INVALID'],
    [{ maxPriceMinor: 1.5, currency: 'CNY' }, 'SEARCH_PRICE_INVALID'],
    [{ minPriceMinor: 5, maxPriceMinor: 4, currency: 'CNY' }, 'SEARCH_PRICE_RANGE_INVALID'],
    [{ currency: 'yuan' }, 'SEARCH_CURRENCY_INVALID'],
    [{ query: 'x'.repeat(201) }, 'SEARCH_QUERY_TOO_LONG'],
    [{ pageSize: -1 }, 'SEARCH_PAGE_SIZE_INVALID'],
  ])('rejects %p with %s', (over, code) => {
    expect(() => toCriteria(input(over))).toThrow(
      expect.objectContaining({ code, kind: 'INVALID_ARGUMENT' }),
    );
  });
});
