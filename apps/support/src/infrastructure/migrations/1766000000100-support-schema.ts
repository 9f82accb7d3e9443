import type { MigrationInterface, QueryRunner } from 'typeorm';

const list = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');
const CATEGORIES = list([
  'PRODUCT_QUALITY',
  'LOGISTICS_DELAY',
  'RETURN_REFUND',
  'ACCOUNT',
  'OTHER',
]);
const STATUSES = list(['BOT', 'OPEN', 'ASSIGNED', 'WAITING_CUSTOMER', 'RESOLVED', 'CLOSED']);
const PRIORITIES = list(['P1', 'P2', 'P3', 'P4']);

/** Tickets and their conversations, agents, reply templates and the SLA targets (seeded). */
export class SupportSchema1766000000100 implements MigrationInterface {
  name = 'SupportSchema1766000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        category text NOT NULL CHECK (category IN (${CATEGORIES})),
        priority text NOT NULL CHECK (priority IN (${PRIORITIES})),
        status text NOT NULL CHECK (status IN (${STATUSES})),
        queue text NOT NULL CHECK (queue IN ('general', 'senior')),
        subject text NOT NULL,
        locale text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
        order_id text NOT NULL DEFAULT '',
        sku_id text NOT NULL DEFAULT '',
        shipment_id text NOT NULL DEFAULT '',
        return_id text NOT NULL DEFAULT '',
        assignee_id uuid,
        tier_code text NOT NULL DEFAULT '',
        warehouse_codes text[] NOT NULL DEFAULT '{}',
        request_id text NOT NULL DEFAULT '',
        handed_off_at timestamptz,
        handoff_reason text CHECK (handoff_reason IN ('CUSTOMER_ASKED', 'BOT_CANNOT_ANSWER', 'CATEGORY')),
        first_response_due_at timestamptz,
        first_responded_at timestamptz,
        first_response_breached boolean NOT NULL DEFAULT false,
        resolution_due_at timestamptz,
        resolved_at timestamptz,
        resolution_breached boolean NOT NULL DEFAULT false,
        escalated boolean NOT NULL DEFAULT false,
        reopen_until timestamptz,
        reopen_count integer NOT NULL DEFAULT 0,
        survey_rating integer CHECK (survey_rating BETWEEN 1 AND 5),
        survey_comment text,
        survey_submitted_at timestamptz,
        resolution_note text NOT NULL DEFAULT '',
        followed_up_at timestamptz,
        low_satisfaction_handled_at timestamptz,
        last_activity_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // OpenTicket is idempotent by (account, request_id)
    await q.query(
      `CREATE UNIQUE INDEX tickets_request ON tickets (account_id, request_id) WHERE request_id <> ''`,
    );
    await q.query(`CREATE INDEX tickets_account ON tickets (account_id, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX tickets_queue ON tickets (queue, status, priority, handed_off_at, id)`,
    );
    await q.query(`CREATE INDEX tickets_handed_off ON tickets (handed_off_at)`);
    await q.query(`CREATE INDEX tickets_created ON tickets (created_at)`);
    // the sweep's candidates
    await q.query(
      `CREATE INDEX tickets_running_clocks ON tickets (first_response_due_at, resolution_due_at)
        WHERE status IN ('OPEN', 'ASSIGNED', 'WAITING_CUSTOMER')`,
    );
    await q.query(
      `CREATE INDEX tickets_resolved ON tickets (resolved_at) WHERE status IN ('RESOLVED', 'CLOSED')`,
    );
    await q.query(`CREATE INDEX tickets_bot ON tickets (last_activity_at) WHERE status = 'BOT'`);
    await q.query(`
      CREATE TABLE ticket_messages (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        ticket_id uuid NOT NULL REFERENCES tickets (id),
        author_kind text NOT NULL CHECK (author_kind IN ('CUSTOMER', 'AGENT', 'BOT', 'SYSTEM')),
        author_id text NOT NULL,
        body text NOT NULL,
        attachment_urls text[] NOT NULL DEFAULT '{}',
        internal boolean NOT NULL DEFAULT false,
        template_id text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, seq)`);
    await q.query(`
      CREATE TABLE agents (
        agent_id uuid PRIMARY KEY,
        display_name text NOT NULL,
        queues text[] NOT NULL,
        on_shift boolean NOT NULL,
        last_assigned_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE reply_templates (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        categories text[] NOT NULL,
        locale text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
        body text NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE sla_targets (
        priority text PRIMARY KEY CHECK (priority IN (${PRIORITIES})),
        first_response_minutes integer NOT NULL CHECK (first_response_minutes > 0),
        resolution_minutes integer NOT NULL CHECK (resolution_minutes >= first_response_minutes),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'migration'
      )`);
    // the defaults (policy.ts DEFAULT_SLA_TARGETS); operators replace them with SetSlaTargets
    await q.query(`
      INSERT INTO sla_targets (priority, first_response_minutes, resolution_minutes) VALUES
        ('P1', 15, 240), ('P2', 60, 1440), ('P3', 240, 2880), ('P4', 480, 4320)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sla_targets`);
    await q.query(`DROP TABLE reply_templates`);
    await q.query(`DROP TABLE agents`);
    await q.query(`DROP TABLE ticket_messages`);
    await q.query(`DROP TABLE tickets`);
  }
}
