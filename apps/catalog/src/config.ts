import { z } from 'zod';
import { DEFAULT_CURRENCIES, env } from '@emporia/platform';

/** Every setting of the catalog service, validated at start-up. */
export const catalogConfigSchema = z.object({
  CATALOG_DATABASE_URL: env.url(),
  KAFKA_BROKERS: env.csv(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  CATALOG_GRPC_PORT: env.port(50051),
  CATALOG_HTTP_PORT: env.port(8081),
  BIND_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  OUTBOX_POLL_MS: env.int(500, 10),
  DB_POOL_SIZE: env.int(10, 1),
  /** Named prepared statements (libs/persistence README); false behind a pooler that cannot carry them. */
  DB_PREPARED_STATEMENTS: env.bool(true),
  /** Run pending migrations at start-up (local development); in Kubernetes the Helm hook job does it. */
  CATALOG_MIGRATE_ON_START: env.bool(false),
  /**
   * How often expired stock reservations are released (in bounded batches), and how often the
   * listing sweep publishes / unpublishes products whose scheduled time has come.
   */
  RESERVATION_SWEEP_INTERVAL_MS: env.int(5000, 50),
  /** The Kafka consumer group of catalog's consumer (`review.product`: product ratings). */
  CATALOG_CONSUMER_GROUP: z.string().min(1).default('catalog'),
  /** The currencies prices and shipping costs may be in (ISO 4217); the gateway's CURRENCIES. */
  CURRENCIES: env.currencies(DEFAULT_CURRENCIES),
  // issue 18 (catalog-merch)
  /** How often the tag rules (NEW_ARRIVAL, BEST_SELLER) are re-evaluated, once across replicas. */
  CATALOG_TAG_SWEEP_INTERVAL_MS: env.int(60_000, 50),
});

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
