import { Inject, Injectable } from '@nestjs/common';
import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import { redeem } from '../domain/coupon';
import { join } from '../domain/group-buy';
import { MarketingError } from '../domain/marketing-error';
import { releaseOrderHolds } from './order-holds';
import {
  CLOCK,
  type Clock,
  FLASH_STORE,
  type FlashSaleStore,
  type MarketingTx,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

export const MARKETING_CONSUMER = 'marketing.orders';

/**
 * What order and user events change here, each applied once (inbox in the same transaction):
 * a placed order counts towards "first order"; a paid order redeems its coupons, marks its
 * flash purchase paid and takes its group seat (the seat that fills the group confirms every
 * order; a seat no longer there fails that order); a cancelled order gives everything back;
 * a tier change updates the member tier used by member prices and tier conditions.
 */
@Injectable()
export class OrderEventsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(FLASH_STORE) private readonly flash: FlashSaleStore,
  ) {}

  onOrderPlaced(ctx: RequestContext, event: ReceivedEvent, accountId: string): Promise<boolean> {
    return this.uow.runForEvent(ctx, MARKETING_CONSUMER, event, (tx) =>
      tx.customers.orderPlaced(accountId),
    );
  }

  async onOrderPaid(ctx: RequestContext, event: ReceivedEvent, orderId: string): Promise<boolean> {
    if (!(await this.holdsAny(ctx, orderId))) return false;
    return this.uow.runForEvent(ctx, MARKETING_CONSUMER, event, async (tx) => {
      const now = this.clock.now();
      for (const c of await tx.coupons.ofOrder(orderId, true)) {
        if (c.status === 'RESERVED' || c.status === 'REDEEMED') {
          const used = redeem(c, orderId);
          if (used !== c) await tx.coupons.save(used, now);
        }
      }
      const purchase = await tx.flash.purchaseOfOrder(orderId, true);
      if (purchase?.status === 'ORDERED')
        await tx.flash.setPurchase(purchase.token, 'PAID', orderId, now);
      await this.takeSeat(tx, orderId, now);
    });
  }

  async onOrderCancelled(
    ctx: RequestContext,
    event: ReceivedEvent,
    orderId: string,
  ): Promise<boolean> {
    if (!(await this.holdsAny(ctx, orderId))) return false;
    return this.uow.runForEvent(ctx, MARKETING_CONSUMER, event, (tx) =>
      releaseOrderHolds(tx, this.flash, orderId, this.clock.now()),
    );
  }

  onTierChanged(
    ctx: RequestContext,
    event: ReceivedEvent,
    accountId: string,
    tier: string,
    at: Date,
  ): Promise<boolean> {
    return this.uow.runForEvent(ctx, MARKETING_CONSUMER, event, (tx) =>
      tx.customers.setTier(accountId, tier, at),
    );
  }

  /**
   * Most orders hold nothing here (no coupon, flash purchase or group seat): their paid or
   * cancelled event changes nothing, so it is acknowledged after one read, without a transaction
   * or an inbox row (a redelivery reads again and changes nothing again). What an order holds is
   * written by PriceCart during its checkout, before the order exists.
   */
  private holdsAny(ctx: RequestContext, orderId: string): Promise<boolean> {
    return this.uow.read(ctx, (tx) => tx.coupons.orderHoldsAny(orderId));
  }

  /** The paid order takes its seat under the group's row lock: no seat is given twice. */
  private async takeSeat(tx: MarketingTx, orderId: string, now: Date): Promise<void> {
    const member = await tx.groups.memberOfOrder(orderId, true);
    if (!member || member.status !== 'PENDING') return;
    const group = (await tx.groups.findGroup(member.groupId, true))!;
    let outcome: ReturnType<typeof join>;
    try {
      outcome = join(group, member.accountId, orderId, now);
    } catch (e) {
      if (!(e instanceof MarketingError)) throw e;
      await tx.groups.setMemberStatus(orderId, 'FAILED', now);
      tx.events.groupFailed(group, [orderId], e.code, now);
      return;
    }
    await tx.groups.setMemberStatus(orderId, 'JOINED', now);
    if (outcome.result !== 'COMPLETED') return;
    await tx.groups.setGroupStatus(group.id, 'SUCCEEDED', now);
    tx.events.groupSucceeded(outcome.group, outcome.confirm, now);
    // orders still waiting for payment lost the race for the last seat: cancel them now
    const late = (await tx.groups.members(group.id)).filter((m) => m.status === 'PENDING');
    for (const m of late) await tx.groups.setMemberStatus(m.orderId, 'FAILED', now);
    if (late.length)
      tx.events.groupFailed(
        outcome.group,
        late.map((m) => m.orderId),
        'GROUP_FULL',
        now,
      );
  }
}
