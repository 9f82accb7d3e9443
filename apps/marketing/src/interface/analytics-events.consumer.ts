import { ANALYTICS_AUDIENCE, ANALYTICS_CART } from '@emporia/contracts';
import { eventHandler, NonRetriableError, on } from '@emporia/messaging';
import { UUID_RE } from '@emporia/domain';
import type { AudiencesUseCase } from '../application/audiences.use-case';

function requireIds(type: string, ids: string[]): void {
  if (!ids.every((id) => UUID_RE.test(id)))
    throw new NonRetriableError(`${type} without valid ids`);
}

/** Handler of `analytics.audience` (coupons for an audience) and `analytics.cart` (reminders). */
export function analyticsEventsHandler(useCase: AudiencesUseCase) {
  return eventHandler(
    on(ANALYTICS_AUDIENCE, {
      AudienceExported: async (m, event, ctx) => {
        requireIds(event.eventType, [m.audienceId, m.couponTemplateId, ...m.accountIds]);
        await useCase.onAudienceExported(ctx, event, {
          audienceId: m.audienceId.toLowerCase(),
          couponTemplateId: m.couponTemplateId.toLowerCase(),
          accountIds: m.accountIds.map((a) => a.toLowerCase()),
        });
      },
    }),
    on(ANALYTICS_CART, {
      CartAbandoned: async (m, event, ctx) => {
        requireIds(event.eventType, [m.accountId]);
        await useCase.onCartAbandoned(ctx, event, m.accountId.toLowerCase());
      },
    }),
  );
}
