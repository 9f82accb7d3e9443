import { Money } from '@emporia/money';
import { MarketingError } from './marketing-error';

/** A flash sale: one SKU at a sale price, a stock pool, a window and a per-user limit. */
export interface FlashSale {
  id: string;
  skuId: string;
  price: Money;
  stock: number;
  perUserLimit: number;
  startsAt: Date;
  endsAt: Date;
}

/** What one purchase attempt gets: a winner's short-lived token, or why not. */
export type AttemptOutcome =
  | { result: 'WON'; token: string; expiresAt: Date }
  | { result: 'SOLD_OUT' | 'LIMIT_REACHED' | 'NOT_STARTED' | 'ENDED' };

export const MAX_FLASH_QUANTITY = 10;

const bad = (message: string) =>
  new MarketingError('INVALID_ARGUMENT', 'FLASH_SALE_INVALID', message);

export function validateFlashSale(s: FlashSale): FlashSale {
  if (!Number.isInteger(s.stock) || s.stock < 1 || s.stock > 10_000_000)
    throw bad('stock is a whole number from 1');
  if (
    !Number.isInteger(s.perUserLimit) ||
    s.perUserLimit < 1 ||
    s.perUserLimit > MAX_FLASH_QUANTITY
  )
    throw bad(`the per-user limit is 1 to ${MAX_FLASH_QUANTITY}`);
  if (s.startsAt.getTime() >= s.endsAt.getTime()) throw bad('a sale ends after it starts');
  if (s.price.isNegative()) throw bad('the sale price is not negative');
  return s;
}

export function validateQuantity(quantity: number): number {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_FLASH_QUANTITY)
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'QUANTITY_INVALID',
      `buy 1 to ${MAX_FLASH_QUANTITY} at once`,
    );
  return quantity;
}

/** The decision the store's atomic script makes, as a pure function (documentation and tests). */
export function decideAttempt(
  state: { stock: number; bought: number },
  sale: Pick<FlashSale, 'perUserLimit' | 'startsAt' | 'endsAt'>,
  quantity: number,
  now: Date,
): 'WON' | 'SOLD_OUT' | 'LIMIT_REACHED' | 'NOT_STARTED' | 'ENDED' {
  if (now.getTime() < sale.startsAt.getTime()) return 'NOT_STARTED';
  if (now.getTime() >= sale.endsAt.getTime()) return 'ENDED';
  if (state.bought + quantity > sale.perUserLimit) return 'LIMIT_REACHED';
  if (state.stock < quantity) return 'SOLD_OUT';
  return 'WON';
}
