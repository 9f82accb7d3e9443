import {
  CATALOG_CATEGORY,
  CATALOG_PRODUCT,
  CATALOG_STOCK,
  REVIEW_PRODUCT,
} from '@emporia/contracts';
import { eventHandler, kafkaResource, OutboxRelay } from '@emporia/messaging';
import {
  defineService,
  launchService,
  postgresResource,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { AdjustStockUseCase } from './application/adjust-stock.use-case';
import { CategoryQueries } from './application/category.queries';
import { CreateCategoryUseCase } from './application/create-category.use-case';
import { CreateProductUseCase } from './application/create-product.use-case';
import { MoveCategoryUseCase } from './application/move-category.use-case';
import { CLOCK, ID_GENERATOR, SOLD_CURRENCIES, UNIT_OF_WORK } from './application/ports';
import { ProductQueries } from './application/product.queries';
import { ProductRatingsUseCase } from './application/product-ratings.use-case';
import { ReservationsUseCase } from './application/reservations.use-case';
import { SkuPriceUseCase } from './application/sku-price.use-case';
import { StockQueries } from './application/stock.queries';
import { UpdateCategoryUseCase } from './application/update-category.use-case';
import { UpdateProductUseCase } from './application/update-product.use-case';
import { WarehousesUseCase } from './application/warehouses.use-case';
// issue 18: catalog-stock
import { ListingScheduleUseCase } from './application/listing-schedule.use-case';
import { LowStockQueries } from './application/low-stock.queries';
import { StockThresholdUseCase } from './application/stock-threshold.use-case';
import { ComplianceUseCase } from './application/compliance.use-case';
import { TagsUseCase } from './application/tags.use-case';
import { catalogConfigSchema, type CatalogConfig } from './config';
import { CATALOG_MIGRATIONS } from './infrastructure/migrations';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { CatalogGrpcController } from './interface/catalog.grpc-controller';
import { reviewEventsRoute } from './interface/review-events.consumer';

/**
 * How long the outbox relay waits after a commit's nudge before its pass (libs/messaging: 5 ms by
 * default), so the commits of that many milliseconds share one pass (lock, read, produce, mark).
 * Catalog's events are product, category and stock snapshots: the gateway's product pages gather
 * them 100 ms per fetch, search makes them searchable at its index's refresh (1 s), and the
 * product page's staleness bound is its TTL; 25 ms more costs them nothing, and under load (a
 * stock snapshot per paid order) a pass serves several commits instead of about one each, as
 * order's does (ORDER_RELAY_LINGER_MS).
 */
export const CATALOG_RELAY_LINGER_MS = 25;

/**
 * The catalog: products, categories, stock and reservations; publishes product and category
 * events; consumes `review.product` for the products' rating summaries.
 */
export const catalogService = defineService({
  name: 'catalog',
  config: catalogConfigSchema,
  http: (c) => ({ host: c.BIND_HOST, port: c.CATALOG_HTTP_PORT }),
  grpc: (c) => ({ service: 'catalog', host: c.BIND_HOST, port: c.CATALOG_GRPC_PORT }),
  resources: (c) => ({
    postgres: postgresResource({
      url: c.CATALOG_DATABASE_URL,
      migrations: CATALOG_MIGRATIONS,
      entities: [],
      poolSize: c.DB_POOL_SIZE,
      preparedStatements: c.DB_PREPARED_STATEMENTS,
      migrateOnStart: { enabled: c.CATALOG_MIGRATE_ON_START, variable: 'CATALOG_MIGRATE_ON_START' },
    }),
    kafka: kafkaResource({
      brokers: c.KAFKA_BROKERS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      topics: [
        CATALOG_PRODUCT.name,
        CATALOG_CATEGORY.name,
        REVIEW_PRODUCT.name,
        CATALOG_STOCK.name,
      ],
      consumerGroup: c.CATALOG_CONSUMER_GROUP,
    }),
  }),
  assemble: ({ config, logger, resources: { postgres, kafka } }) => {
    const relay = new OutboxRelay(postgres, kafka.publisher, {
      logger,
      service: 'catalog',
      intervalMs: config.OUTBOX_POLL_MS,
      lingerMs: CATALOG_RELAY_LINGER_MS,
    });
    const topics = {
      product: kafka.topic(CATALOG_PRODUCT.name),
      category: kafka.topic(CATALOG_CATEGORY.name),
      stock: kafka.topic(CATALOG_STOCK.name),
    };
    return {
      controllers: [CatalogGrpcController],
      providers: [
        {
          provide: UNIT_OF_WORK,
          useValue: new TypeormUnitOfWork(postgres, topics, () => relay.nudge()),
        },
        { provide: CLOCK, useValue: systemClock },
        { provide: SOLD_CURRENCIES, useValue: new Set(config.CURRENCIES) },
        { provide: ID_GENERATOR, useValue: uuidV7Generator },
        CreateCategoryUseCase,
        UpdateCategoryUseCase,
        MoveCategoryUseCase,
        CategoryQueries,
        CreateProductUseCase,
        UpdateProductUseCase,
        ProductQueries,
        AdjustStockUseCase,
        StockQueries,
        ReservationsUseCase,
        WarehousesUseCase,
        SkuPriceUseCase,
        ProductRatingsUseCase,
        // issue 18: catalog-stock
        StockThresholdUseCase,
        LowStockQueries,
        ListingScheduleUseCase,
        // issue 18 (catalog-merch)
        TagsUseCase,
        ComplianceUseCase,
      ],
      workers: [relay],
      consumers: (get) => [
        kafka.consumer({
          topics: [REVIEW_PRODUCT.name],
          handler: eventHandler(reviewEventsRoute(get(ProductRatingsUseCase), logger)),
        }),
      ],
      // reservations expire on their own, a bounded batch per run
      sweeps: (get) => [
        {
          name: 'reservation-expiry',
          everyMs: config.RESERVATION_SWEEP_INTERVAL_MS,
          run: (ctx) => get(ReservationsUseCase).expireDue(ctx),
        },
        // issue 18: scheduled publish / unpublish, on the same interval
        {
          name: 'listing-schedule',
          everyMs: config.RESERVATION_SWEEP_INTERVAL_MS,
          run: (ctx) => get(ListingScheduleUseCase).runDue(ctx),
        },
        // issue 18 (catalog-merch): rule tags (新品, 爆款) re-evaluated
        {
          name: 'tag-rules',
          everyMs: config.CATALOG_TAG_SWEEP_INTERVAL_MS,
          run: (ctx) => get(TagsUseCase).sweep(ctx),
        },
      ],
    };
  },
});

/** Starts the catalog in this process (tests; `main.ts` runs `runService`). */
export function startCatalog(config: CatalogConfig, logger: Logger): Promise<RunningService> {
  return launchService(catalogService, config, logger);
}
