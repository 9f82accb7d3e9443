import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger, type RequestContext } from '@emporia/platform';
import { OrderError } from '../domain/order-error';
import { RETRYABLE_REFUSALS } from '../domain/step-up';
import {
  CATALOG,
  type CatalogPort,
  CHECKOUT_SETTINGS,
  type CheckoutRecord,
  type CheckoutSettings,
  CLOCK,
  type Clock,
  PRICING,
  type PricingPort,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import type { Undo } from './saga';

/** What a checkout step's compensation is told, under the checkout record's lock. */
export interface CheckoutUndoGuard {
  /** This attempt still owns the record (STARTED, its attempt id): it was not taken over. */
  owned: boolean;
  /** The record is PLACED with this attempt's reservation (the commit's answer was lost). */
  placedWithIt: boolean;
}

/**
 * What keeps a checkout key from being stuck: the lease an attempt renews while it runs, the
 * compensation of a failed attempt, and the sweep of attempts that went silent (their process
 * died) and that nobody retried. See `CheckoutUseCase` for the saga and the take-over.
 */
@Injectable()
export class CheckoutAttemptsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CATALOG) private readonly catalog: CatalogPort,
    @Inject(PRICING) private readonly pricing: PricingPort,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CHECKOUT_SETTINGS) private readonly settings: CheckoutSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Renews the attempt's lease while it runs (a dead process renews nothing). */
  heartbeat(ctx: RequestContext, key: string, attemptId: string): { stop(): Promise<void> } {
    let beating: Promise<void> | undefined;
    const timer = setInterval(
      () => {
        beating ??= this.uow
          .run(ctx, (tx) => tx.checkouts.heartbeat(key, attemptId, this.clock.now()))
          .then(
            () => undefined,
            (err: unknown) =>
              this.logger.warn({ err, checkoutKey: key }, 'checkout heartbeat failed'),
          )
          .finally(() => (beating = undefined));
      },
      Math.max(50, Math.floor(this.settings.checkoutLeaseMs / 3)),
    );
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await beating;
      },
    };
  }

  /**
   * Undoes what the attempt did: the compensations of the saga steps it started (`undo`, see
   * `CheckoutUseCase.saga`: its own reservation goes unless the record says the order was placed
   * with it; the coupons go while it still owns the record). While it owns the record, the record
   * then says how the checkout ended: FAILED for a refusal (retries get it again), ABANDONED for
   * a passing failure (a retry runs the saga again). That happens under the record's lock, so no
   * retry takes over halfway. When compensating fails (the catalog or
   * the database is down) the record stays STARTED; the attempt gives up its lease, so the next
   * retry takes over and compensates (or, without database, the lease simply runs out).
   */
  async compensate(
    ctx: RequestContext,
    record: CheckoutRecord,
    attemptId: string,
    e: unknown,
    heartbeat: { stop(): Promise<void> },
    undo: Undo<CheckoutUndoGuard>,
  ): Promise<void> {
    const code = e instanceof OrderError ? e.code : 'CHECKOUT_FAILED';
    const message = e instanceof OrderError ? e.message : 'the checkout failed; try again';
    // a refusal a retry may pass (STEP_UP_REQUIRED: the caller steps up and sends it again) is
    // not final either: the same key runs the checkout again
    const transient =
      !(e instanceof OrderError) ||
      e.kind === 'UNAVAILABLE' ||
      e.kind === 'ABORTED' ||
      RETRYABLE_REFUSALS.has(e.code);
    try {
      await this.uow.run(ctx, async (tx) => {
        const current = await tx.checkouts.lock(record.key);
        const owned = current?.status === 'STARTED' && current.attemptId === attemptId;
        const placedWithIt =
          current?.status === 'PLACED' && current.reservationId === record.reservationId;
        await undo({ owned, placedWithIt });
        if (!owned) return;
        if (transient) await tx.checkouts.finish(record.key, 'ABANDONED', { code, message });
        else await tx.checkouts.finish(record.key, 'FAILED', { code, message });
      });
    } catch (err) {
      this.logger.warn(
        { err, checkoutKey: record.key },
        'checkout compensation failed: the next retry with the key (or the sweep) finishes it',
      );
      // no heartbeat may renew the lease after it is given up
      await heartbeat.stop();
      const expiredAt = new Date(this.clock.now().getTime() - this.settings.checkoutLeaseMs);
      await this.uow
        .run(ctx, (tx) => tx.checkouts.releaseLease(record.key, attemptId, expiredAt))
        .catch(() => undefined);
    }
  }

  /**
   * Checkouts whose attempt went silent (its process died, or it lost the database) and that
   * nobody retried within `checkoutAbandonAfterMs`: their stock and coupons are released and
   * they become ABANDONED, which a retry with the same key runs again. Each under the record's
   * lock, re-checked there, so a retry taking it over meanwhile wins; a release that fails leaves
   * the record for the next sweep.
   */
  async sweepStale(ctx: RequestContext, limit = 100): Promise<number> {
    const olderThan = new Date(this.clock.now().getTime() - this.settings.checkoutAbandonAfterMs);
    const stale = await this.uow.run(ctx, (tx) => tx.checkouts.stale(olderThan, limit));
    for (const r of stale) {
      try {
        await this.uow.run(ctx, async (tx) => {
          const current = await tx.checkouts.lock(r.key);
          if (current?.status !== 'STARTED' || current.heartbeatAt.getTime() >= olderThan.getTime())
            return;
          await this.catalog.release(ctx, current.reservationId, 'CHECKOUT_ABANDONED');
          await this.pricing.releaseCoupons(ctx, current.orderId, 'CHECKOUT_ABANDONED');
          await tx.checkouts.finish(r.key, 'ABANDONED', {
            code: 'CHECKOUT_ABANDONED',
            message: 'the checkout was interrupted; retry with the same key',
          });
        });
      } catch (err) {
        this.logger.warn({ err, checkoutKey: r.key }, 'interrupted checkout not released yet');
      }
    }
    return stale.length;
  }
}
