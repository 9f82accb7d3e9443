import { z } from 'zod';
import { userV1 } from '@emporia/contracts';
import { DEFAULT_CURRENCIES, env } from '@emporia/platform';
import { VERIFIED_TOKEN_CACHE_SIZE } from './infrastructure/verified-token-cache';
import { SEARCH_PAGE_CACHE_SIZE } from './interface/search-page.cache';

export const gatewayConfigSchema = z
  .object({
    GATEWAY_HTTP_PORT: env.port(8080),
    /** /healthz, /readyz and /metrics: for probes and Prometheus, never on the public API port. */
    GATEWAY_OPS_PORT: env.port(8090),
    BIND_HOST: z.string().min(1).default('0.0.0.0'),
    CATALOG_GRPC_URL: env.grpcTarget().default('127.0.0.1:50051'),
    SEARCH_GRPC_URL: env.grpcTarget().default('127.0.0.1:50052'),
    USER_GRPC_URL: env.grpcTarget().default('127.0.0.1:50053'),
    ORDER_GRPC_URL: env.grpcTarget().default('127.0.0.1:50054'),
    MARKETING_GRPC_URL: env.grpcTarget().default('127.0.0.1:50055'),
    /**
     * Operators' risk routes only. Not part of /readyz: the gateway stays ready while risk is
     * down (checkout then holds orders for review in the order service); the risk routes answer
     * 503 until it is back.
     */
    RISK_GRPC_URL: env.grpcTarget().default('127.0.0.1:50056'),
    /**
     * The analytics service: behaviour events, experiments' assignments, recommendations and the
     * operators' analytics routes. Not part of /readyz: the shop works without analytics; its
     * routes answer 503 until it is back.
     */
    ANALYTICS_GRPC_URL: env.grpcTarget().default('127.0.0.1:50057'),
    /**
     * The support service (tickets, agents, templates, KPIs) and the review service (reviews,
     * moderation, ratings). Neither is part of /readyz: the shop works without them; their routes
     * answer 503 until they are back.
     */
    SUPPORT_GRPC_URL: env.grpcTarget().default('127.0.0.1:50058'),
    REVIEW_GRPC_URL: env.grpcTarget().default('127.0.0.1:50059'),
    /**
     * The notification service (preferences, push devices, the delivery log, unsubscribe links,
     * providers' receipts, templates). Not part of /readyz: the shop works without it; its routes
     * answer 503 until it is back.
     */
    NOTIFICATION_GRPC_URL: env.grpcTarget().default('127.0.0.1:50060'),
    /** Idempotency-Key records and rate-limit counters. */
    REDIS_URL: env.url(),
    REDIS_KEY_PREFIX: z.string().default('gateway:'),
    /** How long a completed request's response is kept for a repeat with its Idempotency-Key. */
    IDEMPOTENCY_TTL_SECONDS: env.int(86_400, 60),
    /**
     * How long a request's claim on its Idempotency-Key lasts unless renewed (it is renewed every
     * third of it while the request runs): after a gateway crash, its keys answer 409 with
     * Retry-After for at most this long, then a retry runs. Longer than a request normally takes.
     */
    IDEMPOTENCY_LEASE_SECONDS: env.int(30, 1),
    /** How long a request waits for the idempotency records; no answer: 503 (or, after the request, the claim lapses). */
    IDEMPOTENCY_STORE_TIMEOUT_MS: env.int(1000, 10),
    /** Must match the user service's JWT_ISSUER / JWT_AUDIENCE. */
    JWT_ISSUER: z.string().min(1).default('emporia-user'),
    JWT_AUDIENCE: z.string().min(1).default('emporia-api'),
    /** How long the gateway trusts a fetched JWKS; an unknown key id refetches sooner. */
    JWKS_CACHE_SECONDS: env.int(300, 1),
    /**
     * Anti-bot limits of sale routes (`@RateLimit('sale')`): requests per fixed window, per
     * account and per client address, counted in Redis. Redis down: the limiter lets requests
     * through (logged), so a sale never stops because its limiter's store did.
     */
    SALE_RATE_LIMIT_PER_ACCOUNT: env.int(5, 1),
    SALE_RATE_LIMIT_PER_IP: env.int(100, 1),
    SALE_RATE_LIMIT_WINDOW_MS: env.int(1000, 100),
    /**
     * How long this replica answers a flash sale's attempts "sold out" from memory after
     * marketing said so, without asking again: at most this long after units come back, even if
     * marketing's announcement on FLASH_RESTOCK_CHANNEL is lost (it drops the marks at once).
     * 0 turns the marks off (the limit marks too).
     */
    FLASH_SOLD_OUT_MARK_MS: env.int(1000, 0),
    /**
     * The same for a buyer at a sale's per-user limit ("limit reached"): only that buyer's own
     * units coming back (announced, and dropping the mark at once) can change the answer, so it
     * may hold longer than a sold-out mark. 0 turns the limit marks off.
     */
    FLASH_LIMIT_MARK_MS: env.int(10_000, 0),
    /** Redis pub/sub channel of units returned to flash sales (marketing's FLASH_RESTOCK_CHANNEL). */
    FLASH_RESTOCK_CHANNEL: z.string().min(1).default('emporia:flash-sale:restocked'),
    /**
     * Admission control: at most this many attempts of one flash sale are with marketing at once
     * from this replica; the others wait their turn (then the sold-out marks answer most of them).
     * 0: no limit.
     */
    FLASH_MAX_IN_FLIGHT_PER_SALE: env.int(32, 0),
    /**
     * Attempts of one sale sent to marketing in the same turn of the event loop go in one
     * TryFlashPurchases call, at most this many (each still decided on its own; a marketing
     * without the method gets single calls). The default, 32, is the admission limit above: every
     * attempt a replica may have with marketing fits one call. 1: one AttemptFlashPurchase call
     * per attempt.
     */
    FLASH_ATTEMPT_BATCH_MAX: env.int(32, 1),
    /**
     * Who decides a flash-sale attempt: `edge`, the gateway itself, running the sale's decision
     * script (`@emporia/flash`) on marketing's Redis keys (REDIS_URL, under FLASH_KEY_PREFIX) in
     * one call per batch, marketing recording the wins from the sale's win list; or
     * `marketing`, a TryFlashPurchases call per batch. Either way a sale the pool does not hold,
     * and a batch whose Redis call failed, go to marketing.
     */
    FLASH_DECISIONS: z.enum(['edge', 'marketing']).default('edge'),
    /** Marketing's REDIS_KEY_PREFIX: where its flash-sale pools are (FLASH_DECISIONS=edge). */
    FLASH_KEY_PREFIX: z.string().default(''),
    /**
     * Sign-up limits (`POST /v1/auth/register`, each an argon2 hash): per client address per
     * window, and for all clients together per (shorter) window. Redis down: sign-ups are refused
     * with 503 (fail closed), as sign-in needs Redis too.
     */
    REGISTER_RATE_LIMIT_PER_IP: env.int(30, 1),
    REGISTER_RATE_LIMIT_IP_WINDOW_SECONDS: env.int(600, 1),
    REGISTER_RATE_LIMIT_GLOBAL: env.int(20, 1),
    REGISTER_RATE_LIMIT_GLOBAL_WINDOW_SECONDS: env.int(1, 1),
    /**
     * Behaviour events (`POST /v1/events`), counted in events per window: per client address and
     * per anonymous visitor id. Redis down: events are let through (fail open).
     */
    EVENTS_RATE_LIMIT_PER_IP: env.int(600, 1),
    EVENTS_RATE_LIMIT_PER_VISITOR: env.int(300, 1),
    EVENTS_RATE_LIMIT_WINDOW_SECONDS: env.int(60, 1),
    /**
     * Customers' support writes (`@RateLimit('support')`: opening and reopening tickets, their
     * messages): requests per account per window. Redis down: let through (fail open).
     */
    SUPPORT_RATE_LIMIT_PER_ACCOUNT: env.int(30, 1),
    SUPPORT_RATE_LIMIT_WINDOW_SECONDS: env.int(60, 1),
    /**
     * Customers' review writes (`@RateLimit('reviews')`: reviews, follow-ups, helpful votes):
     * requests per account per window. Redis down: let through (fail open).
     */
    REVIEW_RATE_LIMIT_PER_ACCOUNT: env.int(20, 1),
    REVIEW_RATE_LIMIT_WINDOW_SECONDS: env.int(3600, 1),
    /**
     * The public unsubscribe link (`@RateLimit('unsubscribe')`, GET and one-click POST): requests
     * per client address per window. Redis down: let through (fail open; the token is signed).
     */
    UNSUBSCRIBE_RATE_LIMIT_PER_IP: env.int(30, 1),
    UNSUBSCRIBE_RATE_LIMIT_WINDOW_SECONDS: env.int(60, 1),
    /**
     * Providers' delivery receipts (`@RateLimit('receipts')`): requests per client address per
     * window (a provider posts from few addresses, so the budget is large). Redis down: let
     * through (fail open; each receipt is signed and checked by the notification service).
     */
    RECEIPT_RATE_LIMIT_PER_IP: env.int(1200, 1),
    RECEIPT_RATE_LIMIT_WINDOW_SECONDS: env.int(60, 1),
    /**
     * One-time codes by SMS (`@RateLimit('sms')`: the sign-in code, step-up codes, a new phone's
     * code, turning SMS on): sends per client address and per account per window, on top of the
     * user service's resend cooldown and per-number limits. Redis down: refused with 503 (fail
     * closed: each SMS costs money).
     */
    SMS_RATE_LIMIT_PER_IP: env.int(20, 1),
    SMS_RATE_LIMIT_PER_ACCOUNT: env.int(10, 1),
    SMS_RATE_LIMIT_WINDOW_SECONDS: env.int(900, 1),
    /**
     * Passkey sign-in (`@RateLimit('passkey')`: POST /v1/auth/passkey/options and
     * /v1/auth/passkey) per client address per window; the user service counts failed
     * assertions as it counts wrong passwords. Redis down: refused with 503.
     */
    PASSKEY_RATE_LIMIT_PER_IP: env.int(60, 1),
    PASSKEY_RATE_LIMIT_WINDOW_SECONDS: env.int(60, 1),
    /**
     * How recent a step-up must be for the routes the gateway guards itself (TOTP enrolment,
     * turning MFA off) when the account has a second factor: the access token's `mfa_at` within
     * this many seconds. Must be the user service's STEP_UP_WINDOW_SECONDS, which guards the other
     * sensitive changes.
     */
    STEP_UP_WINDOW_SECONDS: env.int(300, 1),
    /**
     * The access-token revocation list the user service writes: must be the user service's
     * `TOKEN_REVOCATION_KEY_PREFIX` (same Redis, `REDIS_URL`).
     */
    TOKEN_REVOCATION_KEY_PREFIX: z.string().default(userV1.DEFAULT_TOKEN_REVOCATION_PREFIX),
    /**
     * How long an authenticated request waits for the revocation list. No answer: customer routes
     * accept the token (fail open), operator and admin routes answer 503 (fail closed).
     */
    TOKEN_REVOCATION_TIMEOUT_MS: env.int(250, 5),
    /**
     * Each replica keeps a copy of the revocation list in memory, fed by the user service's
     * announcements (Redis pub/sub) and loaded through the list's index at every
     * (re)subscription; while it is not live, requests read Redis as before. It is also re-read
     * this often (one index read and the entries it names: cheap), which drops expired entries.
     * 0: no copy (every authenticated request reads Redis).
     */
    TOKEN_REVOCATION_RESCAN_MS: env.int(10_000, 0),
    /**
     * The shoppers' product pages (`GET /v1/products/{id}`) kept by each replica: a page is
     * served at most this long after it was read from catalog (the hard staleness bound when
     * catalog events are late or Kafka is down; an event about the product drops it sooner). 0
     * turns the cache off.
     */
    PRODUCT_PAGE_CACHE_TTL_MS: env.int(5000, 0),
    /**
     * The shoppers' search pages (`GET /v1/search/products`) kept by each replica: a page is
     * answered again for what the search service says is left of it (its result cache's time,
     * never past a shown flash sale's start or end), at most this long. The search log still
     * counts every search (repeats are reported once a second). 0 turns the copy off.
     */
    SEARCH_PAGE_CACHE_MS: env.int(1000, 0),
    /** Search pages kept per replica at most (tens of KB each), the oldest dropped first. */
    SEARCH_PAGE_CACHE_SIZE: env.int(SEARCH_PAGE_CACHE_SIZE, 1),
    /**
     * Verified access tokens remembered per replica (until each one's exp), least recently used
     * dropped first: about 1 KiB each. Size it above the shoppers signed in at once during a sale
     * (a miss re-checks the ES256 signature). 0 turns the cache off.
     */
    VERIFIED_TOKEN_CACHE_SIZE: env.int(VERIFIED_TOKEN_CACHE_SIZE, 0),
    /**
     * Kafka, for the catalog events that drop cached product pages (each replica reads them with
     * its own group, from the latest offset). Empty: pages live until PRODUCT_PAGE_CACHE_TTL_MS.
     * Not part of /readyz: the gateway serves without Kafka.
     */
    KAFKA_BROKERS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      ),
    KAFKA_TOPIC_PREFIX: z.string().default(''),
    /** Behind a load balancer: take the client address from X-Forwarded-For. */
    TRUST_PROXY: env.bool(false),
    GRPC_DEADLINE_MS: env.int(5000, 50),
    /**
     * After SIGTERM, how long a keep-alive connection idle since before is left for its client
     * to use (answered 503 SHUTTING_DOWN with `Connection: close`) before it is closed
     * (installDrain); 0: closed at once.
     */
    GATEWAY_DRAIN_IDLE_MS: env.int(2000, 0),
    LOG_LEVEL: env.logLevel(),
    NODE_ENV: z.string().default('development'),
    /** Swagger UI at /docs and /docs/openapi.json. Unset: on, except with NODE_ENV=production. */
    DOCS_ENABLED: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
    /**
     * The operator console at /admin (apps/console): on by default. Off, /admin is not served
     * (the API it calls stays, behind its roles).
     */
    CONSOLE_ENABLED: env.bool(true),
    /** Where the console's build is (`npm run build:console`), relative to the working directory. */
    CONSOLE_DIR: z.string().min(1).default('dist/console'),
    /** Strict-Transport-Security max-age on every answer; 0 (default) sends none. Only behind TLS. */
    HSTS_MAX_AGE_SECONDS: env.int(0, 0),
    /** The currencies the API takes (ISO 4217, checked at start-up); any other is a 400. */
    CURRENCIES: env.currencies(DEFAULT_CURRENCIES),
  })
  .refine((c) => c.IDEMPOTENCY_LEASE_SECONDS <= c.IDEMPOTENCY_TTL_SECONDS, {
    path: ['IDEMPOTENCY_LEASE_SECONDS'],
    message: 'must not exceed IDEMPOTENCY_TTL_SECONDS',
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
