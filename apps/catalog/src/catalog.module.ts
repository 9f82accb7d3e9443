import {
  DynamicModule,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { CATALOG_CATEGORY, CATALOG_PRODUCT } from '@emporia/contracts';
import { OutboxRelay, topicName, type KafkaPublisher } from '@emporia/messaging';
import { pingDataSource } from '@emporia/persistence';
import { HealthRegistry, LOGGER, newContext, PlatformModule, type Logger } from '@emporia/platform';
import { AdjustStockUseCase } from './application/adjust-stock.use-case';
import { CategoryQueries } from './application/category.queries';
import { CreateCategoryUseCase } from './application/create-category.use-case';
import { CreateProductUseCase } from './application/create-product.use-case';
import { MoveCategoryUseCase } from './application/move-category.use-case';
import { CLOCK, ID_GENERATOR, SOLD_CURRENCIES, UNIT_OF_WORK } from './application/ports';
import { ProductQueries } from './application/product.queries';
import { ReservationsUseCase } from './application/reservations.use-case';
import { StockQueries } from './application/stock.queries';
import { UpdateCategoryUseCase } from './application/update-category.use-case';
import { UpdateProductUseCase } from './application/update-product.use-case';
import { WarehousesUseCase } from './application/warehouses.use-case';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { CatalogGrpcController } from './interface/catalog.grpc-controller';

export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const OUTBOX_RELAY = Symbol('OUTBOX_RELAY');
export const KAFKA_PUBLISHER = Symbol('KAFKA_PUBLISHER');
const SWEEP_INTERVAL = Symbol('RESERVATION_SWEEP_INTERVAL');

export interface CatalogInfrastructure {
  dataSource: DataSource;
  relay: OutboxRelay;
  publisher: KafkaPublisher;
  topicPrefix: string;
  pingKafka: () => Promise<void>;
  /** How often expired stock reservations are released. */
  reservationSweepIntervalMs: number;
  /** CURRENCIES: what prices and shipping costs may be in (ISO 4217, checked at start-up). */
  currencies: readonly string[];
}

/** Owns the lifecycle of the adapters: readiness checks, relay start, drain and close on shutdown. */
class CatalogLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    @Inject(KAFKA_PUBLISHER) private readonly publisher: KafkaPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
    private readonly reservations: ReservationsUseCase,
    @Inject(SWEEP_INTERVAL) private readonly sweepIntervalMs: number,
  ) {}

  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  onApplicationBootstrap(): void {
    // Nest calls this once for the gRPC microservice and once for the HTTP app.
    if (this.timer) return;
    this.relay.start();
    // Reservations expire on their own: a bounded batch per tick; overlapping runs are skipped.
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.reservations
        .expireDue(newContext())
        .catch((err: unknown) => this.logger.warn({ err }, 'reservation expiry sweep failed'))
        .finally(() => (this.sweeping = undefined));
    }, this.sweepIntervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.health.markShuttingDown();
    clearInterval(this.timer);
    await this.sweeping;
    await this.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
    if (this.ds.isInitialized) await this.ds.destroy();
    this.logger.info('catalog stopped');
  }
}

@Module({})
export class CatalogModule {
  static forRoot(infra: CatalogInfrastructure, logger: Logger): DynamicModule {
    const topics = {
      product: topicName(infra.topicPrefix, CATALOG_PRODUCT.name),
      category: topicName(infra.topicPrefix, CATALOG_CATEGORY.name),
    };
    return {
      module: CatalogModule,
      imports: [PlatformModule.forRoot(logger)],
      controllers: [CatalogGrpcController],
      providers: [
        { provide: DATA_SOURCE, useValue: infra.dataSource },
        { provide: OUTBOX_RELAY, useValue: infra.relay },
        { provide: KAFKA_PUBLISHER, useValue: infra.publisher },
        { provide: SWEEP_INTERVAL, useValue: infra.reservationSweepIntervalMs },
        {
          provide: UNIT_OF_WORK,
          useFactory: () =>
            new TypeormUnitOfWork(infra.dataSource, topics, () => infra.relay.nudge()),
        },
        { provide: CLOCK, useValue: systemClock },
        { provide: SOLD_CURRENCIES, useValue: new Set(infra.currencies) },
        { provide: ID_GENERATOR, useValue: uuidV7Generator },
        {
          provide: 'READINESS',
          inject: [HealthRegistry],
          useFactory: (health: HealthRegistry) => {
            health.register('postgres', () => pingDataSource(infra.dataSource));
            health.register('kafka', infra.pingKafka);
            return true;
          },
        },
        CatalogLifecycle,
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
      ],
    };
  }
}

export const CATALOG_TOPICS = [CATALOG_PRODUCT.name, CATALOG_CATEGORY.name];
