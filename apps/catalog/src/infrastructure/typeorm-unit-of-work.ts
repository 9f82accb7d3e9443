import { v7 as uuidv7 } from 'uuid';
import type { DataSource, EntityManager } from 'typeorm';
import { recordInInbox, transactionWithOutbox, type ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { CatalogTx, Clock, IdGenerator, UnitOfWork } from '../application/ports';
import { type CatalogTopics, OutboxCatalogEvents } from './outbox-catalog-events';
import { SqlPriceHistoryRepository } from './sql-price-history.repository';
import { SqlProductRatingRepository } from './sql-product-rating.repository';
import { SqlReservationRepository } from './sql-reservation.repository';
import { SqlWarehouseRepository } from './sql-warehouse.repository';
import {
  SqlCategoryRepository,
  SqlProductRepository,
  SqlStockRepository,
} from './sql-catalog.repositories';

/**
 * One Postgres transaction per use case: repositories and the outbox share its manager, so a
 * change and its events commit together. After a commit that wrote events, `onEventsCommitted`
 * wakes the relay.
 */
export class TypeormUnitOfWork implements UnitOfWork {
  constructor(
    private readonly ds: DataSource,
    private readonly topics: CatalogTopics,
    private readonly onEventsCommitted: () => void = () => undefined,
  ) {}

  run<T>(ctx: RequestContext, work: (tx: CatalogTx) => Promise<T>): Promise<T> {
    return this.transact(ctx, (_manager, tx) => work(tx));
  }

  /** Runs `work` once per event: the inbox row commits with its effect; false when seen. */
  runForEvent(
    ctx: RequestContext,
    consumer: string,
    event: ReceivedEvent,
    work: (tx: CatalogTx) => Promise<void>,
  ): Promise<boolean> {
    return this.transact(ctx, async (manager, tx) => {
      if (!(await recordInInbox(manager, consumer, event))) return false;
      await work(tx);
      return true;
    });
  }

  private transact<T>(
    ctx: RequestContext,
    work: (manager: EntityManager, tx: CatalogTx) => Promise<T>,
  ): Promise<T> {
    return transactionWithOutbox(
      this.ds,
      async (manager) => {
        const events = new OutboxCatalogEvents(this.topics, ctx);
        const result = await work(manager, {
          categories: new SqlCategoryRepository(manager),
          products: new SqlProductRepository(manager),
          stock: new SqlStockRepository(manager),
          reservations: new SqlReservationRepository(manager),
          warehouses: new SqlWarehouseRepository(manager),
          priceHistory: new SqlPriceHistoryRepository(manager),
          ratings: new SqlProductRatingRepository(manager),
          events,
        });
        return { result, events: events.drain() };
      },
      this.onEventsCommitted,
    );
  }
}

export const systemClock: Clock = { now: () => new Date() };

/** UUIDv7 (RFC 9562): time-ordered, so ordering by id is ordering by creation. */
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };
