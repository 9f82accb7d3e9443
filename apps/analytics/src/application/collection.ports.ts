import type { CollectedEvent } from '../domain/behaviour-validation';
import type { DayRange } from '../domain/days';
import type { AttributionRow, FunnelStepName, KpiDay } from '../domain/figures';

/** The collection area's ports: publishing behaviour events, reading figures, sweeps. */

export const BEHAVIOUR_PUBLISHER = Symbol('BEHAVIOUR_PUBLISHER');

/**
 * Publishes checked behaviour events to `analytics.behaviour` (key: anonymous id, event id:
 * the event's own), acknowledged by every in-sync replica before it resolves. Throws when the
 * broker cannot take them.
 */
export interface BehaviourPublisher {
  publish(events: readonly CollectedEvent[]): Promise<void>;
}

export const COLLECTION_SETTINGS = Symbol('COLLECTION_SETTINGS');

export interface CollectionSettings {
  maxBatch: number;
  skewMs: number;
  maxLateMs: number;
  maxLateDays: number;
  retentionDays: number;
  defaultCurrency: string;
  cartAbandonMinutes: number;
  cartReminderCapHours: number;
  cartSweepBatch: number;
}

/** How GetKpis splits the days: per channel, summed over channels, or one channel only. */
export type KpiSplit = { by: 'channel' } | { by: 'all' } | { by: 'one'; channel: string };

export interface FunnelFilters {
  channel: string;
  utmSource: string;
  device: string;
}

export interface AbandonedCartView {
  accountId: string;
  cartUpdatedAt: Date;
  abandonedAt: Date;
  items: number;
  subtotalMinor: number;
  currency: string;
  recovered: boolean;
}

export const FIGURES = Symbol('FIGURES');

/** The operator figures, read from the rollups the collection projection keeps. */
export interface Figures {
  /** Day rows (channel '' for orders without one; 'all' when summed). */
  kpiDays(range: DayRange, split: KpiSplit): Promise<KpiDay[]>;
  /** Distinct accounts that paid in the range (in `channel` when given), and the new ones. */
  buyersInRange(
    range: DayRange,
    channel: string | null,
  ): Promise<{ payers: number; newBuyers: number }>;
  funnel(range: DayRange, filters: FunnelFilters): Promise<Record<FunnelStepName, number>>;
  attribution(range: DayRange, model: 'first_touch' | 'last_touch'): Promise<AttributionRow[]>;
  abandonedCarts(limit: number): Promise<AbandonedCartView[]>;
}

export const FACT_PARTITIONS = Symbol('FACT_PARTITIONS');

/** The day partitions of behaviour_events. */
export interface FactPartitions {
  /** Makes the partitions of these days that do not exist yet (safe under concurrency). */
  ensure(days: readonly string[]): Promise<number>;
  /** Drops every partition of a day before `day` (and the rollup rows of those days). */
  dropBefore(day: string): Promise<string[]>;
}

export const CART_ABANDONMENT = Symbol('CART_ABANDONMENT');

/**
 * Raises CartAbandoned for due carts: each in the same transaction as its mark (outbox), so
 * exactly once; a bounded batch per call, rows locked with SKIP LOCKED.
 */
export interface CartAbandonment {
  raiseDue(opts: {
    now: Date;
    abandonAfterMs: number;
    capMs: number;
    limit: number;
  }): Promise<number>;
}
