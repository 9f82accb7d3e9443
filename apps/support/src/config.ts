import { z } from 'zod';
import { env } from '@emporia/platform';

/** Support settings: every variable has a default that works for `npm start` but the URLs. */
export const supportConfigSchema = z.object({
  SUPPORT_DATABASE_URL: env.url(),
  KAFKA_BROKERS: env.csv(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  SUPPORT_GRPC_PORT: env.port(50058),
  SUPPORT_HTTP_PORT: env.port(8088),
  BIND_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  DB_POOL_SIZE: env.int(10, 1),
  /** Named prepared statements (libs/persistence README); false behind a pooler that cannot carry them. */
  DB_PREPARED_STATEMENTS: env.bool(true),
  SUPPORT_MIGRATE_ON_START: env.bool(false),
  OUTBOX_POLL_MS: env.int(500, 10),
  GRPC_DEADLINE_MS: env.int(2000, 50),
  // order: the bot's answers (status, tracking, returns), a ticket's order and warehouses
  ORDER_GRPC_URL: env.grpcTarget().default('127.0.0.1:50054'),
  // user: the customer's membership tier (priority) and names (templates)
  USER_GRPC_URL: env.grpcTarget().default('127.0.0.1:50053'),
  // The shop's time zone: ISO weeks of the insight export.
  SUPPORT_TIME_ZONE: env.timeZone('Asia/Shanghai'),
  // The SLA sweep: breaches, escalation, follow-ups, idle bot tickets.
  SUPPORT_SWEEP_INTERVAL_MS: env.int(30_000, 100),
  // Round-robin assignment over the agents on shift when a ticket enters a queue.
  SUPPORT_AUTO_ASSIGN: env.bool(true),
  // A resolved ticket may be reopened this long; then it is CLOSED.
  SUPPORT_REOPEN_DAYS: env.int(7, 0),
  // The follow-up message this long after resolution.
  SUPPORT_FOLLOW_UP_DAYS: env.int(3, 0),
  // A ticket the bot answered and nobody touched since is resolved by the bot after this.
  SUPPORT_BOT_IDLE_HOURS: env.int(24, 1),
  // The return policy the bot explains: days after delivery a return may be asked for.
  SUPPORT_RETURN_WINDOW_DAYS: env.int(7, 0),
});

export type SupportConfig = z.infer<typeof supportConfigSchema>;
