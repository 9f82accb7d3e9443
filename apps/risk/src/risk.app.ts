import { USER_ACCOUNT } from '@emporia/contracts';
import { v7 as uuidv7 } from 'uuid';
import { kafkaResource } from '@emporia/messaging';
import {
  defineService,
  launchService,
  postgresResource,
  redisResource,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { CLOCK, ID_GENERATOR, RISK_STORE, SIGNALS } from './application/ports';
import { RiskUseCase } from './application/risk.use-case';
import { riskConfigSchema, type RiskConfig } from './config';
import { RISK_MIGRATIONS } from './infrastructure/migrations';
import { RedisSignalStore } from './infrastructure/redis-signal.store';
import { SqlRiskStore } from './infrastructure/sql-risk.store';
import { userEventsHandler } from './interface/user-events.consumer';
import { RiskGrpcController } from './interface/risk.grpc-controller';

/** Risk: rules, lists and decisions (Postgres), velocity (Redis); login anomalies from user events. */
export const riskService = defineService({
  name: 'risk',
  config: riskConfigSchema,
  http: (c) => ({ host: c.BIND_HOST, port: c.RISK_HTTP_PORT }),
  grpc: (c) => ({ service: 'risk', host: c.BIND_HOST, port: c.RISK_GRPC_PORT }),
  resources: (c) => ({
    postgres: postgresResource({
      url: c.RISK_DATABASE_URL,
      migrations: RISK_MIGRATIONS,
      poolSize: c.DB_POOL_SIZE,
      migrateOnStart: { enabled: c.RISK_MIGRATE_ON_START, variable: 'RISK_MIGRATE_ON_START' },
    }),
    redis: redisResource(c.REDIS_URL),
    kafka: kafkaResource({
      brokers: c.KAFKA_BROKERS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      topics: [USER_ACCOUNT.name],
      consumerGroup: c.RISK_CONSUMER_GROUP,
    }),
  }),
  assemble: ({ config, resources: { postgres, redis, kafka } }) => ({
    controllers: [RiskGrpcController],
    providers: [
      { provide: RISK_STORE, useValue: new SqlRiskStore(postgres) },
      { provide: SIGNALS, useValue: new RedisSignalStore(redis, config.REDIS_KEY_PREFIX) },
      { provide: CLOCK, useValue: { now: () => new Date() } },
      { provide: ID_GENERATOR, useValue: { newId: () => uuidv7() } },
      RiskUseCase,
    ],
    consumers: (get) => [
      kafka.consumer({ topics: [USER_ACCOUNT.name], handler: userEventsHandler(get(RiskUseCase)) }),
    ],
  }),
});

/** Starts risk in this process (tests; `main.ts` runs `runService`). */
export function startRisk(config: RiskConfig, logger: Logger): Promise<RunningService> {
  return launchService(riskService, config, logger);
}
