import { Client } from '@elastic/elasticsearch';
import { GRPC_PACKAGES, PROTO_FILES, PROTO_ROOT } from '@emporia/contracts';
import {
  createKafka,
  ensureTopics,
  KafkaEventConsumer,
  pingKafka,
  topicName,
} from '@emporia/messaging';
import { startService, type Logger, type RunningService } from '@emporia/platform';
import { IndexProductSnapshotUseCase } from './application/index-product-snapshot.use-case';
import type { SearchConfig } from './config';
import { ElasticsearchProductIndex } from './infrastructure/elasticsearch-product-index';
import { catalogProductHandler } from './interface/catalog-product.consumer';
import { SearchModule, type SearchInfrastructure } from './search.module';

/** Starts search: the index and alias, the catalog.product consumer, gRPC and ops HTTP. */
export async function startSearch(config: SearchConfig, logger: Logger): Promise<RunningService> {
  const client = new Client({
    node: config.ELASTICSEARCH_URL,
    requestTimeout: 10000,
    maxRetries: 2,
  });
  const index = new ElasticsearchProductIndex(client, config.SEARCH_INDEX_PREFIX, logger);
  await index.ensureIndex();
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'search', logger });
  const topic = topicName(config.KAFKA_TOPIC_PREFIX, 'catalog.product');
  await ensureTopics(kafka, [topic]);
  const infra: SearchInfrastructure = { index, client, pingKafka: () => pingKafka(kafka) };
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
  infra.consumer = new KafkaEventConsumer(kafka, {
    groupId: config.SEARCH_CONSUMER_GROUP,
    topics: [topic],
    logger,
    maxAttempts: config.SEARCH_MAX_ATTEMPTS,
    handler: catalogProductHandler(service.app.get(IndexProductSnapshotUseCase), logger),
  });
  try {
    await infra.consumer.start();
  } catch (e) {
    await service.close();
    throw e;
  }
  return service;
}
