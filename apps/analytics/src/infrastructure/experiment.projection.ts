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

interface ExposureChangeRow {
  old_variant: string | null;
  old_converted: boolean | null;
  variant: string;
  converted: boolean;
}

interface FlippedRow {
  experiment_key: string;
  variant: string;
}

interface CountDelta {
  experimentKey: string;
  variant: string;
  users: number;
  conversions: number;
}

/**
 * Serialises the facts that touch the same units or accounts, with advisory locks taken in one
 * order: a transaction takes at most one account lock (before reading an account's links or
 * paid orders), then all its unit locks in one statement, sorted. An exposure moving earlier
 * and an action of the same unit, or a new link and a payment of the same account, then see
 * each other whatever partitions they come from, and no two transactions wait on each other.
 * The link (visitor_accounts) and the payment (order_facts) are written by collection before
 * the account lock is taken and read only after it: whichever of the two takes the lock second
 * reads after the first committed, so it sees the first's write.
 */
async function lockAccount(sql: Sql, accountId: string): Promise<void> {
  await sql.run(`SELECT pg_advisory_xact_lock(hashtextextended('experiment-account:' || $1, 0))`, [
    accountId,
  ]);
}

async function lockUnits(sql: Sql, units: string[]): Promise<void> {
  if (units.length === 0) return;
  await sql.run(
    `SELECT pg_advisory_xact_lock(k) FROM (
       SELECT DISTINCT hashtextextended('experiment-unit:' || u, 0) AS k
         FROM unnest($1::text[]) AS u ORDER BY k) AS locks`,
    [units],
  );
}

/**
 * Applies a fact's changes to the per-variant counts, once per fact, row by row in key order
 * (the rows stay locked to the commit: one sorted pass keeps transactions from deadlocking).
 */
async function bump(sql: Sql, deltas: CountDelta[]): Promise<void> {
  const merged = new Map<string, CountDelta>();
  for (const d of deltas) {
    const id = `${d.experimentKey}\u0000${d.variant}`;
    const m = merged.get(id);
    merged.set(
      id,
      m ? { ...m, users: m.users + d.users, conversions: m.conversions + d.conversions } : d,
    );
  }
  for (const id of [...merged.keys()].sort()) {
    const d = merged.get(id)!;
    if (d.users === 0 && d.conversions === 0) continue;
    await sql.run(
      `INSERT INTO experiment_variant_counts (experiment_key, variant, users, conversions)
       VALUES ($1, $2, 0, 0) ON CONFLICT DO NOTHING`,
      [d.experimentKey, d.variant],
    );
    await sql.run(
      `UPDATE experiment_variant_counts
          SET users = users + $3, conversions = conversions + $4
        WHERE experiment_key = $1 AND variant = $2`,
      [d.experimentKey, d.variant, d.users, d.conversions],
    );
  }
}

