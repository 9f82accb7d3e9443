import { Inject, Injectable } from '@nestjs/common';
import type { ReceivedEvent } from '@emporia/messaging';
import { LOGGER, type Logger, type RequestContext } from '@emporia/platform';
import {
  confirmGroup,
  failGroup,
  GROUP_BUY_FAILED,
  groupRefundId,
  refundDue,
  refundFailedGroup,
  reservationAction,
} from '../domain/group-buy';
import type { Order } from '../domain/order';
import { OrderLifecycleUseCase } from './order-lifecycle.use-case';
import { refundThroughProvider } from './provider-refund';
import {
  CLOCK,
  type Clock,
  type OrderTx,
  PAYMENT_PROVIDERS,
  type PaymentProvider,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

/** The inbox name of order's group-buy consumer. */
export const GROUP_BUY_CONSUMER = 'order.group-buy';

/** The sweep leaves refunds younger than this to the event handler that started them. */
const REFUND_SWEEP_AFTER_MS = 30_000;

/** What a marketing group-buy event says about some orders of one group. */
export interface GroupBuyFacts {
  groupId: string;
  orderIds: string[];
  /** Why the group failed (DEADLINE_PASSED, GROUP_FULL); '' when it succeeded. */
  reason: string;
  decidedAt: Date;
}

/**
 * Marketing's group-buy outcomes. `GroupBuySucceeded` confirms each order of the group: a paid
 * one then commits its stock and ships, an unpaid one follows the normal flow once paid.
 * `GroupBuyFailed` cancels each unpaid order (stock and coupons released, `OrderCancelled`
 * GROUP_BUY_FAILED) and refunds each paid one in full (provider refund keyed `group-<orderId>`,
 * stock released, REFUNDED, `OrderRefunded` full). The decision commits with the inbox row, so a
 * redelivered event decides nothing twice; the follow-ups (catalog, provider) are idempotent and
 * run on every delivery, and the sweep finishes a refund a crash interrupted. Orders of another
 * group are ignored; orders not placed yet get the decision when their checkout finishes.
 */
@Injectable()
export class GroupBuyUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(PAYMENT_PROVIDERS) private readonly providers: Map<string, PaymentProvider>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly lifecycle: OrderLifecycleUseCase,
  ) {}

  async onSucceeded(ctx: RequestContext, event: ReceivedEvent, facts: GroupBuyFacts) {
    const applied = await this.uow.runForEvent(ctx, GROUP_BUY_CONSUMER, event, (tx) =>
      this.decide(tx, facts, 'CONFIRMED'),
    );
    await this.settle(ctx, facts);
    return applied;
  }

  async onFailed(ctx: RequestContext, event: ReceivedEvent, facts: GroupBuyFacts) {
    const applied = await this.uow.runForEvent(ctx, GROUP_BUY_CONSUMER, event, (tx) =>
      this.decide(tx, facts, 'FAILED'),
    );
    await this.settle(ctx, facts);
    return applied;
  }

  /** Finishes refunds of failed groups that an interrupted handler left undone. */
  async finishPending(ctx: RequestContext, limit = 50): Promise<number> {
    const olderThan = new Date(this.clock.now().getTime() - REFUND_SWEEP_AFTER_MS);
    const ids = await this.uow.run(ctx, (tx) => tx.orders.groupRefundsDue(limit, olderThan));
    for (const id of ids)
      await this.refund(ctx, id).catch((err: unknown) =>
        this.logger.warn({ err, orderId: id }, 'group-buy refund failed; retried by the sweep'),
      );
    return ids.length;
  }

  /** The decision, in the inbox transaction: group statuses, and cancellations of unpaid orders. */
  private async decide(
    tx: OrderTx,
    facts: GroupBuyFacts,
    decision: 'CONFIRMED' | 'FAILED',
  ): Promise<void> {
    const now = this.clock.now();
    for (const orderId of facts.orderIds) {
      const { order, coupons } = await this.lockMember(tx, orderId);
      const log = { orderId, groupId: facts.groupId, decision };
      if (!order) {
        // still being placed: its checkout applies the decision when it finishes
        await tx.groups.record({
          orderId,
          groupId: facts.groupId,
          decision,
          reason: facts.reason,
          decidedAt: facts.decidedAt,
        });
        this.logger.info(log, 'group decision for an order not placed yet: recorded');
        continue;
      }
      if (order.groupId !== facts.groupId) {
        this.logger.warn(
          { ...log, orderGroupId: order.groupId },
          'group-buy event names an order of another group: ignored',
        );
        continue;
      }
      const outcome =
        decision === 'CONFIRMED' ? confirmGroup(order, now) : failGroup(order, now, coupons);
      if (!outcome.changed) {
        if (outcome.conflict)
          this.logger.warn(
            { ...log, groupStatus: order.groupStatus },
            'group-buy event contradicts the decision already taken for this order: ignored',
          );
        continue;
      }
      await tx.orders.save(outcome);
    }
  }

  /**
   * Locks an order of the group and its checkout record. The checkout's last step locks that
   * record too, so a decision about an order still being placed is either seen by the checkout
   * or made after the order exists.
   */
  private async lockMember(
    tx: OrderTx,
    orderId: string,
  ): Promise<{ order: Order | null; coupons: string[] }> {
    let order = await tx.orders.findForUpdate(orderId);
    const checkout = await tx.checkouts.lock(orderId);
    order ??= await tx.orders.findForUpdate(orderId);
    return { order, coupons: checkout?.couponCodes ?? [] };
  }

  /**
   * After the decision: the catalog and the provider hear of it. Idempotent, run on every
   * delivery; a failure is left to the sweeps (reservation sync, refunds).
   */
  private async settle(ctx: RequestContext, facts: GroupBuyFacts): Promise<void> {
    for (const id of facts.orderIds) {
      try {
        const order = await this.uow.run(ctx, (tx) => tx.orders.find(id));
        if (!order || order.groupId !== facts.groupId) continue;
        if (refundDue(order)) await this.refund(ctx, id);
        else if (order.status === 'PAID' && reservationAction(order) === 'COMMIT')
          await this.lifecycle.syncReservation(ctx, id, order.reservationId, 'COMMIT');
        else if (reservationAction(order) === 'RELEASE')
          await this.lifecycle.syncReservation(
            ctx,
            id,
            order.reservationId,
            'RELEASE',
            GROUP_BUY_FAILED,
          );
      } catch (err) {
        this.logger.warn(
          { err, orderId: id, groupId: facts.groupId },
          'group-buy follow-up failed; the sweeps retry it',
        );
      }
    }
  }

  /**
   * Refunds a failed group's paid order in full: through the provider (idempotent by
   * `group-<orderId>`, so racing finishers refund once), then REFUNDED with `OrderRefunded` and
   * the payment marked refunded, in one transaction that only the first finisher completes.
   */
  private async refund(ctx: RequestContext, orderId: string): Promise<void> {
    const payment = (await this.uow.run(ctx, (tx) => tx.payments.succeededFor(orderId)))[0];
    const refundId = groupRefundId(orderId);
    await refundThroughProvider(
      this.providers,
      payment,
      payment?.amount,
      GROUP_BUY_FAILED,
      refundId,
    );
    if (!payment) {
      this.logger.warn({ orderId }, 'no captured payment to refund against: recorded only');
    }
    const refunded = await this.uow.run(ctx, async (tx) => {
      const current = await tx.orders.findForUpdate(orderId);
      if (!current || !refundDue(current)) return null;
      const next = refundFailedGroup(current, this.clock.now(), {
        refundId,
        amount: payment?.amount ?? current.total,
      });
      await tx.orders.save(next);
      if (payment) await tx.payments.setStatus(payment.id, 'REFUNDED');
      return next.order;
    });
    if (refunded)
      await this.lifecycle.syncReservation(
        ctx,
        orderId,
        refunded.reservationId,
        'RELEASE',
        GROUP_BUY_FAILED,
      );
  }
}
