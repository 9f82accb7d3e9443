import { z } from 'zod';
import { env } from '@emporia/platform';

/**
 * Analytics settings. Each helper area adds its own variables in its block below, with a
 * default that works for `npm start`.
 */
export const analyticsConfigSchema = z.object({
  ANALYTICS_DATABASE_URL: env.url(),
  KAFKA_BROKERS: env.csv(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  ANALYTICS_GRPC_PORT: env.port(50057),
  ANALYTICS_HTTP_PORT: env.port(8087),
  BIND_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  DB_POOL_SIZE: env.int(10, 1),
  ANALYTICS_MIGRATE_ON_START: env.bool(false),
  ANALYTICS_CONSUMER_GROUP: z.string().min(1).default('analytics'),
  OUTBOX_POLL_MS: env.int(500, 10),
  GRPC_DEADLINE_MS: env.int(2000, 50),
  // catalog: price changes approved here are made there (SetSkuPrice)
  CATALOG_GRPC_URL: z.string().default(''),
  // The shop's time zone: a fact's day is its local date there (IANA name).
  ANALYTICS_TIME_ZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-CA', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Asia/Shanghai'),
  // ---- collection and facts ----
  // ---- customers: retention, life cycle, RFM, audiences ----
  // ---- experiments and recommendations ----
  // "viewed together" keeps each session's product set this many days after the session's
  // day (longer than any late product_view the collector accepts), then a sweep prunes it.
  ANALYTICS_VIEW_SESSION_DAYS: env.int(30, 1),
  ANALYTICS_VIEW_SESSION_SWEEP_MS: env.int(3_600_000, 1000),
  // ---- inventory and pricing ----
});

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
