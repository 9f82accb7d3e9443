import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { MARKETING_COUPON, MARKETING_FLASH_SALE, MARKETING_GROUP_BUY } from '@emporia/contracts';
import { newEvent, OutboxUnitOfWork, type NewEvent } from '@emporia/messaging';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type {
  Clock,
  IdGenerator,
  MarketingEvents,
  MarketingTx,
  Random,
  UnitOfWork,
} from '../application/ports';
import type { Coupon, CouponTemplate } from '../domain/coupon';
import type { FlashSale } from '../domain/flash-sale';
import type { Group } from '../domain/group-buy';
import {
  SqlCampaignRepository,
  SqlCouponRepository,
  SqlCustomerRepository,
  SqlPricingReadRepository,
  SqlFlashRepository,
  SqlGroupRepository,
  SqlPromotionRepository,
} from './sql-marketing.repositories';
import { SqlAudienceRepository } from './sql-audience.repository';

/** The topics marketing publishes to, with the run's prefix applied. */
export interface MarketingTopics {
  groupBuy: string;
  flashSale: string;
  coupon: string;
}

const { GroupBuySucceeded, GroupBuyFailed } = MARKETING_GROUP_BUY.events;
const { FlashSaleScheduled } = MARKETING_FLASH_SALE.events;
const { CouponExpiring } = MARKETING_COUPON.events;

/**
 * Events as outbox rows: group-buy outcomes on `marketing.group-buy` keyed by group id, flash
 * sales on `marketing.flash-sale` keyed by sale id, coupon notices on `marketing.coupon` keyed by
 * coupon code.
 */
class OutboxMarketingEvents implements MarketingEvents {
  readonly pending: NewEvent[] = [];
  private readonly meta: { traceparent: string };

  constructor(
    private readonly topics: MarketingTopics,
    ctx: RequestContext,
  ) {
    this.meta = { traceparent: toTraceparent(ctx) };
  }

  groupSucceeded(g: Group, orderIds: string[], at: Date): void {
    this.pending.push(
      newEvent(
        GroupBuySucceeded,
        this.topics.groupBuy,
        g.id,
        { groupId: g.id, dealId: g.dealId, orderIds, succeededAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  groupFailed(g: Group, orderIds: string[], reason: string, at: Date): void {
    this.pending.push(
      newEvent(
        GroupBuyFailed,
        this.topics.groupBuy,
        g.id,
        { groupId: g.id, dealId: g.dealId, orderIds, reason, failedAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  flashSaleScheduled(s: FlashSale): void {
    this.pending.push(
      newEvent(
        FlashSaleScheduled,
        this.topics.flashSale,
        s.id,
        {
          sale: {
            id: s.id,
            skuId: s.skuId,
            price: { amountMinor: s.price.amountMinor, currency: s.price.currency },
            stock: s.stock,
            perUserLimit: s.perUserLimit,
            startsAt: s.startsAt.toISOString(),
            endsAt: s.endsAt.toISOString(),
          },
          productId: '',
        },
        this.meta,
      ),
    );
  }

  couponExpiring(c: Coupon, t: CouponTemplate, benefit: string): void {
    this.pending.push(
      newEvent(
        CouponExpiring,
        this.topics.coupon,
        c.code,
        {
          coupon: {
            code: c.code,
            templateId: t.id,
            name: t.name,
            status: c.status,
            orderId: c.orderId ?? '',
            validFrom: t.validFrom.toISOString(),
            validTo: t.validTo.toISOString(),
          },
          accountId: c.ownerId ?? '',
          benefit,
          expiresAt: t.validTo.toISOString(),
        },
        this.meta,
      ),
    );
  }
}

/** One transaction per use case; events commit with the change; the relay is woken after. */
export class TypeormUnitOfWork extends OutboxUnitOfWork<MarketingTx> implements UnitOfWork {
  constructor(
    ds: DataSource,
    private readonly topics: MarketingTopics,
    onEventsCommitted?: () => void,
  ) {
    super(ds, onEventsCommitted);
  }

  protected open(manager: EntityManager, ctx: RequestContext) {
    const events = new OutboxMarketingEvents(this.topics, ctx);
    return {
      tx: {
        campaigns: new SqlCampaignRepository(manager),
        promotions: new SqlPromotionRepository(manager),
        coupons: new SqlCouponRepository(manager),
        customers: new SqlCustomerRepository(manager),
        pricing: new SqlPricingReadRepository(manager),
        flash: new SqlFlashRepository(manager),
        groups: new SqlGroupRepository(manager),
        audiences: new SqlAudienceRepository(manager),
        events,
      },
      drain: () => events.pending.splice(0),
    };
  }
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };
export const nodeRandom: Random = (n) => randomBytes(n);
