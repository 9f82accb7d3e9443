import type { EntityManager } from 'typeorm';
import { Sql } from '@emporia/persistence';
import type { Category, Channel, CustomerCategory, Locale } from '../domain/channels';
import type { Delivery, DeliveryReason, DeliveryStatus } from '../domain/delivery';
import type { ChannelSwitches, Preferences } from '../domain/preferences';
import type { Template, TemplateKey } from '../domain/template';
import type {
  DeliveryFilter,
  DeliveryRepository,
  PreferencesRepository,
  PushDevice,
  PushDeviceRepository,
  TemplateRepository,
} from '../application/ports';

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  account_id: string | null;
  channel: Channel;
  category: Category;
  recipient: string;
  template_key: TemplateKey;
  locale: Locale;
  subject: string;
  body: string;
  html: string | null;
  unsubscribe_url: string | null;
  status: DeliveryStatus;
  attempts: number;
  last_error: string;
  next_attempt_at: Date | null;
  provider: string | null;
  provider_message_id: string | null;
  created_at: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  reason: DeliveryReason;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  accountId: r.account_id,
  channel: r.channel,
  category: r.category,
  recipient: r.recipient,
  templateKey: r.template_key,
  locale: r.locale,
  subject: r.subject,
  body: r.body,
  html: r.html,
  unsubscribeUrl: r.unsubscribe_url,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at,
  provider: r.provider,
  providerMessageId: r.provider_message_id,
  createdAt: r.created_at,
  sentAt: r.sent_at,
  deliveredAt: r.delivered_at,
  reason: r.reason,
});

const DELIVERY_COLUMNS = `id, event_id, event_type, account_id, channel, category, recipient, template_key,
  locale, subject, body, html, unsubscribe_url, status, attempts, last_error, next_attempt_at,
  provider, provider_message_id, created_at, sent_at, delivered_at, reason`;

const deliveryParams = (d: Delivery) => [
  d.id,
  d.eventId,
  d.eventType,
  d.accountId,
  d.channel,
  d.category,
  d.recipient,
  d.templateKey,
  d.locale,
  d.subject,
  d.body,
  d.html,
  d.unsubscribeUrl,
  d.status,
  d.attempts,
  d.lastError,
  d.nextAttemptAt,
  d.provider,
  d.providerMessageId,
  d.createdAt,
  d.sentAt,
  d.deliveredAt,
  d.reason,
];

