import type { Admin, Producer } from 'kafkajs';
import type { analyticsV1 } from '@emporia/contracts';
import { HEADER, PROTOBUF_CONTENT_TYPE } from '@emporia/messaging';
import { eventually, type MonthDomainEvent, Prng } from '@emporia/testing';

/**
 * How the month test publishes: behaviour events through IngestBehaviourEvents as the gateway
 * sends them (a batch per signed-in caller, the caller's account on the request), shuffled, with
 * duplicates and late stragglers; domain events to their topics with the outbox relay's headers,
 * with duplicates and some OrderPaid of an account delivered before its earlier order's.
 */

type Call = <T>(method: string, req: unknown) => Promise<T>;

/** A seeded shuffle (Fisher-Yates). */
export function shuffled<T>(xs: readonly T[], rng: Prng): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The behaviour events as the storefronts' batches would bring them: shuffled, 5% sent twice,
 * 3% held back and sent last (late). Batches group events of one caller (account or none).
 */
export function behaviourBatches(
  events: readonly analyticsV1.BehaviourEvent[],
  rng: Prng,
  batchSize: number,
): { accountId: string; events: analyticsV1.BehaviourEvent[] }[] {
  const all = shuffled(events, rng);
  const dupes = all.filter(() => rng.chance(0.05));
  const late = all.filter(() => rng.chance(0.03));
  const lateIds = new Set(late.map((e) => e.eventId));
  const first = shuffled([...all.filter((e) => !lateIds.has(e.eventId)), ...dupes], rng);
  const batches: { accountId: string; events: analyticsV1.BehaviourEvent[] }[] = [];
  for (const part of [first, late]) {
    const byCaller = new Map<string, analyticsV1.BehaviourEvent[]>();
    for (const e of part) byCaller.set(e.accountId, [...(byCaller.get(e.accountId) ?? []), e]);
    for (const [accountId, es] of byCaller)
      for (let i = 0; i < es.length; i += batchSize)
        batches.push({ accountId, events: es.slice(i, i + batchSize) });
  }
  return batches;
}

/** Sends batches through the collector, a few at a time; every event must be accepted. */
export async function ingest(
  call: Call,
  batches: readonly { accountId: string; events: analyticsV1.BehaviourEvent[] }[],
  parallel = 8,
): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < batches.length; i += parallel) {
    const answers = await Promise.all(
      batches.slice(i, i + parallel).map((b) =>
        call<analyticsV1.IngestBehaviourEventsResponse>('ingestBehaviourEvents', {
          events: b.events,
          receivedAt: new Date().toISOString(),
          accountId: b.accountId,
        }),
      ),
    );
    for (const a of answers) {
      if (a.rejected.length > 0)
        throw new Error(`refused: ${JSON.stringify(a.rejected.slice(0, 3))}`);
      accepted += a.accepted;
    }
  }
  return accepted;
}

/**
 * The domain events in delivery order: by time, except that for a few accounts with two paid
 * orders the later order's OrderPlaced and OrderPaid arrive before the earlier one's OrderPaid;
 * 5% of all events are delivered a second time, later.
 */
export function domainDelivery(events: readonly MonthDomainEvent[], rng: Prng): MonthDomainEvent[] {
  const out = [...events];
  const paidOf = (e: MonthDomainEvent) =>
    e.type.name === 'emporia.order.v1.OrderPaid'
      ? (e.message as { orderId: string; accountId: string })
      : null;
  const paidByAccount = new Map<string, MonthDomainEvent[]>();
  for (const e of out) {
    const p = paidOf(e);
    if (p) paidByAccount.set(p.accountId, [...(paidByAccount.get(p.accountId) ?? []), e]);
  }
  let swapped = 0;
  for (const paid of paidByAccount.values()) {
    if (paid.length < 2 || swapped >= 8) continue;
    const [earlier, later] = paid;
    const laterOrder = paidOf(later)!.orderId;
    const moved = out.filter(
      (e) =>
        (e.message as { orderId?: string }).orderId === laterOrder &&
        (e === later || e.type.name === 'emporia.order.v1.OrderPlaced'),
    );
    for (const m of moved) out.splice(out.indexOf(m), 1);
    out.splice(out.indexOf(earlier), 0, ...moved);
    swapped += 1;
  }
  if (swapped === 0) throw new Error('the month has no account with two paid orders');
  const dupes = out.filter(() => rng.chance(0.05));
  return [...out, ...dupes];
}

/** Publishes domain events as the outbox relay does (prefixed topic, key, standard headers). */
export async function publishDomain(
  producer: Producer,
  prefix: string,
  events: readonly MonthDomainEvent[],
): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const byTopic = new Map<string, MonthDomainEvent[]>();
    for (const e of events.slice(i, i + 500))
      byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
    await producer.sendBatch({
      topicMessages: [...byTopic.entries()].map(([topic, es]) => ({
        topic: `${prefix}${topic}`,
        messages: es.map((e) => ({
          key: e.key,
          value: Buffer.from(e.type.codec.encode(e.message as never).finish()),
          headers: {
            [HEADER.eventId]: e.eventId,
            [HEADER.eventType]: e.type.name,
            [HEADER.occurredAt]: e.occurredAt.toISOString(),
            [HEADER.contentType]: PROTOBUF_CONTENT_TYPE,
          },
        })),
      })),
    });
  }
}

/** Waits until the consumer group has committed every message of the topics. */
export async function drained(admin: Admin, groupId: string, topics: string[]): Promise<void> {
  await eventually(
    async () => {
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const end of ends) {
          const c = committed?.partitions.find((p) => p.partition === end.partition);
          const at = c ? Number(c.offset) : -1;
          if (Number(end.high) > 0 && at < Number(end.high)) return undefined;
        }
      }
      return true;
    },
    { timeoutMs: 300_000, intervalMs: 500, what: `${groupId} caught up with ${topics.join(', ')}` },
  );
}
