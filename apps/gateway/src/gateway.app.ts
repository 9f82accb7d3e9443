import type { JSONWebKeySet } from 'jose';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServiceName } from '@emporia/contracts';
import {
  defineService,
  grpcBackend,
  launchService,
  newContext,
  redisResource,
  ThrottledWarning,
  type Consumer,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { createKafka } from '@emporia/messaging';
import type {
  AccessTokenVerifier,
  AnalyticsBackend,
  CatalogBackend,
  MarketingBackend,
  NotificationBackend,
  OrderBackend,
  ReviewBackend,
  RiskBackend,
  SearchBackend,
  SupportBackend,
  RateLimitPolicies,
  UserBackend,
} from './application/ports';
import { gatewayConfigSchema, type GatewayConfig } from './config';
import { GATEWAY_CONTROLLERS, gatewayProviders } from './gateway.module';
import { JwksTokenVerifier } from './infrastructure/jwks-token-verifier';
import { watchRedisDurability } from './infrastructure/redis-durability';
import { flashAttemptRoute } from './interface/flash-attempt.fast-route';
import { flashGateResource } from './interface/flash-gate';
import { RedisIdempotencyStore } from './infrastructure/redis-idempotency.store';
import { MemoryRateLimitStore } from './infrastructure/memory-rate-limit.store';
import { RedisRateLimitStore } from './infrastructure/redis-rate-limit.store';
import { RedisTokenRevocationList } from './infrastructure/redis-token-revocation-list';
import { tokenRevocationCopyResource } from './infrastructure/token-revocation-copy';
import { PRODUCT_PAGE_TOPICS, ProductPageEvents } from './infrastructure/product-page-events';
import { CachingTokenVerifier, verifyingIssuedTokens } from './infrastructure/verified-token-cache';
import { Authenticator } from './interface/auth.guard';
import { FastRoutes } from './interface/fast-route';
import { FlashAttemptShortcut } from './interface/flash-attempt.shortcut';
import { searchProductsRoute } from './interface/search-products.fast-route';
import { SearchPageCache, searchRepeatReports } from './interface/search-page.cache';
import { productDetailRoute } from './interface/product-detail.fast-route';
import { loginRoute } from './interface/login.fast-route';
import { cartLineRoute } from './interface/cart-line.fast-route';
import { paymentSandboxRoute } from './interface/payment-sandbox.fast-route';
import { ProductPageCache } from './interface/product-page.cache';
import { RateLimiter } from './interface/rate-limit.guard';
import { ProblemView } from './interface/dto/views.dto';
import {
  edgeServerOptions,
  installHttpHygiene,
  registerSecurityHeaders,
  RouteTable,
} from './interface/http-hygiene';
import { installDrain } from './interface/drain';
import { useFormBodyParser } from './interface/form-body';
import { installInputChecks } from './interface/input-checks';
import { useJsonBodyParser } from './interface/json-body';
import { completeContract } from './interface/openapi-contract';
import { installConsole } from './interface/console-assets';
import { ProblemFilter, sendProblem } from './interface/problem.filter';
import { ProblemError, toProblem } from './interface/problem';
import { captureRawBodies } from './interface/raw-body';
import { installRequestContext, requireJsonBodies } from './interface/request-context';
import { validationPipe } from './interface/validation';

/** Largest request body taken (413 beyond). */
const BODY_LIMIT = 1024 * 1024;

/** OpenAPI 3.1 generated from the controllers and DTOs. */
export function openApiDocument(
  app: NestFastifyApplication,
  options: { currencies?: readonly string[] } = {},
) {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Emporia API')
    .setDescription(
      'HTTP API of the Emporia e-commerce platform. Money is integer minor units plus an ISO 4217 currency; errors are RFC 9457 application/problem+json; lists use opaque cursors.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return completeContract(
    SwaggerModule.createDocument(app, config, { extraModels: [ProblemView] }),
    GATEWAY_CONTROLLERS,
    options,
  );
}

/**
 * The gateway: the HTTP API with validation, problem+json errors and OpenAPI at /docs (unless
 * DOCS_ENABLED is off), its operations endpoints on GATEWAY_OPS_PORT. `verifier` replaces the
 * JWKS-backed token verifier (tests without a user service).
 */
export const gatewayService = ({ verifier }: { verifier?: AccessTokenVerifier } = {}) =>
  defineService({
    name: 'gateway',
    config: gatewayConfigSchema,
    http: (c) => ({
      host: c.BIND_HOST,
      port: c.GATEWAY_HTTP_PORT,
      trustProxy: c.TRUST_PROXY,
      fastify: edgeServerOptions(),
    }),
    ops: (c) => ({ host: c.BIND_HOST, port: c.GATEWAY_OPS_PORT }),
    resources: (c) => {
      const backend = <T extends object>(name: ServiceName, url: string, readiness = true) =>
        grpcBackend<T>(name, { url, deadlineMs: c.GRPC_DEADLINE_MS, readiness });
      return {
        catalog: backend<CatalogBackend>('catalog', c.CATALOG_GRPC_URL),
        search: backend<SearchBackend>('search', c.SEARCH_GRPC_URL),
        user: backend<UserBackend>('user', c.USER_GRPC_URL),
        order: backend<OrderBackend>('order', c.ORDER_GRPC_URL),
        marketing: backend<MarketingBackend>('marketing', c.MARKETING_GRPC_URL),
        // operators' risk routes; not a readiness dependency (see RISK_GRPC_URL)
        risk: backend<RiskBackend>('risk', c.RISK_GRPC_URL, false),
        // behaviour events, recommendations, operators' figures; not a readiness dependency
        analytics: backend<AnalyticsBackend>('analytics', c.ANALYTICS_GRPC_URL, false),
        // tickets and reviews; not readiness dependencies (their routes answer 503 while down)
        support: backend<SupportBackend>('support', c.SUPPORT_GRPC_URL, false),
        review: backend<ReviewBackend>('review', c.REVIEW_GRPC_URL, false),
        // preferences, delivery log, unsubscribe, receipts; not a readiness dependency either
        notification: backend<NotificationBackend>('notification', c.NOTIFICATION_GRPC_URL, false),
        // commands issued in one turn of the event loop (the rate-limit counters of every
        // request of that turn, say) go to Redis in one write
        redis: redisResource(c.REDIS_URL, { enableAutoPipelining: true }),
        revocationCopy: tokenRevocationCopyResource({
          redisUrl: c.REDIS_URL,
          prefix: c.TOKEN_REVOCATION_KEY_PREFIX,
          rescanMs: c.TOKEN_REVOCATION_RESCAN_MS,
        }),
        flashGate: flashGateResource({
          redisUrl: c.REDIS_URL,
          channel: c.FLASH_RESTOCK_CHANNEL,
          boundMs: c.FLASH_SOLD_OUT_MARK_MS,
          limitBoundMs: c.FLASH_LIMIT_MARK_MS,
          maxInFlight: c.FLASH_MAX_IN_FLIGHT_PER_SALE,
          maxBatch: c.FLASH_ATTEMPT_BATCH_MAX,
          edgeKeyPrefix: c.FLASH_DECISIONS === 'edge' ? c.FLASH_KEY_PREFIX : undefined,
        }),
      };
    },
    assemble: ({ config, logger, resources: { redis, revocationCopy, ...resources } }) => {
      const tokenVerifier = new CachingTokenVerifier(
        verifier ??
          new JwksTokenVerifier(jwks, {
            issuer: config.JWT_ISSUER,
            audience: config.JWT_AUDIENCE,
            cacheMs: config.JWKS_CACHE_SECONDS * 1000,
          }),
        config.VERIFIED_TOKEN_CACHE_SIZE,
      );
      // the access tokens handed out through this replica are verified as they pass
      const backends = {
        ...resources,
        user: { ...resources.user, api: verifyingIssuedTokens(resources.user.api, tokenVerifier) },
      };
      const revocations = {
        list: new RedisTokenRevocationList(
          redis,
          config.TOKEN_REVOCATION_KEY_PREFIX,
          revocationCopy,
        ),
        timeoutMs: config.TOKEN_REVOCATION_TIMEOUT_MS,
      };
      const rateLimits = {
        store: new RedisRateLimitStore(redis, config.REDIS_KEY_PREFIX),
        policies: rateLimitPolicies(config),
      };
      const pages = new ProductPageCache(config.PRODUCT_PAGE_CACHE_TTL_MS);
      const pageEvents = productPageInvalidation(config, pages, logger);
      const searchPages = new SearchPageCache({
        maxMs: config.SEARCH_PAGE_CACHE_MS,
        size: config.SEARCH_PAGE_CACHE_SIZE,
        report: (searches) => backends.search.api.recordSearches(newContext(), { searches }),
      });
      // while Redis is down each use says what it does (503 or fail open); one line per 10 s here
      const redisDown = new ThrottledWarning(logger, 10_000);
      redis.on('error', (err: Error) => redisDown.warn({ err }, 'Redis connection failed'));
      watchRedisDurability(redis, config.REDIS_KEY_PREFIX, logger);
      async function jwks(): Promise<JSONWebKeySet> {
        return JSON.parse(
          (await resources.user.api.getJwks(newContext(), {})).jwksJson,
        ) as JSONWebKeySet;
      }
      return {
        controllers: GATEWAY_CONTROLLERS,
        providers: gatewayProviders({
          ...backends,
          verifier: tokenVerifier,
          revocations,
          idempotency: new RedisIdempotencyStore(redis, config.REDIS_KEY_PREFIX, {
            ttlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
            leaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
            timeoutMs: config.IDEMPOTENCY_STORE_TIMEOUT_MS,
          }),
          rateLimits,
          stepUp: { windowSeconds: config.STEP_UP_WINDOW_SECONDS },
        }),
        ...(pageEvents ? { consumers: () => [pageEvents] } : {}),
        workers: [searchRepeatReports(searchPages, logger)],
        configure: async (app) => {
          const fastify = app.getHttpAdapter().getInstance();
          const routes = new RouteTable();
          routes.track(fastify);
          const rateLimiter = new RateLimiter(rateLimits.store, rateLimits.policies, logger);
          // answers from this replica's memory are counted in its memory (same policies)
          const memoryLimiter = new RateLimiter(
            new MemoryRateLimitStore(),
            rateLimits.policies,
            logger,
          );
          new FastRoutes(fastify, {
            authenticator: new Authenticator(tokenVerifier, revocations.list, revocations, logger),
            rateLimiter,
          })
            .add(productDetailRoute(backends.catalog.api, pages))
            .add(
              flashAttemptRoute(backends.marketing.api, backends.flashGate, {
                shared: rateLimiter,
                memory: memoryLimiter,
              }),
            )
            .add(cartLineRoute(backends.order.api))
            .add(paymentSandboxRoute(backends.order.api))
            .add(searchProductsRoute(backends.search.api, searchPages))
            .add(loginRoute(backends.user.api));
          installRequestContext(fastify);
          // a path of a route without parameters is its own: another method there is 405, not the
          // route whose pattern also matches it (PUT /v1/admin/promotions/preview is no id)
          fastify.addHook('onRequest', (req, reply, done) => {
            // only a request routed to a pattern can be shadowed: no work for the others
            const pattern = req.routeOptions.url;
            const allow = pattern?.includes(':') ? routes.shadowed(req.method, req.url) : undefined;
            if (!allow) return done();
            void reply.header('allow', allow.join(', '));
            const refused = new ProblemError(
              405,
              'METHOD_NOT_ALLOWED',
              `${req.method} is not allowed here; use ${allow.join(', ')}`,
            );
            sendProblem(req, reply, toProblem(refused).problem);
          });
          const drain = installDrain(fastify, { idleMs: config.GATEWAY_DRAIN_IDLE_MS });
          const securityHeaders = await registerSecurityHeaders(app, config.HSTS_MAX_AGE_SECONDS);
          // flash-sale attempts answered before Fastify (the fast route's answers and counts)
          new FlashAttemptShortcut({
            marketing: backends.marketing.api,
            gate: backends.flashGate,
            tokens: tokenVerifier,
            revocations: revocations.list,
            limiters: { shared: rateLimiter, memory: memoryLimiter },
            securityHeaders: securityHeaders.set,
            trustProxy: config.TRUST_PROXY,
            logger,
            drain,
          }).install(fastify);
          installHttpHygiene(fastify);
          requireJsonBodies(fastify);
          captureRawBodies(fastify);
          useJsonBodyParser(app, BODY_LIMIT);
          useFormBodyParser(app);
          installInputChecks(fastify, { currencies: config.CURRENCIES });
          app.useGlobalFilters(new ProblemFilter(logger, (url) => routes.allowed(url)));
          app.useGlobalPipes(validationPipe);
          if (config.CONSOLE_ENABLED)
            await installConsole(app, { dir: config.CONSOLE_DIR, logger });
          if (config.DOCS_ENABLED ?? config.NODE_ENV !== 'production')
            SwaggerModule.setup(
              'docs',
              app,
              openApiDocument(app, { currencies: config.CURRENCIES }),
              { jsonDocumentUrl: 'docs/openapi.json' },
            );
        },
      };
    },
  });

/** The rate-limit policies of the `@RateLimit` routes, from the configuration. */
function rateLimitPolicies(config: GatewayConfig): RateLimitPolicies {
  return {
    sale: {
      perAccount: {
        limit: config.SALE_RATE_LIMIT_PER_ACCOUNT,
        windowMs: config.SALE_RATE_LIMIT_WINDOW_MS,
      },
      perIp: {
        limit: config.SALE_RATE_LIMIT_PER_IP,
        windowMs: config.SALE_RATE_LIMIT_WINDOW_MS,
      },
      onStoreFailure: 'allow',
    },
    register: {
      perIp: {
        limit: config.REGISTER_RATE_LIMIT_PER_IP,
        windowMs: config.REGISTER_RATE_LIMIT_IP_WINDOW_SECONDS * 1000,
      },
      global: {
        limit: config.REGISTER_RATE_LIMIT_GLOBAL,
        windowMs: config.REGISTER_RATE_LIMIT_GLOBAL_WINDOW_SECONDS * 1000,
      },
      onStoreFailure: 'refuse',
    },
    events: {
      perIp: {
        limit: config.EVENTS_RATE_LIMIT_PER_IP,
        windowMs: config.EVENTS_RATE_LIMIT_WINDOW_SECONDS * 1000,
      },
      perVisitor: {
        limit: config.EVENTS_RATE_LIMIT_PER_VISITOR,
        windowMs: config.EVENTS_RATE_LIMIT_WINDOW_SECONDS * 1000,
      },
      onStoreFailure: 'allow',
    },
    support: {
      perAccount: {
        limit: config.SUPPORT_RATE_LIMIT_PER_ACCOUNT,
        windowMs: config.SUPPORT_RATE_LIMIT_WINDOW_SECONDS * 1000,
      },
      onStoreFailure: 'allow',
    },
    reviews: {
      perAccount: {
        limit: config.REVIEW_RATE_LIMIT_PER_ACCOUNT,
        windowMs: config.REVIEW_RATE_LIMIT_WINDOW_SECONDS * 1000,
      },
      onStoreFailure: 'allow',
    },
    unsubscribe: {
      perIp: {
        limit: config.UNSUBSCRIBE_RATE_LIMIT_PER_IP,
        windowMs: config.UNSUBSCRIBE_RATE_LIMIT_WINDOW_SECONDS * 1000,
      },
      onStoreFailure: 'allow',
    },
    receipts: {
      perIp: {
        limit: config.RECEIPT_RATE_LIMIT_PER_IP,
        windowMs: config.RECEIPT_RATE_LIMIT_WINDOW_SECONDS * 1000,
      },
      onStoreFailure: 'allow',
    },
    sms: {
      perIp: {
        limit: config.SMS_RATE_LIMIT_PER_IP,
        windowMs: config.SMS_RATE_LIMIT_WINDOW_SECONDS * 1000,
      },
      perAccount: {
        limit: config.SMS_RATE_LIMIT_PER_ACCOUNT,
        windowMs: config.SMS_RATE_LIMIT_WINDOW_SECONDS * 1000,
      },
      onStoreFailure: 'refuse',
    },
    passkey: {
      perIp: {
        limit: config.PASSKEY_RATE_LIMIT_PER_IP,
        windowMs: config.PASSKEY_RATE_LIMIT_WINDOW_SECONDS * 1000,
      },
      onStoreFailure: 'refuse',
    },
  };
}

/**
 * The consumer that drops cached product pages when catalog says a product changed: its own
 * group per process (`gateway-pages-<host>-<pid>-<random>`, no offsets committed, so the group
 * vanishes with the process), from the latest offset, every partition. Each (re)join clears the
 * whole cache (events may have been missed meanwhile). Started in the background: the gateway
 * serves without Kafka, and pages then live until PRODUCT_PAGE_CACHE_TTL_MS.
 */
function productPageInvalidation(
  config: GatewayConfig,
  pages: ProductPageCache,
  logger: Logger,
): Consumer | undefined {
  if (config.KAFKA_BROKERS.length === 0 || config.PRODUCT_PAGE_CACHE_TTL_MS === 0) return undefined;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'gateway', logger });
  return new ProductPageEvents(kafka, {
    topics: PRODUCT_PAGE_TOPICS.map((t) => `${config.KAFKA_TOPIC_PREFIX}${t}`),
    groupId: `gateway-pages-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    pages,
    logger,
  });
}

/** Starts the gateway in this process (tests; `main.ts` runs `runService`). */
export function startGateway(
  config: GatewayConfig,
  logger: Logger,
  overrides: { verifier?: AccessTokenVerifier } = {},
): Promise<RunningService> {
  return launchService(gatewayService(overrides), config, logger);
}
