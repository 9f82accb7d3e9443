import { Money } from '@emporia/money';
import { ORDER_ORDER } from '@emporia/contracts';
import { NonRetriableError, on, type TopicRoute } from '@emporia/messaging';
import type { Logger } from '@emporia/platform';
import type { OrderEventsUseCase } from '../application/order-events.use-case';

const money = (m: { amountMinor: number; currency: string } | undefined, what: string): Money => {
  try {
    return Money.of(m?.amountMinor ?? Number.NaN, m?.currency ?? '');
  } catch (e) {
    throw new NonRetriableError(`${what}: ${(e as Error).message}`);
  }
};

const date = (s: string, what: string): Date => {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new NonRetriableError(`${what} is not a timestamp: '${s}'`);
  return d;
};

/** Route of `order.order`: OrderPaid and OrderRefunded feed membership; other types are ignored. */
export function orderEventsRoute(useCase: OrderEventsUseCase, logger: Logger): TopicRoute {
  return on(ORDER_ORDER, {
    OrderPaid: async (m, event, ctx) => {
      ids(m, event.eventType);
      const applied = await useCase.onOrderPaid(ctx, event, {
        orderId: m.orderId,
        accountId: m.accountId,
        amountPaid: money(m.amountPaid, 'amount_paid'),
        paidAt: date(m.paidAt, 'paid_at'),
      });
      logger.debug({ orderId: m.orderId, applied }, 'order paid handled');
    },
    OrderRefunded: async (m, event, ctx) => {
      ids(m, event.eventType);
      await useCase.onOrderRefunded(ctx, event, {
        orderId: m.orderId,
        accountId: m.accountId,
        refundId: m.refundId,
        amountRefunded: money(m.amountRefunded, 'amount_refunded'),
        refundedAt: date(m.refundedAt, 'refunded_at'),
        full: m.full,
      });
    },
  });
}

function ids(m: { orderId: string; accountId: string }, type: string): void {
  if (!/^[0-9a-f-]{36}$/i.test(m.accountId) || !m.orderId)
    throw new NonRetriableError(`${type} without a valid order id and account id`);
}
