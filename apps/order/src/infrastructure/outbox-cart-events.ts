import { ORDER_CART } from '@emporia/contracts';
import { newEvent, type NewEvent } from '@emporia/messaging';
import type { Money } from '@emporia/money';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type { CartEvents } from '../application/ports';
import type { CartSnapshot } from '../domain/cart';

const money = (m: Money) => ({ amountMinor: m.amountMinor, currency: m.currency });

/** Collects the transaction's `CartChanged` events as outbox rows on `order.cart`, keyed by account. */
export class OutboxCartEvents implements CartEvents {
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

  changed(s: CartSnapshot): void {
    this.pending.push(
      newEvent(
        ORDER_CART.events.CartChanged,
        this.topic,
        s.accountId,
        {
          accountId: s.accountId,
          lines: s.lines.map((l) => ({
            skuId: l.skuId,
            productId: l.productId,
            quantity: l.quantity,
            unitPrice: l.unitPrice ? money(l.unitPrice) : undefined,
          })),
          subtotal: s.subtotal ? money(s.subtotal) : undefined,
          changedAt: s.changedAt.toISOString(),
          cause: s.cause,
        },
        { ...this.meta, occurredAt: s.changedAt },
      ),
    );
  }
}
