import { MARKETING_GROUP_BUY } from '@emporia/contracts';
import { eventHandler, NonRetriableError, on } from '@emporia/messaging';
import type { Logger } from '@emporia/platform';
import { UUID_RE } from '@emporia/domain';
import type { GroupBuyFacts, GroupBuyUseCase } from '../application/group-buy.use-case';

/** Handler of `marketing.group-buy`: GroupBuySucceeded and GroupBuyFailed; other types ignored. */
export function groupBuyEventsHandler(useCase: GroupBuyUseCase, logger: Logger) {
  const facts = (
    m: { groupId: string; orderIds: string[] },
    type: string,
    reason: string,
    at: string,
  ): GroupBuyFacts => {
    if (!m.groupId) throw new NonRetriableError(`${type} without a group id`);
    const bad = m.orderIds.filter((id) => !UUID_RE.test(id));
    if (bad.length)
      logger.warn(
        { groupId: m.groupId, orderIds: bad },
        `${type} names invalid order ids: skipped`,
      );
    const decidedAt = new Date(at);
    return {
      groupId: m.groupId,
      orderIds: [
        ...new Set(m.orderIds.filter((id) => UUID_RE.test(id)).map((id) => id.toLowerCase())),
      ],
      reason,
      decidedAt: Number.isNaN(decidedAt.getTime()) ? new Date() : decidedAt,
    };
  };
  return eventHandler(
    on(MARKETING_GROUP_BUY, {
      GroupBuySucceeded: async (m, event, ctx) => {
        const f = facts(m, event.eventType, '', m.succeededAt);
        const applied = await useCase.onSucceeded(ctx, event, f);
        logger.info({ groupId: f.groupId, orders: f.orderIds.length, applied }, 'group succeeded');
      },
      GroupBuyFailed: async (m, event, ctx) => {
        const f = facts(m, event.eventType, m.reason, m.failedAt);
        const applied = await useCase.onFailed(ctx, event, f);
        logger.info(
          { groupId: f.groupId, orders: f.orderIds.length, reason: f.reason, applied },
          'group failed',
        );
      },
    }),
  );
}
