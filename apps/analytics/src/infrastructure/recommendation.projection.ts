import { UUID_RE } from '@emporia/domain';
import type { Sql } from '@emporia/persistence';
import type { BehaviourFact, Fact, OrderPaidFact, OrderPlacedFact } from '../domain/facts';
import { distinctProducts, viewSessionKey } from '../domain/recommendation';
import type { Projection } from './projection';

interface OrderLinesRow {
  lines: { productId: string }[];
}

/** Adds 1 to every pair given (a, b) of a kind; rows in a fixed order against deadlocks. */
const ADD_PAIRS = `
  INSERT INTO product_pairs (kind, a, b, together)
  SELECT $1::text, x.a, x.b, 1 FROM (%PAIRS%) AS x(a, b) ORDER BY x.a, x.b
  ON CONFLICT (kind, a, b) DO UPDATE SET together = product_pairs.together + 1`;

/**
 * The pair counts of recommendations, incrementally.
 * - bought together: a paid order counts once, with the distinct products of its OrderPlaced
 *   lines: `product_orders` + 1 for each product, `product_pairs` + 1 for each ordered pair.
 *   The order is read from collection's `order_facts` (written earlier in the same
 *   transaction: placed_at, paid_at and lines, whichever of OrderPlaced and OrderPaid came
 *   first); `recommendation_counted_orders` only marks the orders already counted.
 * - viewed together: a product_view adds its product to its session's set (session id, or the
 *   visitor's day); a product new to the session adds 1 to `product_sessions` and to its
 *   pairs with each product the session had before, once.
 */
export class RecommendationProjection implements Projection {
  readonly name = 'recommendations';
  readonly kinds = ['order_placed', 'order_paid', 'behaviour'] as const;

  async apply(sql: Sql, fact: Fact): Promise<void> {
    if (fact.kind === 'order_placed') await this.placed(sql, fact);
    else if (fact.kind === 'order_paid') await this.paid(sql, fact);
    else if (fact.kind === 'behaviour' && fact.type === 'product_view')
      await this.viewed(sql, fact);
  }

  private async placed(sql: Sql, f: OrderPlacedFact): Promise<void> {
    if (UUID_RE.test(f.orderId ?? '')) await this.count(sql, f.orderId.toLowerCase());
  }

  private async paid(sql: Sql, f: OrderPaidFact): Promise<void> {
    if (UUID_RE.test(f.orderId ?? '')) await this.count(sql, f.orderId.toLowerCase());
  }

  /**
   * Counts an order once it is both placed and paid in `order_facts`, once: a duplicate
   * OrderPlaced or OrderPaid under another event id finds the same row, so the marker says
   * whether it was counted. Two halves processed at once see each other: collection's write
   * of the second waits on the first's order_facts row until that commits.
   */
  private async count(sql: Sql, orderId: string): Promise<void> {
    const order = await sql.one<OrderLinesRow>(
      `SELECT lines FROM order_facts
        WHERE order_id = $1 AND placed_at IS NOT NULL AND paid_at IS NOT NULL`,
      [orderId],
    );
    if (!order) return;
    const counted = await sql.affected(
      `INSERT INTO recommendation_counted_orders (order_id) VALUES ($1)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [orderId],
    );
    if (!counted) return;
    const products = distinctProducts(order.lines);
    if (products.length === 0) return;
    await sql.run(
      `INSERT INTO product_orders (product_id, orders)
       SELECT p, 1 FROM unnest($1::uuid[]) AS p ORDER BY p
       ON CONFLICT (product_id) DO UPDATE SET orders = product_orders.orders + 1`,
      [products],
    );
    await sql.run(
      ADD_PAIRS.replace(
        '%PAIRS%',
        `SELECT a, b FROM unnest($2::uuid[]) AS a CROSS JOIN unnest($2::uuid[]) AS b WHERE a <> b`,
      ),
      ['bought_together', products],
    );
  }

  private async viewed(sql: Sql, f: BehaviourFact): Promise<void> {
    if (!UUID_RE.test(f.productId ?? '')) return;
    const product = f.productId.toLowerCase();
    const session = viewSessionKey(f);
    const added = await sql.affected(
      `INSERT INTO recommendation_session_products (session_key, product_id, day)
       VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [session, product, f.day],
    );
    if (!added) return;
    await sql.run(
      `INSERT INTO product_sessions (product_id, sessions) VALUES ($1, 1)
       ON CONFLICT (product_id) DO UPDATE SET sessions = product_sessions.sessions + 1`,
      [product],
    );
    await sql.run(
      ADD_PAIRS.replace(
        '%PAIRS%',
        `SELECT $3::uuid, product_id FROM recommendation_session_products
          WHERE session_key = $2 AND product_id <> $3
         UNION ALL
         SELECT product_id, $3::uuid FROM recommendation_session_products
          WHERE session_key = $2 AND product_id <> $3`,
      ),
      ['viewed_together', session, product],
    );
  }
}
