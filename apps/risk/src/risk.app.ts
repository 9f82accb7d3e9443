import { ORDER_ORDER, USER_ACCOUNT } from '@emporia/contracts';
import { prepareAddressCheck } from '@emporia/domain';
import { v7 as uuidv7 } from 'uuid';
import { eventHandler, kafkaResource } from '@emporia/messaging';
import {
  defineService,
  launchService,
  postgresResource,
  redisResource,
  sweepsEvery,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import {
  CLOCK,
  FRAUD_MODEL,
  FRAUD_MODEL_SETTINGS,
  ID_GENERATOR,
  ORDER_LOOKUPS,
  RETURN_FACTS,
  RISK_STORE,
  SIGNALS,
} from './application/ports';
import { FraudScoring } from './application/fraud-scoring';
import { ReturnHistoryUseCase } from './application/return-history.use-case';
import { RiskUseCase } from './application/risk.use-case';
import { riskConfigSchema, type RiskConfig } from './config';
import { RISK_MIGRATIONS } from './infrastructure/migrations';
import { fraudModelResource } from './infrastructure/onnx-fraud.model';
import { RedisSignalStore } from './infrastructure/redis-signal.store';
import { SqlOrderLookups } from './infrastructure/sql-order-lookups';
import { SqlReturnFactStore } from './infrastructure/sql-return-facts.store';
import { SqlRiskStore } from './infrastructure/sql-risk.store';
import { orderEventsRoute } from './interface/order-events.consumer';
import { userEventsRoute } from './interface/user-events.consumer';
import { RiskGrpcController } from './interface/risk.grpc-controller';

/** Consumed events are gathered this long per fetch (`gatherMs`). */
const EVENT_GATHER_MS = 500;

const CONSUMED_TOPICS = [USER_ACCOUNT.name, ORDER_ORDER.name];

/**
 * Risk: rules, lists, decisions and the accounts' return history (Postgres), velocity (Redis);
 * login anomalies from user events, deliveries, returns and cancellations from order events; the
 * fraud model (ONNX, in the process) when FRAUD_MODEL_PATH names one.
 */
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
      preparedStatements: c.DB_PREPARED_STATEMENTS,
      migrateOnStart: { enabled: c.RISK_MIGRATE_ON_START, variable: 'RISK_MIGRATE_ON_START' },
    }),
    redis: redisResource(c.REDIS_URL),
    kafka: kafkaResource({
      brokers: c.KAFKA_BROKERS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      topics: CONSUMED_TOPICS,
      consumerGroup: c.RISK_CONSUMER_GROUP,
    }),
    // loaded at start; a model that cannot be loaded stops it (empty path: rules alone)
    fraudModel: c.FRAUD_MODEL_PATH ? fraudModelResource(c.FRAUD_MODEL_PATH) : undefined,
  }),
  assemble: ({ config, resources: { postgres, redis, kafka, fraudModel } }) => {
    // the address tables built before serving: the first ScoreOrder fingerprints an address
    prepareAddressCheck();
    return {
      controllers: [RiskGrpcController],
      providers: [
        { provide: RISK_STORE, useValue: new SqlRiskStore(postgres) },
        { provide: SIGNALS, useValue: new RedisSignalStore(redis, config.REDIS_KEY_PREFIX) },
        { provide: CLOCK, useValue: { now: () => new Date() } },
        { provide: ID_GENERATOR, useValue: { newId: () => uuidv7() } },
        { provide: RETURN_FACTS, useValue: new SqlReturnFactStore(postgres) },
        // ScoreOrder's list hits and return history in one statement
        { provide: ORDER_LOOKUPS, useValue: new SqlOrderLookups(postgres) },
        { provide: FRAUD_MODEL, useValue: fraudModel ?? null },
        { provide: FRAUD_MODEL_SETTINGS, useValue: { deadlineMs: config.FRAUD_MODEL_DEADLINE_MS } },
        FraudScoring,
        RiskUseCase,
        ReturnHistoryUseCase,
      ],
      sweeps: (get) =>
        sweepsEvery(config.RISK_SWEEP_INTERVAL_MS, {
          // facts past the longest RETURN_ABUSE window (and a day) are deleted, in bounded batches
          'return-facts-prune': (ctx) => get(ReturnHistoryUseCase).prune(ctx),
        }),
      consumers: (get) => [
        // one consumer (one group member) for both topics: each route handles its own types
        kafka.consumer({
          topics: CONSUMED_TOPICS,
          // order.order is busy (several events per order, nearly all skipped here): one fetch and
          // one commit per batch gathered this long, not one per event; a login anomaly or a
          // settled return counts at most this much later
          gatherMs: EVENT_GATHER_MS,
          handler: eventHandler(
            userEventsRoute(get(RiskUseCase)),
            orderEventsRoute(get(ReturnHistoryUseCase)),
          ),
        }),
      ],
    };
  },
});

/** Starts risk in this process (tests; `main.ts` runs `runService`). */
export function startRisk(config: RiskConfig, logger: Logger): Promise<RunningService> {
  return launchService(riskService, config, logger);
}
