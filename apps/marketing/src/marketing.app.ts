import { Redis } from 'ioredis';
import {
  GRPC_PACKAGES,
  MARKETING_FLASH_SALE,
  MARKETING_GROUP_BUY,
  ORDER_ORDER,
  PROTO_FILES,
  PROTO_ROOT,
  USER_ACCOUNT,
} from '@emporia/contracts';
import {
  createKafka,
  ensureTopics,
  KafkaEventConsumer,
  KafkaPublisher,
  OutboxRelay,
  pingKafka,
  readinessProbe,
  startConsumerFor,
  topicName,
} from '@emporia/messaging';
import { createDataSource, migrateDatabase, openMigrated } from '@emporia/persistence';
import { HealthRegistry, startService, type Logger, type RunningService } from '@emporia/platform';
import { OrderEventsUseCase } from './application/order-events.use-case';
import type { MarketingConfig } from './config';
import { MARKETING_MIGRATIONS } from './infrastructure/migrations';
import { RedisFlashSaleStore } from './infrastructure/redis-flash-sale.store';
import type { MarketingTopics } from './infrastructure/typeorm-unit-of-work';
import { marketingEventsHandler } from './interface/events.consumer';
import { MarketingModule, type MarketingInfrastructure } from './marketing.module';

/** Marketing consumes order events (coupons, flash purchases, group seats) and tier changes. */
const CONSUMED_TOPICS = [ORDER_ORDER.name, USER_ACCOUNT.name];
const GROUP_BUY_TOPIC = MARKETING_GROUP_BUY.name;
const FLASH_SALE_TOPIC = MARKETING_FLASH_SALE.name;

const marketingDataSource = (
  config: Pick<MarketingConfig, 'MARKETING_DATABASE_URL' | 'DB_POOL_SIZE'>,
) =>
  createDataSource({
    url: config.MARKETING_DATABASE_URL,
    entities: [],
    migrations: MARKETING_MIGRATIONS,
    poolSize: config.DB_POOL_SIZE,
    applicationName: 'emporia-marketing',
  });

export function migrateMarketing(
  config: Pick<MarketingConfig, 'MARKETING_DATABASE_URL' | 'DB_POOL_SIZE'>,
  logger: Logger,
): Promise<string[]> {
  return migrateDatabase(
    config.MARKETING_DATABASE_URL,
    marketingDataSource(config),
    logger,
    'marketing',
  );
}

/** Starts marketing: database, Redis (flash-sale pools), outbox relay, consumer, gRPC, ops HTTP. */
export async function startMarketing(
  config: MarketingConfig,
  logger: Logger,
): Promise<RunningService> {
  if (config.MARKETING_MIGRATE_ON_START) await migrateMarketing(config, logger);
  const dataSource = await openMigrated(
    marketingDataSource(config),
    'marketing',
    'MARKETING_MIGRATE_ON_START',
  );
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'marketing', logger });
  const publisher = new KafkaPublisher(kafka);
  const topics: MarketingTopics = {
    groupBuy: topicName(config.KAFKA_TOPIC_PREFIX, GROUP_BUY_TOPIC),
    flashSale: topicName(config.KAFKA_TOPIC_PREFIX, FLASH_SALE_TOPIC),
  };
  try {
    await ensureTopics(kafka, [
      topics.groupBuy,
      topics.flashSale,
      ...CONSUMED_TOPICS.map((t) => topicName(config.KAFKA_TOPIC_PREFIX, t)),
    ]);
  } catch (e) {
    redis.disconnect();
    await dataSource.destroy();
    throw e;
  }
  const infra: MarketingInfrastructure = {
    dataSource,
    redis,
    publisher,
    relay: new OutboxRelay(dataSource, publisher, {
      logger,
      service: 'marketing',
      intervalMs: config.OUTBOX_POLL_MS,
    }),
    flashStore: new RedisFlashSaleStore(redis, config.REDIS_KEY_PREFIX),
    topics,
    tokenTtlMs: config.FLASH_TOKEN_TTL_SECONDS * 1000,
    sweepIntervalMs: config.MARKETING_SWEEP_INTERVAL_MS,
    pingKafka: () => pingKafka(kafka),
  };
  const service = await startService({
    module: MarketingModule.forRoot(infra, logger),
    logger,
    http: { host: config.BIND_HOST, port: config.MARKETING_HTTP_PORT },
    grpc: {
      package: GRPC_PACKAGES.marketing,
      protoPath: PROTO_FILES.marketing,
      includeDirs: [PROTO_ROOT],
      host: config.BIND_HOST,
      port: config.MARKETING_GRPC_PORT,
    },
  });
  const consumer = new KafkaEventConsumer(kafka, {
    groupId: config.MARKETING_CONSUMER_GROUP,
    topics: CONSUMED_TOPICS.map((t) => topicName(config.KAFKA_TOPIC_PREFIX, t)),
    logger,
    // an unrecognised failure while a dependency is down is waited out, not dead-lettered
    probe: readinessProbe(service.app.get(HealthRegistry)),
    handler: marketingEventsHandler(service.app.get(OrderEventsUseCase)),
  });
  infra.consumer = consumer;
  return startConsumerFor(service, consumer);
}
