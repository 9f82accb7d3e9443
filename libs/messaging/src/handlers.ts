import type { EventMessage, EventTopic, EventType, PayloadOf } from '@emporia/contracts';
import { contextFromTraceparent, runWithContext, type RequestContext } from '@emporia/platform';
import { decodeEvent, type ReceivedEvent } from './event';

/**
 * A consumer's handlers for one registered topic, by message name: each gets the decoded,
 * typed payload, the received event (id, headers, offset) and the request context of its
 * `traceparent` (the handler already runs in it). Types without a handler are ignored.
 */
export type EventHandlers<M extends Record<string, EventMessage>> = {
  readonly [K in keyof M]?: (
    message: PayloadOf<M[K]>,
    event: ReceivedEvent,
    ctx: RequestContext,
  ) => Promise<void>;
};

type AnyHandler = (message: unknown, event: ReceivedEvent, ctx: RequestContext) => Promise<void>;

/** One topic's handlers, ready to be routed (`eventHandler`). */
export interface TopicRoute {
  readonly topic: EventTopic;
  /** Handled event types, by name, with their types. */
  readonly routes: ReadonlyMap<string, { type: EventType; handle: AnyHandler }>;
}

/** The handlers of one registered topic (`@emporia/contracts` events.ts). */
export function on<M extends Record<string, EventMessage>>(
  topic: EventTopic<M>,
  handlers: EventHandlers<M>,
): TopicRoute {
  const routes = new Map<string, { type: EventType; handle: AnyHandler }>();
  for (const key of Object.keys(handlers) as (keyof M & string)[]) {
    const type = topic.events[key] as EventType | undefined;
    const handle = handlers[key] as AnyHandler | undefined;
    if (!type) throw new Error(`topic ${topic.name} has no event ${key}`);
    if (handle) routes.set(type.name, { type, handle });
  }
  return { topic: topic as unknown as EventTopic, routes };
}

/**
 * A consumer handler for one or more topics: routes a received event by its `event-type` to
 * the handler of that type, after decoding it (an undecodable payload is a NonRetriableError,
 * straight to the DLQ). Event types nobody here handles are skipped, so a producer may add
 * types its consumers do not know yet.
 */
export function eventHandler(...topics: TopicRoute[]): (event: ReceivedEvent) => Promise<void> {
  const routes = new Map<string, { type: EventType; handle: AnyHandler }>();
  for (const t of topics) {
    for (const [name, route] of t.routes) {
      if (routes.has(name)) throw new Error(`event type ${name} has two handlers`);
      routes.set(name, route);
    }
  }
  return async (event: ReceivedEvent): Promise<void> => {
    const route = routes.get(event.eventType);
    if (!route) return;
    const message = decodeEvent(route.type, event);
    const ctx = contextFromTraceparent(event.traceparent);
    await runWithContext(ctx, () => route.handle(message, event, ctx));
  };
}
