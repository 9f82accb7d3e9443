import { ORDER_ORDER, USER_ACCOUNT } from '@emporia/contracts';
import { eventHandler, NonRetriableError, on } from '@emporia/messaging';
import { UUID_RE } from '@emporia/domain';
import type { OrderEventsUseCase } from '../application/order-events.use-case';

function requireIds(type: string, ids: string[]): void {
  if (!ids.every((id) => UUID_RE.test(id)))
    throw new NonRetriableError(`${type} without valid ids`);
}

/** Handler of `order.order` and `user.account`; types marketing does not use are ignored. */
export function marketingEventsHandler(useCase: OrderEventsUseCase) {
  return eventHandler(
    on(ORDER_ORDER, {
      OrderPlaced: async (m, event, ctx) => {
        requireIds(event.eventType, [m.orderId, m.accountId]);
        await useCase.onOrderPlaced(ctx, event, m.accountId);
      },
      OrderPaid: async (m, event, ctx) => {
        requireIds(event.eventType, [m.orderId]);
        await useCase.onOrderPaid(ctx, event, m.orderId);
      },
      OrderCancelled: async (m, event, ctx) => {
        requireIds(event.eventType, [m.orderId]);
        await useCase.onOrderCancelled(ctx, event, m.orderId);
      },
    }),
    on(USER_ACCOUNT, {
      TierChanged: async (m, event, ctx) => {
        requireIds(event.eventType, [m.accountId]);
        const at = new Date(m.changedAt);
        if (Number.isNaN(at.getTime()))
          throw new NonRetriableError(`TierChanged.changed_at is not a time: '${m.changedAt}'`);
        await useCase.onTierChanged(ctx, event, m.accountId, m.toTier, at);
      },
    }),
  );
}
