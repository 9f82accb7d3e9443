import { Money } from '@emporia/money';
import { decideAttempt, validateFlashSale, validateQuantity, type FlashSale } from './flash-sale';

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
