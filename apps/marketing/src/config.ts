import { z } from 'zod';
import { env } from '@emporia/platform';

export const marketingConfigSchema = z.object({
  MARKETING_DATABASE_URL: env.url(),
  REDIS_URL: env.url(),
  REDIS_KEY_PREFIX: z.string().default(''),
  KAFKA_BROKERS: env.csv(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  MARKETING_GRPC_PORT: env.port(50055),
  MARKETING_HTTP_PORT: env.port(8085),
  BIND_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  OUTBOX_POLL_MS: env.int(500, 10),
  DB_POOL_SIZE: env.int(10, 1),
  /** Named prepared statements (libs/persistence README); false behind a pooler that cannot carry them. */
  DB_PREPARED_STATEMENTS: env.bool(true),
  MARKETING_MIGRATE_ON_START: env.bool(false),
  MARKETING_CONSUMER_GROUP: z.string().min(1).default('marketing'),
  /** How long a flash-sale winner has to check out before the units go back to the pool. */
  FLASH_TOKEN_TTL_SECONDS: env.int(300, 5),
  /**
   * How often the sweep reconciles a live flash sale (Redis's pool against the units the
   * database holds; drift is logged): a sum over every purchase of the sale, so not at every
   * sweep. 0: at every sweep. `GetFlashSale` reconciles whenever asked.
   */
  FLASH_RECONCILE_INTERVAL_MS: env.int(30_000, 0),
  /**
   * Redis pub/sub channel on which units given back to a flash sale are announced
   * (`<sale id>|<buyer>`): the gateways (their FLASH_RESTOCK_CHANNEL) drop their sold-out marks.
   */
  FLASH_RESTOCK_CHANNEL: z.string().min(1).default('emporia:flash-sale:restocked'),
  /**
   * How often wins are recorded, lapsed tokens returned, group deadlines enforced, coupon expiry
   * notices sent.
   */
  MARKETING_SWEEP_INTERVAL_MS: env.int(1000, 50),
  /** Holders of an unused coupon hear this many hours before it expires (0: no notices). */
  MARKETING_COUPON_EXPIRY_NOTICE_HOURS: env.int(24, 0),
});

export type MarketingConfig = z.infer<typeof marketingConfigSchema>;
