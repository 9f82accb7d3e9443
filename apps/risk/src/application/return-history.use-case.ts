import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import {
  cancellationFacts,
  deliveryFacts,
  RETURN_FACT_RETENTION_SECONDS,
  settledReturnFacts,
  type ReturnFact,
} from '../domain/return-facts';
import { CLOCK, type Clock, RETURN_FACTS, type ReturnFactStore } from './ports';

/** How many old facts one prune statement deletes; a sweep runs a few of them at most. */
export const PRUNE_BATCH = 5_000;
const PRUNE_BATCHES_PER_SWEEP = 20;

/**
 * The accounts' return history from `order.order` (RETURN_ABUSE rules, the fraud model): first
 * deliveries, settled returns and cancelled orders become facts, each recorded once by its
 * shipment, return or order id, so a
 * redelivered event, or a carrier's repeated DELIVERED, counts once. Facts older than the
 * retention (366 days: the longest window and a day) are not recorded and are pruned.
 */
@Injectable()
export class ReturnHistoryUseCase {
  constructor(
    @Inject(RETURN_FACTS) private readonly facts: ReturnFactStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `ShipmentTracked`: a DELIVERED first delivery records its lines. Returns how many facts were new. */
  onShipmentTracked(_ctx: RequestContext, e: Parameters<typeof deliveryFacts>[0]): Promise<number> {
    return this.record(deliveryFacts(e));
  }

  /** `ReturnSettled`: returned lines, an exchange, a refund without a return, a mismatch. */
  onReturnSettled(
    _ctx: RequestContext,
    e: Parameters<typeof settledReturnFacts>[0],
  ): Promise<number> {
    return this.record(settledReturnFacts(e));
  }

  /** `OrderCancelled`: the account's order was cancelled (the fraud model's cancel rate). */
  onOrderCancelled(
    _ctx: RequestContext,
    e: Parameters<typeof cancellationFacts>[0],
  ): Promise<number> {
    return this.record(cancellationFacts(e));
  }

  /** Deletes facts past the retention in bounded batches; returns how many. */
  async prune(_ctx: RequestContext): Promise<number> {
    const before = this.retentionStart();
    let deleted = 0;
    for (let i = 0; i < PRUNE_BATCHES_PER_SWEEP; i++) {
      const n = await this.facts.prune(before, PRUNE_BATCH);
      deleted += n;
      if (n < PRUNE_BATCH) break;
    }
    return deleted;
  }

  private record(facts: ReturnFact[]): Promise<number> {
    const from = this.retentionStart().getTime();
    return this.facts.record(facts.filter((f) => f.occurredAt.getTime() >= from));
  }

  private retentionStart(): Date {
    return new Date(this.clock.now().getTime() - RETURN_FACT_RETENTION_SECONDS * 1000);
  }
}
