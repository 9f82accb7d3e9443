import { UUID_RE } from '@emporia/domain';
import type { Sql } from '@emporia/persistence';
import type { BehaviourFact, Fact, OrderPaidFact, OrderPlacedFact } from '../domain/facts';
import { distinctProducts, viewSessionKey } from '../domain/recommendation';
import type { Projection } from './projection';

interface OrderStateRow {
  placed: boolean;
  paid: boolean;
  counted: boolean;
  product_ids: string[];
}

/** Adds 1 to every pair given (a, b) of a kind; rows in a fixed order against deadlocks. */
const ADD_PAIRS = `
  INSERT INTO product_pairs (kind, a, b, together)
  SELECT $1::text, x.a, x.b, 1 FROM (%PAIRS%) AS x(a, b) ORDER BY x.a, x.b
  ON CONFLICT (kind, a, b) DO UPDATE SET together = product_pairs.together + 1`;

/**
 * The pair counts of recommendations, incrementally.
 * - bought together: a paid order counts once, with the distinct products of its OrderPlaced
 *   lines (kept here, so OrderPaid may come before OrderPlaced): `product_orders` + 1 for
 *   each product, `product_pairs` + 1 for each ordered pair.
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
    if (!UUID_RE.test(f.orderId ?? '')) return;
    const state = await sql.one<OrderStateRow>(
      `INSERT INTO recommendation_orders (order_id, product_ids, placed, paid)
       VALUES ($1, $2::uuid[], true, false)
       ON CONFLICT (order_id) DO UPDATE SET product_ids = EXCLUDED.product_ids, placed = true
         WHERE NOT recommendation_orders.placed
       RETURNING placed, paid, counted, product_ids`,
      [f.orderId.toLowerCase(), distinctProducts(f.lines)],
    );
    if (state?.paid) await this.count(sql, f.orderId.toLowerCase());
  }

  private async paid(sql: Sql, f: OrderPaidFact): Promise<void> {
    if (!UUID_RE.test(f.orderId ?? '')) return;
    const state = await sql.one<OrderStateRow>(
      `INSERT INTO recommendation_orders (order_id, placed, paid) VALUES ($1, false, true)
       ON CONFLICT (order_id) DO UPDATE SET paid = true
       RETURNING placed, paid, counted, product_ids`,
      [f.orderId.toLowerCase()],
    );
    if (state?.placed) await this.count(sql, f.orderId.toLowerCase());
  }

  /** Counts a placed and paid order, once. */
  private async count(sql: Sql, orderId: string): Promise<void> {
    const order = await sql.one<OrderStateRow>(
      `UPDATE recommendation_orders SET counted = true
        WHERE order_id = $1 AND placed AND paid AND NOT counted
       RETURNING placed, paid, counted, product_ids`,
      [orderId],
    );
    if (!order || order.product_ids.length === 0) return;
    const products = [...order.product_ids].sort();
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
