import { ANALYTICS_AUDIENCE } from '@emporia/contracts';
import { newEvent, transactionWithOutbox, type NewEvent } from '@emporia/messaging';
import { isUniqueViolation, Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type {
  AudienceRequest,
  CustomerStore,
  ExportedAudience,
  RetentionCounts,
  RfmResult,
} from '../application/customers.ports';
import {
  isRfmSegment,
  LIFECYCLE_STAGES,
  SEGMENT_RULES,
  type LifecycleSettings,
  type LifecycleStage,
  type RfmSegment,
} from '../domain/customers';

const BUYERS = `FROM customer_stats WHERE paid_orders > 0 AND NOT deleted`;

/** RFM sorts every buyer three times: enough memory to sort in memory, not on disk. */
const SORT_MEMORY = `SET LOCAL work_mem = '64MB'`;

/** Seconds from a column's instant to $1 (now). */
const ago = (col: string) => `(extract(epoch FROM $1::timestamptz) - extract(epoch FROM ${col}))`;

/** The segment rules as a CASE over the scores r, f, m (the domain's rules, in their order). */
const SEGMENT_CASE = `CASE ${SEGMENT_RULES.map(
  (x) =>
    `WHEN r BETWEEN ${x.r[0]} AND ${x.r[1]} AND f BETWEEN ${x.f[0]} AND ${x.f[1]}` +
    ` AND m BETWEEN ${x.m[0]} AND ${x.m[1]} THEN '${x.segment}'`,
).join(' ')} ELSE 'lost' END`;

/**
 * Scores at request time: every buyer's R, F and M as floor(5 · rank / n) + 1 over the ranks
 * of definitions.md (ties by account id), then its segment. $1 = now.
 */
const RFM_CTE = `
  WITH b AS (
    SELECT account_id, paid_orders, currency,
      (paid_minor - refunded_minor) AS spent,
      floor(${ago('last_paid_at')} / 86400)::int AS days
    ${BUYERS}
  ), ranked AS (
    SELECT b.*, count(*) OVER () AS n,
      row_number() OVER (ORDER BY days DESC, account_id) - 1 AS ri,
      row_number() OVER (ORDER BY paid_orders, account_id) - 1 AS fi,
      row_number() OVER (ORDER BY spent, account_id) - 1 AS mi
    FROM b
  ), scored AS (
    SELECT ranked.*, (5 * ri / n + 1)::int AS r, (5 * fi / n + 1)::int AS f,
      (5 * mi / n + 1)::int AS m
    FROM ranked
  ), rfm AS (SELECT scored.*, ${SEGMENT_CASE} AS segment FROM scored)`;

/** Each buyer's life-cycle stage as of $1 (domain `lifecycleStage`); $2 = NEW, $3 = DORMANT days. */
const STAGE_CTE = `
  WITH staged AS (
    SELECT account_id, CASE
      WHEN ${ago('last_paid_at')} > $3 * 86400 THEN 'dormant'
      WHEN ${ago('last_paid_at')} <= $2 * 86400 AND previous_paid_at IS NOT NULL
        AND extract(epoch FROM last_paid_at) - extract(epoch FROM previous_paid_at) > $3 * 86400
        THEN 'woken_up'
      WHEN ${ago('first_paid_at')} <= $2 * 86400 THEN 'new'
      ELSE 'active' END AS stage
    ${BUYERS}
  )`;

interface RfmRow {
  account_id: string;
  r: number;
  f: number;
  m: number;
  segment: RfmSegment;
  days: number;
  paid_orders: number;
  spent: string;
}

interface TotalRow {
  segment: RfmSegment;
  accounts: string;
  monetary: string;
  currency: string;
}

interface AudienceRow {
  id: string;
  segment: string;
  coupon_template_id: string;
  size: number;
}

const audienceOut = (r: AudienceRow): ExportedAudience => ({
  audienceId: r.id,
  accounts: r.size,
  segment: r.segment,
  couponTemplateId: r.coupon_template_id,
});

/** The customer figures over `customer_stats` and `customer_paid_months` (one row per buyer). */
export class SqlCustomerStore implements CustomerStore {
  constructor(
    private readonly ds: DataSource,
    private readonly opts: {
      topic: (base: string) => string;
      onEventsCommitted: () => void;
      /** The currency of money figures when there is no buyer to take one from. */
      defaultCurrency: string;
    },
  ) {}

  async retention(fromMonth: string, toMonth: string): Promise<RetentionCounts> {
    const sql = new Sql(this.ds);
    const totals = await sql.one<{ buyers: string; repeat: string }>(
      `SELECT count(*) AS buyers, count(*) FILTER (WHERE paid_orders >= 2) AS repeat ${BUYERS}`,
    );
    const cells = await sql.rows<{ cohort: string; month: string; accounts: string }>(
      `SELECT s.first_month AS cohort, m.month, count(*) AS accounts
       FROM customer_stats s JOIN customer_paid_months m ON m.account_id = s.account_id
       WHERE s.paid_orders > 0 AND NOT s.deleted
         AND ($1 = '' OR s.first_month >= $1) AND ($2 = '' OR s.first_month <= $2)
       GROUP BY s.first_month, m.month ORDER BY 1, 2`,
      [fromMonth, toMonth],
    );
    return {
      buyers: Number(totals?.buyers ?? 0),
      repeatBuyers: Number(totals?.repeat ?? 0),
      cells: cells.map((c) => ({ cohort: c.cohort, month: c.month, accounts: Number(c.accounts) })),
    };
  }

  async lifecycle(now: Date, s: LifecycleSettings): Promise<Record<LifecycleStage, number>> {
    const rows = await new Sql(this.ds).rows<{ stage: LifecycleStage; accounts: string }>(
      `${STAGE_CTE} SELECT stage, count(*) AS accounts FROM staged GROUP BY stage`,
      [now, s.newDays, s.dormantDays],
    );
    const out = Object.fromEntries(LIFECYCLE_STAGES.map((st) => [st, 0])) as Record<
      LifecycleStage,
      number
    >;
    for (const r of rows) out[r.stage] = Number(r.accounts);
    return out;
  }

  async rfm(now: Date, segment: RfmSegment | null, limit: number): Promise<RfmResult> {
    const { totals, accounts } = await this.ds.transaction(async (manager) => {
      const sql = new Sql(manager);
      await sql.run(SORT_MEMORY);
      // counts alone: one pass; with a list: scored once into a temporary table (gone at commit)
      if (limit)
        await sql.run(`CREATE TEMP TABLE rfm_now ON COMMIT DROP AS ${RFM_CTE} SELECT * FROM rfm`, [
          now,
        ]);
      const totals = `SELECT segment, count(*) AS accounts, sum(spent) AS monetary,
          max(currency) AS currency`;
      return {
        totals: await sql.rows<TotalRow>(
          limit
            ? `${totals} FROM rfm_now WHERE ($1::text IS NULL OR segment = $1) GROUP BY segment`
            : `${RFM_CTE} ${totals} FROM rfm WHERE ($2::text IS NULL OR segment = $2) GROUP BY segment`,
          limit ? [segment] : [now, segment],
        ),
        accounts: limit
          ? await sql.rows<RfmRow>(
              `SELECT account_id, r, f, m, segment, days, paid_orders, spent FROM rfm_now
               WHERE ($1::text IS NULL OR segment = $1) ORDER BY account_id LIMIT $2`,
              [segment, limit],
            )
          : [],
      };
    });
    return {
      segments: totals.map((t) => ({
        segment: t.segment,
        accounts: Number(t.accounts),
        monetaryMinor: Number(t.monetary),
      })),
      accounts: accounts.map((a) => ({
        accountId: a.account_id,
        recency: a.r,
        frequency: a.f,
        monetary: a.m,
        segment: a.segment,
        daysSinceLastOrder: a.days,
        paidOrders: a.paid_orders,
        spentMinor: Number(a.spent),
      })),
      currency: totals.find((t) => t.currency)?.currency.trim() || this.opts.defaultCurrency,
    };
  }

  async exportAudience(req: AudienceRequest): Promise<ExportedAudience | 'EMPTY'> {
    try {
      return await this.tryExport(req);
    } catch (e) {
      // the same key exported at the same moment by another request: that one is the audience
      if (!isUniqueViolation(e, 'audiences_key')) throw e;
      const found = await this.byKey(new Sql(this.ds), req.idempotencyKey);
      if (!found) throw e;
      return found;
    }
  }

  private async byKey(sql: Sql, key: string): Promise<ExportedAudience | null> {
    const r = await sql.one<AudienceRow>(
      `SELECT id, segment, coupon_template_id, size FROM audiences WHERE idempotency_key = $1`,
      [key],
    );
    return r ? audienceOut(r) : null;
  }

  private tryExport(req: AudienceRequest): Promise<ExportedAudience | 'EMPTY'> {
    return transactionWithOutbox<ExportedAudience | 'EMPTY'>(
      this.ds,
      async (manager) => {
        const events: NewEvent[] = [];
        const sql = new Sql(manager);
        const existing = await this.byKey(sql, req.idempotencyKey);
        if (existing) return { result: existing, events };
        await sql.run(SORT_MEMORY);
        const members = (
          isRfmSegment(req.segment)
            ? await sql.rows<{ account_id: string }>(
                `${RFM_CTE} SELECT account_id FROM rfm WHERE segment = $2 ORDER BY account_id`,
                [req.now, req.segment],
              )
            : await sql.rows<{ account_id: string }>(
                `${STAGE_CTE} SELECT account_id FROM staged WHERE stage = $4 ORDER BY account_id`,
                [req.now, req.settings.newDays, req.settings.dormantDays, req.segment],
              )
        ).map((r) => r.account_id);
        if (!members.length) return { result: 'EMPTY' as const, events };
        await sql.run(
          `INSERT INTO audiences (id, segment, coupon_template_id, size, requested_by,
             idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            req.id,
            req.segment,
            req.couponTemplateId,
            members.length,
            req.requestedBy,
            req.idempotencyKey,
            req.now,
          ],
        );
        const partCount = Math.ceil(members.length / req.partSize);
        const topic = this.opts.topic(ANALYTICS_AUDIENCE.name);
        for (let part = 1; part <= partCount; part++)
          events.push(
            newEvent(
              ANALYTICS_AUDIENCE.events.AudienceExported,
              topic,
              req.id,
              {
                audienceId: req.id,
                segment: req.segment,
                couponTemplateId: req.couponTemplateId,
                accountIds: members.slice((part - 1) * req.partSize, part * req.partSize),
                part,
                partCount,
                requestedBy: req.requestedBy,
                exportedAt: req.now.toISOString(),
              },
              { occurredAt: req.now },
            ),
          );
        return {
          result: {
            audienceId: req.id,
            accounts: members.length,
            segment: req.segment,
            couponTemplateId: req.couponTemplateId,
          },
          events,
        };
      },
      this.opts.onEventsCommitted,
    );
  }
}
