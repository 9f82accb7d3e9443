import type { RequestContext } from '@emporia/platform';
import type { Fact } from '../domain/facts';

/**
 * The ports of the analytics use cases. Each area (collection and figures, customers,
 * experiments and recommendations, inventory and pricing) adds its own ports in a file of its
 * own (`<area>.ports.ts`); the ones every area shares are here.
 */

export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const ANALYTICS_SETTINGS = Symbol('ANALYTICS_SETTINGS');

/** Settings the use cases read (from the service's config). */
export interface AnalyticsSettings {
  /** IANA time zone whose local dates are the days of facts and rollups. */
  timeZone: string;
}

/** Where a consumed event's identity comes from: its Kafka coordinates, for the inbox. */
export interface FactSource {
  eventId: string;
  eventType: string;
  topic: string;
  partition: number;
  offset: string;
}

export const FACT_SINK = Symbol('FACT_SINK');

/**
 * Stores facts. `record` keeps a fact once per event id: the fact, every projection's effect
 * (rollups, recommendations, exposures, ...) and the events they raise commit in one
 * transaction with the inbox row, so a redelivered or duplicated event changes nothing.
 */
export interface FactSink {
  record(ctx: RequestContext, fact: Fact, source: FactSource): Promise<boolean>;
}
