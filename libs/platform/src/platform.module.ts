import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthRegistry, OpsController } from './health';

export const LOGGER = Symbol('LOGGER');

/** Logger, health registry and the ops endpoints, shared by every app. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [OpsController],
      providers: [{ provide: LOGGER, useValue: logger }, HealthRegistry],
      exports: [LOGGER, HealthRegistry],
    };
  }
}
