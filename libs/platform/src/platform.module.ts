import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthRegistry, OpsController } from './health';

export const LOGGER = Symbol('LOGGER');

/**
 * Logger, health registry and the ops endpoints, shared by every app. `opsRoutes: false` leaves
 * the endpoints off the app's HTTP port: a public one (the gateway), whose `startService` serves
 * them on an ops port of their own instead.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(
    logger: Logger,
    options: { opsRoutes?: boolean; health?: HealthRegistry } = {},
  ): DynamicModule {
    return {
      module: PlatformModule,
      controllers: options.opsRoutes === false ? [] : [OpsController],
      providers: [
        { provide: LOGGER, useValue: logger },
        // the service kit registers its resources' checks before the app exists
        options.health ? { provide: HealthRegistry, useValue: options.health } : HealthRegistry,
      ],
      exports: [LOGGER, HealthRegistry],
    };
  }
}
