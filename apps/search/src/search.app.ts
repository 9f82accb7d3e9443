import { Client } from '@elastic/elasticsearch';
import {
  CATALOG_CATEGORY,
  CATALOG_PRODUCT,
  catalogV1,
  GRPC_PACKAGES,
  grpcService,
  MARKETING_FLASH_SALE,
  PROTO_FILES,
  PROTO_ROOT,
} from '@emporia/contracts';
import {
  createKafka,
  ensureTopics,
  KafkaEventConsumer,
  pingKafka,
  readinessProbe,
  topicName,
} from '@emporia/messaging';
import {
  grpcClient,
  HealthRegistry,
  startService,
  waitForReady,
  type GrpcApi,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { ProjectionUseCases } from './application/catalog-events.use-case';
import { IndexProductSnapshotUseCase } from './application/index-product-snapshot.use-case';
import { ReindexUseCase } from './application/reindex.use-case';
import { SynonymSetsUseCase } from './application/synonym-sets.use-case';
import type { SearchConfig } from './config';
import { GrpcCatalogSource } from './infrastructure/catalog-source';
import { ElasticsearchProductIndex } from './infrastructure/elasticsearch-product-index';
import { EsSearchLog, SearchStores } from './infrastructure/elasticsearch-stores';
import { searchEventHandler } from './interface/catalog-product.consumer';
import { SearchModule, type SearchInfrastructure } from './search.module';

/** Topics search projects: product snapshots, category names, flash sales. */
export const SEARCH_TOPICS = [CATALOG_PRODUCT, CATALOG_CATEGORY, MARKETING_FLASH_SALE].map(
  (t) => t.name,
);

/**
 * Starts search: the index and alias (rebuilt from the catalog first when its mapping is
 * outdated), the side stores, the consumer, gRPC and ops HTTP.
 */
export async function startSearch(config: SearchConfig, logger: Logger): Promise<RunningService> {
  const client = new Client({
    node: config.ELASTICSEARCH_URL,
    requestTimeout: 10000,
    maxRetries: 2,
  });
  const index = new ElasticsearchProductIndex(client, config.SEARCH_INDEX_PREFIX, logger);
  const state = await index.ensureIndex();
  const stores = new SearchStores(client, config.SEARCH_INDEX_PREFIX);
  await stores.ensure();
  const log = new EsSearchLog(stores, logger);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'search', logger });
  const topics = SEARCH_TOPICS.map((t) => topicName(config.KAFKA_TOPIC_PREFIX, t));
  await ensureTopics(kafka, topics);
  const catalog = grpcClient<GrpcApi<catalogV1.CatalogServiceController>>({
    name: 'catalog',
    ...grpcService('catalog'),
    url: config.CATALOG_GRPC_URL,
    deadlineMs: config.CATALOG_DEADLINE_MS,
  });
  const infra: SearchInfrastructure = {
    index,
    stores,
    log,
    client,
    catalog: new GrpcCatalogSource(catalog.api),
    catalogClient: catalog.client,
    pingKafka: () => pingKafka(kafka),
    reindexBatchSize: config.SEARCH_REINDEX_BATCH_SIZE,
    synonymRefreshMs: config.SEARCH_SYNONYM_REFRESH_SECONDS * 1000,
  };
  const service = await startService({
    module: SearchModule.forRoot(infra, logger),
    logger,
    http: { host: config.BIND_HOST, port: config.SEARCH_HTTP_PORT },
    grpc: {
      package: GRPC_PACKAGES.search,
      protoPath: PROTO_FILES.search,
      includeDirs: [PROTO_ROOT],
      host: config.BIND_HOST,
      port: config.SEARCH_GRPC_PORT,
    },
  });
  try {
    log.start();
    await service.app.get(SynonymSetsUseCase).reload();
    if (state === 'outdated') {
      // events wait in Kafka (the consumer is not started) until the new index serves
      logger.warn('the product index has an older mapping: rebuilding it from the catalog');
      // started together with the catalog (npm start, a rollout): give it time to come up
      await waitForReady(catalog.client, config.CATALOG_WAIT_SECONDS * 1000);
      await service.app.get(ReindexUseCase).runToCompletion();
    }
    infra.consumer = new KafkaEventConsumer(kafka, {
      groupId: config.SEARCH_CONSUMER_GROUP,
      topics,
      logger,
      // an unrecognised failure while a dependency is down is waited out, not dead-lettered
      probe: readinessProbe(service.app.get(HealthRegistry)),
      maxAttempts: config.SEARCH_MAX_ATTEMPTS,
      handler: searchEventHandler(
        service.app.get(IndexProductSnapshotUseCase),
        service.app.get(ProjectionUseCases),
        logger,
      ),
    });
    await infra.consumer.start();
  } catch (e) {
    await service.close();
    throw e;
  }
  return service;
}
