import type { Category, Locale, Priority, Queue, SlaTarget } from './policy';
import { SupportError } from './support-error';

/**
 * BOT → OPEN → ASSIGNED → WAITING_CUSTOMER ⇄ ASSIGNED → RESOLVED → (reopen) ASSIGNED/OPEN, or
 * CLOSED once the reopen window is over. An idle BOT ticket is RESOLVED by the bot.
 */
export type TicketStatus = 'BOT' | 'OPEN' | 'ASSIGNED' | 'WAITING_CUSTOMER' | 'RESOLVED' | 'CLOSED';
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['OPEN', 'ASSIGNED', 'WAITING_CUSTOMER'];
export const TICKET_STATUSES: readonly TicketStatus[] = [
  'BOT',
  ...ACTIVE_STATUSES,
  'RESOLVED',
  'CLOSED',
];

export type HandoffReason = 'CUSTOMER_ASKED' | 'BOT_CANNOT_ANSWER' | 'CATEGORY';
export type EscalationReason = 'SLA_BREACH' | 'AGENT' | 'LOW_SATISFACTION';
export type SlaClock = 'FIRST_RESPONSE' | 'RESOLUTION';

export interface Survey {
  rating: number;
  comment: string;
  submittedAt: Date;
}

export interface TicketState {
  id: string;
  accountId: string;
  category: Category;
  priority: Priority;
  status: TicketStatus;
  queue: Queue;
  subject: string;
  locale: Locale;
  /** '' when the ticket names none. */
  orderId: string;
  skuId: string;
  shipmentId: string;
  returnId: string;
  assigneeId: string | null;
  /** '' when user did not answer (no boost). */
  tierCode: string;
  warehouseCodes: string[];
  /** The customer's idempotency key ('' when none). */
  requestId: string;
  handedOffAt: Date | null;
  handoffReason: HandoffReason | null;
  firstResponseDueAt: Date | null;
  firstRespondedAt: Date | null;
  firstResponseBreached: boolean;
  resolutionDueAt: Date | null;
  resolvedAt: Date | null;
  resolutionBreached: boolean;
  escalated: boolean;
  reopenUntil: Date | null;
  reopenCount: number;
  survey: Survey | null;
  resolutionNote: string;
  followedUpAt: Date | null;
  lowSatisfactionHandledAt: Date | null;
  /** The last message or state change (idle BOT tickets are resolved after a while). */
  lastActivityAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** What a transition records; the outbox adapter adds the ticket and account ids. */
export type TicketEvent =
  | { type: 'TicketOpened'; category: Category; priority: Priority; orderId: string; at: Date }
  | { type: 'TicketHandedOff'; queue: Queue; reason: HandoffReason; at: Date }
  | { type: 'TicketReplied'; messageId: string; authorKind: 'AGENT' | 'BOT'; at: Date }
  | {
      type: 'SlaBreached';
      clock: SlaClock;
      priority: Priority;
      dueAt: Date;
      assigneeId: string;
      at: Date;
    }
  | { type: 'TicketEscalated'; reason: EscalationReason; at: Date }
  | { type: 'TicketResolved'; assigneeId: string; category: Category; at: Date }
  | { type: 'TicketReopened'; at: Date }
  | { type: 'SurveySubmitted'; assigneeId: string; rating: number; at: Date };

export interface OpenTicketInput {
  id: string;
  accountId: string;
  category: Category;
  priority: Priority;
  subject: string;
  locale: Locale;
  orderId: string;
  skuId: string;
  shipmentId: string;
  returnId: string;
  tierCode: string;
  warehouseCodes: string[];
  requestId: string;
}

const minutes = (m: number) => m * 60_000;
const DAY = 86_400_000;

const stateError = (status: TicketStatus, what: string) =>
  new SupportError(
    'FAILED_PRECONDITION',
    'TICKET_STATE_INVALID',
    `a ${status} ticket cannot ${what}`,
  );

/**
 * The ticket aggregate: each transition checks the state, applies the move and records its
 * event, so no caller can forget one (`pullEvents` hands them to the outbox).
 */
export class Ticket {
  private pending: TicketEvent[] = [];

