import { Money } from '@emporia/money';
import {
  decideAttempt,
  flashSaleStatus,
  parseFlashSaleStatus,
  validateFlashSale,
  validateQuantity,
  type FlashSale,
} from './flash-sale';

const sale: FlashSale = {
  id: 's',
  skuId: 'k',
  price: Money.of(100, 'CNY'),
  stock: 10,
  perUserLimit: 2,
  startsAt: new Date('2026-11-11T00:00:00Z'),
  endsAt: new Date('2026-11-11T01:00:00Z'),
};
const at = (iso: string) => new Date(iso);

describe('flash sale rules', () => {
  it.each<[string, { stock: number; bought: number }, number, string, string]>([
    ['before the window', { stock: 5, bought: 0 }, 1, '2026-11-10T23:59:59Z', 'NOT_STARTED'],
    ['at the end', { stock: 5, bought: 0 }, 1, '2026-11-11T01:00:00Z', 'ENDED'],
    ['over the limit', { stock: 5, bought: 2 }, 1, '2026-11-11T00:30:00Z', 'LIMIT_REACHED'],
    ['more than left', { stock: 1, bought: 0 }, 2, '2026-11-11T00:30:00Z', 'SOLD_OUT'],
    ['a winner', { stock: 2, bought: 0 }, 2, '2026-11-11T00:00:00Z', 'WON'],
  ])('%s', (_label, state, quantity, now, result) => {
    expect(decideAttempt(state, sale, quantity, at(now))).toBe(result);
  });

  it('refuses malformed sales and quantities', () => {
    expect(() => validateFlashSale({ ...sale, stock: 0 })).toThrow(
      expect.objectContaining({ code: 'FLASH_SALE_INVALID' }),
    );
    expect(() => validateFlashSale({ ...sale, perUserLimit: 11 })).toThrow(
      expect.objectContaining({ code: 'FLASH_SALE_INVALID' }),
    );
    expect(() => validateFlashSale({ ...sale, endsAt: sale.startsAt })).toThrow(
      expect.objectContaining({ code: 'FLASH_SALE_INVALID' }),
    );
    expect(() => validateQuantity(0)).toThrow(
      expect.objectContaining({ code: 'QUANTITY_INVALID' }),
    );
    expect(validateFlashSale(sale)).toBe(sale);
  });
});

describe('where a sale stands', () => {
  it.each([
    ['2026-11-10T23:59:59.999Z', 'SCHEDULED', 'NOT_STARTED'],
    ['2026-11-11T00:00:00Z', 'LIVE', 'WON'],
    ['2026-11-11T00:59:59.999Z', 'LIVE', 'WON'],
    ['2026-11-11T01:00:00Z', 'ENDED', 'ENDED'],
  ])('at %s it is %s, and an attempt is %s', (now, status, attempt) => {
    expect(flashSaleStatus(sale, at(now))).toBe(status);
    expect(decideAttempt({ stock: 5, bought: 0 }, sale, 1, at(now))).toBe(attempt);
  });

  it('reads a status as written, and refuses anything else', () => {
    expect(parseFlashSaleStatus('LIVE')).toBe('LIVE');
    for (const v of ['live', 'SOLD_OUT', ''])
      expect(() => parseFlashSaleStatus(v)).toThrow(
        expect.objectContaining({ kind: 'INVALID_ARGUMENT', code: 'FLASH_SALE_STATUS_INVALID' }),
      );
  });
});
