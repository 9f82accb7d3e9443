import {
  DynamicModule,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { KafkaEventConsumer, KafkaPublisher, OutboxRelay } from '@emporia/messaging';
import { pingDataSource } from '@emporia/persistence';
import { HealthRegistry, LOGGER, newContext, PlatformModule, type Logger } from '@emporia/platform';
import { AdminUseCase } from './application/admin.use-case';
import { CouponsUseCase } from './application/coupons.use-case';
import { FlashSalesUseCase } from './application/flash-sales.use-case';
import { GroupBuyUseCase } from './application/group-buy.use-case';
import { OrderEventsUseCase } from './application/order-events.use-case';
import { PricingUseCase } from './application/pricing.use-case';
import {
  CLOCK,
  FLASH_SETTINGS,
  FLASH_STORE,
  ID_GENERATOR,
  RANDOM,
  UNIT_OF_WORK,
  type FlashSaleStore,
} from './application/ports';
import {
  nodeRandom,
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
  type MarketingTopics,
} from './infrastructure/typeorm-unit-of-work';
import { MarketingGrpcController } from './interface/marketing.grpc-controller';

export interface MarketingInfrastructure {
  dataSource: DataSource;
  redis: Redis;
  relay: OutboxRelay;
  publisher: KafkaPublisher;
  flashStore: FlashSaleStore;
  topics: MarketingTopics;
  tokenTtlMs: number;
  sweepIntervalMs: number;
  pingKafka: () => Promise<void>;
  consumer?: KafkaEventConsumer;
}

const INFRA = Symbol('MARKETING_INFRA');

class MarketingLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private timer: NodeJS.Timeout | undefined;
  private run: Promise<unknown> | undefined;

  constructor(
    @Inject(INFRA) private readonly infra: MarketingInfrastructure,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
    private readonly flash: FlashSalesUseCase,
    private readonly groups: GroupBuyUseCase,
  ) {
    health.register('postgres', () => pingDataSource(infra.dataSource));
    health.register('redis', async () => void (await infra.redis.ping()));
    health.register('kafka', infra.pingKafka);
  }

  onApplicationBootstrap(): void {
    // Nest calls this hook once for the gRPC microservice and once for the HTTP app.
    if (this.timer) return;
    this.infra.relay.start();
    this.timer = setInterval(() => {
      if (this.run) return;
      const ctx = newContext();
      this.run = Promise.all([
        this.flash
          .sweep(ctx)
          .catch((err: unknown) => this.logger.warn({ err }, 'flash-sale sweep failed')),
        this.groups
          .expireDue(ctx)
          .catch((err: unknown) => this.logger.warn({ err }, 'group deadline sweep failed')),
      ]).finally(() => (this.run = undefined));
    }, this.infra.sweepIntervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.health.markShuttingDown();
    clearInterval(this.timer);
    await this.infra.consumer?.stop();
    await this.run;
    await this.infra.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.publisher.close();
    this.infra.redis.disconnect();
    if (this.infra.dataSource.isInitialized) await this.infra.dataSource.destroy();
    this.logger.info('marketing stopped');
  }
}

@Module({})
export class MarketingModule {
  static forRoot(infra: MarketingInfrastructure, logger: Logger): DynamicModule {
    return {
      module: MarketingModule,
      imports: [PlatformModule.forRoot(logger)],
      controllers: [MarketingGrpcController],
      providers: [
        { provide: INFRA, useValue: infra },
        {
          provide: UNIT_OF_WORK,
          useValue: new TypeormUnitOfWork(infra.dataSource, infra.topics, () =>
            infra.relay.nudge(),
          ),
        },
        { provide: CLOCK, useValue: systemClock },
        { provide: ID_GENERATOR, useValue: uuidV7Generator },
        { provide: RANDOM, useValue: nodeRandom },
        { provide: FLASH_STORE, useValue: infra.flashStore },
        { provide: FLASH_SETTINGS, useValue: { tokenTtlMs: infra.tokenTtlMs } },
        MarketingLifecycle,
        PricingUseCase,
        AdminUseCase,
        CouponsUseCase,
        FlashSalesUseCase,
        GroupBuyUseCase,
        OrderEventsUseCase,
      ],
    };
  }
}