  private constructor(private s: TicketState) {}

  static restore(state: TicketState): Ticket {
    return new Ticket({ ...state, warehouseCodes: [...state.warehouseCodes] });
  }

  /** A new ticket, with the bot (status BOT) until `handOff`. */
  static open(input: OpenTicketInput, now: Date): Ticket {
    const t = new Ticket({
      ...input,
      status: 'BOT',
      queue: 'general',
      assigneeId: null,
      handedOffAt: null,
      handoffReason: null,
      firstResponseDueAt: null,
      firstRespondedAt: null,
      firstResponseBreached: false,
      resolutionDueAt: null,
      resolvedAt: null,
      resolutionBreached: false,
      escalated: false,
      reopenUntil: null,
      reopenCount: 0,
      survey: null,
      resolutionNote: '',
      followedUpAt: null,
      lowSatisfactionHandledAt: null,
      lastActivityAt: now,
      createdAt: now,
      updatedAt: now,
    });
    t.record({
      type: 'TicketOpened',
      category: input.category,
      priority: input.priority,
      orderId: input.orderId,
      at: now,
    });
    return t;
  }

  get state(): Readonly<TicketState> {
    return this.s;
  }

  get id() {
    return this.s.id;
  }

  /** The events recorded since the last call. */
  pullEvents(): TicketEvent[] {
    const e = this.pending;
    this.pending = [];
    return e;
  }

  private record(e: TicketEvent) {
    this.pending.push(e);
  }

  private touch(now: Date, patch: Partial<TicketState>) {
    this.s = { ...this.s, ...patch, updatedAt: now, lastActivityAt: now };
  }

  /** BOT → OPEN in the general queue: the SLA clocks start now. */
  handOff(reason: HandoffReason, now: Date, target: SlaTarget) {
    if (this.s.status !== 'BOT') throw stateError(this.s.status, 'be handed over');
    this.touch(now, {
      status: 'OPEN',
      queue: 'general',
      handedOffAt: now,
      handoffReason: reason,
      firstResponseDueAt: new Date(now.getTime() + minutes(target.firstResponseMinutes)),
      resolutionDueAt: new Date(now.getTime() + minutes(target.resolutionMinutes)),
    });
    this.record({ type: 'TicketHandedOff', queue: 'general', reason, at: now });
  }

  /** Round-robin or claim: OPEN → ASSIGNED. */
  assign(agentId: string, now: Date) {
    if (this.s.status !== 'OPEN')
      throw new SupportError(
        'ABORTED',
        'ALREADY_CLAIMED',
        `ticket ${this.s.id} is ${this.s.status}, no longer waiting in a queue`,
      );
    this.touch(now, { status: 'ASSIGNED', assigneeId: agentId });
  }

  /** The customer wrote: an answer to a waiting agent puts the ticket back with them. */
  customerWrote(now: Date) {
    if (this.s.status === 'RESOLVED' || this.s.status === 'CLOSED')
      throw new SupportError(
        'FAILED_PRECONDITION',
        'TICKET_CLOSED',
        `ticket ${this.s.id} is ${this.s.status}: reopen it to write again`,
      );
    this.touch(now, { status: this.s.status === 'WAITING_CUSTOMER' ? 'ASSIGNED' : this.s.status });
  }

  /**
   * A public agent reply: the first one meets the first-response clock; an OPEN ticket is taken
   * by the agent who answers it; the ticket then waits for the customer.
   */
  agentReplied(agentId: string, messageId: string, now: Date) {
    if (!ACTIVE_STATUSES.includes(this.s.status))
      throw stateError(this.s.status, 'take an agent reply');
    this.touch(now, {
      status: 'WAITING_CUSTOMER',
      assigneeId: this.s.assigneeId ?? agentId,
      firstRespondedAt: this.s.firstRespondedAt ?? now,
    });
    this.record({ type: 'TicketReplied', messageId, authorKind: 'AGENT', at: now });
  }

