import { Inject, Injectable } from '@nestjs/common';
import { Money } from '@emporia/money';
import type { RequestContext } from '@emporia/platform';
import { type Campaign, inForce, type PromotionRecord } from '../domain/campaign';
import { priceCheckout, type SpecialPrice } from '../domain/checkout-pricing';
import { reserve, type Coupon } from '../domain/coupon';
import { openGroup } from '../domain/group-buy';
import { MarketingError } from '../domain/marketing-error';
import type { CartLine, PricingResult, Promotion } from '../domain/promotion-engine';
import { parseCode } from './coupons.use-case';
import { recordPendingWins } from './flash-wins';
import { releaseOrderHolds } from './order-holds';
import {
  CLOCK,
  type Clock,
  FLASH_SETTINGS,
  FLASH_STORE,
  type FlashSaleStore,
  type FlashSettings,
  ID_GENERATOR,
  type IdGenerator,
  type MarketingTx,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

export interface PriceCartInput {
  orderId: string;
  accountId: string;
  lines: CartLine[];
  couponCodes: string[];
  channel: string;
  memberTier: string;
  firstOrder: boolean;
  flashToken: string;
  /** The sale the token names (parsed from it by the interface). */
  flashSaleId: string | null;
  groupDealId: string;
  groupId: string;
}

export interface PricedCheckout extends PricingResult {
  explanation: string[];
  reservedCoupons: string[];
  group: { id: string; deadline: Date } | null;
}

const fail = (kind: MarketingError['kind'], code: string, message: string) =>
  new MarketingError(kind, code, message);

/** A flash token not found: its win may still be in the sale's win list only. */
class WinNotRecorded extends Error {
  constructor(readonly saleId: string) {
    super(`flash-sale wins of ${saleId} not recorded yet`);
  }
}

/**
 * PriceCart: the promotions in force (campaign windows evaluated now), the buyer's coupons,
 * and a flash-sale or group-buy line at its own price; everything the price relies on is
 * reserved for the order in the same transaction (coupons RESERVED, the flash token ORDERED,
 * a pending group seat), so a repeated call for the same order is the same answer and a
 * failed checkout gives it all back through ReleaseCoupons.
 */
@Injectable()
export class PricingUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(FLASH_STORE) private readonly flash: FlashSaleStore,
    @Inject(FLASH_SETTINGS) private readonly flashSettings: Pick<FlashSettings, 'tokenTtlMs'>,
  ) {}

  /**
   * A flash token whose win is not in the database yet (a gateway decided it, and the sweep has
   * not recorded it): the sale's pending wins are recorded and the cart priced again, once.
   */
  async priceCart(ctx: RequestContext, input: PriceCartInput): Promise<PricedCheckout> {
    try {
      return await this.priceOnce(ctx, input, false);
    } catch (e) {
      if (!(e instanceof WinNotRecorded)) throw e;
      await recordPendingWins(
        { uow: this.uow, store: this.flash, tokenTtlMs: this.flashSettings.tokenTtlMs },
        ctx,
        e.saleId,
      );
      return this.priceOnce(ctx, input, true);
    }
  }

  private priceOnce(
    ctx: RequestContext,
    input: PriceCartInput,
    winsRecorded: boolean,
  ): Promise<PricedCheckout> {
    const codes = [...new Set(input.couponCodes.map(parseCode))];
    if (codes.length > 5)
      throw fail('INVALID_ARGUMENT', 'TOO_MANY_COUPONS', 'at most 5 coupons per order');
    // without coupons, a flash token or a group deal nothing is held: pricing only reads (no
    // transaction, no BEGIN/COMMIT round trips); otherwise the holds commit with the price
    const holds = codes.length > 0 || Boolean(input.flashToken) || Boolean(input.groupDealId);
    const unit = holds ? this.uow.run.bind(this.uow) : this.uow.read.bind(this.uow);
    return unit(ctx, async (tx) => {
      const now = this.clock.now();
      // the buyer's facts, the promotions that may apply and their campaigns: one round trip
      const { facts, candidates, campaigns } = await tx.pricing.inputs(input.accountId, now);
      const promotions = inForceOf(candidates, campaigns, now);
      const notes: string[] = [];
      const couponPromos = await this.couponPromotions(tx, input, codes, now, notes);
      const specials: SpecialPrice[] = [];
      const flashToken = input.flashToken
        ? await this.takeFlashToken(tx, input, now, specials, winsRecorded)
        : null;
      const group = input.groupDealId ? await this.takeGroupSeat(tx, input, now, specials) : null;

      const priced = priceCheckout(
        input.lines,
        [...promotions, ...couponPromos.map((c) => c.promotion)],
        {
          memberTier: input.memberTier || facts?.tier || '',
          firstOrder: input.firstOrder || !facts || facts.ordersPlaced === 0,
          channel: input.channel,
          couponCodes: codes,
          now,
          shipping: Money.zero(input.lines[0].unitPrice.currency),
        },
        specials,
      );
      const reserved: string[] = [];
      for (const c of couponPromos) {
        if (priced.couponsUsed.includes(c.coupon.code)) {
          if (c.reserved !== c.coupon) await tx.coupons.save(c.reserved, now);
          reserved.push(c.coupon.code);
        } else notes.push(`coupon ${c.coupon.code}: its conditions are not met, not used`);
      }
      if (flashToken) await tx.flash.setPurchase(flashToken, 'ORDERED', input.orderId, now);
      return {
        ...priced,
        explanation: [...priced.applied.map((a) => a.explanation), ...notes],
        reservedCoupons: reserved,
        group,
      };
    });
  }

  /** Compensation for a checkout that failed after pricing. Idempotent. */
  release(ctx: RequestContext, orderId: string): Promise<void> {
    return this.uow.run(ctx, (tx) => releaseOrderHolds(tx, this.flash, orderId, this.clock.now()));
  }

  /** Each coupon, checked for this buyer and order, as its promotion with a COUPON condition. */
  private async couponPromotions(
    tx: MarketingTx,
    input: PriceCartInput,
    codes: string[],
    now: Date,
    notes: string[],
  ): Promise<{ coupon: Coupon; reserved: Coupon; promotion: Promotion }[]> {
    if (codes.length === 0) return [];
    const coupons = await tx.coupons.findMany(codes, true);
    const missing = codes.filter((c) => !coupons.some((x) => x.code === c));
    if (missing.length)
      throw fail('NOT_FOUND', 'COUPON_NOT_FOUND', `coupon ${missing[0]} does not exist`);
    const templates = new Map(
      (await tx.coupons.findTemplates([...new Set(coupons.map((c) => c.templateId))])).map((t) => [
        t.id,
        t,
      ]),
    );
    const promos = new Map(
      (await tx.promotions.findMany([...templates.values()].map((t) => t.promotionId))).map((p) => [
        p.id,
        p,
      ]),
    );
    const out: { coupon: Coupon; reserved: Coupon; promotion: Promotion }[] = [];
    const seen = new Set<string>();
    for (const c of coupons) {
      const t = templates.get(c.templateId)!;
      const reserved = reserve(c, t, input.accountId, input.orderId, now);
      const p = promos.get(t.promotionId)!;
      if (seen.has(p.id))
        throw fail('INVALID_ARGUMENT', 'COUPON_STACKING', `one coupon per offer: ${t.name}`);
      seen.add(p.id);
      const campaign = p.campaignId ? await tx.campaigns.find(p.campaignId) : null;
      if (!inForce({ ...p, couponOnly: false }, campaign, now)) {
        notes.push(`coupon ${c.code}: its offer is not running now, not used`);
        continue;
      }
      out.push({
        coupon: c,
        reserved,
        promotion: {
          ...p,
          id: `${p.id}:${c.code}`,
          name: `${t.name} (${c.code})`,
          conditions: [...p.conditions, { kind: 'COUPON', code: c.code }],
        },
      });
    }
    return out;
  }

  private async takeFlashToken(
    tx: MarketingTx,
    input: PriceCartInput,
    now: Date,
    specials: SpecialPrice[],
    winsRecorded: boolean,
  ): Promise<string> {
    const invalid = () =>
      fail('FAILED_PRECONDITION', 'FLASH_TOKEN_INVALID', 'this flash-sale token is not valid');
    if (!input.flashSaleId) throw invalid();
    const p = await tx.flash.findPurchase(input.flashToken, true);
    if (!p && !winsRecorded) throw new WinNotRecorded(input.flashSaleId);
    if (!p || p.accountId !== input.accountId || p.saleId !== input.flashSaleId) throw invalid();
    if (p.status !== 'WON' && !(p.status === 'ORDERED' && p.orderId === input.orderId))
      throw fail(
        'FAILED_PRECONDITION',
        'FLASH_TOKEN_USED',
        'this flash-sale token was used or returned',
      );
    if (p.status === 'WON' && p.expiresAt.getTime() <= now.getTime())
      throw fail('FAILED_PRECONDITION', 'FLASH_TOKEN_EXPIRED', 'this flash-sale token has expired');
    const sale = (await tx.flash.findSale(p.saleId))!;
    specials.push({
      skuId: sale.skuId,
      unitPrice: sale.price,
      quantity: p.quantity,
      label: 'Flash sale',
    });
    return p.token;
  }

  private async takeGroupSeat(
    tx: MarketingTx,
    input: PriceCartInput,
    now: Date,
    specials: SpecialPrice[],
  ): Promise<{ id: string; deadline: Date }> {
    const deal = await tx.groups.findDeal(input.groupDealId);
    if (!deal)
      throw fail(
        'NOT_FOUND',
        'GROUP_DEAL_NOT_FOUND',
        `group deal ${input.groupDealId} does not exist`,
      );
    specials.push({ skuId: deal.skuId, unitPrice: deal.price, quantity: 1, label: 'Group buy' });
    const mine = await tx.groups.memberOfOrder(input.orderId, true);
    if (mine) {
      // the same order priced again: the same seat
      const g = (await tx.groups.findGroup(mine.groupId, false))!;
      return { id: g.id, deadline: g.deadline };
    }
    if (now.getTime() < deal.startsAt.getTime() || now.getTime() >= deal.endsAt.getTime())
      throw fail('FAILED_PRECONDITION', 'GROUP_DEAL_CLOSED', 'this group deal is not running now');
    let groupId = input.groupId;
    let deadline: Date;
    if (groupId) {
      const g = await tx.groups.findGroup(groupId, true);
      if (!g || g.dealId !== deal.id)
        throw fail('NOT_FOUND', 'GROUP_NOT_FOUND', `group ${groupId} of this deal does not exist`);
      if (g.status !== 'OPEN' || g.deadline.getTime() <= now.getTime())
        throw fail(
          'FAILED_PRECONDITION',
          g.status === 'SUCCEEDED' ? 'GROUP_FULL' : 'GROUP_CLOSED',
          `group ${g.id} is not open`,
        );
      if (g.participants.some((p) => p.accountId === input.accountId))
        throw fail('FAILED_PRECONDITION', 'GROUP_ALREADY_JOINED', 'one seat per account');
      deadline = g.deadline;
    } else {
      const g = openGroup({
        id: this.ids.newId(),
        dealId: deal.id,
        size: deal.groupSize,
        deadline: new Date(now.getTime() + deal.windowSeconds * 1000),
        now,
      });
      await tx.groups.insertGroup(g, now);
      groupId = g.id;
      deadline = g.deadline;
    }
    await tx.groups.addPending(
      { groupId, orderId: input.orderId, accountId: input.accountId, status: 'PENDING' },
      now,
    );
    return { id: groupId, deadline };
  }
}

/** The candidates in force at `now` with their campaigns (a campaign not found: not in force). */
function inForceOf(
  candidates: PromotionRecord[],
  campaigns: Campaign[],
  now: Date,
): PromotionRecord[] {
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  return candidates.filter((p) =>
    inForce(p, p.campaignId ? (byId.get(p.campaignId) ?? null) : null, now),
  );
}
