import { Redis } from 'ioredis';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { grpcService, type ServiceName } from '@emporia/contracts';
import {
  grpcClient,
  newContext,
  startService,
  ThrottledWarning,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import type {
  AccessTokenVerifier,
  CatalogBackend,
  MarketingBackend,
  OrderBackend,
  RiskBackend,
  SearchBackend,
  UserBackend,
} from './application/ports';
import type { GatewayConfig } from './config';
import { GATEWAY_CONTROLLERS, GatewayModule } from './gateway.module';
import { JwksTokenVerifier } from './infrastructure/jwks-token-verifier';
import { watchRedisDurability } from './infrastructure/redis-durability';
import { RedisIdempotencyStore } from './infrastructure/redis-idempotency.store';
import { RedisRateLimitStore } from './infrastructure/redis-rate-limit.store';
import { RedisTokenRevocationList } from './infrastructure/redis-token-revocation-list';
import { ProblemView } from './interface/dto/views.dto';
import {
  edgeServerOptions,
  installHttpHygiene,
  registerSecurityHeaders,
  RouteTable,
} from './interface/http-hygiene';
import { installDrain } from './interface/drain';
import { installInputChecks } from './interface/input-checks';
import { useJsonBodyParser } from './interface/json-body';
import { completeContract } from './interface/openapi-contract';
import { ProblemFilter } from './interface/problem.filter';
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
 * Starts the gateway: HTTP API with validation, problem+json errors and OpenAPI at /docs (unless
 * DOCS_ENABLED is off), its operations endpoints on GATEWAY_OPS_PORT.
 * `overrides.verifier` replaces the JWKS-backed token verifier (tests without a user service).
 */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  overrides: { verifier?: AccessTokenVerifier } = {},
): Promise<RunningService> {
  const backend = <T extends object>(name: ServiceName, url: string) =>
    grpcClient<T>({ name, ...grpcService(name), url, deadlineMs: config.GRPC_DEADLINE_MS });
  const catalog = backend<CatalogBackend>('catalog', config.CATALOG_GRPC_URL);
  const search = backend<SearchBackend>('search', config.SEARCH_GRPC_URL);
  const user = backend<UserBackend>('user', config.USER_GRPC_URL);
  const order = backend<OrderBackend>('order', config.ORDER_GRPC_URL);
  const marketing = backend<MarketingBackend>('marketing', config.MARKETING_GRPC_URL);
  // Operators' risk routes; not a readiness dependency (see RISK_GRPC_URL).
  const risk = backend<RiskBackend>('risk', config.RISK_GRPC_URL);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  // While Redis is down each use says what it does (503 or fail open); one line per 10 s here.
  const redisDown = new ThrottledWarning(logger, 10_000);
  redis.on('error', (err: Error) => redisDown.warn({ err }, 'Redis connection failed'));
  watchRedisDurability(redis, config.REDIS_KEY_PREFIX, logger);
  const verifier =
    overrides.verifier ??
    new JwksTokenVerifier(
      async () => JSON.parse((await user.api.getJwks(newContext(), {})).jwksJson),
      {
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        cacheMs: config.JWKS_CACHE_SECONDS * 1000,
      },
    );
  return startService({
    module: GatewayModule.forRoot(
      {
        catalog,
        search,
        user,
        order,
        marketing,
        risk,
        verifier,
        revocations: {
          list: new RedisTokenRevocationList(redis, config.TOKEN_REVOCATION_KEY_PREFIX),
          timeoutMs: config.TOKEN_REVOCATION_TIMEOUT_MS,
        },
        idempotency: new RedisIdempotencyStore(redis, config.REDIS_KEY_PREFIX, {
          ttlSeconds: config.IDEMPOTENCY_TTL_SECONDS,
          leaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
          timeoutMs: config.IDEMPOTENCY_STORE_TIMEOUT_MS,
        }),
        rateLimits: {
          store: new RedisRateLimitStore(redis, config.REDIS_KEY_PREFIX),
          policies: {
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
          },
        },
        pingRedis: async () => void (await redis.ping()),
        closeRedis: () => redis.disconnect(),
      },
      logger,
    ),
    logger,
    http: {
      host: config.BIND_HOST,
      port: config.GATEWAY_HTTP_PORT,
      trustProxy: config.TRUST_PROXY,
      fastify: edgeServerOptions(),
    },
    ops: { host: config.BIND_HOST, port: config.GATEWAY_OPS_PORT },
    configure: async (app) => {
      const fastify = app.getHttpAdapter().getInstance();
      const routes = new RouteTable();
      routes.track(fastify);
      installRequestContext(fastify);
      installDrain(fastify);
      await registerSecurityHeaders(app, config.HSTS_MAX_AGE_SECONDS);
      installHttpHygiene(fastify);
      requireJsonBodies(fastify);
      captureRawBodies(fastify);
      useJsonBodyParser(app, BODY_LIMIT);
      installInputChecks(fastify, { currencies: config.CURRENCIES });
      app.useGlobalFilters(new ProblemFilter(logger, (url) => routes.allowed(url)));
      app.useGlobalPipes(validationPipe);
      if (config.DOCS_ENABLED ?? config.NODE_ENV !== 'production')
        SwaggerModule.setup('docs', app, openApiDocument(app, { currencies: config.CURRENCIES }), {
          jsonDocumentUrl: 'docs/openapi.json',
        });
    },
  });
}
