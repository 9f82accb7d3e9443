import { z } from 'zod';
import { env } from '@emporia/platform';

const hostPort = () => z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port');
const optionalHostPort = () =>
  z
    .string()
    .regex(/^([^\s:]+:\d{1,5})?$/, 'must be host:port or empty')
    .default('');

export const DEV_SANDBOX_SECRET = 'emporia-sandbox-development-secret';
export const DEV_CARRIER_SECRET = 'emporia-carrier-development-secret';

export const orderConfigSchema = z
  .object({
    ORDER_DATABASE_URL: env.url(),
    KAFKA_BROKERS: env.csv(),
    KAFKA_TOPIC_PREFIX: z.string().default(''),
    /** Consumer group of marketing's group-buy events (`marketing.group-buy`). */
    ORDER_CONSUMER_GROUP: z.string().min(1).default('order'),
    ORDER_GRPC_PORT: env.port(50054),
    ORDER_HTTP_PORT: env.port(8084),
    BIND_HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: env.logLevel(),
    OUTBOX_POLL_MS: env.int(500, 10),
    DB_POOL_SIZE: env.int(10, 1),
    ORDER_MIGRATE_ON_START: env.bool(false),
    CATALOG_GRPC_URL: hostPort().default('127.0.0.1:50051'),
    /** Empty: list prices, no promotions (until the marketing service is deployed). */
    MARKETING_GRPC_URL: optionalHostPort(),
    /** Empty: orders are not risk-scored (reason RISK_NOT_CONFIGURED). */
    RISK_GRPC_URL: optionalHostPort(),
    GRPC_DEADLINE_MS: env.int(5000, 50),
    /** Risk answers within this or the order is held for review. */
    RISK_DEADLINE_MS: env.int(300, 10),
    /** How long an order waits for payment before it is cancelled and its stock released. */
    PAYMENT_TTL_SECONDS: env.int(1800, 1),
    /** How long a held order waits for an operator's review. */
    REVIEW_TTL_SECONDS: env.int(86_400, 1),
    /** How often deadlines, interrupted checkouts and catalog sync are swept. */
    ORDER_SWEEP_INTERVAL_MS: env.int(5000, 50),
    PAYMENT_SANDBOX_SECRET: z.string().min(16).default(DEV_SANDBOX_SECRET),
    PAYMENT_SANDBOX_BASE_URL: z.string().url().default('http://127.0.0.1:8080/v1/payments'),
    /** HMAC key carriers sign tracking webhooks with. */
    CARRIER_WEBHOOK_SECRET: z.string().min(16).default(DEV_CARRIER_SECRET),
    NODE_ENV: z.string().default('development'),
  })
  .refine((c) => c.PAYMENT_TTL_SECONDS + c.REVIEW_TTL_SECONDS + 300 <= 7 * 86_400, {
    path: ['REVIEW_TTL_SECONDS'],
    message:
      'PAYMENT_TTL_SECONDS + REVIEW_TTL_SECONDS must stay within a week (the longest stock hold)',
  })
  .refine((c) => c.NODE_ENV !== 'production' || c.PAYMENT_SANDBOX_SECRET !== DEV_SANDBOX_SECRET, {
    path: ['PAYMENT_SANDBOX_SECRET'],
    message: 'set PAYMENT_SANDBOX_SECRET in production (or disable the sandbox)',
  })
  .refine((c) => c.NODE_ENV !== 'production' || c.CARRIER_WEBHOOK_SECRET !== DEV_CARRIER_SECRET, {
    path: ['CARRIER_WEBHOOK_SECRET'],
    message: 'set CARRIER_WEBHOOK_SECRET in production',
  });

export type OrderConfig = z.infer<typeof orderConfigSchema>;
