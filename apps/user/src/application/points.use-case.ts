import { Inject, Injectable } from '@nestjs/common';
import { Money } from '@emporia/money';
import type { RequestContext } from '@emporia/platform';
import { assertNotDeleted } from '../domain/account';
import { balance, expire, redeem, refundRedemption, type PointsLot } from '../domain/points-ledger';
import { UserError } from '../domain/user-error';
import { changePoints, tiersAndRollingSpend } from './membership-rules';
import { CLOCK, type Clock, UNIT_OF_WORK, type UnitOfWork, type UserTx } from './ports';

export interface MembershipView {
  accountId: string;
  tierCode: string;
  tierName: string;
  rollingSpend: Money;
  pointsBalance: number;
  lots: PointsLot[];
}

/** Points spending, refunds, expiry sweeps and the membership view. */
@Injectable()
export class PointsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The account exists and is not erased (an erased account has no membership to show or use). */
  private async requireAccount(tx: UserTx, accountId: string): Promise<void> {
    assertNotDeleted(await tx.accounts.findById(accountId), accountId);
  }

  redeem(
    ctx: RequestContext,
    input: { accountId: string; points: number; ref: string },
  ): Promise<number> {
    if (!input.ref)
      throw new UserError(
        'INVALID_ARGUMENT',
        'POINTS_REF_REQUIRED',
        'a redemption needs a reference (e.g. the order id)',
      );
    return this.uow.run(ctx, async (tx) => {
      await this.requireAccount(tx, input.accountId);
      const now = this.clock.now();
      await tx.membership.lockMembership(input.accountId, now);
      const r = await changePoints(tx, input.accountId, [input.ref], (acc) =>
        redeem(acc, { ref: input.ref, points: input.points, now }),
      );
      return balance(r.account, now);
    });
  }

  refund(ctx: RequestContext, input: { accountId: string; ref: string }): Promise<number> {
    return this.uow.run(ctx, async (tx) => {
      await this.requireAccount(tx, input.accountId);
      const now = this.clock.now();
      await tx.membership.lockMembership(input.accountId, now);
      const r = await changePoints(tx, input.accountId, [input.ref], (acc) =>
        refundRedemption(acc, { ref: input.ref, now }),
      );
      return balance(r.account, now);
    });
  }

  /** Expires lots past their date, a bounded batch of accounts at a time; returns accounts swept. */
  async expireDue(ctx: RequestContext, batch = 200): Promise<number> {
    const now = this.clock.now();
    const accounts = await this.uow.run(ctx, (tx) =>
      tx.membership.accountsWithExpiredPoints(now, batch),
    );
    for (const accountId of accounts) {
      await this.uow.run(ctx, async (tx) => {
        await tx.membership.lockMembership(accountId, now);
        await changePoints(tx, accountId, [], (acc) => expire(acc, now));
      });
    }
    return accounts.length;
  }

  get(ctx: RequestContext, accountId: string): Promise<MembershipView> {
    return this.uow.run(ctx, async (tx) => {
      await this.requireAccount(tx, accountId);
      const now = this.clock.now();
      const code = await tx.membership.lockMembership(accountId, now);
      const { tiers, spend } = await tiersAndRollingSpend(tx, accountId, now);
      const tier = tiers.find((t) => t.code === code) ?? tiers[0];
      const points = await tx.membership.loadPoints(accountId, []);
      const lots = points.lots
        .filter((l) => l.remaining > 0 && l.expiresAt > now)
        .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
      return {
        accountId,
        tierCode: tier.code,
        tierName: tier.name,
        rollingSpend: spend,
        pointsBalance: balance(points, now),
        lots,
      };
    });
  }
}
