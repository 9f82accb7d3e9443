import { Inject, Injectable } from '@nestjs/common';
import { Money, minorUnitExponent } from '@emporia/money';
import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import { earn, revokeEarn } from '../domain/points-ledger';
import { changePoints, reevaluateTier } from './membership-rules';
import {
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  POINTS_SETTINGS,
  type PointsSettings,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

export const POINTS_CONSUMER = 'user.membership';

export interface OrderPaidFacts {
  orderId: string;
  accountId: string;
  amountPaid: Money;
  paidAt: Date;
}

export interface OrderRefundedFacts {
  orderId: string;
  accountId: string;
  refundId: string;
  amountRefunded: Money;
  refundedAt: Date;
  full: boolean;
}

/**
 * Membership effects of order events: a paid order adds spend and earns points (one lot per
 * order); a refund takes the spend back and, when full, revokes the order's unspent points.
 * Each event applies once (inbox in the same transaction); events for unknown accounts
 * (guest checkouts) are acknowledged and ignored.
 */
@Injectable()
export class OrderEventsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(POINTS_SETTINGS) private readonly points: PointsSettings,
  ) {}

  /** Points for an amount: whole major units times the rate (¥129.90 → 129 points at 1/yuan). */
  pointsFor(amount: Money): number {
    return (
      Math.floor(amount.amountMinor / 10 ** minorUnitExponent(amount.currency)) *
      this.points.perMajorUnit
    );
  }

  onOrderPaid(ctx: RequestContext, event: ReceivedEvent, facts: OrderPaidFacts): Promise<boolean> {
    return this.uow.runForEvent(ctx, POINTS_CONSUMER, event, async (tx) => {
      if (!(await tx.accounts.findById(facts.accountId))) return;
      const now = this.clock.now();
      const tier = await tx.membership.lockMembership(facts.accountId, now);
      await tx.membership.addSpend(facts.accountId, {
        ref: `order:${facts.orderId}`,
        amount: facts.amountPaid,
        at: facts.paidAt,
      });
      const points = this.pointsFor(facts.amountPaid);
      if (points > 0) {
        await changePoints(tx, facts.accountId, [facts.orderId], (acc) =>
          earn(acc, {
            lotId: this.ids.newId(),
            ref: facts.orderId,
            points,
            now,
            expiresAt: new Date(now.getTime() + this.points.ttlMs),
          }),
        );
      }
      await reevaluateTier(tx, facts.accountId, tier, now);
    });
  }

  onOrderRefunded(
    ctx: RequestContext,
    event: ReceivedEvent,
    facts: OrderRefundedFacts,
  ): Promise<boolean> {
    return this.uow.runForEvent(ctx, POINTS_CONSUMER, event, async (tx) => {
      if (!(await tx.accounts.findById(facts.accountId))) return;
      const now = this.clock.now();
      const tier = await tx.membership.lockMembership(facts.accountId, now);
      await tx.membership.addSpend(facts.accountId, {
        ref: `refund:${facts.orderId}:${facts.refundId}`,
        amount: facts.amountRefunded.negate(),
        at: facts.refundedAt,
      });
      if (facts.full) {
        const before = await tx.membership.loadPoints(facts.accountId, [facts.orderId]);
        if (before.lots.some((l) => l.sourceRef === facts.orderId)) {
          await changePoints(tx, facts.accountId, [facts.orderId], (acc) =>
            revokeEarn(acc, { ref: facts.orderId, now }),
          );
        }
      }
      await reevaluateTier(tx, facts.accountId, tier, now);
    });
  }
}
