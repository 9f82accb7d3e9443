import { v7 as uuidv7 } from 'uuid';
import {
  BEHAVIOUR_PUBLISHER,
  CART_ABANDONMENT,
  COLLECTION_SETTINGS,
  FACT_PARTITIONS,
  FIGURES,
  type CollectionSettings,
} from '../../application/collection.ports';
import { CollectionFigures } from '../../application/collection-figures.use-case';
import { CollectionSweeps } from '../../application/collection-sweeps.use-case';
import { IngestBehaviourEvents } from '../../application/ingest-behaviour-events.use-case';
import { CollectionGrpcController } from '../../interface/collection.grpc-controller';
import type { Area, AreaContext } from '../area';
import { behaviourProjection } from '../behaviour.projection';
import { KafkaBehaviourPublisher } from '../kafka-behaviour.publisher';
import { orderFactsProjection } from '../order-facts.projection';
import { SqlCartAbandonment } from '../sql-cart-abandonment';
import { KnownPartitions, SqlFactPartitions } from '../sql-fact-partitions';
import { SqlFigures } from '../sql-figures';

/**
 * Collection and figures: ingestion of behaviour events, the facts (behaviour_events by day,
 * order_facts, visitor_accounts) and the rollups behind KPIs, the funnel and attribution;
 * abandoned carts. Its projections run first, so order_facts is written before any other
 * area's projection sees the same fact.
 */
export function collectionArea(ctx: AreaContext): Area {
  const c = ctx.config;
  const settings: CollectionSettings = {
    maxBatch: c.ANALYTICS_MAX_BATCH,
    skewMs: c.ANALYTICS_MAX_SKEW_SECONDS * 1000,
    maxLateMs: c.ANALYTICS_MAX_LATE_DAYS * 86_400_000,
    maxLateDays: c.ANALYTICS_MAX_LATE_DAYS,
    retentionDays: c.ANALYTICS_RETENTION_DAYS,
    defaultCurrency: c.ANALYTICS_DEFAULT_CURRENCY,
    cartAbandonMinutes: c.ANALYTICS_CART_ABANDON_MINUTES,
    cartReminderCapHours: c.ANALYTICS_CART_REMINDER_CAP_HOURS,
    cartSweepBatch: c.ANALYTICS_CART_SWEEP_BATCH,
  };
  const known = new KnownPartitions();
  return {
    controllers: [CollectionGrpcController],
    providers: [
      IngestBehaviourEvents,
      CollectionFigures,
      CollectionSweeps,
      { provide: COLLECTION_SETTINGS, useValue: settings },
      {
        provide: BEHAVIOUR_PUBLISHER,
        useValue: new KafkaBehaviourPublisher(
          ctx.kafka.publisher,
          (name) => ctx.kafka.topic(name),
          c.ANALYTICS_PUBLISH_TIMEOUT_MS,
        ),
      },
      { provide: FIGURES, useValue: new SqlFigures(ctx.postgres) },
      { provide: FACT_PARTITIONS, useValue: new SqlFactPartitions(ctx.postgres, known) },
      {
        provide: CART_ABANDONMENT,
        useValue: new SqlCartAbandonment(ctx.postgres, {
          topic: (name) => ctx.kafka.topic(name),
          newId: () => uuidv7(),
          onEventsCommitted: ctx.nudgeRelay,
        }),
      },
    ],
    projections: [behaviourProjection(known), orderFactsProjection],
    sweeps: (get) => [
      {
        name: 'analytics-partitions',
        everyMs: c.ANALYTICS_PARTITION_SWEEP_MS,
        run: (rc) => get(CollectionSweeps).makePartitions(rc),
      },
      {
        name: 'analytics-retention',
        everyMs: c.ANALYTICS_PARTITION_SWEEP_MS,
        run: (rc) => get(CollectionSweeps).dropExpired(rc),
      },
      {
        name: 'cart-abandonment',
        everyMs: c.ANALYTICS_CART_SWEEP_MS,
        run: (rc) => get(CollectionSweeps).raiseAbandonedCarts(rc),
      },
    ],
  };
}
