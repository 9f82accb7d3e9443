import {
  DynamicModule,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Client } from '@elastic/elasticsearch';
import type { Client as GrpcClient } from '@grpc/grpc-js';
import type { KafkaEventConsumer } from '@emporia/messaging';
import { HealthRegistry, LOGGER, PlatformModule, type Logger } from '@emporia/platform';
import { ProjectionUseCases } from './application/catalog-events.use-case';
import { IndexProductSnapshotUseCase } from './application/index-product-snapshot.use-case';
import {
  CATALOG_SOURCE,
  CATEGORY_NAMES,
  FLASH_SALES,
  INDEX_BUILDER,
  PRODUCT_INDEX,
  REINDEX_JOBS,
  SEARCH_LOG,
  SYNONYM_STORE,
  type CatalogSource,
} from './application/ports';
import { REINDEX_BATCH_SIZE, ReindexUseCase } from './application/reindex.use-case';
import {
  SearchProductsUseCase,
  SuggestUseCase,
  TopQueriesUseCase,
} from './application/search-products.use-case';
import { SYNONYM_REFRESH_MS, SynonymSetsUseCase } from './application/synonym-sets.use-case';
import type { ElasticsearchProductIndex } from './infrastructure/elasticsearch-product-index';
import {
  EsCategoryNames,
  EsFlashSales,
  EsReindexJobs,
  EsSynonymStore,
  type EsSearchLog,
  type SearchStores,
} from './infrastructure/elasticsearch-stores';
import { SearchGrpcController } from './interface/search.grpc-controller';

export interface SearchInfrastructure {
  index: ElasticsearchProductIndex;
  stores: SearchStores;
  log: EsSearchLog;
  client: Client;
  catalog: CatalogSource;
  catalogClient: GrpcClient;
  pingKafka: () => Promise<void>;
  reindexBatchSize: number;
  synonymRefreshMs: number;
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
    await this.infra.log.close();
  }

  async onApplicationShutdown(): Promise<void> {
    this.infra.catalogClient.close();
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
        { provide: INDEX_BUILDER, useValue: infra.index },
        { provide: CATEGORY_NAMES, useValue: new EsCategoryNames(infra.stores) },
        { provide: FLASH_SALES, useValue: new EsFlashSales(infra.stores) },
        { provide: SYNONYM_STORE, useValue: new EsSynonymStore(infra.stores) },
        { provide: REINDEX_JOBS, useValue: new EsReindexJobs(infra.stores) },
        { provide: SEARCH_LOG, useValue: infra.log },
        { provide: CATALOG_SOURCE, useValue: infra.catalog },
        { provide: REINDEX_BATCH_SIZE, useValue: infra.reindexBatchSize },
        { provide: SYNONYM_REFRESH_MS, useValue: infra.synonymRefreshMs },
        SearchLifecycle,
        IndexProductSnapshotUseCase,
        ProjectionUseCases,
        SearchProductsUseCase,
        SuggestUseCase,
        TopQueriesUseCase,
        SynonymSetsUseCase,
        ReindexUseCase,
      ],
    };
  }
}
