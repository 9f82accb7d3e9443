import type { Priority, SlaTarget } from '../domain/policy';
import { DEFAULT_SLA_TARGETS } from '../domain/policy';
import { SupportError, ticketNotFound } from '../domain/support-error';
import type { AuthorKind, Ticket, TicketMessage } from '../domain/ticket';
import type { Agent, SupportSettings, SupportTx } from './ports';

/** The customer's own ticket, or TICKET_NOT_FOUND (another account's is not revealed). */
export async function ownedTicket(tx: SupportTx, id: string, accountId: string, lock = true) {
  const t = await tx.tickets.get(id, lock);
  if (!t || t.state.accountId !== accountId) throw ticketNotFound(id);
  return t;
}

export async function anyTicket(tx: SupportTx, id: string, lock = true) {
  const t = await tx.tickets.get(id, lock);
  if (!t) throw ticketNotFound(id);
  return t;
}

export async function slaTarget(tx: SupportTx, priority: Priority): Promise<SlaTarget> {
  const table = await tx.sla.list();
  return (
    table.find((t) => t.priority === priority) ??
    DEFAULT_SLA_TARGETS.find((t) => t.priority === priority)!
  );
}

/**
 * The ticket has just entered a queue (OPEN): with auto-assignment on, the queue's on-shift agent
 * assigned least recently takes it, in this transaction (under the queue's assignment lock).
 */
export async function enterQueue(
  tx: SupportTx,
  ticket: Ticket,
  now: Date,
  settings: SupportSettings,
): Promise<void> {
  if (!settings.autoAssign || ticket.state.status !== 'OPEN') return;
  const agent = await tx.agents.nextForQueue(ticket.state.queue);
  if (!agent) return;
  ticket.assign(agent.agentId, now);
  await tx.agents.markAssigned(agent.agentId, now);
}

/** The agent, when they work the ticket's queue or hold it; PERMISSION_DENIED NOT_IN_QUEUE else. */
export async function agentFor(tx: SupportTx, agentId: string, ticket?: Ticket): Promise<Agent> {
  const agent = await tx.agents.get(agentId);
  const allowed =
    agent &&
    (!ticket ||
      agent.queues.includes(ticket.state.queue) ||
      ticket.state.assigneeId === agent.agentId);
  if (!allowed)
    throw new SupportError(
      'PERMISSION_DENIED',
      'NOT_IN_QUEUE',
      ticket
        ? `agent ${agentId} does not work the ${ticket.state.queue} queue`
        : `agent ${agentId} is not registered (SetAgentShift)`,
    );
  return agent;
}

export function message(
  id: string,
  ticketId: string,
  authorKind: AuthorKind,
  authorId: string,
  body: string,
  now: Date,
  extra: Partial<Pick<TicketMessage, 'attachmentUrls' | 'internal' | 'templateId'>> = {},
): TicketMessage {
  return {
    id,
    ticketId,
    authorKind,
    authorId,
    body,
    attachmentUrls: extra.attachmentUrls ?? [],
    internal: extra.internal ?? false,
    templateId: extra.templateId ?? '',
    createdAt: now,
  };
}
