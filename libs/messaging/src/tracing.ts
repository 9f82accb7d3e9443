import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { tracingEnabled } from '@emporia/platform';
import { HEADER, type ReceivedEvent, type WireMessage } from './event';

/**
 * The Kafka spans of a traced process (libs/platform tracing.ts; none otherwise). The trace of a
 * request goes on through its events: an outbox row keeps the `traceparent` of the request that
 * wrote it, its publish is a PRODUCER span under that request (whenever the relay sends it), the
 * message carries the publish span's `traceparent`, and each consumer's handling of it is a
 * CONSUMER span under the publish, in which the handler's own calls and statements nest.
 */
const tracer = () => trace.getTracer('@emporia/messaging');

const getter = {
  get: (carrier: Record<string, string | undefined>, key: string) => carrier[key],
  keys: (carrier: Record<string, string | undefined>) => Object.keys(carrier),
};

const parentOf = (traceparent: string | undefined) =>
  traceparent
    ? propagation.extract(ROOT_CONTEXT, { [HEADER.traceparent]: traceparent }, getter)
    : ROOT_CONTEXT;

function fail(span: Span, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

/**
 * Opens a PRODUCER span `send <topic>` for each message, under the request that wrote it, and
 * gives each message the `traceparent` of its span; the returned function ends them (with the
 * send's error, if it failed). Without tracing the messages are returned as they are.
 */
export function tracePublish(
  service: string,
  messages: WireMessage[],
): { messages: WireMessage[]; end: (error?: unknown) => void } {
  if (!tracingEnabled()) return { messages, end: () => undefined };
  const spans: Span[] = [];
  const traced = messages.map((m) => {
    const span = tracer().startSpan(
      `send ${m.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'send',
          'messaging.destination.name': m.topic,
          'messaging.message.id': m.headers[HEADER.eventId] ?? '',
          'messaging.kafka.message.key': m.key,
          'emporia.event.type': m.headers[HEADER.eventType] ?? '',
          'emporia.outbox.service': service,
        },
      },
      parentOf(m.headers[HEADER.traceparent]),
    );
    spans.push(span);
    const headers: Record<string, string> = { ...m.headers };
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
    return { ...m, headers };
  });
  return {
    messages: traced,
    end: (error?: unknown) => {
      for (const span of spans) {
        if (error !== undefined) fail(span, error);
        span.end();
      }
    },
  };
}

/**
 * Runs one try of handling `event` in a CONSUMER span `process <topic>` under the span that sent
 * it; a failed try is an error span. Without tracing, runs `handle` as it is.
 */
export function traceHandling(
  group: string,
  event: ReceivedEvent,
  handle: () => Promise<void>,
): Promise<void> {
  if (!tracingEnabled()) return handle();
  const span = tracer().startSpan(
    `process ${event.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': event.topic,
        'messaging.destination.partition.id': String(event.partition),
        'messaging.kafka.offset': Number(event.offset),
        'messaging.consumer.group.name': group,
        'messaging.message.id': event.eventId,
        'emporia.event.type': event.eventType,
      },
    },
    parentOf(event.traceparent),
  );
  return context.with(trace.setSpan(context.active(), span), async () => {
    try {
      await handle();
    } catch (e) {
      fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  });
}
