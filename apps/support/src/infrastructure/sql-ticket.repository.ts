import type { EntityManager } from 'typeorm';
import { Sql } from '@emporia/persistence';
import type { PagePosition, TicketRepository } from '../application/ports';
import type { ComplaintFacts } from '../domain/insights';
import type { TicketFacts } from '../domain/kpis';
import type { Category, Locale, Priority, Queue } from '../domain/policy';
import { Ticket, type HandoffReason, type TicketState, type TicketStatus } from '../domain/ticket';
import type { OutboxTicketEvents } from './outbox-ticket-events';

interface TicketRow {
  id: string;
  account_id: string;
  category: Category;
  priority: Priority;
  status: TicketStatus;
  queue: Queue;
  subject: string;
  locale: Locale;
  order_id: string;
  sku_id: string;
  shipment_id: string;
  return_id: string;
  assignee_id: string | null;
  tier_code: string;
  warehouse_codes: string[];
  request_id: string;
  handed_off_at: Date | null;
  handoff_reason: HandoffReason | null;
  first_response_due_at: Date | null;
  first_responded_at: Date | null;
  first_response_breached: boolean;
  resolution_due_at: Date | null;
  resolved_at: Date | null;
  resolution_breached: boolean;
  escalated: boolean;
  reopen_until: Date | null;
  reopen_count: number;
  survey_rating: number | null;
  survey_comment: string | null;
  survey_submitted_at: Date | null;
  resolution_note: string;
  followed_up_at: Date | null;
  low_satisfaction_handled_at: Date | null;
  last_activity_at: Date;
  created_at: Date;
  updated_at: Date;
}

