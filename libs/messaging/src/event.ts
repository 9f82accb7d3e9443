import { randomUUID } from 'node:crypto';
import type { EventType } from '@emporia/contracts';

/** Kafka header names every event carries (ARCHITECTURE.md "Contracts"). */
export const HEADER = {
  eventId: 'event-id',
  eventType: 'event-type',
  occurredAt: 'occurred-at',
  traceparent: 'traceparent',
  contentType: 'content-type',
} as const;

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

/** An event about to be written to the outbox. */
export interface NewEvent {
  topic: string;
  /** Aggregate id: all events of one aggregate go to one partition, in order. */
  key: string;
  type: string;
  payload: Uint8Array;
  eventId?: string;
  occurredAt?: Date;
  traceparent?: string;
}

/**
 * An outbox row for `message`, an event of a registered type (`@emporia/contracts` events.ts).
 * `topic` is the type's topic with the deployment's prefix (`topicName`); another topic throws,
 * so an event cannot be published where its consumers do not look.
 */
export function newEvent<T>(
  type: EventType<T>,
  topic: string,
  key: string,
  message: T,
  extra: { traceparent?: string; occurredAt?: Date; eventId?: string } = {},
): NewEvent {
  if (!topic.endsWith(type.topic))
    throw new Error(`${type.name} belongs on topic ${type.topic}, not ${topic}`);
  return { topic, key, type: type.name, payload: type.codec.encode(message).finish(), ...extra };
}

/**
 * An event as a Kafka message with the standard headers, for a publisher that sends it
 * directly (no outbox): only where there is no local state change to commit with it (e.g.
 * analytics' collector, whose events carry the client's own id as `event-id`).
 */
export function toWireMessage(e: NewEvent): WireMessage {
  const headers: Record<string, string> = {
    [HEADER.eventId]: e.eventId ?? randomUUID(),
    [HEADER.eventType]: e.type,
    [HEADER.occurredAt]: (e.occurredAt ?? new Date()).toISOString(),
    [HEADER.contentType]: PROTOBUF_CONTENT_TYPE,
    ...(e.traceparent ? { [HEADER.traceparent]: e.traceparent } : {}),
  };
  return { topic: e.topic, key: e.key, value: Buffer.from(e.payload), headers };
}

/** A message as it goes onto (or came off) the wire. */
export interface WireMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** An event delivered to a consumer. */
export interface ReceivedEvent extends WireMessage {
  eventId: string;
  eventType: string;
  occurredAt: string;
  traceparent?: string;
  partition: number;
  offset: string;
}

/** Decodes a received event's payload, checking that its type is the one expected. */
export function decodeEvent<T>(type: EventType<T>, event: ReceivedEvent): T {
  if (event.eventType !== type.name) {
    throw new NonRetriableError(`expected ${type.name}, got ${event.eventType}`);
  }
  try {
    return type.codec.decode(event.value);
  } catch (e) {
    throw new NonRetriableError(`cannot decode ${type.name}: ${(e as Error).message}`);
  }
}

/**
 * A failure retrying cannot fix (undecodable payload, unknown type): goes to the DLQ at once,
 * whatever it wraps (see `classifyFailure`).
 */
export class NonRetriableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

/** Topic names, with an optional prefix so test runs and tenants can share one cluster. */
export function topicName(prefix: string, base: string): string {
  return `${prefix}${base}`;
}

export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** A port: publishes messages durably (all in-sync replicas) or throws. */
export interface MessagePublisher {
  publish(messages: WireMessage[]): Promise<void>;
}
