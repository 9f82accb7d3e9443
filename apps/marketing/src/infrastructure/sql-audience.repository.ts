import { Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import {
  CART_REMINDER_SOURCE,
  type AudienceGrant,
  type AudienceRepository,
  type CartReminderPolicy,
  type GrantFilter,
  type GrantOutcome,
} from '../application/ports';

interface GrantRow {
  source: string;
  account_id: string;
  template_id: string;
  coupon_code: string | null;
  outcome: GrantOutcome;
  reason: string;
  granted_at: Date;
}

interface PolicyRow {
  enabled: boolean;
  coupon_template_id: string;
  min_interval_hours: number;
}

const toGrant = (r: GrantRow): AudienceGrant => ({
  source: r.source,
  accountId: r.account_id,
  templateId: r.template_id,
  couponCode: r.coupon_code,
  outcome: r.outcome,
  reason: r.reason,
  grantedAt: r.granted_at,
});

const COLUMNS = `source, account_id, template_id, coupon_code, outcome, reason, granted_at`;

/** Grants to audiences and abandoned carts, and the cart reminder policy. */
export class SqlAudienceRepository implements AudienceRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async findGrant(source: string, accountId: string): Promise<AudienceGrant | null> {
    const r = await this.sql.one<GrantRow>(
      `SELECT ${COLUMNS} FROM audience_grants WHERE source = $1 AND account_id = $2
       ORDER BY granted_at DESC, id DESC LIMIT 1`,
      [source, accountId],
    );
    return r ? toGrant(r) : null;
  }

  async insertGrant(g: AudienceGrant): Promise<boolean> {
    const rows = await this.sql.rows<{ id: string }>(
      `INSERT INTO audience_grants (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (source, account_id) WHERE source <> 'cart-reminder' DO NOTHING RETURNING id`,
      [g.source, g.accountId, g.templateId, g.couponCode, g.outcome, g.reason, g.grantedAt],
    );
    return rows.length === 1;
  }

  async lastReminder(accountId: string): Promise<Date | null> {
    const r = await this.sql.one<{ at: Date | null }>(
      `SELECT max(granted_at) AS at FROM audience_grants
       WHERE account_id = $1 AND source = $2 AND outcome = 'GRANTED'`,
      [accountId, CART_REMINDER_SOURCE],
    );
    return r?.at ?? null;
  }

  async list(f: GrantFilter): Promise<AudienceGrant[]> {
    return (
      await this.sql.rows<GrantRow>(
        `SELECT ${COLUMNS} FROM audience_grants
         WHERE ($1 = '' OR source = $1) AND ($2 = '' OR account_id = $2::uuid)
         ORDER BY granted_at DESC, id DESC LIMIT $3`,
        [f.source, f.accountId, f.limit],
      )
    ).map(toGrant);
  }

  async policy(): Promise<CartReminderPolicy | null> {
    const r = await this.sql.one<PolicyRow>(
      `SELECT enabled, coupon_template_id, min_interval_hours FROM cart_reminder_policy`,
    );
    return r
      ? {
          enabled: r.enabled,
          couponTemplateId: r.coupon_template_id ?? '',
          minIntervalHours: r.min_interval_hours,
        }
      : null;
  }

  async savePolicy(p: CartReminderPolicy, now: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO cart_reminder_policy (id, enabled, coupon_template_id, min_interval_hours, updated_at)
       VALUES (true, $1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET enabled = EXCLUDED.enabled,
         coupon_template_id = EXCLUDED.coupon_template_id,
         min_interval_hours = EXCLUDED.min_interval_hours, updated_at = EXCLUDED.updated_at`,
      [p.enabled, p.couponTemplateId || null, p.minIntervalHours, now],
    );
  }
}
