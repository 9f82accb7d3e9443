import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import {
  inForce,
  validateCampaign,
  validatePromotionRecord,
  type Campaign,
  type PromotionRecord,
} from '../domain/campaign';
import { MarketingError } from '../domain/marketing-error';
import type { CartLine } from '../domain/promotion-engine';
import {
  previewPromotion,
  type PromotionPreview,
  type SampleBuyer,
} from '../domain/promotion-preview';
import { CLOCK, type Clock, type MarketingTx, UNIT_OF_WORK, type UnitOfWork } from './ports';

/** The promotion's campaign, null when it has none; CAMPAIGN_NOT_FOUND when that does not exist. */
async function campaignOf(tx: MarketingTx, p: PromotionRecord): Promise<Campaign | null> {
  if (!p.campaignId) return null;
  const campaign = await tx.campaigns.find(p.campaignId);
  if (!campaign)
    throw new MarketingError(
      'NOT_FOUND',
      'CAMPAIGN_NOT_FOUND',
      `campaign ${p.campaignId} does not exist`,
    );
  return campaign;
}

/** Operators keep campaigns and promotions as data; both are validated before they are saved. */
@Injectable()
export class AdminUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  upsertCampaign(ctx: RequestContext, c: Campaign): Promise<Campaign> {
    validateCampaign(c);
    return this.uow.run(ctx, async (tx) => {
      await tx.campaigns.upsert(c, this.clock.now());
      return c;
    });
  }

  listCampaigns(ctx: RequestContext): Promise<Campaign[]> {
    return this.uow.run(ctx, (tx) => tx.campaigns.list());
  }

  upsertPromotion(ctx: RequestContext, p: PromotionRecord): Promise<PromotionRecord> {
    validatePromotionRecord(p);
    return this.uow.run(ctx, async (tx) => {
      await campaignOf(tx, p);
      const before = await tx.promotions.find(p.id);
      if (before?.couponOnly && !p.couponOnly)
        throw new MarketingError(
          'FAILED_PRECONDITION',
          'PROMOTION_COUPON_ONLY',
          'a coupon promotion stays coupon-only (coupons were made for it)',
        );
      await tx.promotions.upsert(p, this.clock.now());
      return p;
    });
  }

  /**
   * A draft promotion priced on a sample cart by PriceCart's pricing, alone and as if in force
   * (`previewPromotion`), at `at` (default now): refused as `upsertPromotion` refuses it (the same
   * codes, its campaign included); nothing is stored.
   */
  async previewPromotion(
    ctx: RequestContext,
    draft: PromotionRecord,
    lines: CartLine[],
    buyer: Omit<SampleBuyer, 'now'> & { at?: Date },
  ): Promise<PromotionPreview> {
    validatePromotionRecord(draft);
    const campaign = await this.uow.read(ctx, (tx) => campaignOf(tx, draft));
    return previewPromotion(
      draft,
      lines,
      { ...buyer, now: buyer.at ?? this.clock.now() },
      campaign,
    );
  }

  /** Every promotion, or those in force at `at` (campaign windows included). */
  listPromotions(ctx: RequestContext, at?: Date): Promise<PromotionRecord[]> {
    return this.uow.run(ctx, async (tx) => {
      const all = await tx.promotions.list();
      if (!at) return all;
      const campaigns = new Map((await tx.campaigns.list()).map((c) => [c.id, c]));
      return all.filter((p) =>
        inForce(p, p.campaignId ? (campaigns.get(p.campaignId) ?? null) : null, at),
      );
    });
  }
}
