import type { RequestContext } from '@emporia/platform';
import type { ComplaintFacts } from '../domain/insights';
import type { TicketFacts } from '../domain/kpis';
import type { Category, Queue, SlaTarget } from '../domain/policy';
import type { ReplyTemplate } from '../domain/template';
import type { Ticket, TicketMessage, TicketState, TicketStatus } from '../domain/ticket';

export type { Clock, IdGenerator } from '@emporia/domain';

export const UNIT_OF_WORK = Symbol('UNIT_OF_WORK');
export const CUSTOMERS = Symbol('CUSTOMERS');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const SUPPORT_SETTINGS = Symbol('SUPPORT_SETTINGS');

export interface SupportSettings {
  autoAssign: boolean;
  reopenDays: number;
  followUpDays: number;
  botIdleHours: number;
  timeZone: string;
  /** Tickets per sweep step and run. */
  sweepBatch: number;
}

export interface Agent {
  agentId: string;
  displayName: string;
  queues: Queue[];
  onShift: boolean;
  lastAssignedAt: Date | null;
}

/** Keyset position in a listing: the sort key and the id. */
export interface PagePosition {
  key: string;
  id: string;
}

export interface TicketRepository {
  /** False (nothing written) when the account already has a ticket with this request id. */
  insert(t: Ticket): Promise<boolean>;
  /** `lock`: held for the rest of the transaction (FOR UPDATE). */
  get(id: string, lock?: boolean): Promise<Ticket | null>;
  /** Persists the state and writes the recorded events to the outbox. */
  save(t: Ticket): Promise<void>;
  byRequest(accountId: string, requestId: string): Promise<Ticket | null>;
  /** Newest first (key: created_at ISO). */
  listByAccount(
    accountId: string,
    status: TicketStatus | undefined,
    after: PagePosition | undefined,
    limit: number,
  ): Promise<TicketState[]>;
  /** Most urgent first, then oldest hand-off (key: `<priority>|<handed_off_at ISO>`). */
  listQueue(
    queue: Queue,
    statuses: readonly TicketStatus[],
    assigneeId: string | undefined,
    after: PagePosition | undefined,
    limit: number,
  ): Promise<TicketState[]>;
  /** Sweep candidates (ids), at most `limit` each. */
  dueForBreach(now: Date, limit: number): Promise<string[]>;
  lowSatisfaction(limit: number): Promise<string[]>;
  dueForFollowUp(resolvedBefore: Date, limit: number): Promise<string[]>;
  dueForClose(now: Date, limit: number): Promise<string[]>;
  idleBot(lastActivityBefore: Date, limit: number): Promise<string[]>;
  /** KPIs: tickets handed off in [from, to). */
  factsHandedOffBetween(from: Date, to: Date): Promise<TicketFacts[]>;
  complaintsOpenedBetween(
    from: Date,
    to: Date,
    categories: readonly Category[],
  ): Promise<ComplaintFacts[]>;
}

export interface MessageRepository {
  add(m: TicketMessage): Promise<void>;
  /** In the order they were written. */
  list(ticketId: string): Promise<TicketMessage[]>;
}

export interface AgentRepository {
  get(agentId: string): Promise<Agent | null>;
  upsert(a: Agent): Promise<void>;
  list(): Promise<Agent[]>;
  /**
   * The on-shift agent of the queue assigned least recently (never first, ties by id), after
   * taking the queue's assignment lock for the rest of the transaction: two assignments at once
   * queue up, the second reads what the first committed.
   */
  nextForQueue(queue: Queue): Promise<Agent | null>;
  markAssigned(agentId: string, at: Date): Promise<void>;
}

export interface TemplateRepository {
  get(id: string): Promise<ReplyTemplate | null>;
  upsert(t: ReplyTemplate): Promise<void>;
  delete(id: string): Promise<boolean>;
  list(): Promise<ReplyTemplate[]>;
}

export interface SlaTargetRepository {
  list(): Promise<SlaTarget[]>;
  replace(targets: readonly SlaTarget[], by: string, at: Date): Promise<void>;
}

export interface SupportTx {
  tickets: TicketRepository;
  messages: MessageRepository;
  agents: AgentRepository;
  templates: TemplateRepository;
  sla: SlaTargetRepository;
}

/** One transaction per step; the tickets' events go to the outbox in it. */
export interface UnitOfWork {
  run<T>(ctx: RequestContext, work: (tx: SupportTx) => Promise<T>): Promise<T>;
}

/**
 * What support asks user about a customer (`infrastructure/grpc-membership.ts`). Fails open:
 * '' when user does not answer (no tier boost, no name), never an error.
 */
export interface Customers {
  tierOf(ctx: RequestContext, accountId: string): Promise<string>;
  nameOf(ctx: RequestContext, accountId: string): Promise<string>;
}
