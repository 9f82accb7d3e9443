import type { EntityManager } from 'typeorm';
import { Sql } from '@emporia/persistence';
import type {
  Agent,
  AgentRepository,
  MessageRepository,
  SlaTargetRepository,
  TemplateRepository,
} from '../application/ports';
import type { Category, Locale, Priority, Queue, SlaTarget } from '../domain/policy';
import type { ReplyTemplate } from '../domain/template';
import type { AuthorKind, TicketMessage } from '../domain/ticket';

interface MessageRow {
  id: string;
  ticket_id: string;
  author_kind: AuthorKind;
  author_id: string;
  body: string;
  attachment_urls: string[];
  internal: boolean;
  template_id: string;
  created_at: Date;
}

export class SqlMessageRepository implements MessageRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async add(m: TicketMessage): Promise<void> {
    await this.sql.run(
      `INSERT INTO ticket_messages (id, ticket_id, author_kind, author_id, body, attachment_urls,
         internal, template_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        m.id,
        m.ticketId,
        m.authorKind,
        m.authorId,
        m.body,
        m.attachmentUrls,
        m.internal,
        m.templateId,
        m.createdAt,
      ],
    );
  }

  async list(ticketId: string): Promise<TicketMessage[]> {
    const rows = await this.sql.rows<MessageRow>(
      `SELECT * FROM ticket_messages WHERE ticket_id = $1 ORDER BY seq`,
      [ticketId],
    );
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      authorKind: r.author_kind,
      authorId: r.author_id,
      body: r.body,
      attachmentUrls: r.attachment_urls,
      internal: r.internal,
      templateId: r.template_id,
      createdAt: r.created_at,
    }));
  }
}

interface AgentRow {
  agent_id: string;
  display_name: string;
  queues: Queue[];
  on_shift: boolean;
  last_assigned_at: Date | null;
}

const toAgent = (r: AgentRow): Agent => ({
  agentId: r.agent_id,
  displayName: r.display_name,
  queues: r.queues,
  onShift: r.on_shift,
  lastAssignedAt: r.last_assigned_at,
});

export class SqlAgentRepository implements AgentRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async get(agentId: string): Promise<Agent | null> {
    const r = await this.sql.one<AgentRow>(`SELECT * FROM agents WHERE agent_id = $1`, [agentId]);
    return r ? toAgent(r) : null;
  }

  async upsert(a: Agent): Promise<void> {
    await this.sql.run(
      `INSERT INTO agents (agent_id, display_name, queues, on_shift, last_assigned_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (agent_id) DO UPDATE SET display_name = $2, queues = $3, on_shift = $4, updated_at = now()`,
      [a.agentId, a.displayName, a.queues, a.onShift, a.lastAssignedAt],
    );
  }

  async list(): Promise<Agent[]> {
    return (await this.sql.rows<AgentRow>(`SELECT * FROM agents ORDER BY agent_id`)).map(toAgent);
  }

  /**
   * A transaction-scoped advisory lock per queue serialises assignments (across replicas too):
   * the next one's SELECT, a new statement under READ COMMITTED, sees the previous one's commit.
   */
  async nextForQueue(queue: Queue): Promise<Agent | null> {
    await this.sql.run(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `support:assign:${queue}`,
    ]);
    const r = await this.sql.one<AgentRow>(
      `SELECT * FROM agents WHERE on_shift AND $1 = ANY(queues)
        ORDER BY last_assigned_at ASC NULLS FIRST, agent_id LIMIT 1`,
      [queue],
    );
    return r ? toAgent(r) : null;
  }

  async markAssigned(agentId: string, at: Date): Promise<void> {
    // strictly the most recent of all: with a clock that stands still (tests) or replicas whose
    // clocks disagree, the order of assignments is still the order of last_assigned_at
    await this.sql.run(
      `UPDATE agents SET last_assigned_at = GREATEST($2::timestamptz,
          (SELECT max(last_assigned_at) FROM agents) + interval '1 millisecond')
        WHERE agent_id = $1`,
      [agentId, at],
    );
  }
}

interface TemplateRow {
  id: string;
  name: string;
  categories: Category[];
  locale: Locale;
  body: string;
  updated_at: Date;
  updated_by: string;
}

const toTemplate = (r: TemplateRow): ReplyTemplate => ({
  id: r.id,
  name: r.name,
  categories: r.categories,
  locale: r.locale,
  body: r.body,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

export class SqlTemplateRepository implements TemplateRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async get(id: string): Promise<ReplyTemplate | null> {
    const r = await this.sql.one<TemplateRow>(`SELECT * FROM reply_templates WHERE id = $1`, [id]);
    return r ? toTemplate(r) : null;
  }

  async upsert(t: ReplyTemplate): Promise<void> {
    await this.sql.run(
      `INSERT INTO reply_templates (id, name, categories, locale, body, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = $2, categories = $3, locale = $4, body = $5,
         updated_at = $6, updated_by = $7`,
      [t.id, t.name, t.categories, t.locale, t.body, t.updatedAt, t.updatedBy],
    );
  }

  async delete(id: string): Promise<boolean> {
    return (await this.sql.affected(`DELETE FROM reply_templates WHERE id = $1`, [id])) > 0;
  }

  async list(): Promise<ReplyTemplate[]> {
    return (
      await this.sql.rows<TemplateRow>(`SELECT * FROM reply_templates ORDER BY name, id`)
    ).map(toTemplate);
  }
}

interface SlaRow {
  priority: Priority;
  first_response_minutes: number;
  resolution_minutes: number;
}

export class SqlSlaTargetRepository implements SlaTargetRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async list(): Promise<SlaTarget[]> {
    const rows = await this.sql.rows<SlaRow>(`SELECT * FROM sla_targets ORDER BY priority`);
    return rows.map((r) => ({
      priority: r.priority,
      firstResponseMinutes: r.first_response_minutes,
      resolutionMinutes: r.resolution_minutes,
    }));
  }

  async replace(targets: readonly SlaTarget[], by: string, at: Date): Promise<void> {
    for (const t of targets)
      await this.sql.run(
        `INSERT INTO sla_targets (priority, first_response_minutes, resolution_minutes, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (priority) DO UPDATE SET first_response_minutes = $2, resolution_minutes = $3,
           updated_at = $4, updated_by = $5`,
        [t.priority, t.firstResponseMinutes, t.resolutionMinutes, at, by],
      );
  }
}
