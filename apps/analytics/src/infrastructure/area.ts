import type { catalogV1 } from '@emporia/contracts';
import type { KafkaHandle } from '@emporia/messaging';
import type { Get, GrpcApi, Logger, Sweep, Worker } from '@emporia/platform';
import type { Provider, Type } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AnalyticsConfig } from '../config';
import type { Projection } from './projection';

/** What every area of the service is assembled from. */
export interface AreaContext {
  config: AnalyticsConfig;
  logger: Logger;
  postgres: DataSource;
  kafka: KafkaHandle;
  /** Absent when CATALOG_GRPC_URL is empty (approving a price then fails with UNAVAILABLE). */
  catalog: GrpcApi<catalogV1.CatalogServiceController> | undefined;
  /** Wakes the outbox relay after a transaction wrote events. */
  nudgeRelay: () => void;
}

/**
 * One area of analytics (collection and figures; customers; experiments and recommendations;
 * inventory and pricing): its gRPC controllers, providers, projections of facts, sweeps and
 * workers. `analytics.app.ts` puts the areas together.
 */
export interface Area {
  controllers?: Type<unknown>[];
  providers?: Provider[];
  projections?: Projection[];
  sweeps?: (get: Get) => Sweep[];
  workers?: Worker[];
}
