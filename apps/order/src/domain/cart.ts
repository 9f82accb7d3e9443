import { Money } from '@emporia/money';
import { OrderError } from './order-error';

export const MAX_CART_LINES = 100;
export const MAX_LINE_QUANTITY = 999;

export interface CartLine {
  skuId: string;
  quantity: number;
}

/**
 * A cart belongs to an account or, before sign-in, to a guest token (kept as `guestKey`, the
 * token's SHA-256: the token itself is not stored).
 */
export interface Cart {
  id: string;
  owner: { accountId: string } | { guestKey: string };
  lines: CartLine[];
  updatedAt: Date;
}

const invalid = (code: string, message: string) =>
  new OrderError('INVALID_ARGUMENT', code, message);

function checkQuantity(q: number): void {
  if (!Number.isInteger(q) || q < 0 || q > MAX_LINE_QUANTITY)
    throw invalid(
      'QUANTITY_INVALID',
      `a quantity is a whole number from 0 to ${MAX_LINE_QUANTITY}`,
    );
}

/** Sets a line's quantity (0 removes it); new lines go last. */
export function setLine(cart: Cart, skuId: string, quantity: number, now: Date): Cart {
  checkQuantity(quantity);
  const exists = cart.lines.some((l) => l.skuId === skuId);
  if (!exists && quantity > 0 && cart.lines.length >= MAX_CART_LINES)
    throw new OrderError(
      'FAILED_PRECONDITION',
      'CART_FULL',
      `a cart holds at most ${MAX_CART_LINES} different items`,
    );
  const lines = exists
    ? cart.lines
        .map((l) => (l.skuId === skuId ? { ...l, quantity } : l))
        .filter((l) => l.quantity > 0)
    : quantity > 0
      ? [...cart.lines, { skuId, quantity }]
      : cart.lines;
  return { ...cart, lines, updatedAt: now };
}

/** Adds to a line's quantity, capped at the maximum. */
export function addToLine(cart: Cart, skuId: string, quantity: number, now: Date): Cart {
  if (!Number.isInteger(quantity) || quantity < 1)
    throw invalid('QUANTITY_INVALID', 'add at least one item');
  const current = cart.lines.find((l) => l.skuId === skuId)?.quantity ?? 0;
  return setLine(cart, skuId, Math.min(MAX_LINE_QUANTITY, current + quantity), now);
}

/**
 * Merges a guest cart into the account's cart at sign-in: quantities of the same SKU add up
 * (capped), the account's lines keep their order, lines beyond the limit are dropped and
 * reported.
 */
export function mergeCarts(
  account: Cart,
  guest: Cart,
  now: Date,
): { cart: Cart; dropped: CartLine[] } {
  let merged = account;
  const dropped: CartLine[] = [];
  for (const line of guest.lines) {
    const known = merged.lines.some((l) => l.skuId === line.skuId);
    if (!known && merged.lines.length >= MAX_CART_LINES) {
      dropped.push(line);
      continue;
    }
    merged = addToLine(merged, line.skuId, line.quantity, now);
  }
  return { cart: { ...merged, updatedAt: now }, dropped };
}

/** Why an account's cart changed: a line set, a guest cart merged at sign-in, a checkout. */
export type CartChangeCause = 'set_line' | 'merge' | 'checkout';

/** A cart line as analytics is told of it: its product and the catalog's price, when known. */
export interface CartSnapshotLine {
  skuId: string;
  productId: string;
  quantity: number;
  /** The catalog's list price (the cart itself keeps no prices); null when unknown. */
  unitPrice: Money | null;
}

/** An account's whole cart after a change (`CartChanged`). */
export interface CartSnapshot {
  accountId: string;
  lines: CartSnapshotLine[];
  /** Σ quantity × unit price; null for an empty cart or when a line's price is unknown. */
  subtotal: Money | null;
  changedAt: Date;
  cause: CartChangeCause;
}

/**
 * The snapshot of an account's cart priced from the catalog's SKUs (`skus` may lack some: a
 * SKU the catalog no longer knows); null for a guest cart, of which nothing is announced.
 */
export function cartSnapshot(
  cart: Cart,
  cause: CartChangeCause,
  skus: ReadonlyMap<string, { productId: string; unitPrice: Money }>,
): CartSnapshot | null {
  if (!('accountId' in cart.owner)) return null;
  const lines = cart.lines.map((l) => {
    const sku = skus.get(l.skuId);
    return {
      skuId: l.skuId,
      productId: sku?.productId ?? '',
      quantity: l.quantity,
      unitPrice: sku?.unitPrice ?? null,
    };
  });
  const prices = lines.map((l) => l.unitPrice);
  const currencies = new Set(prices.map((p) => p?.currency));
  const priced = lines.length > 0 && !prices.includes(null) && currencies.size === 1;
  const subtotal = priced
    ? Money.sum(
        lines.map((l) => l.unitPrice!.times(l.quantity)),
        prices[0]!.currency,
      )
    : null;
  return { accountId: cart.owner.accountId, lines, subtotal, changedAt: cart.updatedAt, cause };
}

/** Whether two carts hold the same lines in the same order. */
export function sameLines(a: Cart, b: Cart): boolean {
  return (
    a.lines.length === b.lines.length &&
    a.lines.every((l, i) => l.skuId === b.lines[i].skuId && l.quantity === b.lines[i].quantity)
  );
}
