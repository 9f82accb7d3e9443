import { SUPPORT_TICKET } from '@emporia/contracts';
import { newEvent, type NewEvent } from '@emporia/messaging';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type { TicketEvent, TicketState } from '../domain/ticket';

const E = SUPPORT_TICKET.events;

/** Turns a ticket's recorded events into outbox rows on `support.ticket`, keyed by ticket id. */
export class OutboxTicketEvents {
  private readonly pending: NewEvent[] = [];
  private readonly meta: { traceparent: string };

  constructor(
    private readonly topic: string,
    ctx: RequestContext,
  ) {
    this.meta = { traceparent: toTraceparent(ctx) };
  }

  drain(): NewEvent[] {
    return this.pending.splice(0);
  }

  record(t: Readonly<TicketState>, events: readonly TicketEvent[]): void {
    for (const e of events) this.pending.push(this.toOutbox(t, e));
  }

  private toOutbox(t: Readonly<TicketState>, e: TicketEvent): NewEvent {
    const ids = { ticketId: t.id, accountId: t.accountId };
    const at = e.at.toISOString();
    const out = <T>(type: Parameters<typeof newEvent<T>>[0], m: T) =>
      newEvent(type, this.topic, t.id, m, { ...this.meta, occurredAt: e.at });
    switch (e.type) {
      case 'TicketOpened':
        return out(E.TicketOpened, {
          ...ids,
          category: e.category,
          priority: e.priority,
          orderId: e.orderId,
          openedAt: at,
        });
      case 'TicketHandedOff':
        return out(E.TicketHandedOff, {
          ...ids,
          queue: e.queue,
          reason: e.reason,
          handedOffAt: at,
        });
      case 'TicketReplied':
        return out(E.TicketReplied, {
          ...ids,
          messageId: e.messageId,
          authorKind: e.authorKind,
          repliedAt: at,
        });
      case 'SlaBreached':
        return out(E.SlaBreached, {
          ...ids,
          clock: e.clock,
          priority: e.priority,
          dueAt: e.dueAt.toISOString(),
          breachedAt: at,
          assigneeId: e.assigneeId,
        });
      case 'TicketEscalated':
        return out(E.TicketEscalated, { ...ids, reason: e.reason, escalatedAt: at });
      case 'TicketResolved':
        return out(E.TicketResolved, {
          ...ids,
          assigneeId: e.assigneeId,
          category: e.category,
          resolvedAt: at,
        });
      case 'TicketReopened':
        return out(E.TicketReopened, { ...ids, reopenedAt: at });
      case 'SurveySubmitted':
        return out(E.SurveySubmitted, {
          ...ids,
          assigneeId: e.assigneeId,
          rating: e.rating,
          submittedAt: at,
        });
    }
  }
}
