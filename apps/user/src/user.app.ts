import { Redis } from 'ioredis';
import {
  GRPC_PACKAGES,
  grpcService,
  ORDER_ORDER,
  PROTO_FILES,
  PROTO_ROOT,
  type riskV1,
} from '@emporia/contracts';
import {
  createKafka,
  ensureTopics,
  KafkaEventConsumer,
  KafkaPublisher,
  OutboxRelay,
  pingKafka,
  readinessProbe,
  startConsumerFor,
  topicName,
} from '@emporia/messaging';
import { createDataSource, migrateDatabase, openMigrated } from '@emporia/persistence';
import {
  grpcClient,
  HealthRegistry,
  startService,
  type GrpcApi,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { OrderEventsUseCase } from './application/order-events.use-case';
import { DEV_MFA_KEY, type UserConfig } from './config';
import { parseIdentifier, validateRoles } from './domain/account';
import { orderEventsHandler } from './interface/order-events.consumer';
import { Argon2PasswordHasher } from './infrastructure/argon2-password-hasher';
import { JoseTokenSigner } from './infrastructure/jose-token-signer';
import { GrpcLoginRisk, UnscoredLoginRisk } from './infrastructure/login-risk.adapters';
import { AesGcmSecretBox } from './infrastructure/node-crypto';
import { USER_MIGRATIONS } from './infrastructure/migrations';
import { RedisLoginThrottle } from './infrastructure/redis-login-throttle';
import { RevocationRelay } from './infrastructure/token-revocations';
import { USER_TOPICS, UserModule, type UserInfrastructure } from './user.module';

/** Order events feed points and tiers. */
const ORDER_TOPIC = ORDER_ORDER.name;

const userDataSource = (config: Pick<UserConfig, 'USER_DATABASE_URL' | 'DB_POOL_SIZE'>) =>
  createDataSource({
    url: config.USER_DATABASE_URL,
    entities: [],
    migrations: USER_MIGRATIONS,
    poolSize: config.DB_POOL_SIZE,
    applicationName: 'emporia-user',
  });

export async function migrateUser(
  config: Pick<UserConfig, 'USER_DATABASE_URL' | 'DB_POOL_SIZE'>,
  logger: Logger,
): Promise<string[]> {
  return migrateDatabase(config.USER_DATABASE_URL, userDataSource(config), logger, 'user');
}

/**
 * `main.ts grant-roles <email|phone> <role,...>`: sets an account's roles directly in the
 * database, to bootstrap the first admin (afterwards admins use SetAccountRoles).
 */
export async function grantRoles(
  config: Pick<UserConfig, 'USER_DATABASE_URL' | 'DB_POOL_SIZE'>,
  logger: Logger,
  identifier: string,
  roles: string,
): Promise<void> {
  const id = parseIdentifier(identifier);
  const valid = validateRoles((roles ?? '').split(','));
  const ds = await userDataSource(config).initialize();
  try {
    const rows = (await ds.query(
      `UPDATE accounts SET roles = $2 WHERE ${'email' in id ? 'email' : 'phone'} = $1 AND status <> 'DELETED' RETURNING id`,
      ['email' in id ? id.email : id.phone, valid],
    )) as [{ id: string }[], number];
    const updated = rows[0];
    if (updated.length === 0) throw new Error(`no account ${identifier}`);
    logger.info({ accountId: updated[0].id, roles: valid }, 'roles granted');
  } finally {
    await ds.destroy();
  }
}

/** Starts the user service: database, Redis, signing keys, outbox relay, gRPC and ops HTTP. */
export async function startUser(config: UserConfig, logger: Logger): Promise<RunningService> {
  if (config.USER_MIGRATE_ON_START) await migrateUser(config, logger);
  const dataSource = await openMigrated(userDataSource(config), 'user', 'USER_MIGRATE_ON_START');
  if (config.MFA_ENCRYPTION_KEY === DEV_MFA_KEY)
    logger.warn(
      'MFA_ENCRYPTION_KEY is the development default; set a real key outside development',
    );
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'user', logger });
  const publisher = new KafkaPublisher(kafka);
  const signer = new JoseTokenSigner(dataSource, {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  // Sign-ins are scored by risk when it is configured; it is not a readiness dependency (fail open).
  const risk = config.RISK_GRPC_URL
    ? grpcClient<GrpcApi<riskV1.RiskServiceController>>({
        name: 'risk',
        ...grpcService('risk'),
        url: config.RISK_GRPC_URL,
        deadlineMs: config.RISK_DEADLINE_MS,
      })
    : undefined;
  try {
    await ensureTopics(
      kafka,
      [...USER_TOPICS, ORDER_TOPIC].map((t) => topicName(config.KAFKA_TOPIC_PREFIX, t)),
    );
    await signer.ensureKey(new Date());
  } catch (e) {
    risk?.client.close();
    redis.disconnect();
    await dataSource.destroy();
    throw e;
  }
  const infra: UserInfrastructure = {
    dataSource,
    redis,
    publisher,
    signer,
    secretBox: AesGcmSecretBox.fromConfig(config.MFA_ENCRYPTION_KEY),
    mfaIssuer: config.MFA_ISSUER,
    relay: new OutboxRelay(dataSource, publisher, {
      logger,
      service: 'user',
      intervalMs: config.OUTBOX_POLL_MS,
    }),
    revocations: new RevocationRelay(dataSource, redis, {
      keyPrefix: config.TOKEN_REVOCATION_KEY_PREFIX,
      // a token lives ACCESS_TOKEN_TTL_SECONDS; the minute covers clock differences and the
      // gateway's clock tolerance
      entryTtlMs: (config.ACCESS_TOKEN_TTL_SECONDS + 60) * 1000,
      logger,
    }),
    hasher: new Argon2PasswordHasher({
      memoryCost: config.ARGON2_MEMORY_KIB,
      timeCost: config.ARGON2_TIME_COST,
      parallelism: config.ARGON2_PARALLELISM,
    }),
    throttle: new RedisLoginThrottle(redis, {
      maxAccountFailures: config.LOGIN_MAX_FAILURES,
      maxIpFailures: config.LOGIN_IP_MAX_FAILURES,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
      lockSeconds: config.LOGIN_LOCK_SECONDS,
      keyPrefix: config.REDIS_KEY_PREFIX,
    }),
    loginRisk: risk
      ? new GrpcLoginRisk(risk.api.scoreLogin, logger, { deadlineMs: config.RISK_DEADLINE_MS })
      : new UnscoredLoginRisk(),
    closeRisk: () => risk?.client.close(),
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    refreshTtlMs: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
    pingKafka: () => pingKafka(kafka),
    points: {
      perMajorUnit: config.POINTS_PER_MAJOR_UNIT,
      ttlMs: config.POINTS_TTL_DAYS * 86_400_000,
      expiryIntervalMs: config.POINTS_EXPIRY_INTERVAL_MS,
    },
  };
  const service = await startService({
    module: UserModule.forRoot(infra, logger),
    logger,
    http: { host: config.BIND_HOST, port: config.USER_HTTP_PORT },
    grpc: {
      package: GRPC_PACKAGES.user,
      protoPath: PROTO_FILES.user,
      includeDirs: [PROTO_ROOT],
      host: config.BIND_HOST,
      port: config.USER_GRPC_PORT,
    },
  });
  const consumer = new KafkaEventConsumer(kafka, {
    groupId: config.USER_CONSUMER_GROUP,
    topics: [topicName(config.KAFKA_TOPIC_PREFIX, ORDER_TOPIC)],
    logger,
    // an unrecognised failure while a dependency is down is waited out, not dead-lettered
    probe: readinessProbe(service.app.get(HealthRegistry)),
    handler: orderEventsHandler(service.app.get(OrderEventsUseCase), logger),
  });
  infra.consumer = consumer;
  return startConsumerFor(service, consumer);
}
