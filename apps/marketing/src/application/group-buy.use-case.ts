import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { expire, type Group } from '../domain/group-buy';
import { MarketingError } from '../domain/marketing-error';
import { CLOCK, type Clock, type GroupDeal, UNIT_OF_WORK, type UnitOfWork } from './ports';

export const MAX_GROUP_WINDOW_SECONDS = 2 * 86_400;

/** Group deals, groups, and the deadline sweep that fails unfilled groups (refund everyone). */
@Injectable()
export class GroupBuyUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  createDeal(ctx: RequestContext, deal: GroupDeal): Promise<GroupDeal> {
    const bad = (m: string) => new MarketingError('INVALID_ARGUMENT', 'GROUP_DEAL_INVALID', m);
    if (!Number.isInteger(deal.groupSize) || deal.groupSize < 2 || deal.groupSize > 100)
      throw bad('a group has 2 to 100 participants');
    if (
      !Number.isInteger(deal.windowSeconds) ||
      deal.windowSeconds < 1 ||
      deal.windowSeconds > MAX_GROUP_WINDOW_SECONDS
    )
      throw bad(`a group fills within 1 to ${MAX_GROUP_WINDOW_SECONDS} seconds`);
    if (deal.startsAt.getTime() >= deal.endsAt.getTime()) throw bad('a deal ends after it starts');
    if (deal.price.isNegative()) throw bad('the price is not negative');
    return this.uow.run(ctx, async (tx) => {
      await tx.groups.insertDeal(deal, this.clock.now());
      return deal;
    });
  }

  async get(ctx: RequestContext, groupId: string): Promise<Group> {
    const g = await this.uow.run(ctx, (tx) => tx.groups.findGroup(groupId, false));
    if (!g)
      throw new MarketingError('NOT_FOUND', 'GROUP_NOT_FOUND', `group ${groupId} does not exist`);
    return g;
  }

  listOpen(ctx: RequestContext, dealId: string): Promise<(Group & { joined: number })[]> {
    return this.uow.run(ctx, (tx) => tx.groups.openGroups(dealId));
  }

  /** Fails groups past their deadline: every participant's order is cancelled or refunded. */
  async expireDue(ctx: RequestContext, limit = 100): Promise<number> {
    const now = this.clock.now();
    const due = await this.uow.run(ctx, (tx) => tx.groups.due(now, limit));
    let failed = 0;
    for (const id of due) {
      await this.uow.run(ctx, async (tx) => {
        const g = await tx.groups.findGroup(id, true);
        const outcome = g ? expire(g, now) : null;
        if (!g || !outcome) return;
        await tx.groups.setGroupStatus(id, 'FAILED', now);
        const orders = (await tx.groups.members(id)).filter(
          (m) => m.status === 'PENDING' || m.status === 'JOINED',
        );
        for (const m of orders) await tx.groups.setMemberStatus(m.orderId, 'FAILED', now);
        tx.events.groupFailed(
          outcome.group,
          orders.map((m) => m.orderId),
          'DEADLINE_PASSED',
          now,
        );
        failed++;
      });
    }
    return failed;
  }
}
