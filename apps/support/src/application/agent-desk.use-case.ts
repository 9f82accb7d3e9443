import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { validateAttachmentUrls } from '../domain/attachments';
import type { Queue } from '../domain/policy';
import { SupportError } from '../domain/support-error';
import {
  renderTemplate,
  suggestedFor,
  type ReplyTemplate,
  type TemplateVariable,
} from '../domain/template';
import {
  ACTIVE_STATUSES,
  checkBody,
  type TicketMessage,
  type TicketState,
  type TicketStatus,
} from '../domain/ticket';
import { CUSTOMER_ORDERS, type CustomerOrders } from './customer-orders.port';
import { QUEUE_KEY, decodePosition, limitOf, page } from './cursor';
import {
  CLOCK,
  CUSTOMERS,
  ID_GENERATOR,
  SUPPORT_SETTINGS,
  UNIT_OF_WORK,
  type Agent,
  type Clock,
  type Customers,
  type IdGenerator,
  type SupportSettings,
  type UnitOfWork,
} from './ports';
import { agentFor, anyTicket, enterQueue, message } from './ticket-flow';
import type { TicketView } from './customer-tickets.use-case';

export interface AgentMessageCommand {
  ticketId: string;
  agentId: string;
  body: string;
  attachmentUrls: string[];
  internal: boolean;
  templateId: string;
}

export interface SuggestedReply {
  template: ReplyTemplate;
  rendered: string;
  missingVariables: string[];
}

