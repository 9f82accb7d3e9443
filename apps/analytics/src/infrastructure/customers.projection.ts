import { UUID_RE } from '@emporia/domain';
import type { Sql } from '@emporia/persistence';
import type { Fact, OrderPaidFact, OrderRefundedFact } from '../domain/facts';
import type { Projection } from './projection';

/**
 * Per-account aggregates (`customer_stats`) and paid months (`customer_paid_months`), kept
 * from every paid order of the account (`customer_orders`): each OrderPaid adds its order
 * once and the account's row is recomputed from its own orders, so first, last and previous
 * paid times are exact whatever order the events arrive in. Refunds count once per refund id;
 * an account deletion marks the account (it leaves every customer figure).
 */
export class CustomersProjection implements Projection {
  readonly name = 'customers';
  readonly kinds = ['order_paid', 'order_refunded', 'account_deleted'] as const;

  async apply(sql: Sql, fact: Fact): Promise<void> {
    if (fact.kind === 'order_paid') return this.paid(sql, fact);
    if (fact.kind === 'order_refunded') return this.refunded(sql, fact);
    if (fact.kind === 'account_deleted' && UUID_RE.test(fact.accountId))
      await sql.run(
        `INSERT INTO customer_stats (account_id, deleted) VALUES ($1, true)
         ON CONFLICT (account_id) DO UPDATE SET deleted = true`,
        [fact.accountId],
      );
  }

  private async paid(sql: Sql, f: OrderPaidFact): Promise<void> {
    // an order without a (valid) account is nobody's customer figure
    if (!UUID_RE.test(f.accountId) || !UUID_RE.test(f.orderId)) return;
    // the account's row is the lock: two of its orders paid at once (their events come on
    // different partitions) are counted one after the other, each seeing the other's order
    await sql.run(
      `INSERT INTO customer_stats (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING`,
      [f.accountId],
    );
    await sql.run(`SELECT 1 FROM customer_stats WHERE account_id = $1 FOR UPDATE`, [f.accountId]);
    const added = await sql.rows<{ order_id: string }>(
      `INSERT INTO customer_orders (order_id, account_id, paid_at, paid_minor, currency)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [f.orderId, f.accountId, f.paidAt, f.amountPaid.amountMinor, f.amountPaid.currency],
    );
    if (!added.length) return;
    await sql.run(
      `INSERT INTO customer_paid_months (account_id, month) VALUES ($1, $2)
       ON CONFLICT DO NOTHING`,
      [f.accountId, f.day.slice(0, 7)],
    );
    await sql.run(
      `INSERT INTO customer_stats AS s (account_id, first_paid_at, last_paid_at, previous_paid_at,
         first_month, paid_orders, paid_minor, currency)
       SELECT $1, min(o.paid_at), max(o.paid_at),
         (SELECT p.paid_at FROM customer_orders p WHERE p.account_id = $1
           ORDER BY p.paid_at DESC, p.order_id DESC OFFSET 1 LIMIT 1),
         (SELECT min(m.month) FROM customer_paid_months m WHERE m.account_id = $1),
         count(*), sum(o.paid_minor), (array_agg(o.currency ORDER BY o.paid_at, o.order_id))[1]
       FROM customer_orders o WHERE o.account_id = $1
       ON CONFLICT (account_id) DO UPDATE SET
         first_paid_at = EXCLUDED.first_paid_at, last_paid_at = EXCLUDED.last_paid_at,
         previous_paid_at = EXCLUDED.previous_paid_at, first_month = EXCLUDED.first_month,
         paid_orders = EXCLUDED.paid_orders, paid_minor = EXCLUDED.paid_minor,
         currency = EXCLUDED.currency`,
      [f.accountId],
    );
  }

  private async refunded(sql: Sql, f: OrderRefundedFact): Promise<void> {
    if (!UUID_RE.test(f.accountId) || !UUID_RE.test(f.orderId)) return;
    const added = await sql.rows<{ order_id: string }>(
      `INSERT INTO customer_refunds (order_id, refund_id, account_id, amount_minor)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING order_id`,
      [f.orderId, f.refundId || f.eventId, f.accountId, f.amount.amountMinor],
    );
    if (!added.length) return;
    await sql.run(
      `INSERT INTO customer_stats (account_id, refunded_minor, currency) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO UPDATE
       SET refunded_minor = customer_stats.refunded_minor + EXCLUDED.refunded_minor`,
      [f.accountId, f.amount.amountMinor, f.amount.currency],
    );
  }
}