  botReplied(messageId: string, now: Date) {
    if (this.s.status !== 'BOT') throw stateError(this.s.status, 'take a bot answer');
    this.touch(now, {});
    this.record({ type: 'TicketReplied', messageId, authorKind: 'BOT', at: now });
  }

  /** An agent's internal note: activity, nothing the customer or the clocks see. */
  noted(now: Date) {
    this.s = { ...this.s, updatedAt: now };
  }

  resolve(agentId: string, note: string, now: Date, reopenDays: number) {
    if (this.s.status !== 'ASSIGNED' && this.s.status !== 'WAITING_CUSTOMER')
      throw stateError(this.s.status, 'be resolved');
    const assigneeId = this.s.assigneeId ?? agentId;
    this.touch(now, {
      status: 'RESOLVED',
      assigneeId,
      resolvedAt: now,
      resolutionNote: note,
      reopenUntil: new Date(now.getTime() + reopenDays * DAY),
    });
    this.record({ type: 'TicketResolved', assigneeId, category: this.s.category, at: now });
  }

  /** Nobody wrote to a bot ticket for a while: the bot's answer is taken as the resolution. */
  resolveIdleBot(now: Date, reopenDays: number) {
    if (this.s.status !== 'BOT') throw stateError(this.s.status, 'be resolved by the bot');
    this.touch(now, {
      status: 'RESOLVED',
      resolvedAt: now,
      resolutionNote: 'answered by the bot',
      reopenUntil: new Date(now.getTime() + reopenDays * DAY),
    });
    this.record({ type: 'TicketResolved', assigneeId: '', category: this.s.category, at: now });
  }

  /**
   * Within the window: back to the agent who resolved it when they are on shift (`assignee`),
   * otherwise OPEN in its queue; a ticket the bot resolved goes to a person (general queue).
   * The resolution clock starts again.
   */
  reopen(now: Date, target: SlaTarget, assignee: string | null) {
    if (this.s.status !== 'RESOLVED' && this.s.status !== 'CLOSED')
      throw new SupportError(
        'FAILED_PRECONDITION',
        'TICKET_NOT_RESOLVED',
        `ticket ${this.s.id} is ${this.s.status}`,
      );
    if (this.s.status === 'CLOSED' || !this.s.reopenUntil || now >= this.s.reopenUntil)
      throw new SupportError(
        'FAILED_PRECONDITION',
        'REOPEN_WINDOW_CLOSED',
        `ticket ${this.s.id} could be reopened until ${this.s.reopenUntil?.toISOString() ?? '-'}`,
      );
    const neverHandedOff = this.s.handedOffAt === null;
    this.touch(now, {
      status: assignee && !neverHandedOff ? 'ASSIGNED' : 'OPEN',
      assigneeId: neverHandedOff ? null : assignee,
      resolvedAt: null,
      resolutionBreached: false,
      resolutionDueAt: new Date(now.getTime() + minutes(target.resolutionMinutes)),
      reopenUntil: null,
      reopenCount: this.s.reopenCount + 1,
    });
    this.record({ type: 'TicketReopened', at: now });
    if (neverHandedOff) {
      this.s = {
        ...this.s,
        handedOffAt: now,
        handoffReason: 'CUSTOMER_ASKED',
        firstResponseDueAt: new Date(now.getTime() + minutes(target.firstResponseMinutes)),
      };
      this.record({ type: 'TicketHandedOff', queue: 'general', reason: 'CUSTOMER_ASKED', at: now });
    }
  }

  /** The reopen window is over. */
  close(now: Date) {
    if (this.s.status !== 'RESOLVED') throw stateError(this.s.status, 'be closed');
    this.s = { ...this.s, status: 'CLOSED', updatedAt: now };
  }

  /**
   * To the senior queue. An active ticket waits there (OPEN, nobody holding it) for the next
   * assignment; a resolved one (low satisfaction) keeps its state and agent for the follow-up.
   */
  escalate(reason: EscalationReason, now: Date) {
    if (this.s.queue === 'senior')
      throw new SupportError(
        'FAILED_PRECONDITION',
        'ALREADY_ESCALATED',
        `ticket ${this.s.id} is already in the senior queue`,
      );
    if (this.s.status === 'BOT') throw stateError(this.s.status, 'be escalated');
    const active = ACTIVE_STATUSES.includes(this.s.status);
    this.s = {
      ...this.s,
      queue: 'senior',
      escalated: true,
      ...(active ? { status: 'OPEN' as const, assigneeId: null } : {}),
      updatedAt: now,
    };
    this.record({ type: 'TicketEscalated', reason, at: now });
  }