export class SqlDeliveryRepository implements DeliveryRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async insertMany(ds: readonly Delivery[]): Promise<number> {
    let inserted = 0;
    for (const d of ds) {
      const rows = await this.sql.rows<{ id: string }>(
        `INSERT INTO deliveries (${DELIVERY_COLUMNS})
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)
         ON CONFLICT ON CONSTRAINT deliveries_event_channel_recipient_key DO NOTHING
         RETURNING id`,
        deliveryParams(d),
      );
      inserted += rows.length;
    }
    return inserted;
  }

  async get(id: string, lock = false): Promise<Delivery | null> {
    const r = await this.sql.one<DeliveryRow>(
      `SELECT * FROM deliveries WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r ? toDelivery(r) : null;
  }

  async byProviderMessage(provider: string, providerMessageId: string): Promise<Delivery | null> {
    const r = await this.sql.one<DeliveryRow>(
      `SELECT * FROM deliveries WHERE provider = $1 AND provider_message_id = $2`,
      [provider, providerMessageId],
    );
    return r ? toDelivery(r) : null;
  }

  async save(d: Delivery): Promise<void> {
    await this.sql.run(
      `UPDATE deliveries SET status = $2, attempts = $3, last_error = $4, next_attempt_at = $5,
         provider = $6, provider_message_id = $7, sent_at = $8, delivered_at = $9, reason = $10
       WHERE id = $1`,
      [
        d.id,
        d.status,
        d.attempts,
        d.lastError,
        d.nextAttemptAt,
        d.provider,
        d.providerMessageId,
        d.sentAt,
        d.deliveredAt,
        d.reason,
      ],
    );
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<Delivery[]> {
    // the rows as they were before the lease moved next_attempt_at (RETURNING gives the new one)
    const due = await this.sql.rows<DeliveryRow>(
      `SELECT * FROM deliveries
       WHERE status IN ('PENDING', 'HELD') AND next_attempt_at <= $1
       ORDER BY next_attempt_at, id
       LIMIT $2
       FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    if (due.length === 0) return [];
    await this.sql.run(`UPDATE deliveries SET next_attempt_at = $2 WHERE id = ANY($1::uuid[])`, [
      due.map((r) => r.id),
      leaseUntil,
    ]);
    return due.map(toDelivery);
  }

  async list(
    filter: DeliveryFilter,
    afterId: string | undefined,
    limit: number,
  ): Promise<Delivery[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (cond: string, v: unknown) => {
      params.push(v);
      where.push(cond.replace('?', `$${params.length}`));
    };
    if (filter.accountId) add('account_id = ?', filter.accountId);
    if (filter.status) add('status = ?', filter.status);
    if (filter.channel) add('channel = ?', filter.channel);
    if (filter.eventId) add('event_id = ?', filter.eventId);
    if (afterId) add('id < ?', afterId);
    params.push(limit);
    const rows = await this.sql.rows<DeliveryRow>(
      `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toDelivery);
  }
}

interface PreferencesRow {
  account_id: string;
  channels: Record<CustomerCategory, ChannelSwitches>;
  quiet_hours_start: string;
  quiet_hours_end: string;
  time_zone: string;
  locale: Locale | '';
  updated_at: Date;
}

export class SqlPreferencesRepository implements PreferencesRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async get(accountId: string): Promise<Preferences | null> {
    const r = await this.sql.one<PreferencesRow>(
      `SELECT * FROM preferences WHERE account_id = $1`,
      [accountId],
    );
    return r
      ? {
          accountId: r.account_id,
          channels: r.channels,
          quietHoursStart: r.quiet_hours_start,
          quietHoursEnd: r.quiet_hours_end,
          timeZone: r.time_zone,
          locale: r.locale,
          updatedAt: r.updated_at,
        }
      : null;
  }

  async save(p: Preferences): Promise<void> {
    await this.sql.run(
      `INSERT INTO preferences
         (account_id, channels, quiet_hours_start, quiet_hours_end, time_zone, locale, updated_at)
       VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7)
       ON CONFLICT (account_id) DO UPDATE SET channels = EXCLUDED.channels,
         quiet_hours_start = EXCLUDED.quiet_hours_start, quiet_hours_end = EXCLUDED.quiet_hours_end,
         time_zone = EXCLUDED.time_zone, locale = EXCLUDED.locale, updated_at = EXCLUDED.updated_at`,
      [
        p.accountId,
        JSON.stringify(p.channels),
        p.quietHoursStart,
        p.quietHoursEnd,
        p.timeZone,
        p.locale,
        p.updatedAt ?? new Date(),
      ],
    );
  }
}

interface PushDeviceRow {
  token: string;
  account_id: string;
  platform: string;
  registered_at: Date;
}

export class SqlPushDeviceRepository implements PushDeviceRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async list(accountId: string): Promise<PushDevice[]> {
    const rows = await this.sql.rows<PushDeviceRow>(
      `SELECT * FROM push_devices WHERE account_id = $1 ORDER BY registered_at, token`,
      [accountId],
    );
    return rows.map((r) => ({
      accountId: r.account_id,
      token: r.token,
      platform: r.platform,
      registeredAt: r.registered_at,
    }));
  }

  async upsert(d: PushDevice): Promise<void> {
    await this.sql.run(
      `INSERT INTO push_devices (token, account_id, platform, registered_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (token) DO UPDATE SET account_id = EXCLUDED.account_id,
         platform = EXCLUDED.platform, registered_at = EXCLUDED.registered_at`,
      [d.token, d.accountId, d.platform, d.registeredAt],
    );
  }

  async remove(accountId: string, token: string): Promise<boolean> {
    return (
      (await this.sql.affected(`DELETE FROM push_devices WHERE account_id = $1 AND token = $2`, [
        accountId,
        token,
      ])) > 0
    );
  }
}

interface TemplateRow {
  key: TemplateKey;
  channel: Channel;
  locale: Locale;
  subject: string;
  body: string;
  updated_at: Date;
}

const toTemplate = (r: TemplateRow): Template => ({
  key: r.key,
  channel: r.channel,
  locale: r.locale,
  subject: r.subject,
  body: r.body,
  updatedAt: r.updated_at,
});

export class SqlTemplateRepository implements TemplateRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async list(key?: TemplateKey): Promise<Template[]> {
    const rows = await this.sql.rows<TemplateRow>(
      `SELECT * FROM templates ${key ? 'WHERE key = $1' : ''} ORDER BY key, channel, locale`,
      key ? [key] : [],
    );
    return rows.map(toTemplate);
  }

  async get(key: TemplateKey, channel: Channel, locale: Locale): Promise<Template | null> {
    const r = await this.sql.one<TemplateRow>(
      `SELECT * FROM templates WHERE key = $1 AND channel = $2 AND locale = $3`,
      [key, channel, locale],
    );
    return r ? toTemplate(r) : null;
  }

  async save(t: Template, operatorId: string): Promise<void> {
    await this.sql.run(
      `UPDATE templates SET subject = $4, body = $5, updated_at = $6, updated_by = $7
       WHERE key = $1 AND channel = $2 AND locale = $3`,
      [t.key, t.channel, t.locale, t.subject, t.body, t.updatedAt, operatorId || 'operator'],
    );
  }
}
