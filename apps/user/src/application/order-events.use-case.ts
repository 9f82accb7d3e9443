import { Inject, Injectable } from '@nestjs/common';
import { Money, minorUnitExponent } from '@emporia/money';
import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import { earn, revokeEarn } from '../domain/points-ledger';
import {
  changeLoadedPoints,
  evaluateTierFrom,
  reevaluateTier,
  spendWindowStart,
} from './membership-rules';
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
      const now = this.clock.now();
      // the account's check and the membership's lock, one statement (no account: a guest's order)
      const tier = await tx.membership.lockMembershipOfAccount(facts.accountId, now);
      if (tier === null) return;
      // held: sent with the read below, which sees it
      await tx.membership.addSpend(facts.accountId, {
        ref: `order:${facts.orderId}`,
        amount: facts.amountPaid,
        at: facts.paidAt,
      });
      // the order's points slice and what the tier is evaluated from, in one read under the lock
      const read = await tx.membership.pointsTiersAndSpendSince(
        facts.accountId,
        [facts.orderId],
        spendWindowStart(now),
      );
      const points = this.pointsFor(facts.amountPaid);
      if (points > 0) {
        await changeLoadedPoints(tx, facts.accountId, read.points, (acc) =>
          earn(acc, {
            lotId: this.ids.newId(),
            ref: facts.orderId,
            points,
            now,
            expiresAt: new Date(now.getTime() + this.points.ttlMs),
          }),
        );
      }
      await evaluateTierFrom(tx, facts.accountId, tier, now, read);
    });
  }

  onOrderRefunded(
    ctx: RequestContext,
    event: ReceivedEvent,
    facts: OrderRefundedFacts,
  ): Promise<boolean> {
    return this.uow.runForEvent(ctx, POINTS_CONSUMER, event, async (tx) => {
      const now = this.clock.now();
      const tier = await tx.membership.lockMembershipOfAccount(facts.accountId, now);
      if (tier === null) return;
      // held: sent with the read below, which sees it
      await tx.membership.addSpend(facts.accountId, {
        ref: `refund:${facts.orderId}:${facts.refundId}`,
        amount: facts.amountRefunded.negate(),
        at: facts.refundedAt,
      });
      if (!facts.full) {
        await reevaluateTier(tx, facts.accountId, tier, now);
        return;
      }
      const read = await tx.membership.pointsTiersAndSpendSince(
        facts.accountId,
        [facts.orderId],
        spendWindowStart(now),
      );
      if (read.points.lots.some((l) => l.sourceRef === facts.orderId)) {
        await changeLoadedPoints(tx, facts.accountId, read.points, (acc) =>
          revokeEarn(acc, { ref: facts.orderId, now }),
        );
      }
      await evaluateTierFrom(tx, facts.accountId, tier, now, read);
    });
  }
}
