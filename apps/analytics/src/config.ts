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
  /** Named prepared statements (libs/persistence README); false behind a pooler that cannot carry them. */
  DB_PREPARED_STATEMENTS: env.bool(true),
  ANALYTICS_MIGRATE_ON_START: env.bool(false),
  ANALYTICS_CONSUMER_GROUP: z.string().min(1).default('analytics'),
  // Partitions whose facts are stored at the same time (each partition stays in order).
  ANALYTICS_CONSUMER_CONCURRENCY: env.int(3, 1),
  OUTBOX_POLL_MS: env.int(500, 10),
  GRPC_DEADLINE_MS: env.int(2000, 50),
  // catalog: price changes approved here are made there (SetSkuPrice)
  CATALOG_GRPC_URL: env.optionalGrpcTarget(),
  // The shop's time zone: a fact's day is its local date there (IANA name).
  ANALYTICS_TIME_ZONE: env.timeZone('Asia/Shanghai'),
  // ---- collection and facts ----
  // IngestBehaviourEvents: events per batch; a client clock ahead by more than the skew, or
  // behind by more than the late window, is replaced by the receive time.
  ANALYTICS_MAX_BATCH: env.int(100, 1),
  ANALYTICS_MAX_SKEW_SECONDS: env.int(300, 0),
  ANALYTICS_MAX_LATE_DAYS: env.int(7, 0),
  // How long the collector waits for Kafka's acknowledgement before answering UNAVAILABLE.
  ANALYTICS_PUBLISH_TIMEOUT_MS: env.int(5000, 100),
  // behaviour_events day partitions: made ahead (today - late .. today + 2) and dropped after
  // the retention, each by its own sweep.
  ANALYTICS_RETENTION_DAYS: env.int(400, 1),
  ANALYTICS_PARTITION_SWEEP_MS: env.int(3_600_000, 100),
  // The currency of money figures with nothing to take one from (KPI totals, RFM sums).
  ANALYTICS_DEFAULT_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY')
    .default('CNY'),
  // Cart abandonment: a non-empty cart unchanged this long with no order raises CartAbandoned,
  // at most once per account within the cap; a bounded batch per sweep.
  ANALYTICS_CART_SWEEP_MS: env.int(60_000, 100),
  ANALYTICS_CART_ABANDON_MINUTES: env.int(60, 1),
  ANALYTICS_CART_REMINDER_CAP_HOURS: env.int(72, 0),
  ANALYTICS_CART_SWEEP_BATCH: env.int(200, 1),
  // ---- customers: retention, life cycle, RFM, audiences ----
  // a first paid order within this many days makes a buyer "new" (and a wake-up recent)
  ANALYTICS_NEW_DAYS: env.int(30, 1),
  // no paid order for more than this many days makes a buyer "dormant"
  ANALYTICS_DORMANT_DAYS: env.int(90, 1),
  // ---- experiments and recommendations ----
  // "viewed together" keeps each session's product set this many days after the session's
  // day (longer than any late product_view the collector accepts), then a sweep prunes it.
  ANALYTICS_VIEW_SESSION_DAYS: env.int(30, 1),
  ANALYTICS_VIEW_SESSION_SWEEP_MS: env.int(3_600_000, 1000),
  // ---- inventory and pricing ----
  // Inventory health: slow mover above this many days of supply; stock-out risk below this.
  ANALYTICS_SLOW_DAYS: env.int(90, 1),
  ANALYTICS_STOCKOUT_DAYS: env.int(7, 1),
  // Price suggestions: every this often (sweep price-suggestions), elasticity over this many days.
  ANALYTICS_PRICING_INTERVAL_MS: env.int(3_600_000, 1000),
  ANALYTICS_PRICING_LOOKBACK_DAYS: z.coerce.number().int().min(2).max(730).default(90),
  // Used when the history holds fewer than 2 distinct prices with sales (must be negative).
  ANALYTICS_DEFAULT_ELASTICITY: z.coerce.number().lt(0).default(-1.5),
  // Largest change of one suggestion, in percent of the current price.
  ANALYTICS_PRICING_MAX_STEP_PCT: z.coerce.number().int().min(1).max(90).default(20),
});

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
