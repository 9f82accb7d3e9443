import { z } from 'zod';
import { env, MIN_SECRET_LENGTH } from '@emporia/platform';

/**
 * Secrets this repository once published as defaults (anyone can sign with them): refused
 * whatever NODE_ENV says.
 */
export const PUBLISHED_SECRETS: readonly string[] = [
  'emporia-sandbox-development-secret',
  'emporia-carrier-development-secret',
];
const hmacSecret = () => env.hmacSecret(PUBLISHED_SECRETS);

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
    /** Named prepared statements (libs/persistence README); false behind a pooler that cannot carry them. */
    DB_PREPARED_STATEMENTS: env.bool(true),
    ORDER_MIGRATE_ON_START: env.bool(false),
    CATALOG_GRPC_URL: env.grpcTarget().default('127.0.0.1:50051'),
    /** Empty: list prices, no promotions (until the marketing service is deployed). */
    MARKETING_GRPC_URL: env.optionalGrpcTarget(),
    /** Empty: orders are not risk-scored (reason RISK_NOT_CONFIGURED). */
    RISK_GRPC_URL: env.optionalGrpcTarget(),
    /**
     * The user service: checkout refuses frozen accounts and reads address-book entries there.
     * Empty (development and tests only; refused with NODE_ENV=production): accounts are not
     * checked and only inline addresses work.
     */
    USER_GRPC_URL: env.optionalGrpcTarget(),
    GRPC_DEADLINE_MS: env.int(5000, 50),
    /**
     * How long the catalog's warehouse list (checkout's routing input) is kept before it is asked
     * again; 0 asks at every checkout. The catalog still decides every reservation.
     */
    CATALOG_WAREHOUSES_CACHE_MS: env.int(10_000, 0),
    /** Risk answers within this or the order is held for review. */
    RISK_DEADLINE_MS: env.int(300, 10),
    /** How long an order waits for payment before it is cancelled and its stock released. */
    PAYMENT_TTL_SECONDS: env.int(1800, 1),
    /** How long a held order waits for an operator's review. */
    REVIEW_TTL_SECONDS: env.int(86_400, 1),
    /** How often deadlines, interrupted checkouts and catalog sync are swept. */
    ORDER_SWEEP_INTERVAL_MS: env.int(5000, 50),
    /**
     * A checkout attempt that gave no sign of life (heartbeat every third of this) for this long
     * is presumed dead: a retry with the same key takes the checkout over.
     */
    CHECKOUT_LEASE_SECONDS: env.int(15, 1),
    /** A checkout silent this long, and not retried, is released by the sweep (stock, coupons). */
    CHECKOUT_ABANDON_AFTER_SECONDS: env.int(120, 1),
    /**
     * The built-in sandbox payment provider (development and tests only): off unless set,
     * refused with NODE_ENV=production; needs PAYMENT_SANDBOX_SECRET.
     */
    PAYMENT_SANDBOX_ENABLED: env.bool(false),
    /** HMAC key of the sandbox's callbacks; required when the sandbox is enabled. */
    PAYMENT_SANDBOX_SECRET: hmacSecret(),
    PAYMENT_SANDBOX_BASE_URL: z.url().default('http://127.0.0.1:8080/v1/payments'),
    /** HMAC key carriers sign tracking webhooks with; empty: carrier webhooks are off. */
    CARRIER_WEBHOOK_SECRET: hmacSecret(),
    /** A tracking webhook signed longer ago than this is refused (WEBHOOK_STALE). */
    CARRIER_WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
    /** A guest token (and its cart) unused for this long is deleted by the sweep. */
    GUEST_CART_TTL_SECONDS: env.int(30 * 86_400, 60),
    /** A guest token that never got a cart is deleted after this long unused. */
    GUEST_TOKEN_UNUSED_TTL_SECONDS: env.int(86_400, 60),
    /**
     * The large-order step-up rule: a checkout whose goods are worth at least this much (minor
     * units of the cart's currency at catalog prices, before promotions and shipping; ¥5,000.00
     * by default), shipped to an address typed in at checkout or saved in the address book less
     * than ORDER_STEP_UP_NEW_ADDRESS_MINUTES ago, needs a second factor proved in the session
     * within ORDER_STEP_UP_WINDOW_MINUTES (FAILED_PRECONDITION STEP_UP_REQUIRED otherwise,
     * before anything is reserved). 0 turns the rule off.
     */
    ORDER_STEP_UP_MIN_TOTAL: env.int(500_000, 0),
    ORDER_STEP_UP_NEW_ADDRESS_MINUTES: env.int(30, 0),
    ORDER_STEP_UP_WINDOW_MINUTES: env.int(5, 1),
    NODE_ENV: z.string().default('development'),
  })
  .refine((c) => c.PAYMENT_TTL_SECONDS + c.REVIEW_TTL_SECONDS + 300 <= 7 * 86_400, {
    path: ['REVIEW_TTL_SECONDS'],
    message:
      'PAYMENT_TTL_SECONDS + REVIEW_TTL_SECONDS must stay within a week (the longest stock hold)',
  })
  .refine((c) => c.USER_GRPC_URL !== '' || c.NODE_ENV !== 'production', {
    path: ['USER_GRPC_URL'],
    message: 'required with NODE_ENV=production: checkout refuses frozen accounts through it',
  })
  .refine((c) => !(c.PAYMENT_SANDBOX_ENABLED && c.NODE_ENV === 'production'), {
    path: ['PAYMENT_SANDBOX_ENABLED'],
    message:
      'the sandbox payment provider is for development and tests: it cannot be enabled with NODE_ENV=production',
  })
  .refine((c) => !c.PAYMENT_SANDBOX_ENABLED || c.PAYMENT_SANDBOX_SECRET !== '', {
    path: ['PAYMENT_SANDBOX_SECRET'],
    message: `required when PAYMENT_SANDBOX_ENABLED=true: at least ${MIN_SECRET_LENGTH} random characters (e.g. openssl rand -hex 32)`,
  })
  .refine((c) => c.CHECKOUT_ABANDON_AFTER_SECONDS >= c.CHECKOUT_LEASE_SECONDS, {
    path: ['CHECKOUT_ABANDON_AFTER_SECONDS'],
    message: 'must not be shorter than CHECKOUT_LEASE_SECONDS (a live checkout is never swept)',
  })
  .refine((c) => c.GUEST_TOKEN_UNUSED_TTL_SECONDS <= c.GUEST_CART_TTL_SECONDS, {
    path: ['GUEST_TOKEN_UNUSED_TTL_SECONDS'],
    message: 'must not exceed GUEST_CART_TTL_SECONDS',
  });

export type OrderConfig = z.infer<typeof orderConfigSchema>;
