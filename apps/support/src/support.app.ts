import { orderV1, SUPPORT_TICKET, userV1 } from '@emporia/contracts';
import { kafkaResource, OutboxRelay } from '@emporia/messaging';
import {
  defineService,
  grpcBackend,
  launchService,
  postgresResource,
  type GrpcApi,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { supportConfigSchema, type SupportConfig } from './config';
import { SUPPORT_MIGRATIONS } from './infrastructure/migrations';

/**
 * Support: tickets, their conversations and SLA clocks, queues and agents, the first-line bot,
 * surveys and KPIs (own Postgres); asks order and user over gRPC; publishes `support.ticket`.
 */
export const supportService = defineService({
  name: 'support',
  config: supportConfigSchema,
  http: (c) => ({ host: c.BIND_HOST, port: c.SUPPORT_HTTP_PORT }),
  grpc: (c) => ({ service: 'support', host: c.BIND_HOST, port: c.SUPPORT_GRPC_PORT }),
  resources: (c) => ({
    postgres: postgresResource({
      url: c.SUPPORT_DATABASE_URL,
      migrations: SUPPORT_MIGRATIONS,
      poolSize: c.DB_POOL_SIZE,
      migrateOnStart: { enabled: c.SUPPORT_MIGRATE_ON_START, variable: 'SUPPORT_MIGRATE_ON_START' },
    }),
    kafka: kafkaResource({
      brokers: c.KAFKA_BROKERS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      topics: [SUPPORT_TICKET.name],
    }),
    // Without order the bot hands every question to a person; without user the priority is the
    // category's alone. Neither keeps support from being ready.
    order: grpcBackend<GrpcApi<orderV1.OrderServiceController>>('order', {
      url: c.ORDER_GRPC_URL,
      deadlineMs: c.GRPC_DEADLINE_MS,
      readiness: false,
    }),
    user: grpcBackend<GrpcApi<userV1.UserServiceController>>('user', {
      url: c.USER_GRPC_URL,
      deadlineMs: c.GRPC_DEADLINE_MS,
      readiness: false,
    }),
  }),
  assemble: ({ config, logger, resources: { postgres, kafka } }) => {
    const relay = new OutboxRelay(postgres, kafka.publisher, {
      logger,
      service: 'support',
      intervalMs: config.OUTBOX_POLL_MS,
    });
    return {
      controllers: [],
      providers: [],
      workers: [relay],
    };
  },
});

/** Starts support in this process (tests; `main.ts` runs `runService`). */
export function startSupport(config: SupportConfig, logger: Logger): Promise<RunningService> {
  return launchService(supportService, config, logger);
}
