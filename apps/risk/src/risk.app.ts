import { Redis } from 'ioredis';
import { GRPC_PACKAGES, PROTO_FILES, PROTO_ROOT, USER_ACCOUNT } from '@emporia/contracts';
import {
  createKafka,
  ensureTopics,
  KafkaEventConsumer,
  pingKafka,
  readinessProbe,
  startConsumerFor,
  topicName,
} from '@emporia/messaging';
import { createDataSource, migrateDatabase, openMigrated } from '@emporia/persistence';
import { HealthRegistry, startService, type Logger, type RunningService } from '@emporia/platform';
import { RiskUseCase } from './application/risk.use-case';
import type { RiskConfig } from './config';
import { RISK_MIGRATIONS } from './infrastructure/migrations';
import { userEventsHandler } from './interface/user-events.consumer';
import { RiskModule, type RiskInfrastructure } from './risk.module';

/** Login anomalies come from the user service. */
const USER_TOPIC = USER_ACCOUNT.name;

const riskDataSource = (config: Pick<RiskConfig, 'RISK_DATABASE_URL' | 'DB_POOL_SIZE'>) =>
  createDataSource({
    url: config.RISK_DATABASE_URL,
    entities: [],
    migrations: RISK_MIGRATIONS,
    poolSize: config.DB_POOL_SIZE,
    applicationName: 'emporia-risk',
  });

export function migrateRisk(
  config: Pick<RiskConfig, 'RISK_DATABASE_URL' | 'DB_POOL_SIZE'>,
  logger: Logger,
): Promise<string[]> {
  return migrateDatabase(config.RISK_DATABASE_URL, riskDataSource(config), logger, 'risk');
}

/** Starts risk: database (rules, lists, decisions), Redis (velocity), consumer, gRPC, ops HTTP. */
export async function startRisk(config: RiskConfig, logger: Logger): Promise<RunningService> {
  if (config.RISK_MIGRATE_ON_START) await migrateRisk(config, logger);
  const dataSource = await openMigrated(riskDataSource(config), 'risk', 'RISK_MIGRATE_ON_START');
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'risk', logger });
  const topic = topicName(config.KAFKA_TOPIC_PREFIX, USER_TOPIC);
  try {
    await ensureTopics(kafka, [topic]);
  } catch (e) {
    redis.disconnect();
    await dataSource.destroy();
    throw e;
  }
  const infra: RiskInfrastructure = {
    dataSource,
    redis,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    pingKafka: () => pingKafka(kafka),
  };
  const service = await startService({
    module: RiskModule.forRoot(infra, logger),
    logger,
    http: { host: config.BIND_HOST, port: config.RISK_HTTP_PORT },
    grpc: {
      package: GRPC_PACKAGES.risk,
      protoPath: PROTO_FILES.risk,
      includeDirs: [PROTO_ROOT],
      host: config.BIND_HOST,
      port: config.RISK_GRPC_PORT,
    },
  });
  const consumer = new KafkaEventConsumer(kafka, {
    groupId: config.RISK_CONSUMER_GROUP,
    topics: [topic],
    logger,
    // an unrecognised failure while a dependency is down is waited out, not dead-lettered
    probe: readinessProbe(service.app.get(HealthRegistry)),
    handler: userEventsHandler(service.app.get(RiskUseCase)),
  });
  infra.consumer = consumer;
  return startConsumerFor(service, consumer);
}
