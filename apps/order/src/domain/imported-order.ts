import { Money } from '@emporia/money';
import { UUID_RE } from '@emporia/domain';
import type { Order, OrderLine, PricedCart, ShippingAddress } from './order';
import { transition, type OrderChange } from './order-change';
import { OrderError } from './order-error';

/** An order taken on another marketplace, in Emporia's terms. */
export interface ImportedOrder {
  source: string;
  externalId: string;
  accountId: string;
  currency: string;
  lines: { skuId: string; quantity: number; unitPriceMinor: number }[];
  /** What the buyer paid on the marketplace: at most the lines' sum (the rest was discount). */
  paidMinor: number;
  shippingMinor: number;
  address: Partial<Record<keyof ShippingAddress, unknown>>;
  paidAt: Date;
}

/** Reads one marketplace's order format. */
export interface MarketplaceAdapter {
  readonly source: string;
  parse(payload: unknown): ImportedOrder;
}

const bad = (message: string, field?: string) =>
  new OrderError('INVALID_ARGUMENT', 'IMPORT_INVALID', message, field ? { field } : undefined);

/**
 * Prices an imported order from what the marketplace charged: list lines at their unit prices,
 * and the marketplace's discount (lines' sum + shipping − paid) spread over the lines in
 * proportion to their totals, exactly.
 */
export function pricedFromImport(
  imp: ImportedOrder,
  titles: Map<string, { productId: string; title: string }>,
): PricedCart {
  const c = imp.currency;
  const gross = imp.lines.map((l) => Money.of(l.unitPriceMinor, c).times(l.quantity));
  const subtotal = Money.sum(gross, c);
  const shipping = Money.of(imp.shippingMinor, c);
  const total = Money.of(imp.paidMinor, c);
  const discount = subtotal.add(shipping).subtract(total);
  if (discount.isNegative()) throw bad('paid is more than the lines plus shipping', 'paidMinor');
  if (discount.compare(subtotal) > 0) throw bad('the discount exceeds the lines', 'paidMinor');
  const shares = subtotal.isZero()
    ? gross.map(() => Money.zero(c))
    : discount.allocate(gross.map((g) => g.amountMinor || 0));
  const lines: OrderLine[] = imp.lines.map((l, i) => ({
    skuId: l.skuId,
    productId: titles.get(l.skuId)?.productId ?? '',
    title: titles.get(l.skuId)?.title ?? '',
    quantity: l.quantity,
    unitPrice: Money.of(l.unitPriceMinor, c),
    discount: shares[i],
    total: gross[i].subtract(shares[i]),
  }));
  return {
    currency: c,
    lines,
    subtotal,
    discount,
    shipping,
    total,
    explanation: [`imported from ${imp.source} order ${imp.externalId}`],
    pricedBy: `import:${imp.source}`,
  };
}

/**
 * An imported order as it is saved: PAID at once, recording both `OrderPlaced` (status PAID, no
 * coupons: marketing counts the account's first order) and then `OrderPaid` with the amount paid
 * on the marketplace (user adds member spend and points, as for any paid order, and a later
 * refund takes back exactly what was added; marketing finds no coupons, flash purchase or group
 * seat to settle). Both carry the paid order.
 */
export function importedPaid(order: Order, paidAt: Date, now: Date): OrderChange {
  const paid = transition(order, 'PAY', { paidAt }, now);
  return {
    order: paid.order,
    baseVersion: null,
    events: [{ type: 'placed', order: paid.order, couponCodes: [] }, ...paid.events],
  };
}

const int = (v: unknown, field: string, min = 0): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw bad(`${field} must be a whole number ≥ ${min}`, field);
  return v;
};

/**
 * The generic JSON format any marketplace integration can produce:
 * `{ externalId, accountId, currency, paidMinor, shippingMinor?, paidAt, address,
 *    lines: [{ skuId, quantity, unitPriceMinor }] }`.
 */
export const genericJsonAdapter: MarketplaceAdapter = {
  source: 'generic-json',
  parse(payload: unknown): ImportedOrder {
    if (!payload || typeof payload !== 'object') throw bad('the payload is a JSON object');
    const p = payload as Record<string, unknown>;
    const externalId = typeof p.externalId === 'string' ? p.externalId.trim() : '';
    if (!externalId || externalId.length > 128)
      throw bad('externalId is required (≤ 128 characters)', 'externalId');
    if (typeof p.accountId !== 'string' || !UUID_RE.test(p.accountId))
      throw bad('accountId must be a UUID', 'accountId');
    if (typeof p.currency !== 'string' || !/^[A-Z]{3}$/.test(p.currency))
      throw bad('currency is ISO 4217', 'currency');
    if (!Array.isArray(p.lines) || p.lines.length === 0 || p.lines.length > 100)
      throw bad('1 to 100 lines', 'lines');
    const lines = p.lines.map((raw, i) => {
      const l = (raw ?? {}) as Record<string, unknown>;
      if (typeof l.skuId !== 'string' || !UUID_RE.test(l.skuId))
        throw bad(`lines[${i}].skuId must be a UUID`, `lines.${i}.skuId`);
      return {
        skuId: l.skuId.toLowerCase(),
        quantity: int(l.quantity, `lines.${i}.quantity`, 1),
        unitPriceMinor: int(l.unitPriceMinor, `lines.${i}.unitPriceMinor`),
      };
    });
    if (new Set(lines.map((l) => l.skuId)).size !== lines.length)
      throw bad('each SKU appears once', 'lines');
    const paidAt = new Date(typeof p.paidAt === 'string' ? p.paidAt : NaN);
    if (Number.isNaN(paidAt.getTime())) throw bad('paidAt is an RFC 3339 time', 'paidAt');
    return {
      source: 'generic-json',
      externalId,
      accountId: p.accountId.toLowerCase(),
      currency: p.currency,
      lines,
      paidMinor: int(p.paidMinor, 'paidMinor'),
      shippingMinor: p.shippingMinor === undefined ? 0 : int(p.shippingMinor, 'shippingMinor'),
      address: (p.address ?? undefined) as ImportedOrder['address'],
      paidAt,
    };
  },
};
