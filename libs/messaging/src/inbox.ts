import { Sql } from '@emporia/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import type { ReceivedEvent } from './event';

/**
 * Records that `consumer` handled `event`, inside the caller's transaction. Returns false when
 * it was already recorded: the caller must then skip the effect (redelivery changes nothing).
 */
export async function recordInInbox(
  manager: EntityManager,
  consumer: string,
  event: ReceivedEvent,
): Promise<boolean> {
  const rows = await new Sql(manager).rows<{ event_id: string }>(
    `INSERT INTO inbox (consumer, event_id, event_type, topic, kafka_partition, kafka_offset)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING event_id`,
    [consumer, event.eventId, event.eventType, event.topic, event.partition, event.offset],
  );
  return rows.length === 1;
}

/**
 * Wraps a handler whose effect is in this service's Postgres: the inbox row and the effect
 * commit in one transaction, so a redelivered event is recognised and skipped.
 */
export function idempotentHandler(
  ds: DataSource,
  consumer: string,
  handle: (event: ReceivedEvent, manager: EntityManager) => Promise<void>,
): (event: ReceivedEvent) => Promise<void> {
  return (event) =>
    ds.transaction(async (manager) => {
      if (await recordInInbox(manager, consumer, event)) {
        await handle(event, manager);
      }
    });
}
