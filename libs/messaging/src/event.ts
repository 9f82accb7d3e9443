import type { BinaryWriter } from '@bufbuild/protobuf/wire';

/** Kafka header names every event carries (ARCHITECTURE.md "Contracts"). */
export const HEADER = {
  eventId: 'event-id',
  eventType: 'event-type',
  occurredAt: 'occurred-at',
  traceparent: 'traceparent',
  contentType: 'content-type',
} as const;

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

/** The encode/decode pair ts-proto generates for every message. */
export interface MessageCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: Uint8Array, length?: number): T;
}

/**
 * An event type: routed by its fully-qualified protobuf name (which carries the version,
 * e.g. `emporia.catalog.v1.ProductCreated`), never by a class name.
 */
export interface EventType<T> {
  readonly name: string;
  readonly codec: MessageCodec<T>;
}

export function eventType<T>(name: string, codec: MessageCodec<T>): EventType<T> {
  return { name, codec };
}

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

export function newEvent<T>(
  type: EventType<T>,
  topic: string,
  key: string,
  message: T,
  extra: { traceparent?: string; occurredAt?: Date } = {},
): NewEvent {
  return { topic, key, type: type.name, payload: type.codec.encode(message).finish(), ...extra };
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
