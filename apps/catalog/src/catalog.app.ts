import { GRPC_PACKAGES, PROTO_FILES, PROTO_ROOT } from '@emporia/contracts';
import {
  createKafka,
  ensureTopics,
  KafkaPublisher,
  OutboxRelay,
  pingKafka,
  topicName,
} from '@emporia/messaging';
import { createDataSource, migrateDatabase, openMigrated } from '@emporia/persistence';
import { startService, type Logger, type RunningService } from '@emporia/platform';
import { CATALOG_TOPICS, CatalogModule } from './catalog.module';
import type { CatalogConfig } from './config';
import { CATALOG_MIGRATIONS } from './infrastructure/migrations';

export function catalogDataSource(
  config: Pick<CatalogConfig, 'CATALOG_DATABASE_URL' | 'DB_POOL_SIZE'>,
) {
  return createDataSource({
    url: config.CATALOG_DATABASE_URL,
    entities: [],
    migrations: CATALOG_MIGRATIONS,
    poolSize: config.DB_POOL_SIZE,
    applicationName: 'emporia-catalog',
  });
}

/** Applies pending migrations (the Helm hook job and `npm run migrate` call this). */
export async function migrateCatalog(
  config: Pick<CatalogConfig, 'CATALOG_DATABASE_URL' | 'DB_POOL_SIZE'>,
  logger: Logger,
): Promise<string[]> {
  return migrateDatabase(config.CATALOG_DATABASE_URL, catalogDataSource(config), logger, 'catalog');
}

/** Starts the catalog: database, Kafka topics, outbox relay, gRPC server and ops HTTP. */
export async function startCatalog(config: CatalogConfig, logger: Logger): Promise<RunningService> {
  if (config.CATALOG_MIGRATE_ON_START) await migrateCatalog(config, logger);
  const dataSource = await openMigrated(
    catalogDataSource(config),
    'catalog',
    'CATALOG_MIGRATE_ON_START',
  );
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'catalog', logger });
  await ensureTopics(
    kafka,
    CATALOG_TOPICS.map((t) => topicName(config.KAFKA_TOPIC_PREFIX, t)),
  );
  const publisher = new KafkaPublisher(kafka);
  const relay = new OutboxRelay(dataSource, publisher, {
    logger,
    service: 'catalog',
    intervalMs: config.OUTBOX_POLL_MS,
  });
  return startService({
    module: CatalogModule.forRoot(
      {
        dataSource,
        relay,
        publisher,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        pingKafka: () => pingKafka(kafka),
        reservationSweepIntervalMs: config.RESERVATION_SWEEP_INTERVAL_MS,
        currencies: config.CURRENCIES,
      },
      logger,
    ),
    logger,
    http: { host: config.BIND_HOST, port: config.CATALOG_HTTP_PORT },
    grpc: {
      package: GRPC_PACKAGES.catalog,
      protoPath: PROTO_FILES.catalog,
      includeDirs: [PROTO_ROOT],
      host: config.BIND_HOST,
      port: config.CATALOG_GRPC_PORT,
    },
  });
}
