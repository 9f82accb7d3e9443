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

/**
 * Where a sale's window stands: SCHEDULED before it starts, LIVE from its start (sold out or not)
 * until its end, ENDED from its end: the moments an attempt is NOT_STARTED, decided, or ENDED.
 */
export const FLASH_SALE_STATUSES = ['SCHEDULED', 'LIVE', 'ENDED'] as const;
export type FlashSaleStatus = (typeof FLASH_SALE_STATUSES)[number];

export function flashSaleStatus(
  sale: Pick<FlashSale, 'startsAt' | 'endsAt'>,
  now: Date,
): FlashSaleStatus {
  if (now.getTime() < sale.startsAt.getTime()) return 'SCHEDULED';
  return now.getTime() < sale.endsAt.getTime() ? 'LIVE' : 'ENDED';
}

/** One of FLASH_SALE_STATUSES as written, or FLASH_SALE_STATUS_INVALID. */
export function parseFlashSaleStatus(value: string): FlashSaleStatus {
  if ((FLASH_SALE_STATUSES as readonly string[]).includes(value)) return value as FlashSaleStatus;
  throw new MarketingError(
    'INVALID_ARGUMENT',
    'FLASH_SALE_STATUS_INVALID',
    `status is one of ${FLASH_SALE_STATUSES.join(', ')}, not '${value}'`,
    { field: 'status' },
  );
}

/**
 * What one purchase attempt gets: a winner's short-lived token, or why not. A win and a
 * LIMIT_REACHED say the units the buyer may still win in the sale once this attempt is decided
 * (`allowanceLeft`: the per-user limit less what the buyer holds), so a gateway can answer the
 * buyer's later attempts of more units LIMIT_REACHED itself until units come back to the buyer.
 */
export type AttemptOutcome =
  | { result: 'WON'; token: string; expiresAt: Date; allowanceLeft: number }
  | { result: 'LIMIT_REACHED'; allowanceLeft: number }
  | { result: 'SOLD_OUT' | 'NOT_STARTED' | 'ENDED' };

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
  const status = flashSaleStatus(sale, now);
  if (status === 'SCHEDULED') return 'NOT_STARTED';
  if (status === 'ENDED') return 'ENDED';
  if (state.bought + quantity > sale.perUserLimit) return 'LIMIT_REACHED';
  if (state.stock < quantity) return 'SOLD_OUT';
  return 'WON';
}
