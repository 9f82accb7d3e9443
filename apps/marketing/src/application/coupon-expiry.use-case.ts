import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { couponBenefit, expiryNoticeWindow } from '../domain/coupon-expiry';
import {
  CLOCK,
  COUPON_EXPIRY_SETTINGS,
  type Clock,
  type CouponExpirySettings,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

/**
 * The coupon expiry notice (a sweep): accounts holding an unused coupon that expires within
 * `noticeHours` get one `CouponExpiring` per coupon, which the notification service turns into
 * a reminder.
 */
@Injectable()
export class CouponExpiryUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUPON_EXPIRY_SETTINGS) private readonly settings: CouponExpirySettings,
  ) {}

  /**
   * One run: up to `batchSize` coupons due for a notice, soonest expiry first, marked noticed
   * and announced in one transaction (the event goes through the outbox with the mark, so a
   * coupon is announced once whatever the retries or replicas; rows a concurrent run holds are
   * skipped). Returns how many were announced; the rest wait for the next run.
   */
  async sweep(ctx: RequestContext): Promise<number> {
    const window = expiryNoticeWindow(this.clock.now(), this.settings.noticeHours);
    if (!window) return 0;
    return this.uow.run(ctx, async (tx) => {
      const due = await tx.coupons.expiringUnnoticed(
        window.from,
        window.until,
        this.settings.batchSize,
      );
      if (due.length === 0) return 0;
      const templates = new Map(
        (await tx.coupons.findTemplates([...new Set(due.map((c) => c.templateId))])).map((t) => [
          t.id,
          t,
        ]),
      );
      const promotions = new Map(
        (
          await tx.promotions.findMany([
            ...new Set([...templates.values()].map((t) => t.promotionId)),
          ])
        ).map((p) => [p.id, p]),
      );
      await tx.coupons.markExpiryNoticed(
        due.map((c) => c.code),
        window.from,
      );
      for (const c of due) {
        const t = templates.get(c.templateId)!;
        tx.events.couponExpiring(
          c,
          t,
          couponBenefit(promotions.get(t.promotionId)?.action, t.name),
        );
      }
      return due.length;
    });
  }
}
