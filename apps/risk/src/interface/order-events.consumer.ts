import { ORDER_ORDER } from '@emporia/contracts';
import { NonRetriableError, on, type ReceivedEvent, type TopicRoute } from '@emporia/messaging';
import type { ReturnHistoryUseCase } from '../application/return-history.use-case';

/** The time an event says something happened, else when it was published. */
const when = (value: string, event: ReceivedEvent, what: string): Date => {
  const at = new Date(value || event.occurredAt);
  if (Number.isNaN(at.getTime()))
    throw new NonRetriableError(`${event.eventType}: ${what} is not a timestamp: '${value}'`);
  return at;
};

/**
 * `order.order` for the return history (RETURN_ABUSE rules, the fraud model): ShipmentTracked
 * (DELIVERED first deliveries), ReturnSettled and OrderCancelled; other types are ignored. No inbox: each fact is keyed by its
 * shipment or return id (ON CONFLICT DO NOTHING), which makes a redelivery change nothing and
 * also a carrier's second DELIVERED for one shipment, which an inbox keyed by event id would
 * count again.
 */
export function orderEventsRoute(history: ReturnHistoryUseCase): TopicRoute {
  return on(ORDER_ORDER, {
    ShipmentTracked: async (m, event, ctx) => {
      if (m.status !== 'DELIVERED' || m.replacement) return;
      await history.onShipmentTracked(ctx, {
        shipmentId: m.shipmentId,
        accountId: m.accountId,
        status: m.status,
        lineCount: m.lineCount,
        replacement: m.replacement,
        occurredAt: when(m.occurredAt, event, 'occurred_at'),
      });
    },
    ReturnSettled: async (m, event, ctx) => {
      await history.onReturnSettled(ctx, {
        returnId: m.returnId,
        accountId: m.accountId,
        kind: m.kind,
        lineCount: m.lineCount,
        itemsMismatch: m.itemsMismatch,
        settledAt: when(m.settledAt, event, 'settled_at'),
      });
    },
    OrderCancelled: async (m, event, ctx) => {
      await history.onOrderCancelled(ctx, {
        orderId: m.orderId,
        accountId: m.accountId,
        cancelledAt: when(m.cancelledAt, event, 'cancelled_at'),
      });
    },
  });
}
