import { ANALYTICS_BEHAVIOUR } from '@emporia/contracts';
import { newEvent, toWireMessage, type MessagePublisher } from '@emporia/messaging';
import type { BehaviourPublisher } from '../application/collection.ports';
import type { CollectedEvent } from '../domain/behaviour-validation';

/**
 * Behaviour events straight to `analytics.behaviour` with the Kafka handle's publisher
 * (idempotent producer, acks=all): key = anonymous id (one visitor's events stay ordered),
 * `event-id` = the event's own id (so a batch sent twice is stored once). No outbox: the
 * collector changes no local state.
 */
export class KafkaBehaviourPublisher implements BehaviourPublisher {
  constructor(
    private readonly publisher: MessagePublisher,
    private readonly topic: (base: string) => string,
  ) {}

  publish(events: readonly CollectedEvent[]): Promise<void> {
    const topic = this.topic(ANALYTICS_BEHAVIOUR.name);
    return this.publisher.publish(
      events.map((e) =>
        toWireMessage(
          newEvent(
            ANALYTICS_BEHAVIOUR.events.BehaviourEventReceived,
            topic,
            e.anonymousId,
            { event: e },
            {
              eventId: e.eventId,
              occurredAt: new Date(e.occurredAt),
            },
          ),
        ),
      ),
    );
  }
}
