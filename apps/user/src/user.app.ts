import { ORDER_ORDER, REVIEW_REVIEW, USER_ACCOUNT } from '@emporia/contracts';
import { prepareAddressCheck } from '@emporia/domain';
import type { notificationV1, riskV1 } from '@emporia/contracts';
import { eventHandler, kafkaResource, OutboxRelay } from '@emporia/messaging';
import { Sql } from '@emporia/persistence';
import {
  defineService,
  grpcBackend,
  launchService,
  postgresResource,
  redisResource,
  type GrpcApi,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { AccountAdminUseCase } from './application/account-admin.use-case';
import { FreezeAccountUseCase } from './application/freeze-account.use-case';
import { LoginUseCase } from './application/login.use-case';
import { LogoutUseCase } from './application/logout.use-case';
import { MfaUseCase } from './application/mfa.use-case';
import { PasskeyCeremonies } from './application/passkey-ceremonies';
import { PasskeyLoginUseCase } from './application/passkey-login.use-case';
import { WEBAUTHN } from './application/passkey.ports';
import { PasskeyUseCase } from './application/passkey.use-case';
import { OrderEventsUseCase } from './application/order-events.use-case';
import { PointsUseCase } from './application/points.use-case';
import {
  AUTH_SETTINGS,
  CLOCK,
  ID_GENERATOR,
  LOGIN_RISK,
  LOGIN_THROTTLE,
  MFA_SETTINGS,
  PASSWORD_HASHER,
  POINTS_SETTINGS,
  SECRET_BOX,
  TOKEN_SECRETS,
  TOKEN_SIGNER,
  UNIT_OF_WORK,
} from './application/ports';
import { PrivacyUseCase } from './application/privacy.use-case';
import { ReviewPointsUseCase } from './application/review-points.use-case';
import { ProfileUseCase } from './application/profile.use-case';
import { RefreshUseCase } from './application/refresh.use-case';
import { RegisterUseCase } from './application/register.use-case';
import { SigningKeysUseCase } from './application/signing-keys.use-case';
import { DEV_MFA_KEY, userConfigSchema, type UserConfig } from './config';
import { parseIdentifier, validateRoles } from './domain/account';
import { Argon2PasswordHasher } from './infrastructure/argon2-password-hasher';
import { JoseTokenSigner } from './infrastructure/jose-token-signer';
import { GrpcLoginRisk, UnscoredLoginRisk } from './infrastructure/login-risk.adapters';
import { USER_MIGRATIONS } from './infrastructure/migrations';
import { AesGcmSecretBox, nodeHmac } from './infrastructure/node-crypto';
import { RedisLoginThrottle } from './infrastructure/redis-login-throttle';
import { SimpleWebAuthn } from './infrastructure/simple-webauthn.adapter';
import { RevocationRelay } from './infrastructure/token-revocations';
import {
  systemClock,
  tokenSecrets,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { orderEventsRoute } from './interface/order-events.consumer';
import { reviewEventsRoute } from './interface/review-events.consumer';
import { loginMethod, UserGrpcController } from './interface/user.grpc-controller';
import { SendSmsCodeUseCase } from './application/send-sms-code.use-case';
import { accountSecurityParts } from './security-wiring';

/** Order events feed points and tiers. */
const ORDER_TOPIC = ORDER_ORDER.name;
/** Order events are gathered this long per fetch (`gatherMs`): spend and points are not urgent. */
const EVENT_GATHER_MS = 500;
const REVIEW_TOPIC = REVIEW_REVIEW.name;

const userDatabase = (
  c: Pick<UserConfig, 'USER_DATABASE_URL' | 'DB_POOL_SIZE'> & {
    DB_PREPARED_STATEMENTS?: boolean;
    USER_MIGRATE_ON_START?: boolean;
  },
) =>
  postgresResource({
    url: c.USER_DATABASE_URL,
    migrations: USER_MIGRATIONS,
    poolSize: c.DB_POOL_SIZE,
    preparedStatements: c.DB_PREPARED_STATEMENTS,
    migrateOnStart: {
      enabled: c.USER_MIGRATE_ON_START ?? false,
      variable: 'USER_MIGRATE_ON_START',
    },
  });

/** Applies pending migrations (what `main.ts migrate` does). */
export function migrateUser(
  config: Pick<UserConfig, 'USER_DATABASE_URL' | 'DB_POOL_SIZE'>,
  logger: Logger,
): Promise<string[]> {
  return userDatabase(config).migrate('user', logger);
}

/**
 * `main.ts grant-roles <email|phone> <role,...>`: sets an account's roles directly in the
 * database, to bootstrap the first admin (afterwards admins use SetAccountRoles).
 */
async function grantRoles(config: UserConfig, logger: Logger, identifier: string, roles: string) {
  const id = parseIdentifier(identifier);
  const valid = validateRoles(roles.split(','));
  const ds = await userDatabase(config).dataSource('user').initialize();
  try {
    const updated = await new Sql(ds).rows<{ id: string }>(
      `UPDATE accounts SET roles = $2 WHERE ${'email' in id ? 'email' : 'phone'} = $1 AND status <> 'DELETED' RETURNING id`,
      ['email' in id ? id.email : id.phone, valid],
    );
    if (updated.length === 0) throw new Error(`no account ${identifier}`);
    logger.info({ accountId: updated[0].id, roles: valid }, 'roles granted');
  } finally {
    await ds.destroy();
  }
}

/** User: accounts, sign-in and tokens, MFA, points and tiers (fed by order events). */
export const userService = defineService({
  name: 'user',
  config: userConfigSchema,
  http: (c) => ({ host: c.BIND_HOST, port: c.USER_HTTP_PORT }),
  grpc: (c) => ({ service: 'user', host: c.BIND_HOST, port: c.USER_GRPC_PORT }),
  resources: (c) => ({
    postgres: userDatabase(c),
    redis: redisResource(c.REDIS_URL),
    kafka: kafkaResource({
      brokers: c.KAFKA_BROKERS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      topics: [USER_ACCOUNT.name, ORDER_TOPIC, REVIEW_TOPIC],
      consumerGroup: c.USER_CONSUMER_GROUP,
    }),
    // sign-ins are scored by risk when it is configured; not a readiness dependency (fail open)
    risk: c.RISK_GRPC_URL
      ? grpcBackend<GrpcApi<riskV1.RiskServiceController>>('risk', {
          url: c.RISK_GRPC_URL,
          deadlineMs: c.RISK_DEADLINE_MS,
          readiness: false,
        })
      : undefined,
    // SMS one-time codes go through notification when it is configured; not a readiness
    // dependency (SendSmsCode answers SMS_UNAVAILABLE while it is away)
    notification: c.NOTIFICATION_GRPC_URL
      ? grpcBackend<GrpcApi<notificationV1.NotificationServiceController>>('notification', {
          url: c.NOTIFICATION_GRPC_URL,
          deadlineMs: c.NOTIFICATION_DEADLINE_MS,
          readiness: false,
        })
      : undefined,
  }),
  commands: {
    'grant-roles': ([identifier = '', roles = ''], { config, logger }) =>
      grantRoles(config, logger, identifier, roles),
  },
  assemble: async ({
    config,
    logger,
    resources: { postgres, redis, kafka, risk, notification },
  }) => {
    // the address tables built before serving, not on the first address saved (prepareAddressCheck)
    prepareAddressCheck();
    if (config.MFA_ENCRYPTION_KEY === DEV_MFA_KEY)
      logger.warn(
        'MFA_ENCRYPTION_KEY is the development default; set a real key outside development',
      );
    const signer = new JoseTokenSigner(postgres, {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    });
    await signer.ensureKey(new Date());
    const secretBox = AesGcmSecretBox.fromConfig(config.MFA_ENCRYPTION_KEY);
    const relay = new OutboxRelay(postgres, kafka.publisher, {
      logger,
      service: 'user',
      intervalMs: config.OUTBOX_POLL_MS,
    });
    // pushes committed access-token revocations to the gateway's list in Redis; a token lives
    // ACCESS_TOKEN_TTL_SECONDS, the minute covers clock differences and the gateway's tolerance
    const revocations = new RevocationRelay(postgres, redis, {
      keyPrefix: config.TOKEN_REVOCATION_KEY_PREFIX,
      entryTtlMs: (config.ACCESS_TOKEN_TTL_SECONDS + 60) * 1000,
      logger,
    });
    const unitOfWork = new TypeormUnitOfWork(
      postgres,
      kafka.topic(USER_ACCOUNT.name),
      secretBox,
      () => relay.nudge(),
      () => revocations.nudge(),
    );
    const everyMs = config.POINTS_EXPIRY_INTERVAL_MS;
    const security = accountSecurityParts(config, {
      redis,
      notification: notification?.api,
      logger,
    });
    return {
      controllers: [UserGrpcController, ...security.controllers],
      // every sign-in's RPC past Nest's pipeline (the controller keeps the others)
      rawGrpc: (get) => [loginMethod(get(LoginUseCase))],
      providers: [
        { provide: UNIT_OF_WORK, useValue: unitOfWork },
        {
          provide: PASSWORD_HASHER,
          useValue: new Argon2PasswordHasher({
            memoryCost: config.ARGON2_MEMORY_KIB,
            timeCost: config.ARGON2_TIME_COST,
            parallelism: config.ARGON2_PARALLELISM,
          }),
        },
        {
          provide: LOGIN_THROTTLE,
          useValue: new RedisLoginThrottle(redis, {
            maxAccountFailures: config.LOGIN_MAX_FAILURES,
            maxIpFailures: config.LOGIN_IP_MAX_FAILURES,
            windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
            lockSeconds: config.LOGIN_LOCK_SECONDS,
            keyPrefix: config.REDIS_KEY_PREFIX,
          }),
        },
        {
          provide: LOGIN_RISK,
          useValue: risk
            ? new GrpcLoginRisk(risk.api.scoreLogin, logger, {
                deadlineMs: config.RISK_DEADLINE_MS,
              })
            : new UnscoredLoginRisk(),
        },
        { provide: TOKEN_SIGNER, useValue: signer },
        { provide: SECRET_BOX, useValue: secretBox },
        {
          provide: WEBAUTHN,
          useValue: new SimpleWebAuthn({
            id: config.WEBAUTHN_RP_ID,
            name: config.WEBAUTHN_RP_NAME,
            origins: config.WEBAUTHN_ORIGINS,
          }),
        },
        { provide: MFA_SETTINGS, useValue: { issuer: config.MFA_ISSUER, hmac: nodeHmac } },
        { provide: TOKEN_SECRETS, useValue: tokenSecrets },
        { provide: CLOCK, useValue: systemClock },
        { provide: ID_GENERATOR, useValue: uuidV7Generator },
        {
          provide: AUTH_SETTINGS,
          useValue: {
            refreshTtlMs: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
            stepUpWindowMs: config.STEP_UP_WINDOW_SECONDS * 1000,
          },
        },
        ...security.providers,
        {
          provide: POINTS_SETTINGS,
          useValue: {
            perMajorUnit: config.POINTS_PER_MAJOR_UNIT,
            ttlMs: config.POINTS_TTL_DAYS * 86_400_000,
            reviewPhotoPoints: config.REVIEW_PHOTO_POINTS,
          },
        },
        RegisterUseCase,
        LoginUseCase,
        RefreshUseCase,
        LogoutUseCase,
        SigningKeysUseCase,
        PointsUseCase,
        OrderEventsUseCase,
        ReviewPointsUseCase,
        FreezeAccountUseCase,
        MfaUseCase,
        ProfileUseCase,
        PrivacyUseCase,
        AccountAdminUseCase,
        PasskeyCeremonies,
        PasskeyUseCase,
        PasskeyLoginUseCase,
      ],
      workers: [relay, revocations],
      // bounded batches: expired points, and members still to re-evaluate after a tier change
      sweeps: (get) => [
        { name: 'points-expiry', everyMs, run: (ctx) => get(PointsUseCase).expireDue(ctx) },
        {
          name: 'tier-reevaluation',
          everyMs,
          run: (ctx) => get(AccountAdminUseCase).reevaluateDue(ctx),
        },
        // passkey ceremonies' challenges live 5 minutes: expired ones go
        {
          name: 'passkey-challenges',
          everyMs,
          run: (ctx) => get(PasskeyUseCase).deleteExpiredChallenges(ctx),
        },
        // SMS codes live 5 minutes; a day after, they go
        { name: 'sms-codes', everyMs, run: (ctx) => get(SendSmsCodeUseCase).expireDue(ctx) },
      ],
      consumers: (get) => [
        kafka.consumer({
          // one consumer (one group) for both topics: order events feed spend and points,
          // approved photo reviews earn points
          topics: [ORDER_TOPIC, REVIEW_TOPIC],
          // spend and points may show up to this much later: one fetch and one commit per batch
          gatherMs: EVENT_GATHER_MS,
          handler: eventHandler(
            orderEventsRoute(get(OrderEventsUseCase), logger),
            reviewEventsRoute(get(ReviewPointsUseCase), logger),
          ),
        }),
      ],
    };
  },
});

/** Starts the user service in this process (tests; `main.ts` runs `runService`). */
export function startUser(config: UserConfig, logger: Logger): Promise<RunningService> {
  return launchService(userService, config, logger);
}
