import { orderV1, userV1 } from '@emporia/contracts';
import { NonRetriableError, type ReceivedEvent } from '@emporia/messaging';
import { contextFromTraceparent, runWithContext } from '@emporia/platform';
import type { OrderEventsUseCase } from '../application/order-events.use-case';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decode<T>(fn: () => T, type: string, ids: (m: T) => string[]): T {
  let m: T;
  try {
    m = fn();
  } catch (e) {
    throw new NonRetriableError(`cannot decode ${type}: ${(e as Error).message}`);
  }
  if (!ids(m).every((id) => UUID_RE.test(id)))
    throw new NonRetriableError(`${type} without valid ids`);
  return m;
}

/** Handler of `order.order` and `user.account`; types marketing does not use are ignored. */
export function marketingEventsHandler(useCase: OrderEventsUseCase) {
  return async (event: ReceivedEvent): Promise<void> => {
    const ctx = contextFromTraceparent(event.traceparent);
    await runWithContext(ctx, async () => {
      switch (event.eventType) {
        case 'emporia.order.v1.OrderPlaced': {
          const m = decode(
            () => orderV1.OrderPlaced.decode(event.value),
            event.eventType,
            (x) => [x.orderId, x.accountId],
          );
          await useCase.onOrderPlaced(ctx, event, m.accountId);
          return;
        }
        case 'emporia.order.v1.OrderPaid': {
          const m = decode(
            () => orderV1.OrderPaid.decode(event.value),
            event.eventType,
            (x) => [x.orderId],
          );
          await useCase.onOrderPaid(ctx, event, m.orderId);
          return;
        }
        case 'emporia.order.v1.OrderCancelled': {
          const m = decode(
            () => orderV1.OrderCancelled.decode(event.value),
            event.eventType,
            (x) => [x.orderId],
          );
          await useCase.onOrderCancelled(ctx, event, m.orderId);
          return;
        }
        case 'emporia.user.v1.TierChanged': {
          const m = decode(
            () => userV1.TierChanged.decode(event.value),
            event.eventType,
            (x) => [x.accountId],
          );
          const at = new Date(m.changedAt);
          if (Number.isNaN(at.getTime()))
            throw new NonRetriableError(`TierChanged.changed_at is not a time: '${m.changedAt}'`);
          await useCase.onTierChanged(ctx, event, m.accountId, m.toTier, at);
          return;
        }
      }
    });
  };
}
