import { anyOf, Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type { ReservationRepository, SkuFacts } from '../application/ports';
import type {
  Availability,
  Reservation,
  ReservationStatus,
  ReservedLine,
} from '../domain/reservation';
import type { StockLevel } from '../domain/stock';

/** Reservations and held stock, in plain SQL inside the caller's transaction. */
export class SqlReservationRepository implements ReservationRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async find(id: string, forUpdate = false): Promise<Reservation | null> {
    // one round trip: the header (locked when asked) with its lines and their SKUs' products
    // gathered in a subquery
    const r = await this.sql.one<{
      id: string;
      status: ReservationStatus;
      expires_at: Date;
      created_at: Date;
      updated_at: Date;
      lines: { sku_id: string; warehouse_code: string; quantity: number; product_id: string }[];
    }>(
      `SELECT r.id, r.status, r.expires_at, r.created_at, r.updated_at,
              COALESCE((SELECT json_agg(json_build_object('sku_id', l.sku_id, 'warehouse_code', l.warehouse_code,
                                                          'quantity', l.quantity::int, 'product_id', s.product_id)
                                        ORDER BY l.sku_id, l.warehouse_code)
                          FROM stock_reservation_lines l JOIN skus s ON s.id = l.sku_id
                         WHERE l.reservation_id = r.id), '[]'::json) AS lines
         FROM stock_reservations r WHERE r.id = $1 ${forUpdate ? 'FOR UPDATE OF r' : ''}`,
      [id],
    );
    if (!r) return null;
    return {
      id: r.id,
      status: r.status,
      expiresAt: r.expires_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lines: r.lines.map((l) => ({
        skuId: l.sku_id,
        warehouseCode: l.warehouse_code,
        quantity: l.quantity,
        productId: l.product_id,
      })),
    };
  }

  async claimAndLock(
    r: Omit<Reservation, 'lines'>,
    skuIds: string[],
  ): Promise<Availability[] | null> {
    // one round trip for what were two: the claim, and only when it inserted the row (the
    // EXISTS over `claimed`, so a replay locks nothing), the stock rows locked in the fixed order.
    // The claim runs first: it waits for a concurrent transaction claiming the same id, then
    // inserts nothing if that one committed. FOR UPDATE answers each row as its latest committed
    // version after any wait for its lock, whatever the statement's snapshot.
    const [bySku, ids] = anyOf('sku_id', 6, 'uuid', skuIds);
    const rows = await this.sql.rows<{
      claimed: string | null;
      sku_id: string | null;
      warehouse_code: string;
      on_hand: string;
      reserved: string;
    }>(
      `WITH claimed AS (
         INSERT INTO stock_reservations (id, status, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING RETURNING id),
       locked AS (
         SELECT sku_id, warehouse_code, on_hand, reserved FROM stock_levels
          WHERE ${bySku} AND EXISTS (SELECT 1 FROM claimed)
          ORDER BY sku_id, warehouse_code FOR UPDATE)
       SELECT c.id AS claimed, l.sku_id, l.warehouse_code, l.on_hand::bigint AS on_hand, l.reserved::bigint AS reserved
         FROM (SELECT (SELECT id FROM claimed) AS id) c LEFT JOIN locked l ON true
        ORDER BY l.sku_id, l.warehouse_code`,
      [r.id, r.status, r.expiresAt, r.createdAt, r.updatedAt, ids],
    );
    if (rows[0]?.claimed == null) return null;
    // claimed without stock rows: the one row has no stock columns
    return rows.flatMap((row) =>
      row.sku_id === null
        ? []
        : [
            {
              skuId: row.sku_id,
              warehouseCode: row.warehouse_code,
              onHand: Number(row.on_hand),
              reserved: Number(row.reserved),
            },
          ],
    );
  }

  async addLines(reservationId: string, lines: ReservedLine[]): Promise<void> {
    if (lines.length === 0) return;
    // held until the transaction's next statement or COMMIT (libs/persistence: one round trip)
    await this.sql.runAtCommit(
      `INSERT INTO stock_reservation_lines (reservation_id, sku_id, warehouse_code, quantity)
       SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::bigint[])`,
      [
        reservationId,
        lines.map((l) => l.skuId),
        lines.map((l) => l.warehouseCode),
        lines.map((l) => l.quantity),
      ],
    );
  }

  async setStatus(
    id: string,
    status: ReservationStatus,
    reason: string | null,
    now: Date,
  ): Promise<void> {
    await this.sql.runAtCommit(
      `UPDATE stock_reservations SET status = $2, reason = $3, updated_at = $4 WHERE id = $1`,
      [id, status, reason, now],
    );
  }

  async dueToExpire(now: Date, limit: number): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT id FROM stock_reservations WHERE status = 'ACTIVE' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  async lockAvailability(skuIds: string[]): Promise<Availability[]> {
    const [bySku, ids] = anyOf('sku_id', 1, 'uuid', skuIds);
    const rows = await this.sql.rows<{
      sku_id: string;
      warehouse_code: string;
      on_hand: string;
      reserved: string;
    }>(
      `SELECT sku_id, warehouse_code, on_hand::bigint AS on_hand, reserved::bigint AS reserved FROM stock_levels
       WHERE ${bySku} ORDER BY sku_id, warehouse_code FOR UPDATE`,
      [ids],
    );
    return rows.map((r) => ({
      skuId: r.sku_id,
      warehouseCode: r.warehouse_code,
      onHand: Number(r.on_hand),
      reserved: Number(r.reserved),
    }));
  }

  async changeReserved(
    skuId: string,
    warehouseCode: string,
    delta: number,
    now: Date,
  ): Promise<void> {
    await this.sql.runAtCommit(
      `UPDATE stock_levels SET reserved = reserved + $3, updated_at = $4 WHERE sku_id = $1 AND warehouse_code = $2`,
      [skuId, warehouseCode, delta, now],
    );
  }

  async consumeReserved(
    skuId: string,
    warehouseCode: string,
    quantity: number,
    movement: { reason: string; reference: string; traceId: string },
    now: Date,
  ): Promise<StockLevel> {
    // one round trip: the level moves, its movement is written from the row it returns, and the
    // SKU counts the units as sold
    const [after] = await this.sql.rows<{ on_hand: string; reserved: string }>(
      `WITH moved AS (
         UPDATE stock_levels SET on_hand = on_hand - $3, reserved = reserved - $3, updated_at = $4
          WHERE sku_id = $1 AND warehouse_code = $2 RETURNING on_hand, reserved),
       logged AS (
         INSERT INTO stock_movements (sku_id, warehouse_code, delta, on_hand_after, reason, reference, trace_id, created_at)
         SELECT $1, $2, -$3, on_hand, $5::text, $6::text, $7::text, $4 FROM moved),
       sold AS (
         UPDATE skus SET units_sold = units_sold + $3 WHERE id = $1 AND EXISTS (SELECT 1 FROM moved))
       SELECT on_hand::bigint AS on_hand, reserved::bigint AS reserved FROM moved`,
      [skuId, warehouseCode, quantity, now, movement.reason, movement.reference, movement.traceId],
    );
    return {
      skuId,
      warehouseCode,
      onHand: Number(after.on_hand),
      reserved: Number(after.reserved),
      updatedAt: now,
    };
  }

  async existingSkus(skuIds: string[]): Promise<string[]> {
    const [byId, ids] = anyOf('id', 1, 'uuid', skuIds);
    const rows = await this.sql.rows<{ id: string }>(`SELECT id FROM skus WHERE ${byId}`, [ids]);
    return rows.map((r) => r.id);
  }

  async skuFacts(skuIds: string[]): Promise<SkuFacts[]> {
    const [byId, ids] = anyOf('s.id', 1, 'uuid', skuIds);
    const rows = await this.sql.rows<{
      id: string;
      code: string;
      product_id: string;
      title: string;
      path_ids: string[];
      price: string;
      currency: string;
      status: string;
      available: string;
      /** [warehouse code, available] pairs; bigint as text, so no precision is lost in JSON. */
      stock: [string, string][];
    }>(
      `SELECT s.id, s.code, s.product_id, p.title, c.path_ids, s.price_amount_minor::bigint AS price, s.currency,
              p.status, COALESCE((SELECT sum(on_hand - reserved) FROM stock_levels l WHERE l.sku_id = s.id), 0)::bigint AS available,
              COALESCE((SELECT json_agg(json_build_array(l.warehouse_code, (l.on_hand - l.reserved)::text) ORDER BY l.warehouse_code)
                        FROM stock_levels l WHERE l.sku_id = s.id AND l.on_hand > l.reserved), '[]'::json) AS stock
       FROM skus s JOIN products p ON p.id = s.product_id JOIN categories c ON c.id = p.category_id
       WHERE ${byId}`,
      [ids],
    );
    return rows.map((r) => ({
      skuId: r.id,
      code: r.code,
      productId: r.product_id,
      title: r.title,
      categoryPathIds: r.path_ids,
      priceMinor: Number(r.price),
      currency: r.currency.trim(),
      orderable: r.status === 'ACTIVE',
      available: Number(r.available),
      stock: r.stock.map(([warehouseCode, available]) => ({
        warehouseCode,
        available: Number(available),
      })),
    }));
  }
}
