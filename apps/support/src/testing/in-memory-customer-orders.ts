import { DependencyUnavailableError } from '@emporia/messaging';
import type {
  CustomerOrders,
  OrderSummary,
  ReturnSummary,
  ShipmentSummary,
} from '../application/customer-orders.port';

/**
 * The order service as the bot sees it, in memory: orders by account, their shipments and
 * returns. Like the real one it answers only the owner (another account's order is undefined,
 * its shipments and returns empty). `failNextCalls(n)` makes the next calls throw
 * DependencyUnavailableError, as when order does not answer. `calls` records what was asked.
 */
export class InMemoryCustomerOrders implements CustomerOrders {
  private readonly orders: { accountId: string; order: OrderSummary }[] = [];
  private readonly shipmentsByOrder = new Map<string, ShipmentSummary[]>();
  private readonly returnsByOrder = new Map<string, ReturnSummary[]>();
  private failing = 0;
  readonly calls: string[] = [];

  /** Adds an order of `accountId` (the newest is the one created last, by `createdAt`). */
  addOrder(accountId: string, order: OrderSummary): this {
    this.orders.push({ accountId, order });
    return this;
  }

  addShipment(shipment: ShipmentSummary): this {
    this.shipmentsByOrder.set(shipment.orderId, [
      ...(this.shipmentsByOrder.get(shipment.orderId) ?? []),
      shipment,
    ]);
    return this;
  }

  addReturn(ret: ReturnSummary): this {
    this.returnsByOrder.set(ret.orderId, [...(this.returnsByOrder.get(ret.orderId) ?? []), ret]);
    return this;
  }

  failNextCalls(n: number): void {
    this.failing = n;
  }

  private enter(call: string): void {
    this.calls.push(call);
    if (this.failing > 0) {
      this.failing--;
      throw new DependencyUnavailableError('order did not answer (in-memory fault)');
    }
  }

  private owns(accountId: string, orderId: string): boolean {
    return this.orders.some((o) => o.accountId === accountId && o.order.orderId === orderId);
  }

  recentOrders(accountId: string, limit: number): Promise<OrderSummary[]> {
    this.enter(`recentOrders ${accountId} ${limit}`);
    return Promise.resolve(
      this.orders
        .filter((o) => o.accountId === accountId)
        .map((o) => o.order)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, limit),
    );
  }

  order(accountId: string, orderId: string): Promise<OrderSummary | undefined> {
    this.enter(`order ${accountId} ${orderId}`);
    return Promise.resolve(
      this.orders.find((o) => o.accountId === accountId && o.order.orderId === orderId)?.order,
    );
  }

  shipments(accountId: string, orderId: string): Promise<ShipmentSummary[]> {
    this.enter(`shipments ${accountId} ${orderId}`);
    return Promise.resolve(
      this.owns(accountId, orderId) ? (this.shipmentsByOrder.get(orderId) ?? []) : [],
    );
  }

  returns(accountId: string, orderId: string): Promise<ReturnSummary[]> {
    this.enter(`returns ${accountId} ${orderId}`);
    return Promise.resolve(
      this.owns(accountId, orderId) ? (this.returnsByOrder.get(orderId) ?? []) : [],
    );
  }
}

let n = 0;
const nextId = () => `0190b000-0000-7000-8000-${(++n).toString(16).padStart(12, '0')}`;

/** An order summary: shipped, one line, made 2026-11-20 10:30 Shanghai time unless told. */
export const anOrderSummary = (over: Partial<OrderSummary> = {}): OrderSummary => ({
  orderId: nextId(),
  status: 'SHIPPED',
  createdAt: '2026-11-20T02:30:00.000Z',
  paidAt: '2026-11-20T02:31:00.000Z',
  lines: [{ skuId: nextId(), productId: nextId(), title: '竹牙刷', quantity: 1 }],
  ...over,
});

/** A shipment of `orderId`: shipped by sf from SZ-1, no tracking event yet, unless told. */
export const aShipmentSummary = (
  orderId: string,
  over: Partial<ShipmentSummary> = {},
): ShipmentSummary => ({
  shipmentId: nextId(),
  orderId,
  warehouseCode: 'SZ-1',
  status: 'SHIPPED',
  carrier: 'sf',
  trackingNumber: 'SF1000001',
  events: [],
  skuIds: [],
  ...over,
});
