import type { NewEvent } from '@emporia/messaging';
import type { Sql } from '@emporia/persistence';
import type { Fact, FactKind } from '../domain/facts';

/** What a projection may use besides the transaction. */
export interface ProjectionContext {
  /** Adds an event to the outbox in the fact's transaction (e.g. analytics.cart). */
  publish(event: NewEvent): void;
  /** The deployment's topic name of a registry topic (its KAFKA_TOPIC_PREFIX applied). */
  topic(baseName: string): string;
  timeZone: string;
}

/**
 * A projection keeps derived tables (rollups, pair counts, exposures, ...) up to date from
 * facts, incrementally: `apply` gets each new fact of its kinds once, inside the transaction
 * that records the fact, so the rollup and the fact can never disagree. Reads never recompute
 * from raw facts.
 */
export interface Projection {
  readonly name: string;
  readonly kinds: readonly FactKind[];
  apply(sql: Sql, fact: Fact, ctx: ProjectionContext): Promise<void>;
}
