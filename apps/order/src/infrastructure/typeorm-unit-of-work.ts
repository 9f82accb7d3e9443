import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { OutboxUnitOfWork } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { Clock, IdGenerator, OrderTx, UnitOfWork } from '../application/ports';
import { OutboxCartEvents } from './outbox-cart-events';
import { OutboxOrderEvents } from './outbox-order-events';
import {
  SqlCartRepository,
  SqlGuestTokenRepository,
  SqlCheckoutRepository,
  SqlGroupDecisionRepository,
  SqlOrderRepository,
  SqlPaymentRepository,
  SqlReturnRepository,
  SqlShipmentRepository,
} from './sql-order.repositories';

/** One transaction per step; events commit with the change; the relay is woken after. */
export class TypeormUnitOfWork extends OutboxUnitOfWork<OrderTx> implements UnitOfWork {
  constructor(
    ds: DataSource,
    private readonly topic: string,
    private readonly cartTopic: string,
    onEventsCommitted?: () => void,
  ) {
    super(ds, onEventsCommitted);
  }

  protected open(manager: EntityManager, ctx: RequestContext) {
    const events = new OutboxOrderEvents(this.topic, ctx);
    const cartEvents = new OutboxCartEvents(this.cartTopic, ctx);
    return {
      tx: {
        orders: new SqlOrderRepository(manager, events),
        carts: new SqlCartRepository(manager),
        cartEvents,
        guestTokens: new SqlGuestTokenRepository(manager),
        checkouts: new SqlCheckoutRepository(manager),
        payments: new SqlPaymentRepository(manager),
        shipments: new SqlShipmentRepository(manager),
        returns: new SqlReturnRepository(manager, events),
        groups: new SqlGroupDecisionRepository(manager),
      },
      // order events first, then the cart's (a checkout places the order, then empties the cart)
      drain: () => [...events.drain(), ...cartEvents.drain()],
    };
  }
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };
