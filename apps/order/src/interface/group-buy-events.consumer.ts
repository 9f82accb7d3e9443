import { marketingV1 } from '@emporia/contracts';
import { decodeEvent, eventType, NonRetriableError, type ReceivedEvent } from '@emporia/messaging';
import { contextFromTraceparent, runWithContext, type Logger } from '@emporia/platform';
import type { GroupBuyFacts, GroupBuyUseCase } from '../application/group-buy.use-case';

/** Marketing's group-buy outcomes, keyed by group id. */
export const GROUP_BUY_TOPIC = 'marketing.group-buy';

export const GROUP_BUY_EVENT_TYPES = {
  succeeded: eventType('emporia.marketing.v1.GroupBuySucceeded', marketingV1.GroupBuySucceeded),
  failed: eventType('emporia.marketing.v1.GroupBuyFailed', marketingV1.GroupBuyFailed),
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  return async (event: ReceivedEvent): Promise<void> => {
    const ctx = contextFromTraceparent(event.traceparent);
    await runWithContext(ctx, async () => {
      if (event.eventType === GROUP_BUY_EVENT_TYPES.succeeded.name) {
        const m = decodeEvent(GROUP_BUY_EVENT_TYPES.succeeded, event);
        const f = facts(m, event.eventType, '', m.succeededAt);
        const applied = await useCase.onSucceeded(ctx, event, f);
        logger.info({ groupId: f.groupId, orders: f.orderIds.length, applied }, 'group succeeded');
      } else if (event.eventType === GROUP_BUY_EVENT_TYPES.failed.name) {
        const m = decodeEvent(GROUP_BUY_EVENT_TYPES.failed, event);
        const f = facts(m, event.eventType, m.reason, m.failedAt);
        const applied = await useCase.onFailed(ctx, event, f);
        logger.info(
          { groupId: f.groupId, orders: f.orderIds.length, reason: f.reason, applied },
          'group failed',
        );
      }
    });
  };
}
