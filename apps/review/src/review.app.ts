import { orderV1, REVIEW_PRODUCT, REVIEW_REVIEW, riskV1, userV1 } from '@emporia/contracts';
import { prepareAddressCheck } from '@emporia/domain';
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
import { ModerationUseCase } from './application/moderation.use-case';
import {
  ACCOUNTS,
  CLOCK,
  ID_GENERATOR,
  ORDERS,
  REVIEW_SETTINGS,
  RISK,
  UNIT_OF_WORK,
  type ReviewSettings,
} from './application/ports';
import { ReviewsUseCase } from './application/reviews.use-case';
import { reviewConfigSchema, type ReviewConfig } from './config';
import { GrpcAccounts, GrpcOrders, GrpcRisk } from './infrastructure/grpc-backends.adapters';
import { REVIEW_MIGRATIONS } from './infrastructure/migrations';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { ReviewGrpcController } from './interface/review.grpc-controller';

/** ListReviewable looks at this many of the account's newest orders (one order call each). */
const REVIEWABLE_ORDERS = 20;

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
      preparedStatements: c.DB_PREPARED_STATEMENTS,
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
  assemble: ({ config, logger, resources: { postgres, kafka, order, user, risk } }) => {
    // the address tables built before serving, not on the first review (see prepareAddressCheck)
    prepareAddressCheck();
    const relay = new OutboxRelay(postgres, kafka.publisher, {
      logger,
      service: 'review',
      intervalMs: config.OUTBOX_POLL_MS,
    });
    const topics = {
      review: kafka.topic(REVIEW_REVIEW.name),
      product: kafka.topic(REVIEW_PRODUCT.name),
    };
    const settings: ReviewSettings = {
      windowDays: config.REVIEW_WINDOW_DAYS,
      followUpMinHours: config.REVIEW_FOLLOW_UP_MIN_HOURS,
      reviewableOrders: REVIEWABLE_ORDERS,
    };
    return {
      controllers: [ReviewGrpcController],
      providers: [
        {
          provide: UNIT_OF_WORK,
          useValue: new TypeormUnitOfWork(postgres, topics, () => relay.nudge()),
        },
        { provide: CLOCK, useValue: systemClock },
        { provide: ID_GENERATOR, useValue: uuidV7Generator },
        { provide: ORDERS, useValue: new GrpcOrders(order.api) },
        { provide: ACCOUNTS, useValue: new GrpcAccounts(user.api.getAccount, logger) },
        { provide: RISK, useValue: new GrpcRisk(risk.api.scoreReview, logger) },
        { provide: REVIEW_SETTINGS, useValue: settings },
        ReviewsUseCase,
        ModerationUseCase,
      ],
      workers: [relay],
    };
  },
});

/** Starts review in this process (tests; `main.ts` runs `runService`). */
export function startReview(config: ReviewConfig, logger: Logger): Promise<RunningService> {
  return launchService(reviewService, config, logger);
}
