import type { Sql } from '@emporia/persistence';
import type { Fact, ProductSnapshotFact } from '../domain/facts';
import type { Projection } from './projection';

/** A line of `order_facts.lines` (the collection area's shared table). */
interface OrderLineJson {
  skuId: string;
  productId: string;
  quantity: number;
}

interface OrderFactsRow {
  paid_day: string | null;
  lines: OrderLineJson[] | null;
}

/**
 * The inventory rollups (migration 1765000000400), incrementally:
 * - product_snapshot: per SKU, the last snapshot (an older one arriving late changes nothing),
 *   the end-of-day on hand of the snapshot's day (the latest snapshot of that day), and a price
 *   point when the price differs from the one in effect at the snapshot's time;
 * - order_paid / order_placed: once per order, when `order_facts` (written by the collection
 *   projection before this one) has both the lines and the paid day, the lines' units are
 *   added to the SKUs' sales of the paid day. Whichever of the two events comes second counts
 *   the order; `inventory_counted_orders` makes it once.
 */
export const inventoryProjection: Projection = {
  name: 'inventory',
  kinds: ['product_snapshot', 'order_paid', 'order_placed'],
  async apply(sql: Sql, fact: Fact): Promise<void> {
    if (fact.kind === 'product_snapshot') return snapshot(sql, fact);
    if (fact.kind === 'order_paid' || fact.kind === 'order_placed')
      return countOrder(sql, fact.orderId);
  },
};

async function snapshot(sql: Sql, f: ProductSnapshotFact): Promise<void> {
  for (const s of f.skus) {
    await sql.run(
      `INSERT INTO inventory_skus (sku_id, product_id, category_id, category_path_ids, currency,
         price_minor, on_hand, snapshot_at)
       VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8)
       ON CONFLICT (sku_id) DO UPDATE SET product_id = EXCLUDED.product_id,
         category_id = EXCLUDED.category_id, category_path_ids = EXCLUDED.category_path_ids,
         currency = EXCLUDED.currency, price_minor = EXCLUDED.price_minor,
         on_hand = EXCLUDED.on_hand, snapshot_at = EXCLUDED.snapshot_at
       WHERE inventory_skus.snapshot_at <= EXCLUDED.snapshot_at`,
      [
        s.skuId,
        f.productId,
        f.categoryId,
        f.categoryPathIds.length ? f.categoryPathIds : [f.categoryId],
        s.price.currency,
        s.price.amountMinor,
        s.onHand,
        f.at,
      ],
    );
    await sql.run(
      `INSERT INTO inventory_daily_on_hand (sku_id, day, on_hand, at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sku_id, day) DO UPDATE SET on_hand = EXCLUDED.on_hand, at = EXCLUDED.at
       WHERE inventory_daily_on_hand.at <= EXCLUDED.at`,
      [s.skuId, f.day, s.onHand, f.at],
    );
    await sql.run(
      `INSERT INTO inventory_price_points (sku_id, at, day, currency, price_minor)
       SELECT $1, $2, $3, $4, $5
       WHERE NOT EXISTS (
         SELECT 1 FROM (SELECT price_minor FROM inventory_price_points
                        WHERE sku_id = $1 AND at <= $2 ORDER BY at DESC LIMIT 1) last
         WHERE last.price_minor = $5)
       ON CONFLICT (sku_id, at) DO NOTHING`,
      [s.skuId, f.at, f.day, s.price.currency, s.price.amountMinor],
    );
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function countOrder(sql: Sql, orderId: string): Promise<void> {
  // order_facts.order_id is a uuid: anything else has no row there
  if (!UUID_RE.test(orderId)) return;
  const order = await sql.one<OrderFactsRow>(
    `SELECT to_char(paid_day, 'YYYY-MM-DD') AS paid_day, lines FROM order_facts WHERE order_id = $1::uuid`,
    [orderId],
  );
  if (!order?.paid_day || !order.lines || order.lines.length === 0) return;
  const claimed = await sql.one<{ order_id: string }>(
    `INSERT INTO inventory_counted_orders (order_id, paid_day) VALUES ($1, $2)
     ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
    [orderId, order.paid_day],
  );
  if (!claimed) return; // counted already
  const units = new Map<string, number>();
  for (const l of order.lines)
    if (l.skuId && l.quantity > 0) units.set(l.skuId, (units.get(l.skuId) ?? 0) + l.quantity);
  for (const [skuId, quantity] of [...units.entries()].sort())
    await sql.run(
      `INSERT INTO inventory_daily_sales (sku_id, day, units) VALUES ($1, $2, $3)
       ON CONFLICT (sku_id, day) DO UPDATE SET units = inventory_daily_sales.units + EXCLUDED.units`,
      [skuId, order.paid_day, quantity],
    );
}
