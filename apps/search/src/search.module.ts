import {
  DynamicModule,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Client } from '@elastic/elasticsearch';
import type { KafkaEventConsumer } from '@emporia/messaging';
import { HealthRegistry, LOGGER, PlatformModule, type Logger } from '@emporia/platform';
import { IndexProductSnapshotUseCase } from './application/index-product-snapshot.use-case';
import { PRODUCT_INDEX } from './application/ports';
import { SearchProductsUseCase } from './application/search-products.use-case';
import type { ElasticsearchProductIndex } from './infrastructure/elasticsearch-product-index';
import { SearchGrpcController } from './interface/search.grpc-controller';

export interface SearchInfrastructure {
  index: ElasticsearchProductIndex;
  client: Client;
  pingKafka: () => Promise<void>;
  /** Set once the module is built: the consumer needs the use case, the module owns its lifecycle. */
  consumer?: KafkaEventConsumer;
}

export const SEARCH_INFRA = Symbol('SEARCH_INFRA');

class SearchLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(SEARCH_INFRA) private readonly infra: SearchInfrastructure,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
  ) {
    health.register('elasticsearch', () => infra.index.ping());
    health.register('kafka', infra.pingKafka);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.health.markShuttingDown();
    await this.infra.consumer?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.client.close();
    this.logger.info('search stopped');
  }
}

@Module({})
export class SearchModule {
  static forRoot(infra: SearchInfrastructure, logger: Logger): DynamicModule {
    return {
      module: SearchModule,
      imports: [PlatformModule.forRoot(logger)],
      controllers: [SearchGrpcController],
      providers: [
        { provide: SEARCH_INFRA, useValue: infra },
        { provide: PRODUCT_INDEX, useValue: infra.index },
        SearchLifecycle,
        IndexProductSnapshotUseCase,
        SearchProductsUseCase,
      ],
    };
  }
}
