import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { recordInInbox, transactionWithOutbox, type ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { Clock, IdGenerator, OrderTx, UnitOfWork } from '../application/ports';
import { OutboxOrderEvents } from './outbox-order-events';
import {
  SqlCartRepository,
  SqlCheckoutRepository,
  SqlGroupDecisionRepository,
  SqlOrderRepository,
  SqlPaymentRepository,
  SqlReturnRepository,
  SqlShipmentRepository,
} from './sql-order.repositories';

/** One transaction per step; events commit with the change; the relay is woken after. */
export class TypeormUnitOfWork implements UnitOfWork {
  constructor(
    private readonly ds: DataSource,
    private readonly topic: string,
    private readonly onEventsCommitted: () => void = () => undefined,
  ) {}

  run<T>(ctx: RequestContext, work: (tx: OrderTx) => Promise<T>): Promise<T> {
    return this.transact(ctx, (_manager, tx) => work(tx));
  }

  runForEvent(
    ctx: RequestContext,
    consumer: string,
    event: ReceivedEvent,
    work: (tx: OrderTx) => Promise<void>,
  ): Promise<boolean> {
    return this.transact(ctx, async (manager, tx) => {
      if (!(await recordInInbox(manager, consumer, event))) return false;
      await work(tx);
      return true;
    });
  }

  private transact<T>(
    ctx: RequestContext,
    work: (manager: EntityManager, tx: OrderTx) => Promise<T>,
  ): Promise<T> {
    return transactionWithOutbox(
      this.ds,
      async (manager) => {
        const events = new OutboxOrderEvents(this.topic, ctx);
        const result = await work(manager, {
          orders: new SqlOrderRepository(manager),
          carts: new SqlCartRepository(manager),
          checkouts: new SqlCheckoutRepository(manager),
          payments: new SqlPaymentRepository(manager),
          shipments: new SqlShipmentRepository(manager),
          returns: new SqlReturnRepository(manager),
          groups: new SqlGroupDecisionRepository(manager),
          events,
        });
        return { result, events: events.drain() };
      },
      this.onEventsCommitted,
    );
  }
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };
