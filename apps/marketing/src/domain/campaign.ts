import { MarketingError } from './marketing-error';
import { validatePromotion, type Promotion } from './promotion-engine';

/** A festival event: its promotions are in force only inside its window, and only while active. */
export interface Campaign {
  id: string;
  name: string;
  startsAt: Date;
  endsAt: Date;
  active: boolean;
}

/** A promotion as operators keep it: the engine's rule plus when it is in force. */
export interface PromotionRecord extends Promotion {
  campaignId: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  active: boolean;
  /** Applies only through a coupon of a template naming it. */
  couponOnly: boolean;
}

export function validateCampaign(c: Campaign): Campaign {
  if (!c.name.trim() || c.name.length > 200)
    throw new MarketingError('INVALID_ARGUMENT', 'CAMPAIGN_INVALID', 'a campaign has a name');
  if (c.startsAt.getTime() >= c.endsAt.getTime())
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'CAMPAIGN_INVALID',
      'a campaign ends after it starts',
    );
  return c;
}

export function validatePromotionRecord(p: PromotionRecord): PromotionRecord {
  validatePromotion(p);
  if (!p.name.trim() || p.name.length > 200)
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'PROMOTION_INVALID',
      `${p.id}: a promotion has a name`,
    );
  if (p.startsAt && p.endsAt && p.startsAt.getTime() >= p.endsAt.getTime())
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'PROMOTION_INVALID',
      `${p.id}: a promotion ends after it starts`,
    );
  if (p.couponOnly && p.conditions.some((c) => c.kind === 'COUPON'))
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'PROMOTION_INVALID',
      `${p.id}: a coupon-only promotion gets its coupon condition from each coupon`,
    );
  return p;
}

/**
 * Whether a promotion is in force at `now`: active, inside its own window if it has one, and
 * inside an active campaign's window if it belongs to one. Evaluated at pricing time, so a
 * campaign starts and stops exactly on time, with no job to run.
 */
export function inForce(p: PromotionRecord, campaign: Campaign | null, now: Date): boolean {
  const t = now.getTime();
  if (!p.active) return false;
  if (p.startsAt && t < p.startsAt.getTime()) return false;
  if (p.endsAt && t >= p.endsAt.getTime()) return false;
  if (p.campaignId) {
    if (!campaign || campaign.id !== p.campaignId || !campaign.active) return false;
    if (t < campaign.startsAt.getTime() || t >= campaign.endsAt.getTime()) return false;
  }
  return true;
}
