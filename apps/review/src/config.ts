import { z } from 'zod';
import { env } from '@emporia/platform';

/** Review settings: every variable has a default that works for `npm start` but the URLs. */
export const reviewConfigSchema = z.object({
  REVIEW_DATABASE_URL: env.url(),
  KAFKA_BROKERS: env.csv(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  REVIEW_GRPC_PORT: env.port(50059),
  REVIEW_HTTP_PORT: env.port(8089),
  BIND_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  DB_POOL_SIZE: env.int(10, 1),
  /** Named prepared statements (libs/persistence README); false behind a pooler that cannot carry them. */
  DB_PREPARED_STATEMENTS: env.bool(true),
  REVIEW_MIGRATE_ON_START: env.bool(false),
  OUTBOX_POLL_MS: env.int(500, 10),
  GRPC_DEADLINE_MS: env.int(2000, 50),
  // order: is the line the caller's, and delivered
  ORDER_GRPC_URL: env.grpcTarget().default('127.0.0.1:50054'),
  // user: the account's age and display name
  USER_GRPC_URL: env.grpcTarget().default('127.0.0.1:50053'),
  // risk: brushing checks (ScoreReview); without an answer in time the review is held
  RISK_GRPC_URL: env.grpcTarget().default('127.0.0.1:50056'),
  RISK_DEADLINE_MS: env.int(300, 20),
  // A delivered line may be reviewed for this many days after delivery.
  REVIEW_WINDOW_DAYS: env.int(180, 1),
  // The follow-up review: at least this long after the review.
  REVIEW_FOLLOW_UP_MIN_HOURS: env.int(24, 0),
});

export type ReviewConfig = z.infer<typeof reviewConfigSchema>;
