import {
  DynamicModule,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import {
  topicName,
  type KafkaEventConsumer,
  type KafkaPublisher,
  type OutboxRelay,
} from '@emporia/messaging';
import { USER_ACCOUNT } from '@emporia/contracts';
import { pingDataSource } from '@emporia/persistence';
import { HealthRegistry, LOGGER, newContext, PlatformModule, type Logger } from '@emporia/platform';
import { AccountAdminUseCase } from './application/account-admin.use-case';
import { FreezeAccountUseCase } from './application/freeze-account.use-case';
import { MfaUseCase } from './application/mfa.use-case';
import { PrivacyUseCase } from './application/privacy.use-case';
import { ProfileUseCase } from './application/profile.use-case';
import { LoginUseCase } from './application/login.use-case';
import { LogoutUseCase } from './application/logout.use-case';
import { OrderEventsUseCase } from './application/order-events.use-case';
import { PointsUseCase } from './application/points.use-case';
import {
  AUTH_SETTINGS,
  POINTS_SETTINGS,
  CLOCK,
  ID_GENERATOR,
  LOGIN_RISK,
  LOGIN_THROTTLE,
  type LoginRiskPort,
  MFA_SETTINGS,
  PASSWORD_HASHER,
  SECRET_BOX,
  type SecretBox,
  TOKEN_SECRETS,
  TOKEN_SIGNER,
  UNIT_OF_WORK,
} from './application/ports';
import { RefreshUseCase } from './application/refresh.use-case';
import { RegisterUseCase } from './application/register.use-case';
import { SigningKeysUseCase } from './application/signing-keys.use-case';
import type { Argon2PasswordHasher } from './infrastructure/argon2-password-hasher';
import type { JoseTokenSigner } from './infrastructure/jose-token-signer';
import type { RedisLoginThrottle } from './infrastructure/redis-login-throttle';
import type { RevocationRelay } from './infrastructure/token-revocations';
import {
  systemClock,
  tokenSecrets,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { nodeHmac } from './infrastructure/node-crypto';
import { UserGrpcController } from './interface/user.grpc-controller';

export interface UserInfrastructure {
  dataSource: DataSource;
  redis: Redis;
  relay: OutboxRelay;
  /** Pushes committed access-token revocations to the gateway's list in Redis. */
  revocations: RevocationRelay;
  publisher: KafkaPublisher;
  hasher: Argon2PasswordHasher;
  throttle: RedisLoginThrottle;
  /** Risk's ScoreLogin (or no scoring when risk is not configured). */
  loginRisk: LoginRiskPort;
  closeRisk: () => void;
  signer: JoseTokenSigner;
  secretBox: SecretBox;
  mfaIssuer: string;
  topicPrefix: string;
  refreshTtlMs: number;
  points: { perMajorUnit: number; ttlMs: number; expiryIntervalMs: number };
  pingKafka: () => Promise<void>;
  /** Set once the module is built (it needs the use case); the lifecycle stops it. */
  consumer?: KafkaEventConsumer;
}

const INFRA = Symbol('USER_INFRA');

class UserLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryRun: Promise<unknown> | undefined;

  constructor(
    @Inject(INFRA) private readonly infra: UserInfrastructure,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
    private readonly points: PointsUseCase,
    private readonly admin: AccountAdminUseCase,
  ) {
    health.register('postgres', () => pingDataSource(infra.dataSource));
    health.register('redis', async () => void (await infra.redis.ping()));
    health.register('kafka', infra.pingKafka);
  }

  onApplicationBootstrap(): void {
    // Nest calls this hook once for the gRPC microservice and once for the HTTP app.
    if (this.expiryTimer) return;
    this.infra.relay.start();
    this.infra.revocations.start();
    // Sweeps in bounded batches: expired points, and members still to re-evaluate after a
    // tier table change. Overlapping runs are skipped.
    this.expiryTimer = setInterval(() => {
      if (this.expiryRun) return;
      const ctx = newContext();
      this.expiryRun = Promise.all([
        this.points
          .expireDue(ctx)
          .catch((err: unknown) => this.logger.warn({ err }, 'points expiry sweep failed')),
        this.admin
          .reevaluateDue(ctx)
          .catch((err: unknown) => this.logger.warn({ err }, 'tier re-evaluation failed')),
      ]).finally(() => (this.expiryRun = undefined));
    }, this.infra.points.expiryIntervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.health.markShuttingDown();
    clearInterval(this.expiryTimer);
    await this.infra.consumer?.stop();
    await this.expiryRun;
    await this.infra.relay.stop();
    await this.infra.revocations.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.publisher.close();
    this.infra.closeRisk();
    this.infra.redis.disconnect();
    if (this.infra.dataSource.isInitialized) await this.infra.dataSource.destroy();
    this.logger.info('user stopped');
  }
}

@Module({})
export class UserModule {
  static forRoot(infra: UserInfrastructure, logger: Logger): DynamicModule {
    const topic = topicName(infra.topicPrefix, USER_ACCOUNT.name);
    return {
      module: UserModule,
      imports: [PlatformModule.forRoot(logger)],
      controllers: [UserGrpcController],
      providers: [
        { provide: INFRA, useValue: infra },
        {
          provide: UNIT_OF_WORK,
          useFactory: () =>
            new TypeormUnitOfWork(
              infra.dataSource,
              topic,
              infra.secretBox,
              () => infra.relay.nudge(),
              () => infra.revocations.nudge(),
            ),
        },
        { provide: PASSWORD_HASHER, useValue: infra.hasher },
        { provide: LOGIN_THROTTLE, useValue: infra.throttle },
        { provide: LOGIN_RISK, useValue: infra.loginRisk },
        { provide: TOKEN_SIGNER, useValue: infra.signer },
        { provide: SECRET_BOX, useValue: infra.secretBox },
        { provide: MFA_SETTINGS, useValue: { issuer: infra.mfaIssuer, hmac: nodeHmac } },
        { provide: TOKEN_SECRETS, useValue: tokenSecrets },
        { provide: CLOCK, useValue: systemClock },
        { provide: ID_GENERATOR, useValue: uuidV7Generator },
        { provide: AUTH_SETTINGS, useValue: { refreshTtlMs: infra.refreshTtlMs } },
        {
          provide: POINTS_SETTINGS,
          useValue: { perMajorUnit: infra.points.perMajorUnit, ttlMs: infra.points.ttlMs },
        },
        UserLifecycle,
        RegisterUseCase,
        LoginUseCase,
        RefreshUseCase,
        LogoutUseCase,
        SigningKeysUseCase,
        PointsUseCase,
        OrderEventsUseCase,
        FreezeAccountUseCase,
        MfaUseCase,
        ProfileUseCase,
        PrivacyUseCase,
        AccountAdminUseCase,
      ],
    };
  }
}

export const USER_TOPICS = [USER_ACCOUNT.name];
