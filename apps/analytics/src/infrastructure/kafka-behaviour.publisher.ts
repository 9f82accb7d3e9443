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
    /** The longest wait for the broker's acknowledgement (kafkajs retries for longer). */
    private readonly timeoutMs: number,
  ) {}

  async publish(events: readonly CollectedEvent[]): Promise<void> {
    const topic = this.topic(ANALYTICS_BEHAVIOUR.name);
    const sent = this.publisher.publish(
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
    // answered UNAVAILABLE in time; should the send still succeed, the client's retry of the
    // batch is de-duplicated by event id
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no acknowledgement within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([sent, timeout]);
    } finally {
      clearTimeout(timer);
      void sent.catch(() => undefined);
    }
  }
}
