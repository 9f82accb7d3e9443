import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { validateAttachmentUrls } from '../domain/attachments';
import { priorityOf, STRAIGHT_TO_PERSON, type Category, type Locale } from '../domain/policy';
import { SupportError } from '../domain/support-error';
import {
  checkBody,
  customerVisible,
  Ticket,
  type HandoffReason,
  type TicketMessage,
  type TicketState,
  type TicketStatus,
} from '../domain/ticket';
import {
  CUSTOMER_ORDERS,
  FIRST_LINE_BOT,
  type BotAnswer,
  type CustomerOrders,
  type FirstLineBot,
} from './customer-orders.port';
import { CREATED_KEY, decodePosition, limitOf, page } from './cursor';
import {
  CLOCK,
  CUSTOMERS,
  ID_GENERATOR,
  SUPPORT_SETTINGS,
  UNIT_OF_WORK,
  type Clock,
  type Customers,
  type IdGenerator,
  type SupportSettings,
  type SupportTx,
  type UnitOfWork,
} from './ports';
import { enterQueue, message, ownedTicket, slaTarget } from './ticket-flow';

export interface OpenTicketCommand {
  accountId: string;
  category: Category;
  subject: string;
  body: string;
  attachmentUrls: string[];
  orderId: string;
  skuId: string;
  shipmentId: string;
  returnId: string;
  locale: Locale;
  requestId: string;
}

export interface TicketView {
  ticket: TicketState;
  messages: TicketMessage[];
}

/**
 * The customer's side: opening a ticket (the bot first, or a queue), the conversation, the
 * hand-off to a person, the survey and reopening. Every call names the account; another
 * account's ticket is TICKET_NOT_FOUND and internal notes are never in an answer.
 */
