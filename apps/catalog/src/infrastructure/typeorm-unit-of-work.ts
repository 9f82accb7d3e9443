import { v7 as uuidv7 } from 'uuid';
import type { DataSource, EntityManager } from 'typeorm';
import { OutboxUnitOfWork } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { CatalogTx, Clock, IdGenerator, UnitOfWork } from '../application/ports';
import { type CatalogTopics, OutboxCatalogEvents } from './outbox-catalog-events';
import { SqlPriceHistoryRepository } from './sql-price-history.repository';
import { SqlProductRatingRepository } from './sql-product-rating.repository';
import { SqlReservationRepository } from './sql-reservation.repository';
import { SqlWarehouseRepository } from './sql-warehouse.repository';
// issue 18: catalog-stock
import { SqlListingScheduleRepository } from './sql-listing-schedule.repository';
import { SqlStockThresholdRepository } from './sql-stock-threshold.repository';
import { SqlComplianceRepository } from './sql-compliance.repository';
import { SqlTagRepository } from './sql-tag.repository';
import {
  SqlCategoryRepository,
  SqlProductRepository,
  SqlProductViewRepository,
  SqlStockRepository,
} from './sql-catalog.repositories';

/**
 * One Postgres transaction per use case (the messaging unit of work): repositories and the outbox
 * share its manager, so a change and its events commit together, and a consumed event's inbox
 * row commits with its effect. After a commit that wrote events, `onEventsCommitted` wakes the
 * relay.
 */
export class TypeormUnitOfWork extends OutboxUnitOfWork<CatalogTx> implements UnitOfWork {
  constructor(
    ds: DataSource,
    private readonly topics: CatalogTopics,
    onEventsCommitted?: () => void,
  ) {
    super(ds, onEventsCommitted);
  }

  protected open(manager: EntityManager, ctx: RequestContext) {
    const events = new OutboxCatalogEvents(this.topics, ctx);
    return {
      tx: {
        categories: new SqlCategoryRepository(manager),
        products: new SqlProductRepository(manager),
        stock: new SqlStockRepository(manager),
        views: new SqlProductViewRepository(manager),
        reservations: new SqlReservationRepository(manager),
        warehouses: new SqlWarehouseRepository(manager),
        priceHistory: new SqlPriceHistoryRepository(manager),
        ratings: new SqlProductRatingRepository(manager),
        events,
        // issue 18: catalog-stock
        stockThresholds: new SqlStockThresholdRepository(manager),
        listingSchedule: new SqlListingScheduleRepository(manager),
        // issue 18 (catalog-merch)
        tags: new SqlTagRepository(manager),
        compliance: new SqlComplianceRepository(manager),
      },
      drain: () => events.drain(),
    };
  }
}

export const systemClock: Clock = { now: () => new Date() };

/** UUIDv7 (RFC 9562): time-ordered, so ordering by id is ordering by creation. */
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };
