import type { analyticsV1 } from '@emporia/contracts';
import { NonRetriableError } from '@emporia/messaging';
import { BEHAVIOUR_TYPES, dayOf, type BehaviourFact, type BehaviourType } from '../domain/facts';

/**
 * A behaviour event from `analytics.behaviour` as a fact. The collector checked it before
 * publishing (IngestBehaviourEvents), and fixed its time (`eventTime`); anything else here is
 * poison.
 */
export function behaviourFact(
  e: analyticsV1.BehaviourEvent,
  timeZone: string,
): Omit<BehaviourFact, 'eventId'> {
  if (!(BEHAVIOUR_TYPES as readonly string[]).includes(e.type))
    throw new NonRetriableError(`unknown behaviour type '${e.type}'`);
  const occurredAt = new Date(e.occurredAt);
  const receivedAt = new Date(e.receivedAt);
  if (Number.isNaN(occurredAt.getTime()) || Number.isNaN(receivedAt.getTime()))
    throw new NonRetriableError('behaviour event without its times');
  return {
    kind: 'behaviour',
    type: e.type as BehaviourType,
    anonymousId: e.anonymousId,
    accountId: e.accountId,
    sessionId: e.sessionId,
    occurredAt,
    receivedAt,
    day: dayOf(occurredAt, timeZone),
    channel: e.channel,
    utm: {
      source: e.utm?.source ?? '',
      medium: e.utm?.medium ?? '',
      campaign: e.utm?.campaign ?? '',
      term: e.utm?.term ?? '',
      content: e.utm?.content ?? '',
    },
    referrer: e.referrer,
    device: {
      type: e.device?.type ?? '',
      os: e.device?.os ?? '',
      browser: e.device?.browser ?? '',
    },
    page: e.page,
    productId: e.productId,
    skuId: e.skuId,
    quantity: e.quantity,
    query: e.query,
    resultCount: e.resultCount,
    bannerId: e.bannerId,
    experimentKey: e.experimentKey,
    variant: e.variant,
  };
}
