import { Money } from '@emporia/money';
import {
  checkOriginalPrice,
  lowestPriceBefore,
  windowStart,
  type PriceChange,
} from './price-history';

const cny = (minor: number) => Money.of(minor, 'CNY');
const DAY = 86_400_000;
const now = new Date('2026-11-25T10:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * DAY);
const change = (at: Date, price: number, previous: number | null): PriceChange => ({
  skuId: 's',
  price: cny(price),
  originalPrice: null,
  previousPrice: previous === null ? null : cny(previous),
  reason: 'manual',
  reference: '',
  actorId: '',
  requestId: null,
  at,
});

describe('original price rule (30 days)', () => {
  it('the window is the 30 days before the change', () => {
    expect(windowStart(now).toISOString()).toBe('2026-10-26T10:00:00.000Z');
  });

  it('lowest: the current price, prices set in the window and the prices they replaced', () => {
    // 120 until 40 days ago, 90 from then until 20 days ago, then 100
    const history = [
      change(daysAgo(60), 120, null),
      change(daysAgo(40), 90, 120),
      change(daysAgo(20), 100, 90),
    ];
    // the 90 was in effect from day -30 (window start) to day -20: it counts, via previous_price
    expect(lowestPriceBefore(history, cny(100), now)?.amountMinor).toBe(90);
    // 11 days later the 90 ended 31 days ago: only 100 is left
    const later = new Date(now.getTime() + 11 * DAY);
    expect(lowestPriceBefore(history, cny(100), later)?.amountMinor).toBe(100);
  });

  it('a change exactly at the window start counts; one a moment before does not', () => {
    const at = [change(daysAgo(30), 100, 70)];
    expect(lowestPriceBefore(at, cny(100), now)?.amountMinor).toBe(70);
    const before = [change(new Date(daysAgo(30).getTime() - 1), 100, 70)];
    expect(lowestPriceBefore(before, cny(100), now)?.amountMinor).toBe(100);
  });

  it('no price before (a SKU being created): no lowest', () => {
    expect(lowestPriceBefore([], null, now)).toBeNull();
  });

  it('refuses an original price not above the price, or above the lowest, naming the maximum', () => {
    expect(() => checkOriginalPrice(cny(80), cny(80), cny(100))).toThrow(
      expect.objectContaining({
        kind: 'INVALID_ARGUMENT',
        code: 'ORIGINAL_PRICE_NOT_ABOVE_PRICE',
        details: { field: 'original_price' },
      }),
    );
    expect(() => checkOriginalPrice(cny(101), cny(80), cny(100))).toThrow(
      expect.objectContaining({
        kind: 'FAILED_PRECONDITION',
        code: 'ORIGINAL_PRICE_TOO_HIGH',
        details: { field: 'original_price', max_minor: 100, currency: 'CNY' },
      }),
    );
    expect(() => checkOriginalPrice(cny(90), cny(80), null)).toThrow(
      expect.objectContaining({
        code: 'ORIGINAL_PRICE_TOO_HIGH',
        details: expect.objectContaining({ max_minor: null }),
      }),
    );
    expect(() => checkOriginalPrice(Money.of(90, 'USD'), cny(80), cny(100))).toThrow(
      expect.objectContaining({ code: 'ORIGINAL_PRICE_CURRENCY' }),
    );
    expect(() => checkOriginalPrice(cny(100), cny(80), cny(100))).not.toThrow();
    expect(() => checkOriginalPrice(null, cny(80), null)).not.toThrow();
  });
});
