import { catalogV1, ANALYTICS_AUDIENCE, ANALYTICS_CART } from '@emporia/contracts';
import { kafkaResource, OutboxRelay } from '@emporia/messaging';
import {
  defineService,
  grpcBackend,
  launchService,
  postgresResource,
  type GrpcApi,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { v7 as uuidv7 } from 'uuid';
import { ANALYTICS_SETTINGS, CLOCK, FACT_SINK, ID_GENERATOR } from './application/ports';
import { analyticsConfigSchema, type AnalyticsConfig } from './config';
import type { Area, AreaContext } from './infrastructure/area';
import { collectionArea } from './infrastructure/areas/collection.area';
import { customersArea } from './infrastructure/areas/customers.area';
import { experimentsArea } from './infrastructure/areas/experiments.area';
import { pricingArea } from './infrastructure/areas/pricing.area';
import { ANALYTICS_MIGRATIONS } from './infrastructure/migrations';
import { SqlFactSink } from './infrastructure/sql-fact-sink';
import { FACT_TOPICS, factEventsHandler } from './interface/fact-events.consumer';

/** The areas of the service, in the order their projections see each fact. */
const AREAS: ((ctx: AreaContext) => Area)[] = [
  collectionArea,
  customersArea,
  experimentsArea,
  pricingArea,
];

/**
 * Analytics: behaviour and domain events become day-partitioned facts and incrementally kept
 * rollups (own Postgres); operator figures, experiments, recommendations and price suggestions
 * over gRPC; audiences and abandoned carts go to marketing as events.
 */
export const analyticsService = defineService({
  name: 'analytics',
  config: analyticsConfigSchema,
  http: (c) => ({ host: c.BIND_HOST, port: c.ANALYTICS_HTTP_PORT }),
  grpc: (c) => ({ service: 'analytics', host: c.BIND_HOST, port: c.ANALYTICS_GRPC_PORT }),
  resources: (c) => ({
    postgres: postgresResource({
      url: c.ANALYTICS_DATABASE_URL,
      migrations: ANALYTICS_MIGRATIONS,
      poolSize: c.DB_POOL_SIZE,
      preparedStatements: c.DB_PREPARED_STATEMENTS,
      migrateOnStart: {
        enabled: c.ANALYTICS_MIGRATE_ON_START,
        variable: 'ANALYTICS_MIGRATE_ON_START',
      },
    }),
    kafka: kafkaResource({
      brokers: c.KAFKA_BROKERS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      topics: [...FACT_TOPICS, ANALYTICS_AUDIENCE.name, ANALYTICS_CART.name],
      consumerGroup: c.ANALYTICS_CONSUMER_GROUP,
    }),
    catalog: c.CATALOG_GRPC_URL
      ? grpcBackend<GrpcApi<catalogV1.CatalogServiceController>>('catalog', {
          url: c.CATALOG_GRPC_URL,
          deadlineMs: c.GRPC_DEADLINE_MS,
          readiness: false,
        })
      : undefined,
  }),
  assemble: ({ config, logger, resources: { postgres, kafka, catalog } }) => {
    const relay = new OutboxRelay(postgres, kafka.publisher, {
      logger,
      service: 'analytics',
      intervalMs: config.OUTBOX_POLL_MS,
    });
    const areaContext: AreaContext = {
      config,
      logger,
      postgres,
      kafka,
      catalog: catalog?.api,
      nudgeRelay: () => relay.nudge(),
    };
    const areas = AREAS.map((area) => area(areaContext));
    const sink = new SqlFactSink(
      postgres,
      areas.flatMap((a) => a.projections ?? []),
      {
        consumer: config.ANALYTICS_CONSUMER_GROUP,
        timeZone: config.ANALYTICS_TIME_ZONE,
        topic: (name) => kafka.topic(name),
        onEventsCommitted: () => relay.nudge(),
      },
    );
    return {
      controllers: areas.flatMap((a) => a.controllers ?? []),
      providers: [
        { provide: FACT_SINK, useValue: sink },
        { provide: CLOCK, useValue: { now: () => new Date() } },
        { provide: ID_GENERATOR, useValue: { newId: () => uuidv7() } },
        { provide: ANALYTICS_SETTINGS, useValue: { timeZone: config.ANALYTICS_TIME_ZONE } },
        ...areas.flatMap((a) => a.providers ?? []),
      ],
      workers: [relay, ...areas.flatMap((a) => a.workers ?? [])],
      sweeps: (get) => areas.flatMap((a) => a.sweeps?.(get) ?? []),
      consumers: () => [
        kafka.consumer({
          topics: FACT_TOPICS,
          handler: factEventsHandler(sink, config.ANALYTICS_TIME_ZONE),
          partitionsConcurrently: config.ANALYTICS_CONSUMER_CONCURRENCY,
        }),
      ],
    };
  },
});

/** Starts analytics in this process (tests; `main.ts` runs `runService`). */
export function startAnalytics(config: AnalyticsConfig, logger: Logger): Promise<RunningService> {
  return launchService(analyticsService, config, logger);
}
