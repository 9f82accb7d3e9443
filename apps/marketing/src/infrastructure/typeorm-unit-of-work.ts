import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { marketingV1 } from '@emporia/contracts';
import { eventType, newEvent, OutboxUnitOfWork, type NewEvent } from '@emporia/messaging';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type {
  Clock,
  IdGenerator,
  MarketingEvents,
  MarketingTx,
  Random,
  UnitOfWork,
} from '../application/ports';
import type { Group } from '../domain/group-buy';
import {
  SqlCampaignRepository,
  SqlCouponRepository,
  SqlCustomerRepository,
  SqlFlashRepository,
  SqlGroupRepository,
  SqlPromotionRepository,
} from './sql-marketing.repositories';

export const GROUP_BUY_TOPIC = 'marketing.group-buy';

export const MARKETING_EVENT_TYPES = {
  groupSucceeded: eventType(
    'emporia.marketing.v1.GroupBuySucceeded',
    marketingV1.GroupBuySucceeded,
  ),
  groupFailed: eventType('emporia.marketing.v1.GroupBuyFailed', marketingV1.GroupBuyFailed),
};

/** Group-buy outcomes as outbox rows on `marketing.group-buy`, keyed by group id. */
class OutboxMarketingEvents implements MarketingEvents {
  readonly pending: NewEvent[] = [];
  private readonly meta: { traceparent: string };

  constructor(
    private readonly topic: string,
    ctx: RequestContext,
  ) {
    this.meta = { traceparent: toTraceparent(ctx) };
  }

  groupSucceeded(g: Group, orderIds: string[], at: Date): void {
    this.pending.push(
      newEvent(
        MARKETING_EVENT_TYPES.groupSucceeded,
        this.topic,
        g.id,
        { groupId: g.id, dealId: g.dealId, orderIds, succeededAt: at.toISOString() },
        this.meta,
      ),
    );
  }

  groupFailed(g: Group, orderIds: string[], reason: string, at: Date): void {
    this.pending.push(
      newEvent(
        MARKETING_EVENT_TYPES.groupFailed,
        this.topic,
        g.id,
        { groupId: g.id, dealId: g.dealId, orderIds, reason, failedAt: at.toISOString() },
        this.meta,
      ),
    );
  }
}

/** One transaction per use case; events commit with the change; the relay is woken after. */
export class TypeormUnitOfWork extends OutboxUnitOfWork<MarketingTx> implements UnitOfWork {
  constructor(
    ds: DataSource,
    private readonly topic: string,
    onEventsCommitted?: () => void,
  ) {
    super(ds, onEventsCommitted);
  }

  protected open(manager: EntityManager, ctx: RequestContext) {
    const events = new OutboxMarketingEvents(this.topic, ctx);
    return {
      tx: {
        campaigns: new SqlCampaignRepository(manager),
        promotions: new SqlPromotionRepository(manager),
        coupons: new SqlCouponRepository(manager),
        customers: new SqlCustomerRepository(manager),
        flash: new SqlFlashRepository(manager),
        groups: new SqlGroupRepository(manager),
        events,
      },
      drain: () => events.pending.splice(0),
    };
  }
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };
export const nodeRandom: Random = (n) => randomBytes(n);
