import {
  DynamicModule,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { KafkaEventConsumer } from '@emporia/messaging';
import { pingDataSource } from '@emporia/persistence';
import { HealthRegistry, LOGGER, PlatformModule, type Logger } from '@emporia/platform';
import { CLOCK, ID_GENERATOR, RISK_STORE, SIGNALS } from './application/ports';
import { RiskUseCase } from './application/risk.use-case';
import { RedisSignalStore } from './infrastructure/redis-signal.store';
import { SqlRiskStore } from './infrastructure/sql-risk.store';
import { RiskGrpcController } from './interface/risk.grpc-controller';

export interface RiskInfrastructure {
  dataSource: DataSource;
  redis: Redis;
  redisKeyPrefix: string;
  pingKafka: () => Promise<void>;
  consumer?: KafkaEventConsumer;
}

const INFRA = Symbol('RISK_INFRA');

class RiskLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(INFRA) private readonly infra: RiskInfrastructure,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
  ) {
    health.register('postgres', () => pingDataSource(infra.dataSource));
    health.register('redis', async () => void (await infra.redis.ping()));
    health.register('kafka', infra.pingKafka);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.health.markShuttingDown();
    await this.infra.consumer?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.infra.redis.disconnect();
    if (this.infra.dataSource.isInitialized) await this.infra.dataSource.destroy();
    this.logger.info('risk stopped');
  }
}

@Module({})
export class RiskModule {
  static forRoot(infra: RiskInfrastructure, logger: Logger): DynamicModule {
    return {
      module: RiskModule,
      imports: [PlatformModule.forRoot(logger)],
      controllers: [RiskGrpcController],
      providers: [
        { provide: INFRA, useValue: infra },
        { provide: RISK_STORE, useValue: new SqlRiskStore(infra.dataSource) },
        { provide: SIGNALS, useValue: new RedisSignalStore(infra.redis, infra.redisKeyPrefix) },
        { provide: CLOCK, useValue: { now: () => new Date() } },
        { provide: ID_GENERATOR, useValue: { newId: () => uuidv7() } },
        RiskLifecycle,
        RiskUseCase,
      ],
    };
  }
}
