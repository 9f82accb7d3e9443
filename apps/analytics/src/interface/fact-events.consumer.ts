import {
  ANALYTICS_BEHAVIOUR,
  CATALOG_PRODUCT,
  ORDER_CART,
  ORDER_ORDER,
  USER_ACCOUNT,
  type catalogV1,
  type commonV1,
} from '@emporia/contracts';
import { eventHandler, NonRetriableError, on, type ReceivedEvent } from '@emporia/messaging';
import { Money } from '@emporia/money';
import type { RequestContext } from '@emporia/platform';
import type { FactSink } from '../application/ports';
import { dayOf, type Fact, type FactData, type ProductSnapshotFact } from '../domain/facts';
import { behaviourFact } from './behaviour-event.mapper';

/** The topics analytics reads (base names). */
export const FACT_TOPICS = [
  ANALYTICS_BEHAVIOUR.name,
  ORDER_ORDER.name,
  ORDER_CART.name,
  CATALOG_PRODUCT.name,
  USER_ACCOUNT.name,
] as const;

const poison = (what: string) => new NonRetriableError(what);

function time(value: string, field: string): Date {
  const at = new Date(value);
  if (!value || Number.isNaN(at.getTime())) throw poison(`${field} is not a time: '${value}'`);
  return at;
}

function money(m: commonV1.Money | undefined, field: string): Money {
  try {
    return Money.of(Number(m?.amountMinor), m?.currency ?? '');
  } catch (e) {
    throw poison(`${field}: ${(e as Error).message}`);
  }
}

function snapshot(
  p: catalogV1.Product | undefined,
  at: Date,
  tz: string,
  movement: ProductSnapshotFact['stockMovement'],
): Omit<ProductSnapshotFact, 'eventId'> {
  if (!p?.id) throw poison('product event without a product');
  return {
    kind: 'product_snapshot',
    productId: p.id,
    categoryId: p.categoryId,
    categoryPathIds: p.categoryPathIds,
    status: String(p.status),
    skus: p.skus.map((s) => ({
      skuId: s.id,
      price: money(s.price, `skus.${s.id}.price`),
      onHand: Number(s.stockOnHand),
      unitsSold: Number(s.unitsSold),
    })),
    at,
    day: dayOf(at, tz),
    stockMovement: movement,
  };
}

/**
 * Every topic analytics reads, each event turned into a fact and handed to the fact sink (once
 * per event id). A malformed event is poison (dead-lettered); a database outage is waited out.
 */
export function factEventsHandler(sink: FactSink, timeZone: string) {
  const tz = timeZone;
  const record = (ctx: RequestContext, event: ReceivedEvent, fact: FactData) =>
    sink
      .record(ctx, { ...fact, eventId: event.eventId } as Fact, {
        eventId: event.eventId,
        eventType: event.eventType,
        topic: event.topic,
        partition: event.partition,
        offset: event.offset,
      })
      .then(() => undefined);
  const occurred = (event: ReceivedEvent) => time(event.occurredAt, 'occurred-at');

  return eventHandler(
    on(ANALYTICS_BEHAVIOUR, {
      BehaviourEventReceived: (m, event, ctx) => {
        if (!m.event) throw poison('BehaviourEventReceived without an event');
        return record(ctx, event, behaviourFact(m.event, tz));
      },
    }),
    on(ORDER_ORDER, {
      OrderPlaced: (m, event, ctx) => {
        const at = time(m.placedAt, 'placed_at');
        return record(ctx, event, {
          kind: 'order_placed',
          orderId: m.orderId,
          accountId: m.accountId,
          placedAt: at,
          day: dayOf(at, tz),
          channel: m.channel,
          status: m.status,
          total: money(m.total, 'total'),
          lines: m.lines.map((l, i) => ({
            skuId: l.skuId,
            productId: l.productId,
            quantity: l.quantity,
            unitPrice: money(l.unitPrice, `lines.${i}.unit_price`),
            total: money(l.total, `lines.${i}.total`),
          })),
          couponCodes: m.couponCodes,
        });
      },
      OrderPaid: (m, event, ctx) => {
        const at = time(m.paidAt, 'paid_at');
        return record(ctx, event, {
          kind: 'order_paid',
          orderId: m.orderId,
          accountId: m.accountId,
          paidAt: at,
          day: dayOf(at, tz),
          amountPaid: money(m.amountPaid, 'amount_paid'),
        });
      },
      OrderCancelled: (m, event, ctx) => {
        const at = time(m.cancelledAt, 'cancelled_at');
        return record(ctx, event, {
          kind: 'order_cancelled',
          orderId: m.orderId,
          accountId: m.accountId,
          cancelledAt: at,
          day: dayOf(at, tz),
          reason: m.reason,
        });
      },
      OrderRefunded: (m, event, ctx) => {
        const at = time(m.refundedAt, 'refunded_at');
        return record(ctx, event, {
          kind: 'order_refunded',
          orderId: m.orderId,
          accountId: m.accountId,
          refundId: m.refundId,
          refundedAt: at,
          day: dayOf(at, tz),
          amount: money(m.amountRefunded, 'amount_refunded'),
          full: m.full,
        });
      },
    }),
    on(ORDER_CART, {
      CartChanged: (m, event, ctx) => {
        const at = time(m.changedAt, 'changed_at');
        return record(ctx, event, {
          kind: 'cart_changed',
          accountId: m.accountId,
          changedAt: at,
          day: dayOf(at, tz),
          lines: m.lines.map((l, i) => ({
            skuId: l.skuId,
            productId: l.productId,
            quantity: l.quantity,
            unitPrice: l.unitPrice ? money(l.unitPrice, `lines.${i}.unit_price`) : null,
          })),
          subtotal: m.subtotal ? money(m.subtotal, 'subtotal') : null,
          cause: m.cause,
        });
      },
    }),
    on(CATALOG_PRODUCT, {
      ProductCreated: (m, event, ctx) =>
        record(ctx, event, snapshot(m.product, occurred(event), tz, null)),
      ProductUpdated: (m, event, ctx) =>
        record(ctx, event, snapshot(m.product, occurred(event), tz, null)),
      ProductStockChanged: (m, event, ctx) =>
        record(
          ctx,
          event,
          snapshot(m.product, occurred(event), tz, {
            skuId: m.skuId,
            delta: Number(m.delta),
            reason: m.reason,
          }),
        ),
    }),
    on(USER_ACCOUNT, {
      AccountRegistered: (m, event, ctx) => {
        const at = m.registeredAt ? time(m.registeredAt, 'registered_at') : occurred(event);
        return record(ctx, event, {
          kind: 'account_registered',
          accountId: m.accountId,
          registeredAt: at,
          day: dayOf(at, tz),
        });
      },
      AccountDeleted: (m, event, ctx) => {
        const at = m.deletedAt ? time(m.deletedAt, 'deleted_at') : occurred(event);
        return record(ctx, event, {
          kind: 'account_deleted',
          accountId: m.accountId,
          deletedAt: at,
          day: dayOf(at, tz),
        });
      },
    }),
  );
}