/** The agents' side: queues, claiming, replies and notes, resolution, escalation, shifts. */
@Injectable()
export class AgentDeskUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SUPPORT_SETTINGS) private readonly settings: SupportSettings,
    @Inject(CUSTOMERS) private readonly customers: Customers,
    @Inject(CUSTOMER_ORDERS) private readonly orders: CustomerOrders,
  ) {}

  /** Any ticket, with its internal notes. */
  get(ctx: RequestContext, ticketId: string): Promise<TicketView> {
    return this.uow.run(ctx, async (tx) => {
      const t = await anyTicket(tx, ticketId, false);
      return { ticket: t.state, messages: await tx.messages.list(t.id) };
    });
  }

  async listQueue(
    ctx: RequestContext,
    agentId: string,
    queue: Queue,
    status: TicketStatus | undefined,
    mine: boolean,
    cursor: string,
    requestedLimit: number,
  ) {
    const limit = limitOf(requestedLimit);
    const after = decodePosition(cursor, QUEUE_KEY);
    const rows = await this.uow.run(ctx, async (tx) => {
      const agent = await tx.agents.get(agentId);
      if (!agent?.queues.includes(queue))
        throw new SupportError(
          'PERMISSION_DENIED',
          'NOT_IN_QUEUE',
          `agent ${agentId} does not work the ${queue} queue`,
        );
      return tx.tickets.listQueue(
        queue,
        status ? [status] : ACTIVE_STATUSES,
        mine ? agentId : undefined,
        after,
        limit + 1,
      );
    });
    return page(rows, limit, queuePosition);
  }

  /**
   * Takes an OPEN ticket, answering with its conversation: the second of two claims at once is
   * ABORTED ALREADY_CLAIMED.
   */
  claim(ctx: RequestContext, ticketId: string, agentId: string): Promise<TicketView> {
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const t = await anyTicket(tx, ticketId);
      const agent = await tx.agents.get(agentId);
      if (!agent?.queues.includes(t.state.queue))
        throw new SupportError(
          'FAILED_PRECONDITION',
          'NOT_IN_QUEUE',
          `agent ${agentId} does not work the ${t.state.queue} queue`,
        );
      // the agent who takes a ticket gets its whole conversation (internal notes included)
      if (t.state.assigneeId === agentId && t.state.status !== 'OPEN')
        return { ticket: t.state, messages: await tx.messages.list(t.id) };
      t.assign(agentId, now);
      await tx.agents.markAssigned(agentId, now);
      await tx.tickets.save(t);
      return { ticket: t.state, messages: await tx.messages.list(t.id) };
    });
  }

  /**
   * A public reply (meets the first-response clock, waits for the customer) or an internal note
   * (changes nothing the customer or the clocks see).
   */
  async post(ctx: RequestContext, c: AgentMessageCommand): Promise<TicketView> {
    checkBody(c.body, c.attachmentUrls.length);
    validateAttachmentUrls(c.attachmentUrls);
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const t = await anyTicket(tx, c.ticketId);
      await agentFor(tx, c.agentId, t);
      if (c.templateId && !(await tx.templates.get(c.templateId)))
        throw new SupportError(
          'NOT_FOUND',
          'TEMPLATE_NOT_FOUND',
          `template ${c.templateId} does not exist`,
        );
      const m = message(this.ids.newId(), t.id, 'AGENT', c.agentId, c.body, now, {
        attachmentUrls: c.attachmentUrls,
        internal: c.internal,
        templateId: c.templateId,
      });
      if (c.internal) t.noted(now);
      else t.agentReplied(c.agentId, m.id, now);
      await tx.messages.add(m);
      await tx.tickets.save(t);
      return { ticket: t.state, messages: [m] };
    });
  }

  async resolve(
    ctx: RequestContext,
    ticketId: string,
    agentId: string,
    note: string,
  ): Promise<TicketView> {
    if (note.length > 2000)
      throw new SupportError(
        'INVALID_ARGUMENT',
        'NOTE_INVALID',
        'resolution_note: at most 2000 characters',
        {
          field: 'resolution_note',
        },
      );
    return this.uow.run(ctx, async (tx) => {
      const t = await anyTicket(tx, ticketId);
      await agentFor(tx, agentId, t);
      t.resolve(agentId, note, this.clock.now(), this.settings.reopenDays);
      await tx.tickets.save(t);
      return { ticket: t.state, messages: [] };
    });
  }

  /** To the senior queue by hand (reason AGENT); the reason is kept as an internal note. */
  async escalate(
    ctx: RequestContext,
    ticketId: string,
    agentId: string,
    reason: string,
  ): Promise<TicketView> {
    if (reason.length > 2000)
      throw new SupportError(
        'INVALID_ARGUMENT',
        'REASON_INVALID',
        'reason: at most 2000 characters',
        {
          field: 'reason',
        },
      );
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const t = await anyTicket(tx, ticketId);
      await agentFor(tx, agentId, t);
      t.escalate('AGENT', now);
      await enterQueue(tx, t, now, this.settings);
      const messages: TicketMessage[] = [];
      if (reason.trim()) {
        const m = message(this.ids.newId(), t.id, 'AGENT', agentId, `Escalated: ${reason}`, now, {
          internal: true,
        });
        await tx.messages.add(m);
        messages.push(m);
      }
      await tx.tickets.save(t);
      return { ticket: t.state, messages };
    });
  }

  /** Creates or updates the agent (new: general queue unless told). */
  async setShift(
    ctx: RequestContext,
    agentId: string,
    displayName: string,
    onShift: boolean,
    queues: Queue[],
  ): Promise<Agent> {
    if (displayName.length > 100)
      throw new SupportError(
        'INVALID_ARGUMENT',
        'NAME_INVALID',
        'display_name: at most 100 characters',
        {
          field: 'display_name',
        },
      );
    return this.uow.run(ctx, async (tx) => {
      const existing = await tx.agents.get(agentId);
      const agent: Agent = {
        agentId,
        displayName: displayName.trim() || existing?.displayName || '',
        queues: queues.length ? [...new Set(queues)].sort() : (existing?.queues ?? ['general']),
        onShift,
        lastAssignedAt: existing?.lastAssignedAt ?? null,
      };
      await tx.agents.upsert(agent);
      return agent;
    });
  }

  listAgents(ctx: RequestContext): Promise<Agent[]> {
    return this.uow.run(ctx, (tx) => tx.agents.list());
  }

  /** The ticket's templates (category, locale) rendered with what is known of it. */
  async suggest(ctx: RequestContext, ticketId: string, agentId: string): Promise<SuggestedReply[]> {
    const { ticket, templates, agent } = await this.uow.run(ctx, async (tx) => {
      const t = await anyTicket(tx, ticketId, false);
      return {
        ticket: t.state,
        templates: suggestedFor(await tx.templates.list(), t.state.category, t.state.locale),
        agent: await tx.agents.get(agentId),
      };
    });
    if (!templates.length) return [];
    const values = await this.values(ctx, ticket, agent);
    return templates.map((template) => {
      const { rendered, missing } = renderTemplate(template.body, values);
      return { template, rendered, missingVariables: missing };
    });
  }

  private async values(
    ctx: RequestContext,
    t: TicketState,
    agent: Agent | null,
  ): Promise<Partial<Record<TemplateVariable, string>>> {
    const values: Partial<Record<TemplateVariable, string>> = {
      ticket_id: t.id,
      order_id: t.orderId,
      return_id: t.returnId,
      agent_name: agent?.displayName ?? '',
      customer_name: await this.customers.nameOf(ctx, t.accountId),
    };
    if (t.orderId) {
      try {
        const shipments = await this.orders.shipments(t.accountId, t.orderId);
        const s =
          shipments.find((x) => x.shipmentId === t.shipmentId) ??
          shipments.find((x) => x.trackingNumber);
        values.tracking_number = s?.trackingNumber ?? '';
        values.carrier = s?.carrier ?? '';
      } catch {
        // order unavailable: reported as missing variables
      }
    }
    return values;
  }
}

/** The queue's order: priority, then hand-off (creation for a BOT ticket listed by status). */
export const queuePosition = (t: TicketState) => ({
  key: `${t.priority}|${(t.handedOffAt ?? t.createdAt).toISOString()}`,
  id: t.id,
});
