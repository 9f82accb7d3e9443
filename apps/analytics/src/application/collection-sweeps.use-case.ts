import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@emporia/domain';
import type { RequestContext } from '@emporia/platform';
import { partitionPlan } from '../domain/days';
import { dayOf } from '../domain/facts';
import { ANALYTICS_SETTINGS, CLOCK, type AnalyticsSettings } from './ports';
import {
  CART_ABANDONMENT,
  COLLECTION_SETTINGS,
  FACT_PARTITIONS,
  type CartAbandonment,
  type CollectionSettings,
  type FactPartitions,
} from './collection.ports';

/** Partitions are made this many days ahead of today. */
export const PARTITION_AHEAD_DAYS = 2;

/** The collection area's scheduled work: partitions ahead, retention, abandoned carts. */
@Injectable()
export class CollectionSweeps {
  constructor(
    @Inject(FACT_PARTITIONS) private readonly partitions: FactPartitions,
    @Inject(CART_ABANDONMENT) private readonly carts: CartAbandonment,
    @Inject(COLLECTION_SETTINGS) private readonly settings: CollectionSettings,
    @Inject(ANALYTICS_SETTINGS) private readonly analytics: AnalyticsSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private plan() {
    return partitionPlan(dayOf(this.clock.now(), this.analytics.timeZone), {
      maxLateDays: this.settings.maxLateDays,
      aheadDays: PARTITION_AHEAD_DAYS,
      retentionDays: this.settings.retentionDays,
    });
  }

  /** `analytics-partitions`: every day a late or early event may land on has its partition. */
  makePartitions(_ctx: RequestContext): Promise<number> {
    return this.partitions.ensure(this.plan().ensure);
  }

  /** `analytics-retention`: partitions older than ANALYTICS_RETENTION_DAYS are dropped. */
  dropExpired(_ctx: RequestContext): Promise<string[]> {
    return this.partitions.dropBefore(this.plan().keepFrom);
  }

  /** `cart-abandonment`: raises CartAbandoned for the carts due now (a bounded batch). */
  raiseAbandonedCarts(_ctx: RequestContext): Promise<number> {
    return this.carts.raiseDue({
      now: this.clock.now(),
      abandonAfterMs: this.settings.cartAbandonMinutes * 60_000,
      capMs: this.settings.cartReminderCapHours * 3_600_000,
      limit: this.settings.cartSweepBatch,
    });
  }
}