/**
 * Exposures and conversions of experiments, incrementally, from behaviour events and paid
 * orders, with their counts per variant (the results' rollup). Order of arrival does not
 * matter:
 * - exposure: an experiment_exposure inside the window to a variant the experiment has; the
 *   unit (account, else visitor) keeps its earliest exposure (ties by event id) and variant;
 * - action: a primary-metric action inside the window keeps, per (experiment, unit), only the
 *   latest time: since the first exposure can only move earlier, "some action at or after the
 *   first exposure" is exactly "the latest action is at or after it";
 * - paid_order: an OrderPaid acts for its account and every visitor linked to it; a link seen
 *   later (a behaviour event with both ids) brings the account's earlier paid orders to the
 *   visitor. Links are collection's `visitor_accounts`, paid orders its `order_facts`: both
 *   written earlier in the same transaction (collection's projections run first).
 * An exposure's `converted` flag and the counts follow each change.
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
    const linking = Boolean(accountId && f.anonymousId);
    const exposure = f.type === 'experiment_exposure' && f.experimentKey && f.variant;
    const exposed = exposure ? unitOf(accountId, f.anonymousId) : '';
    // the action is the unit's whichever way it was exposed: as the visitor or the account
    const acting = BEHAVIOUR_METRICS.has(f.type)
      ? [...new Set([f.anonymousId, accountId].filter(Boolean))]
      : [];
    if (linking) await lockAccount(sql, accountId);
    await lockUnits(sql, [
      ...(linking ? [f.anonymousId] : []),
      ...(exposed ? [exposed] : []),
      ...acting,
    ]);
    const deltas: CountDelta[] = [];
    if (linking) deltas.push(...(await this.link(sql, f.anonymousId, accountId)));
    if (exposed) deltas.push(...(await this.expose(sql, f, exposed)));
    if (acting.length > 0) {
      await sql.run(
        `INSERT INTO experiment_conversions (experiment_key, unit, last_at)
         SELECT e.key, u.unit, $2::timestamptz FROM experiments e
          CROSS JOIN unnest($3::text[]) AS u(unit)
          WHERE e.primary_metric = $1
            AND $2::timestamptz >= e.start_at AND $2::timestamptz < e.stop_at
         ORDER BY e.key, u.unit
         ${KEEP_LATEST}`,
        [f.type, f.occurredAt, acting],
      );
      deltas.push(...(await this.converted(sql, acting)));
    }
    await bump(sql, deltas);
  }

  /** The unit's first exposure, kept or moved earlier; the count changes it makes. */
  private async expose(sql: Sql, f: BehaviourFact, unit: string): Promise<CountDelta[]> {
    const change = await sql.one<ExposureChangeRow>(
      `WITH old AS (
         SELECT variant, converted FROM experiment_exposures
          WHERE experiment_key = $1 AND unit = $2),
       changed AS (
         INSERT INTO experiment_exposures
           (experiment_key, unit, variant, first_at, event_id, converted)
         SELECT e.key, $2::text, $3::text, $4::timestamptz, $5::uuid,
                EXISTS (SELECT 1 FROM experiment_conversions c
                         WHERE c.experiment_key = e.key AND c.unit = $2
                           AND c.last_at >= $4::timestamptz)
           FROM experiments e
          WHERE e.key = $1 AND $4::timestamptz >= e.start_at AND $4::timestamptz < e.stop_at
            AND e.variants @> jsonb_build_array(jsonb_build_object('key', $3::text))
         ON CONFLICT (experiment_key, unit) DO UPDATE
           SET variant = EXCLUDED.variant, first_at = EXCLUDED.first_at,
               event_id = EXCLUDED.event_id, converted = EXCLUDED.converted
         WHERE (EXCLUDED.first_at, EXCLUDED.event_id)
             < (experiment_exposures.first_at, experiment_exposures.event_id)
         RETURNING variant, converted)
       SELECT (SELECT variant FROM old) AS old_variant,
              (SELECT converted FROM old) AS old_converted,
              changed.variant, changed.converted
         FROM changed`,
      [f.experimentKey, unit, f.variant, f.occurredAt, f.eventId],
    );
    if (!change) return [];
    const deltas: CountDelta[] = [
      {
        experimentKey: f.experimentKey,
        variant: change.variant,
        users: 1,
        conversions: change.converted ? 1 : 0,
      },
    ];
    if (change.old_variant !== null)
      deltas.push({
        experimentKey: f.experimentKey,
        variant: change.old_variant,
        users: -1,
        conversions: change.old_converted ? -1 : 0,
      });
    return deltas;
  }

  /** Marks the units' exposures converted where their latest action now follows them. */
  private async converted(sql: Sql, units: string[]): Promise<CountDelta[]> {
    const flipped = await sql.rows<FlippedRow>(
      `UPDATE experiment_exposures x SET converted = true
         FROM experiment_conversions c
        WHERE c.experiment_key = x.experiment_key AND c.unit = x.unit
          AND x.unit = ANY($1::text[]) AND NOT x.converted AND c.last_at >= x.first_at
        RETURNING x.experiment_key, x.variant`,
      [units],
    );
    return flipped.map((r) => ({
      experimentKey: r.experiment_key,
      variant: r.variant,
      users: 0,
      conversions: 1,
    }));
  }

  /**
   * A visitor ↔ account link (collection's `visitor_accounts`, written earlier in this
   * transaction): the account's paid orders (`order_facts`) become the visitor's too (the
   * caller holds the account's and the visitor's locks). Applied on every event carrying both
   * ids, not only a new link (the shared table does not say whether this event made it): it is
   * idempotent, and only a conversion it moves later is checked against the exposures.
   */
  private async link(sql: Sql, anonymousId: string, accountId: string): Promise<CountDelta[]> {
    const moved = await sql.affected(
      `INSERT INTO experiment_conversions (experiment_key, unit, last_at)
       SELECT e.key, $1::text, max(o.paid_at) FROM experiments e
         JOIN order_facts o
           ON o.account_id = $2::uuid AND o.paid_at >= e.start_at AND o.paid_at < e.stop_at
        WHERE e.primary_metric = 'paid_order'
        GROUP BY e.key
        ORDER BY e.key
       ${KEEP_LATEST}
        WHERE EXCLUDED.last_at > experiment_conversions.last_at
       RETURNING 1`,
      [anonymousId, accountId],
    );
    if (!moved) return [];
    return this.converted(sql, [anonymousId]);
  }

  private async paid(sql: Sql, f: OrderPaidFact): Promise<void> {
    const accountId = account(f.accountId);
    if (!accountId || !UUID_RE.test(f.orderId ?? '')) return;
    await lockAccount(sql, accountId);
    // collection's order_facts, written earlier in this transaction: the first payment's time
    const order = await sql.one<{ paid_at: Date }>(
      `SELECT paid_at FROM order_facts
        WHERE order_id = $1 AND account_id = $2 AND paid_at IS NOT NULL`,
      [f.orderId.toLowerCase(), accountId],
    );
    if (!order) return;
    const linked = await sql.rows<{ anonymous_id: string }>(
      `SELECT anonymous_id FROM visitor_accounts WHERE account_id = $1 ORDER BY 1`,
      [accountId],
    );
    const units = [accountId, ...linked.map((l) => l.anonymous_id)];
    await lockUnits(sql, units);
    await sql.run(
      `INSERT INTO experiment_conversions (experiment_key, unit, last_at)
       SELECT e.key, u.unit, $2::timestamptz FROM experiments e
        CROSS JOIN unnest($1::text[]) AS u(unit)
        WHERE e.primary_metric = 'paid_order'
          AND $2::timestamptz >= e.start_at AND $2::timestamptz < e.stop_at
        ORDER BY e.key, u.unit
       ${KEEP_LATEST}`,
      [units, order.paid_at],
    );
    await bump(sql, await this.converted(sql, units));
  }
}
