import { ANALYTICS_CART } from '@emporia/contracts';
import { newEvent, transactionWithOutbox } from '@emporia/messaging';
import { Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type { CartAbandonment } from '../application/collection.ports';

interface DueCartRow {
  account_id: string;
  lines: { skuId: string; productId: string; quantity: number }[];
  items: number;
  subtotal_minor: string;
  currency: string | null;
  updated_at: Date;
}

/**
 * Abandoned carts over Postgres: a non-empty cart unchanged for the delay, with no order placed
 * since its last change, not raised since that change and not raised for the account within the
 * cap. Each one is marked, listed and its CartAbandoned written to the outbox in one
 * transaction (exactly once); rows are claimed with SKIP LOCKED, a bounded batch per call.
 */
export class SqlCartAbandonment implements CartAbandonment {
  constructor(
    private readonly ds: DataSource,
    private readonly opts: {
      topic: (base: string) => string;
      newId: () => string;
      onEventsCommitted: () => void;
    },
  ) {}

  raiseDue(o: {
    now: Date;
    abandonAfterMs: number;
    capMs: number;
    limit: number;
  }): Promise<number> {
    const dueBefore = new Date(o.now.getTime() - o.abandonAfterMs);
    const capFrom = new Date(o.now.getTime() - o.capMs);
    return transactionWithOutbox(
      this.ds,
      async (m) => {
        const sql = new Sql(m);
        const due = await sql.rows<DueCartRow>(
          `SELECT account_id, lines, items, subtotal_minor, currency, updated_at FROM cart_state
            WHERE items > 0 AND updated_at <= $1
              AND NOT EXISTS (SELECT 1 FROM order_facts o
                               WHERE o.account_id = cart_state.account_id
                                 AND o.placed_at >= cart_state.updated_at)
              AND (raised_for IS NULL OR raised_for < updated_at)
              AND (last_raised_at IS NULL OR last_raised_at <= $2)
            ORDER BY updated_at LIMIT $3
            FOR UPDATE SKIP LOCKED`,
          [dueBefore, capFrom, o.limit],
        );
        const topic = this.opts.topic(ANALYTICS_CART.name);
        const events = [];
        for (const c of due) {
          await sql.run(
            `UPDATE cart_state SET raised_for = updated_at, last_raised_at = $2 WHERE account_id = $1`,
            [c.account_id, o.now],
          );
          await sql.run(
            `INSERT INTO cart_abandonments (id, account_id, cart_updated_at, abandoned_at, items,
               subtotal_minor, currency, lines) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
            [
              this.opts.newId(),
              c.account_id,
              c.updated_at,
              o.now,
              c.items,
              c.subtotal_minor,
              c.currency,
              JSON.stringify(c.lines),
            ],
          );
          events.push(
            newEvent(
              ANALYTICS_CART.events.CartAbandoned,
              topic,
              c.account_id,
              {
                accountId: c.account_id,
                cartUpdatedAt: c.updated_at.toISOString(),
                abandonedAt: o.now.toISOString(),
                lines: c.lines.map((l) => ({
                  skuId: l.skuId,
                  productId: l.productId,
                  quantity: l.quantity,
                })),
                subtotal: c.currency
                  ? { amountMinor: Number(c.subtotal_minor), currency: c.currency }
                  : undefined,
              },
              { occurredAt: o.now },
            ),
          );
        }
        return { result: due.length, events };
      },
      this.opts.onEventsCommitted,
    );
  }
}