@Injectable()
export class CustomerTicketsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SUPPORT_SETTINGS) private readonly settings: SupportSettings,
    @Inject(CUSTOMERS) private readonly customers: Customers,
    @Inject(CUSTOMER_ORDERS) private readonly orders: CustomerOrders,
    @Inject(FIRST_LINE_BOT) private readonly bot: FirstLineBot,
  ) {}

  async open(ctx: RequestContext, c: OpenTicketCommand): Promise<TicketView> {
    checkBody(c.body, c.attachmentUrls.length);
    validateAttachmentUrls(c.attachmentUrls);
    if (c.subject.length > 200)
      throw new SupportError(
        'INVALID_ARGUMENT',
        'SUBJECT_INVALID',
        'subject: at most 200 characters',
        {
          field: 'subject',
        },
      );
    if (c.requestId.length > 100)
      throw new SupportError(
        'INVALID_ARGUMENT',
        'REQUEST_ID_INVALID',
        'request_id: at most 100 characters',
        {
          field: 'request_id',
        },
      );
    if (c.requestId) {
      const earlier = await this.replay(ctx, c);
      if (earlier) return earlier;
    }
    const warehouseCodes = await this.checkOrder(c);
    const tierCode = await this.customers.tierOf(ctx, c.accountId);
    const now = this.clock.now();
    const straight = STRAIGHT_TO_PERSON.includes(c.category);
    const opened = await this.uow.run(ctx, async (tx) => {
      const ticket = Ticket.open(
        {
          id: this.ids.newId(),
          accountId: c.accountId,
          category: c.category,
          priority: priorityOf(c.category, tierCode),
          // no subject: the start of the message
          subject: c.subject.trim() || c.body.trim().slice(0, 80),
          locale: c.locale,
          orderId: c.orderId,
          skuId: c.skuId,
          shipmentId: c.shipmentId,
          returnId: c.returnId,
          tierCode,
          warehouseCodes,
          requestId: c.requestId,
        },
        now,
      );
      if (!(await tx.tickets.insert(ticket))) return undefined; // the same request, raced
      const first = message(this.ids.newId(), ticket.id, 'CUSTOMER', c.accountId, c.body, now, {
        attachmentUrls: c.attachmentUrls,
      });
      await tx.messages.add(first);
      if (straight) await this.handOff(tx, ticket, 'CATEGORY', now);
      await tx.tickets.save(ticket);
      return { ticket, first };
    });
    if (!opened) return (await this.replay(ctx, c))!;
    if (straight) return { ticket: opened.ticket.state, messages: [opened.first] };
    const answered = await this.askBot(ctx, opened.ticket.id, c.accountId, c.body);
    return { ticket: answered.ticket, messages: [opened.first, ...answered.messages] };
  }

  async listMine(
    ctx: RequestContext,
    accountId: string,
    status: TicketStatus | undefined,
    cursor: string,
    requestedLimit: number,
  ) {
    const limit = limitOf(requestedLimit);
    const after = decodePosition(cursor, CREATED_KEY);
    const rows = await this.uow.run(ctx, (tx) =>
      tx.tickets.listByAccount(accountId, status, after, limit + 1),
    );
    return page(rows, limit, (t) => ({ key: t.createdAt.toISOString(), id: t.id }));
  }

  get(ctx: RequestContext, ticketId: string, accountId: string): Promise<TicketView> {
    return this.uow.run(ctx, async (tx) => {
      const t = await ownedTicket(tx, ticketId, accountId, false);
      return { ticket: t.state, messages: customerVisible(await tx.messages.list(t.id)) };
    });
  }

  /** The customer writes; while the bot has the ticket, the bot answers (or hands over). */
  async post(
    ctx: RequestContext,
    ticketId: string,
    accountId: string,
    body: string,
    attachmentUrls: string[],
  ): Promise<TicketView> {
    checkBody(body, attachmentUrls.length);
    validateAttachmentUrls(attachmentUrls);
    const now = this.clock.now();
    const posted = await this.uow.run(ctx, async (tx) => {
      const t = await ownedTicket(tx, ticketId, accountId);
      t.customerWrote(now);
      const m = message(this.ids.newId(), t.id, 'CUSTOMER', accountId, body, now, {
        attachmentUrls,
      });
      await tx.messages.add(m);
      await tx.tickets.save(t);
      return { ticket: t.state, m };
    });
    if (posted.ticket.status !== 'BOT') return { ticket: posted.ticket, messages: [posted.m] };
    const answered = await this.askBot(ctx, ticketId, accountId, body);
    return { ticket: answered.ticket, messages: [posted.m, ...answered.messages] };
  }

  /** A person, please: the same ticket and conversation enter the general queue. */
  requestHandoff(ctx: RequestContext, ticketId: string, accountId: string): Promise<TicketView> {
    return this.uow.run(ctx, async (tx) => {
      const t = await ownedTicket(tx, ticketId, accountId);
      if (t.state.status === 'RESOLVED' || t.state.status === 'CLOSED')
        throw new SupportError(
          'FAILED_PRECONDITION',
          'TICKET_CLOSED',
          `ticket ${t.id} is ${t.state.status}: reopen it instead`,
        );
      if (t.state.status === 'BOT') {
        await this.handOff(tx, t, 'CUSTOMER_ASKED', this.clock.now());
        await tx.tickets.save(t);
      }
      return { ticket: t.state, messages: [] };
    });
  }

  submitSurvey(
    ctx: RequestContext,
    ticketId: string,
    accountId: string,
    rating: number,
    comment: string,
  ): Promise<TicketView> {
    return this.uow.run(ctx, async (tx) => {
      const t = await ownedTicket(tx, ticketId, accountId);
      t.submitSurvey(rating, comment, this.clock.now());
      await tx.tickets.save(t);
      return { ticket: t.state, messages: [] };
    });
  }

  /**
   * Within the window: back to the agent who resolved it if they are on shift, otherwise OPEN
   * (and round-robin); the customer's reason is posted as their message.
   */
  async reopen(
    ctx: RequestContext,
    ticketId: string,
    accountId: string,
    body: string,
  ): Promise<TicketView> {
    if (body) checkBody(body, 0);
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const t = await ownedTicket(tx, ticketId, accountId);
      const previous = t.state.assigneeId ? await tx.agents.get(t.state.assigneeId) : null;
      const back =
        previous?.onShift && previous.queues.includes(t.state.queue) ? previous.agentId : null;
      t.reopen(now, await slaTarget(tx, t.state.priority), back);
      await enterQueue(tx, t, now, this.settings);
      const messages: TicketMessage[] = [];
      if (body.trim()) {
        const m = message(this.ids.newId(), t.id, 'CUSTOMER', accountId, body, now);
        await tx.messages.add(m);
        messages.push(m);
      }
      await tx.tickets.save(t);
      return { ticket: t.state, messages };
    });
  }

  private async handOff(tx: SupportTx, t: Ticket, reason: HandoffReason, now: Date) {
    t.handOff(reason, now, await slaTarget(tx, t.state.priority));
    await enterQueue(tx, t, now, this.settings);
  }

  /** The same request id answers the same ticket (its conversation as the customer sees it). */
  private replay(ctx: RequestContext, c: OpenTicketCommand): Promise<TicketView | undefined> {
    return this.uow.run(ctx, async (tx) => {
      const t = await tx.tickets.byRequest(c.accountId, c.requestId);
      if (!t) return undefined;
      return { ticket: t.state, messages: customerVisible(await tx.messages.list(t.id)) };
    });
  }

  /**
   * The order must be the customer's (ORDER_NOT_FOUND) and the SKU one of its lines
   * (LINE_NOT_FOUND); its shipments' warehouses are kept for the insight export. When order does
   * not answer, the ticket opens anyway without warehouses.
   */
  private async checkOrder(c: OpenTicketCommand): Promise<string[]> {
    if (!c.orderId) return [];
    let order;
    try {
      order = await this.orders.order(c.accountId, c.orderId);
    } catch (e) {
      if (e instanceof SupportError && e.kind !== 'UNAVAILABLE') throw e;
      return [];
    }
    if (!order)
      throw new SupportError(
        'NOT_FOUND',
        'ORDER_NOT_FOUND',
        `order ${c.orderId} is not one of yours`,
        {
          field: 'order_id',
        },
      );
    if (c.skuId && !order.lines.some((l) => l.skuId === c.skuId))
      throw new SupportError(
        'NOT_FOUND',
        'LINE_NOT_FOUND',
        `SKU ${c.skuId} is not a line of order ${c.orderId}`,
        {
          field: 'sku_id',
        },
      );
    try {
      const shipments = await this.orders.shipments(c.accountId, c.orderId);
      return [...new Set(shipments.map((s) => s.warehouseCode).filter(Boolean))].sort();
    } catch {
      return [];
    }
  }

  /**
   * Asks the bot about the customer's message (outside any transaction), then applies its
   * answer if the ticket is still the bot's. A failing bot is a hand-off BOT_CANNOT_ANSWER.
   */
  private async askBot(
    ctx: RequestContext,
    ticketId: string,
    accountId: string,
    text: string,
  ): Promise<{ ticket: TicketState; messages: TicketMessage[] }> {
    const snapshot = await this.uow.run(ctx, (tx) => ownedTicket(tx, ticketId, accountId, false));
    const s = snapshot.state;
    let answer: BotAnswer;
    try {
      answer = await this.bot.answer({
        accountId,
        text,
        locale: s.locale,
        category: s.category,
        ...(s.orderId ? { orderId: s.orderId } : {}),
        ...(s.shipmentId ? { shipmentId: s.shipmentId } : {}),
        ...(s.returnId ? { returnId: s.returnId } : {}),
      });
    } catch {
      answer = { kind: 'handoff', reason: 'BOT_CANNOT_ANSWER', text: '' };
    }
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const t = await ownedTicket(tx, ticketId, accountId);
      if (t.state.status !== 'BOT') return { ticket: t.state, messages: [] };
      const messages: TicketMessage[] = [];
      if (answer.text.trim()) {
        const m = message(this.ids.newId(), t.id, 'BOT', '', answer.text, now);
        await tx.messages.add(m);
        messages.push(m);
        t.botReplied(m.id, now);
      }
      if (answer.kind === 'handoff') await this.handOff(tx, t, answer.reason, now);
      await tx.tickets.save(t);
      return { ticket: t.state, messages };
    });
  }
}
