import { UUID_RE } from '@emporia/domain';
import type { Sql } from '@emporia/persistence';
import { unitOf } from '../domain/experiment';
import type { BehaviourFact, Fact, OrderPaidFact } from '../domain/facts';
import type { Projection } from './projection';

/** The behaviour types that are an experiment's primary metric (paid_order comes from orders). */
const BEHAVIOUR_METRICS = new Set(['checkout_started', 'add_to_cart', 'banner_click']);

/** Keeps the later of two action times for (experiment, unit). */
const KEEP_LATEST = `ON CONFLICT (experiment_key, unit) DO UPDATE
  SET last_at = GREATEST(experiment_conversions.last_at, EXCLUDED.last_at)`;

const account = (id: string) => (UUID_RE.test(id ?? '') ? id.toLowerCase() : '');

/**
 * Exposures and conversions of experiments, incrementally, from behaviour events and paid
 * orders. Order of arrival does not matter:
 * - exposure: an experiment_exposure inside the window to a variant the experiment has; the
 *   unit (account, else visitor) keeps its earliest exposure (ties by event id) and variant;
 * - action: a primary-metric action inside the window keeps, per (experiment, unit), only the
 *   latest time: since the first exposure can only move earlier, "some action at or after the
 *   first exposure" is exactly "the latest action is at or after it";
 * - paid_order: an OrderPaid acts for its account and every visitor linked to it; a link seen
 *   later (a behaviour event with both ids) brings the account's earlier paid orders to the
 *   visitor (links and paid orders are kept here: this area's own identity map).
 */
export class ExperimentProjection implements Projection {
  readonly name = 'experiments';
  readonly kinds = ['behaviour', 'order_paid'] as const;

  async apply(sql: Sql, fact: Fact): Promise<void> {
    if (fact.kind === 'behaviour') await this.behaviour(sql, fact);
    else if (fact.kind === 'order_paid') await this.paid(sql, fact);
  }

  private async behaviour(sql: Sql, f: BehaviourFact): Promise<void> {
    const accountId = account(f.accountId);
    if (accountId && f.anonymousId) await this.link(sql, f.anonymousId, accountId);
    if (f.type === 'experiment_exposure' && f.experimentKey && f.variant) {
      await sql.run(
        `INSERT INTO experiment_exposures (experiment_key, unit, variant, first_at, event_id)
         SELECT e.key, $2::text, $3::text, $4::timestamptz, $5::uuid FROM experiments e
          WHERE e.key = $1 AND $4::timestamptz >= e.start_at AND $4::timestamptz < e.stop_at
            AND e.variants @> jsonb_build_array(jsonb_build_object('key', $3::text))
         ON CONFLICT (experiment_key, unit) DO UPDATE
           SET variant = EXCLUDED.variant, first_at = EXCLUDED.first_at,
               event_id = EXCLUDED.event_id
         WHERE (EXCLUDED.first_at, EXCLUDED.event_id)
             < (experiment_exposures.first_at, experiment_exposures.event_id)`,
        [f.experimentKey, unitOf(accountId, f.anonymousId), f.variant, f.occurredAt, f.eventId],
      );
    }
    if (BEHAVIOUR_METRICS.has(f.type)) {
      // the action is the unit's whichever way it was exposed: as the visitor or the account
      const units = [...new Set([f.anonymousId, accountId].filter(Boolean))];
      await sql.run(
        `INSERT INTO experiment_conversions (experiment_key, unit, last_at)
         SELECT e.key, u.unit, $2::timestamptz FROM experiments e
          CROSS JOIN unnest($3::text[]) AS u(unit)
          WHERE e.primary_metric = $1 AND $2::timestamptz >= e.start_at AND $2::timestamptz < e.stop_at
         ORDER BY e.key, u.unit
         ${KEEP_LATEST}`,
        [f.type, f.occurredAt, units],
      );
    }
  }

  /** A new visitor ↔ account link: the account's paid orders become the visitor's too. */
  private async link(sql: Sql, anonymousId: string, accountId: string): Promise<void> {
    const added = await sql.affected(
      `INSERT INTO experiment_visitor_links (anonymous_id, account_id) VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [anonymousId, accountId],
    );
    if (!added) return;
    await sql.run(
      `INSERT INTO experiment_conversions (experiment_key, unit, last_at)
       SELECT e.key, $1::text, max(p.paid_at) FROM experiments e
         JOIN experiment_account_payments p
           ON p.account_id = $2::uuid AND p.paid_at >= e.start_at AND p.paid_at < e.stop_at
        WHERE e.primary_metric = 'paid_order'
        GROUP BY e.key
        ORDER BY e.key
       ${KEEP_LATEST}`,
      [anonymousId, accountId],
    );
  }

  private async paid(sql: Sql, f: OrderPaidFact): Promise<void> {
    const accountId = account(f.accountId);
    if (!accountId || !UUID_RE.test(f.orderId ?? '')) return;
    const added = await sql.affected(
      `INSERT INTO experiment_account_payments (order_id, account_id, paid_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [f.orderId.toLowerCase(), accountId, f.paidAt],
    );
    if (!added) return;
    await sql.run(
      `INSERT INTO experiment_conversions (experiment_key, unit, last_at)
       SELECT e.key, u.unit, $2::timestamptz FROM experiments e
        CROSS JOIN (SELECT $1::text AS unit
                    UNION SELECT anonymous_id FROM experiment_visitor_links
                           WHERE account_id = $1::uuid) u
        WHERE e.primary_metric = 'paid_order'
          AND $2::timestamptz >= e.start_at AND $2::timestamptz < e.stop_at
        ORDER BY e.key, u.unit
       ${KEEP_LATEST}`,
      [accountId, f.paidAt],
    );
  }
}
