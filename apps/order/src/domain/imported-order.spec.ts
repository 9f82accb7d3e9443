import { genericJsonAdapter, pricedFromImport } from './imported-order';
import { checkPricing } from './order';

const A = '0190a000-0000-7000-8000-00000000000a';
const B = '0190a000-0000-7000-8000-00000000000b';
const payload = {
  externalId: 'jd-1',
  accountId: '0190a000-0000-7000-8000-0000000000aa',
  currency: 'CNY',
  paidMinor: 10000,
  shippingMinor: 600,
  paidAt: '2026-11-11T00:00:00Z',
  address: {},
  lines: [
    { skuId: A, quantity: 3, unitPriceMinor: 3333 },
    { skuId: B, quantity: 1, unitPriceMinor: 1001 },
  ],
};

describe('generic JSON import', () => {
  it('prices what the marketplace charged, spreading its discount over the lines exactly', () => {
    const priced = pricedFromImport(genericJsonAdapter.parse(payload), new Map());
    // lines 9999 + 1001 = 11000, shipping 600, paid 10000 → discount 1600
    expect(priced.discount.amountMinor).toBe(1600);
    expect(priced.lines.map((l) => l.discount.amountMinor)).toEqual([1454, 146]);
    expect(() => checkPricing(priced)).not.toThrow();
  });

  it.each<[string, object]>([
    ['no external id', { externalId: '' }],
    ['a bad account', { accountId: 'x' }],
    ['a bad currency', { currency: 'yuan' }],
    ['no lines', { lines: [] }],
    ['a fractional quantity', { lines: [{ skuId: A, quantity: 1.5, unitPriceMinor: 1 }] }],
    [
      'a repeated SKU',
      {
        lines: [
          { skuId: A, quantity: 1, unitPriceMinor: 1 },
          { skuId: A, quantity: 1, unitPriceMinor: 1 },
        ],
      },
    ],
    ['no paidAt', { paidAt: 'yesterday' }],
  ])('refuses %s', (_label, change) => {
    expect(() => genericJsonAdapter.parse({ ...payload, ...change })).toThrow(
      expect.objectContaining({ code: 'IMPORT_INVALID' }),
    );
  });

  it('refuses a payment above the lines plus shipping', () => {
    expect(() =>
      pricedFromImport(genericJsonAdapter.parse({ ...payload, paidMinor: 11601 }), new Map()),
    ).toThrow(expect.objectContaining({ code: 'IMPORT_INVALID' }));
  });
});
