import { ORDER_ORDER } from '@emporia/contracts';
import { newEvent, type NewEvent } from '@emporia/messaging';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type { Money } from '@emporia/money';
import type { OrderEvents } from '../application/ports';
import type { Order } from '../domain/order';
import type { ReturnSettled } from '../domain/returns';
import type { Shipment } from '../domain/shipment';

const EVENTS = ORDER_ORDER.events;

const money = (m: Money) => ({ amountMinor: m.amountMinor, currency: m.currency });

/** Collects the transaction's events as outbox rows on `order.order`, keyed by order id. */
export class OutboxOrderEvents implements OrderEvents {
  private readonly pending: NewEvent[] = [];
  private readonly meta: { traceparent: string };

  constructor(
    private readonly topic: string,
    ctx: RequestContext,
  ) {
    this.meta = { traceparent: toTraceparent(ctx) };
  }

  drain(): NewEvent[] {
    return this.pending.splice(0);
  }

  placed(o: Order, couponCodes: string[]): void {
    this.pending.push(
      newEvent(
        EVENTS.OrderPlaced,
        this.topic,
        o.id,
        {
          orderId: o.id,
          accountId: o.accountId,
          total: money(o.total),
          status: o.status,
          placedAt: o.createdAt.toISOString(),
          couponCodes,
          lines: o.lines.map((l) => ({
            skuId: l.skuId,
            productId: l.productId,
            quantity: l.quantity,
            unitPrice: money(l.unitPrice),
            total: money(l.total),
          })),
          channel: o.channel,
        },
        this.meta,
      ),
    );
  }

  paid(o: Order): void {
    this.pending.push(
      newEvent(
        EVENTS.OrderPaid,
        this.topic,
        o.id,
        {
          orderId: o.id,
          accountId: o.accountId,
          amountPaid: money(o.total),
          paidAt: (o.paidAt ?? o.updatedAt).toISOString(),
        },
        this.meta,
      ),
    );
  }

  cancelled(o: Order, couponCodes: string[]): void {
    this.pending.push(
      newEvent(
        EVENTS.OrderCancelled,
        this.topic,
        o.id,
        {
          orderId: o.id,
          accountId: o.accountId,
          reason: o.cancelReason ?? '',
          cancelledAt: o.updatedAt.toISOString(),
          couponCodes,
        },
        this.meta,
      ),
    );
  }

  shipped(o: Order, sh: Shipment): void {
    this.pending.push(
      newEvent(
        EVENTS.ShipmentShipped,
        this.topic,
        o.id,
        {
          orderId: o.id,
          accountId: o.accountId,
          shipmentId: sh.id,
          carrier: sh.carrier ?? '',
          trackingNumber: sh.trackingNumber ?? '',
          shippedAt: sh.updatedAt.toISOString(),
        },
        this.meta,
      ),
    );
  }

  /**
   * A DELIVERED or EXCEPTION event of a shipment (each one the carrier reports). `line_count` is
   * the distinct SKUs this shipment carries (a SKU split over two warehouses counts in each),
   * `replacement` whether it carries an exchange's replacement.
   */
  tracked(o: Order, sh: Shipment, e: Shipment['events'][number]): void {
    this.pending.push(
      newEvent(
        EVENTS.ShipmentTracked,
        this.topic,
        o.id,
        {
          orderId: o.id,
          accountId: o.accountId,
          shipmentId: sh.id,
          status: e.status,
          description: e.description,
          occurredAt: e.occurredAt.toISOString(),
          lineCount: new Set(sh.lines.map((l) => l.skuId)).size,
          replacement: sh.returnId !== null && sh.returnId !== undefined,
        },
        this.meta,
      ),
    );
  }

  refunded(o: Order, refundId: string, amount: Money, full: boolean): void {
    this.pending.push(
      newEvent(
        EVENTS.OrderRefunded,
        this.topic,
        o.id,
        {
          orderId: o.id,
          accountId: o.accountId,
          refundId,
          amountRefunded: money(amount),
          refundedAt: new Date().toISOString(),
          full,
        },
        this.meta,
      ),
    );
  }

  returnSettled(e: ReturnSettled): void {
    this.pending.push(
      newEvent(
        EVENTS.ReturnSettled,
        this.topic,
        e.orderId,
        {
          returnId: e.returnId,
          orderId: e.orderId,
          accountId: e.accountId,
          kind: e.kind,
          lineCount: e.lineCount,
          unitCount: e.unitCount,
          itemsMismatch: e.itemsMismatch,
          settledAt: e.settledAt.toISOString(),
        },
        this.meta,
      ),
    );
  }
}
