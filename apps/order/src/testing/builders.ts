import { Money } from '@emporia/money';
import type { Cart } from '../domain/cart';
import {
  placeOrder,
  type Order,
  type OrderLine,
  type PricedCart,
  type RiskVerdict,
  type ShippingAddress,
} from '../domain/order';
import type { SkuInfo } from '../application/ports';

/**
 * Test data builders (eShop `Ordering.UnitTests/Builders.cs`): a valid default, and the one fact
 * a test is about set by name. Amounts are minor units of `currency` (CNY unless said).
 */

export const money = (minor: number, currency = 'CNY') => Money.of(minor, currency);

export const anAddress = (over: Partial<ShippingAddress> = {}): ShippingAddress => ({
  recipient: 'Li Lei',
  phone: '+8613800138000',
  country: 'CN',
  province: 'Shanghai',
  city: 'Shanghai',
  district: 'Pudong',
  line1: '1 Century Avenue',
  line2: '',
  postalCode: '200120',
  ...over,
});

/** A catalog SKU, orderable, with stock in warehouse SH. */
export class SkuBuilder {
  private sku: SkuInfo;

  constructor(skuId: string) {
    this.sku = {
      skuId,
      productId: `p-${skuId}`,
      title: `SKU ${skuId}`,
      categoryPathIds: [],
      unitPrice: money(10000),
      orderable: true,
      stock: [{ warehouseCode: 'SH', available: 100 }],
    };
  }

  pricedAt(minor: number, currency = 'CNY'): this {
    this.sku = { ...this.sku, unitPrice: money(minor, currency) };
    return this;
  }

  notOrderable(): this {
    this.sku = { ...this.sku, orderable: false };
    return this;
  }

  stockedIn(warehouseCode: string, available: number): this {
    this.sku = {
      ...this.sku,
      stock: [
        ...this.sku.stock.filter((s) => s.warehouseCode !== warehouseCode),
        { warehouseCode, available },
      ],
    };
    return this;
  }

  build(): SkuInfo {
    return this.sku;
  }
}
export const aSku = (skuId: string) => new SkuBuilder(skuId);

/** A priced cart that adds up: lines at list price, no discount, no shipping unless set. */
export class PricedCartBuilder {
  private lines: OrderLine[] = [];
  private shippingMinor = 0;
  private group: { groupId: string; deadline: Date } | null = null;

  constructor(private readonly currency = 'CNY') {}

  line(skuId: string, quantity: number, unitMinor: number, discountMinor = 0): this {
    const unitPrice = money(unitMinor, this.currency);
    const discount = money(discountMinor, this.currency);
    this.lines.push({
      skuId,
      productId: `p-${skuId}`,
      title: `SKU ${skuId}`,
      quantity,
      unitPrice,
      discount,
      total: unitPrice.times(quantity).subtract(discount),
    });
    return this;
  }

  shipping(minor: number): this {
    this.shippingMinor = minor;
    return this;
  }

  inGroup(groupId: string, deadline: Date): this {
    this.group = { groupId, deadline };
    return this;
  }

  build(): PricedCart {
    const lines = this.lines.length
      ? this.lines
      : new PricedCartBuilder().line('a', 1, 10000).lines;
    const c = this.currency;
    const subtotal = Money.sum(
      lines.map((l) => l.unitPrice.times(l.quantity)),
      c,
    );
    const discount = Money.sum(
      lines.map((l) => l.discount),
      c,
    );
    const shipping = money(this.shippingMinor, c);
    return {
      currency: c,
      lines,
      subtotal,
      discount,
      shipping,
      total: subtotal.subtract(discount).add(shipping),
      explanation: [],
      pricedBy: 'test',
      ...(this.group ? { groupId: this.group.groupId, groupDeadline: this.group.deadline } : {}),
    };
  }
}
export const aPricedCart = (currency?: string) => new PricedCartBuilder(currency);

export const allow: RiskVerdict = { decision: 'ALLOW', score: 1, reasons: [], degraded: false };
export const review: RiskVerdict = {
  decision: 'REVIEW',
  score: 60,
  reasons: ['NEW_DEVICE'],
  degraded: false,
};

/** An order as checkout places it (PENDING_PAYMENT, version 1), then moved as the test needs. */
export class OrderBuilder {
  private id = '0190a000-0000-7000-8000-000000000001';
  private accountId = '0190a000-0000-7000-8000-0000000000aa';
  private priced: PricedCart = aPricedCart().build();
  private risk: RiskVerdict = allow;
  private at = new Date('2026-11-25T10:00:00Z');
  private patch: Partial<Order> = {};

  withId(id: string): this {
    this.id = id;
    return this;
  }

  of(accountId: string): this {
    this.accountId = accountId;
    return this;
  }

  pricedAs(priced: PricedCart): this {
    this.priced = priced;
    return this;
  }

  heldForReview(): this {
    this.risk = review;
    return this;
  }

  placedAt(at: Date): this {
    this.at = at;
    return this;
  }

  /** Sets stored facts directly (a state reached earlier, a version bumped by others). */
  with(patch: Partial<Order>): this {
    this.patch = { ...this.patch, ...patch };
    return this;
  }

  build(): Order {
    return {
      ...placeOrder({
        id: this.id,
        accountId: this.accountId,
        priced: this.priced,
        risk: this.risk,
        reservationId: `res-${this.id}`,
        address: anAddress(),
        now: this.at,
        paymentTtlMs: 15 * 60_000,
      }),
      ...this.patch,
    };
  }
}
export const anOrder = () => new OrderBuilder();

/** An account's cart with the given lines. */
export const aCart = (
  accountId: string,
  lines: { skuId: string; quantity: number }[],
  at = new Date('2026-11-25T09:00:00Z'),
): Cart => ({
  id: `cart-${accountId}`,
  owner: { accountId },
  lines: lines.map((l) => ({ ...l })),
  updatedAt: at,
});
