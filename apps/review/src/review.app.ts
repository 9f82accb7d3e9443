import { orderV1, REVIEW_PRODUCT, REVIEW_REVIEW, riskV1, userV1 } from '@emporia/contracts';
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
import { reviewConfigSchema, type ReviewConfig } from './config';
import { REVIEW_MIGRATIONS } from './infrastructure/migrations';

/**
 * Reviews: buyers' reviews of delivered lines, follow-ups, moderation (banned words, risk's
 * brushing checks, operators), merchant replies, helpful votes and rating summaries (own
 * Postgres); publishes `review.review` and `review.product`.
 */
export const reviewService = defineService({
  name: 'review',
  config: reviewConfigSchema,
  http: (c) => ({ host: c.BIND_HOST, port: c.REVIEW_HTTP_PORT }),
  grpc: (c) => ({ service: 'review', host: c.BIND_HOST, port: c.REVIEW_GRPC_PORT }),
  resources: (c) => ({
    postgres: postgresResource({
      url: c.REVIEW_DATABASE_URL,
      migrations: REVIEW_MIGRATIONS,
      poolSize: c.DB_POOL_SIZE,
      migrateOnStart: { enabled: c.REVIEW_MIGRATE_ON_START, variable: 'REVIEW_MIGRATE_ON_START' },
    }),
    kafka: kafkaResource({
      brokers: c.KAFKA_BROKERS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      topics: [REVIEW_REVIEW.name, REVIEW_PRODUCT.name],
    }),
    // Reading reviews needs none of these; writing one answers UNAVAILABLE without order, and
    // holds the review for an operator without risk.
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
    risk: grpcBackend<GrpcApi<riskV1.RiskServiceController>>('risk', {
      url: c.RISK_GRPC_URL,
      deadlineMs: c.RISK_DEADLINE_MS,
      readiness: false,
    }),
  }),
  assemble: ({ config, logger, resources: { postgres, kafka } }) => {
    const relay = new OutboxRelay(postgres, kafka.publisher, {
      logger,
      service: 'review',
      intervalMs: config.OUTBOX_POLL_MS,
    });
    return {
      controllers: [],
      providers: [],
      workers: [relay],
    };
  },
});

/** Starts review in this process (tests; `main.ts` runs `runService`). */
export function startReview(config: ReviewConfig, logger: Logger): Promise<RunningService> {
  return launchService(reviewService, config, logger);
}
