import type { Redis } from 'ioredis';
import type { notificationV1 } from '@emporia/contracts';
import type { GrpcApi, Logger } from '@emporia/platform';
import { AccountSecurityUseCase } from './application/account-security.use-case';
import { ManageSessionsUseCase } from './application/manage-sessions.use-case';
import { SecondFactorCheck } from './application/second-factor';
import {
  ONE_TIME_CODE_HASHER,
  ONE_TIME_CODE_SENDER,
  PLACE_LOOKUP,
  SMS_SEND_LIMITER,
} from './application/security.ports';
import { SendSmsCodeUseCase } from './application/send-sms-code.use-case';
import { StepUpUseCase } from './application/step-up.use-case';
import type { UserConfig } from './config';
import {
  GrpcOneTimeCodeSender,
  UnconfiguredOneTimeCodeSender,
} from './infrastructure/grpc-one-time-code-sender';
import { Ip2RegionPlaceLookup } from './infrastructure/ip2region-place-lookup';
import { HmacOneTimeCodeHasher } from './infrastructure/node-crypto';
import { RedisSmsSendLimiter } from './infrastructure/redis-sms-limiter';
import { AccountSecurityGrpcController } from './interface/account-security.grpc-controller';

export type NotificationApi = GrpcApi<notificationV1.NotificationServiceController>;

/**
 * Issue 23's part of the user service: step-up, SMS one-time codes (sent through notification,
 * limited in Redis, hashed under a key derived from MFA_ENCRYPTION_KEY), sessions and devices
 * (places from ip2region's bundled data), the sensitive changes. Providers and the controller.
 */
export function accountSecurityParts(
  config: UserConfig,
  deps: { redis: Redis; notification: NotificationApi | undefined; logger: Logger },
) {
  const minute = (s: number) => s * 1000;
  const window = minute(config.SMS_SEND_WINDOW_SECONDS);
  return {
    controllers: [AccountSecurityGrpcController],
    providers: [
      { provide: PLACE_LOOKUP, useValue: new Ip2RegionPlaceLookup() },
      {
        provide: ONE_TIME_CODE_HASHER,
        useValue: new HmacOneTimeCodeHasher(config.MFA_ENCRYPTION_KEY),
      },
      {
        provide: SMS_SEND_LIMITER,
        useValue: new RedisSmsSendLimiter(
          deps.redis,
          {
            cooldownMs: minute(config.SMS_CODE_COOLDOWN_SECONDS),
            perPhone: { max: config.SMS_MAX_PER_PHONE, windowMs: window },
            perAccount: { max: config.SMS_MAX_PER_ACCOUNT, windowMs: window },
            perIp: { max: config.SMS_MAX_PER_IP, windowMs: window },
          },
          config.REDIS_KEY_PREFIX,
        ),
      },
      {
        provide: ONE_TIME_CODE_SENDER,
        useValue: deps.notification
          ? new GrpcOneTimeCodeSender(
              deps.notification.sendOneTimeCode,
              deps.logger,
              config.NOTIFICATION_DEADLINE_MS,
            )
          : new UnconfiguredOneTimeCodeSender(),
      },
      SecondFactorCheck,
      SendSmsCodeUseCase,
      StepUpUseCase,
      ManageSessionsUseCase,
      AccountSecurityUseCase,
    ],
  };
}