const toState = (r: TicketRow): TicketState => ({
  id: r.id,
  accountId: r.account_id,
  category: r.category,
  priority: r.priority,
  status: r.status,
  queue: r.queue,
  subject: r.subject,
  locale: r.locale,
  orderId: r.order_id,
  skuId: r.sku_id,
  shipmentId: r.shipment_id,
  returnId: r.return_id,
  assigneeId: r.assignee_id,
  tierCode: r.tier_code,
  warehouseCodes: r.warehouse_codes,
  requestId: r.request_id,
  handedOffAt: r.handed_off_at,
  handoffReason: r.handoff_reason,
  firstResponseDueAt: r.first_response_due_at,
  firstRespondedAt: r.first_responded_at,
  firstResponseBreached: r.first_response_breached,
  resolutionDueAt: r.resolution_due_at,
  resolvedAt: r.resolved_at,
  resolutionBreached: r.resolution_breached,
  escalated: r.escalated,
  reopenUntil: r.reopen_until,
  reopenCount: r.reopen_count,
  survey:
    r.survey_rating !== null && r.survey_submitted_at
      ? {
          rating: r.survey_rating,
          comment: r.survey_comment ?? '',
          submittedAt: r.survey_submitted_at,
        }
      : null,
  resolutionNote: r.resolution_note,
  followedUpAt: r.followed_up_at,
  lowSatisfactionHandledAt: r.low_satisfaction_handled_at,
  lastActivityAt: r.last_activity_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Column order of INSERT and UPDATE; `values` gives the parameters in that order. */
const COLUMNS = [
  'id',
  'account_id',
  'category',
  'priority',
  'status',
  'queue',
  'subject',
  'locale',
  'order_id',
  'sku_id',
  'shipment_id',
  'return_id',
  'assignee_id',
  'tier_code',
  'warehouse_codes',
  'request_id',
  'handed_off_at',
  'handoff_reason',
  'first_response_due_at',
  'first_responded_at',
  'first_response_breached',
  'resolution_due_at',
  'resolved_at',
  'resolution_breached',
  'escalated',
  'reopen_until',
  'reopen_count',
  'survey_rating',
  'survey_comment',
  'survey_submitted_at',
  'resolution_note',
  'followed_up_at',
  'low_satisfaction_handled_at',
  'last_activity_at',
  'created_at',
  'updated_at',
] as const;

const values = (s: TicketState): unknown[] => [
  s.id,
  s.accountId,
  s.category,
  s.priority,
  s.status,
  s.queue,
  s.subject,
  s.locale,
  s.orderId,
  s.skuId,
  s.shipmentId,
  s.returnId,
  s.assigneeId,
  s.tierCode,
  s.warehouseCodes,
  s.requestId,
  s.handedOffAt,
  s.handoffReason,
  s.firstResponseDueAt,
  s.firstRespondedAt,
  s.firstResponseBreached,
  s.resolutionDueAt,
  s.resolvedAt,
  s.resolutionBreached,
  s.escalated,
  s.reopenUntil,
  s.reopenCount,
  s.survey?.rating ?? null,
  s.survey?.comment ?? null,
  s.survey?.submittedAt ?? null,
  s.resolutionNote,
  s.followedUpAt,
  s.lowSatisfactionHandledAt,
  s.lastActivityAt,
  s.createdAt,
  s.updatedAt,
];

const ACTIVE = `('OPEN', 'ASSIGNED', 'WAITING_CUSTOMER')`;

export class SqlTicketRepository implements TicketRepository {
  private readonly sql: Sql;

  constructor(
    m: EntityManager,
    private readonly events: OutboxTicketEvents,
  ) {
    this.sql = new Sql(m);
  }

  async insert(t: Ticket): Promise<boolean> {
    const params = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    const rows = await this.sql.rows<{ id: string }>(
      `INSERT INTO tickets (${COLUMNS.join(', ')}) VALUES (${params})
       ON CONFLICT (account_id, request_id) WHERE request_id <> '' DO NOTHING RETURNING id`,
      values(t.state),
    );
    if (rows.length === 0) return false;
    this.events.record(t.state, t.pullEvents());
    return true;
  }

  async get(id: string, lock = false): Promise<Ticket | null> {
    const r = await this.sql.one<TicketRow>(
      `SELECT * FROM tickets WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r ? Ticket.restore(toState(r)) : null;
  }

  async save(t: Ticket): Promise<void> {
    const set = COLUMNS.slice(1)
      .map((c, i) => `${c} = $${i + 2}`)
      .join(', ');
    await this.sql.run(`UPDATE tickets SET ${set} WHERE id = $1`, values(t.state));
    this.events.record(t.state, t.pullEvents());
  }

  async byRequest(accountId: string, requestId: string): Promise<Ticket | null> {
    const r = await this.sql.one<TicketRow>(
      `SELECT * FROM tickets WHERE account_id = $1 AND request_id = $2 AND request_id <> ''`,
      [accountId, requestId],
    );
    return r ? Ticket.restore(toState(r)) : null;
  }

  async listByAccount(
    accountId: string,
    status: TicketStatus | undefined,
    after: PagePosition | undefined,
    limit: number,
  ): Promise<TicketState[]> {
    const rows = await this.sql.rows<TicketRow>(
      `SELECT * FROM tickets
        WHERE account_id = $1
          AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [accountId, status ?? null, after?.key ?? null, after?.id ?? null, limit],
    );
    return rows.map(toState);
  }

  async listQueue(
    queue: Queue,
    statuses: readonly TicketStatus[],
    assigneeId: string | undefined,
    after: PagePosition | undefined,
    limit: number,
  ): Promise<TicketState[]> {
    const [priority, handedOff] = after ? after.key.split('|') : [null, null];
    const rows = await this.sql.rows<TicketRow>(
      `SELECT * FROM tickets
        WHERE queue = $1 AND status = ANY($2::text[])
          AND ($3::uuid IS NULL OR assignee_id = $3)
          AND ($4::text IS NULL OR (priority, COALESCE(handed_off_at, created_at), id)
                > ($4::text, $5::timestamptz, $6::uuid))
        ORDER BY priority, COALESCE(handed_off_at, created_at), id LIMIT $7`,
      [queue, statuses, assigneeId ?? null, priority, handedOff ?? null, after?.id ?? null, limit],
    );
    return rows.map(toState);
  }

  private async ids(sql: string, params: unknown[]): Promise<string[]> {
    return (await this.sql.rows<{ id: string }>(sql, params)).map((r) => r.id);
  }

  dueForBreach(now: Date, limit: number): Promise<string[]> {
    return this.ids(
      `SELECT id FROM tickets WHERE status IN ${ACTIVE}
          AND ((first_responded_at IS NULL AND NOT first_response_breached AND first_response_due_at <= $1)
            OR (resolved_at IS NULL AND NOT resolution_breached AND resolution_due_at <= $1))
        ORDER BY LEAST(first_response_due_at, resolution_due_at), id LIMIT $2`,
      [now, limit],
    );
  }

  lowSatisfaction(limit: number): Promise<string[]> {
    return this.ids(
      `SELECT id FROM tickets WHERE survey_rating <= 2 AND low_satisfaction_handled_at IS NULL
        ORDER BY survey_submitted_at, id LIMIT $1`,
      [limit],
    );
  }

  dueForFollowUp(resolvedBefore: Date, limit: number): Promise<string[]> {
    return this.ids(
      `SELECT id FROM tickets WHERE status IN ('RESOLVED', 'CLOSED') AND followed_up_at IS NULL
          AND resolved_at <= $1 ORDER BY resolved_at, id LIMIT $2`,
      [resolvedBefore, limit],
    );
  }

  dueForClose(now: Date, limit: number): Promise<string[]> {
    return this.ids(
      `SELECT id FROM tickets WHERE status = 'RESOLVED' AND reopen_until <= $1
        ORDER BY reopen_until, id LIMIT $2`,
      [now, limit],
    );
  }

  idleBot(lastActivityBefore: Date, limit: number): Promise<string[]> {
    return this.ids(
      `SELECT id FROM tickets WHERE status = 'BOT' AND last_activity_at <= $1
        ORDER BY last_activity_at, id LIMIT $2`,
      [lastActivityBefore, limit],
    );
  }

  async factsHandedOffBetween(from: Date, to: Date): Promise<TicketFacts[]> {
    const rows = await this.sql.rows<TicketRow>(
      `SELECT * FROM tickets WHERE handed_off_at >= $1 AND handed_off_at < $2 ORDER BY handed_off_at, id`,
      [from, to],
    );
    return rows.map((r) => ({
      assigneeId: r.assignee_id,
      handedOffAt: r.handed_off_at!,
      firstRespondedAt: r.first_responded_at,
      resolvedAt: r.resolved_at,
      reopenCount: r.reopen_count,
      surveyRating: r.survey_rating,
      firstResponseBreached: r.first_response_breached,
      resolutionBreached: r.resolution_breached,
    }));
  }

  async complaintsOpenedBetween(
    from: Date,
    to: Date,
    categories: readonly Category[],
  ): Promise<ComplaintFacts[]> {
    const rows = await this.sql.rows<
      Pick<TicketRow, 'category' | 'sku_id' | 'warehouse_codes' | 'created_at'>
    >(
      `SELECT category, sku_id, warehouse_codes, created_at FROM tickets
        WHERE created_at >= $1 AND created_at < $2 AND category = ANY($3::text[])`,
      [from, to, categories],
    );
    return rows.map((r) => ({
      category: r.category,
      skuId: r.sku_id,
      warehouseCodes: r.warehouse_codes,
      openedAt: r.created_at,
    }));
  }
}