  /** The clocks that ran out (each raised once); returns them. */
  breachDue(now: Date): SlaClock[] {
    if (!ACTIVE_STATUSES.includes(this.s.status)) return [];
    const s = this.s;
    const out: SlaClock[] = [];
    if (
      !s.firstRespondedAt &&
      !s.firstResponseBreached &&
      s.firstResponseDueAt &&
      s.firstResponseDueAt <= now
    )
      out.push('FIRST_RESPONSE');
    if (!s.resolvedAt && !s.resolutionBreached && s.resolutionDueAt && s.resolutionDueAt <= now)
      out.push('RESOLUTION');
    for (const clock of out) {
      const first = clock === 'FIRST_RESPONSE';
      this.s = {
        ...this.s,
        ...(first ? { firstResponseBreached: true } : { resolutionBreached: true }),
        updatedAt: now,
      };
      this.record({
        type: 'SlaBreached',
        clock,
        priority: s.priority,
        dueAt: (first ? s.firstResponseDueAt : s.resolutionDueAt)!,
        assigneeId: s.assigneeId ?? '',
        at: now,
      });
    }
    return out;
  }

  submitSurvey(rating: number, comment: string, now: Date) {
    if (this.s.status !== 'RESOLVED' && this.s.status !== 'CLOSED')
      throw new SupportError(
        'FAILED_PRECONDITION',
        'TICKET_NOT_RESOLVED',
        `ticket ${this.s.id} is ${this.s.status}: the survey comes after resolution`,
      );
    if (this.s.survey)
      throw new SupportError(
        'ALREADY_EXISTS',
        'SURVEY_ALREADY_SUBMITTED',
        `ticket ${this.s.id} already has its survey`,
      );
    if (!Number.isInteger(rating) || rating < 1 || rating > 5)
      throw new SupportError('INVALID_ARGUMENT', 'RATING_INVALID', 'rating must be 1..5', {
        field: 'rating',
      });
    if (comment.length > 2000)
      throw new SupportError(
        'INVALID_ARGUMENT',
        'COMMENT_INVALID',
        'comment: at most 2000 characters',
        {
          field: 'comment',
        },
      );
    this.s = { ...this.s, survey: { rating, comment, submittedAt: now }, updatedAt: now };
    this.record({
      type: 'SurveySubmitted',
      assigneeId: this.s.assigneeId ?? '',
      rating,
      at: now,
    });
  }

  markFollowedUp(now: Date) {
    this.s = { ...this.s, followedUpAt: now, updatedAt: now };
  }

  markLowSatisfactionHandled(now: Date) {
    this.s = { ...this.s, lowSatisfactionHandledAt: now, updatedAt: now };
  }
}

export type AuthorKind = 'CUSTOMER' | 'AGENT' | 'BOT' | 'SYSTEM';

export interface TicketMessage {
  id: string;
  ticketId: string;
  authorKind: AuthorKind;
  /** '' for the bot and the system. */
  authorId: string;
  body: string;
  attachmentUrls: string[];
  internal: boolean;
  templateId: string;
  createdAt: Date;
}

export const MAX_BODY = 5000;

/** A message's text: 1..5000 characters (empty only with attachments). */
export function checkBody(body: string, attachments: number, field = 'body'): string {
  const b = body.trim();
  if ((!b && attachments === 0) || body.length > MAX_BODY)
    throw new SupportError(
      'INVALID_ARGUMENT',
      'BODY_INVALID',
      `${field}: 1..${MAX_BODY} characters`,
      {
        field,
      },
    );
  return body;
}

/** What a customer may see: never internal notes. */
export const customerVisible = (messages: readonly TicketMessage[]) =>
  messages.filter((m) => !m.internal);
