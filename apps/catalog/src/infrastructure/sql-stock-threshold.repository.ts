import { Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type {
  LowStockCursor,
  LowStockItem,
  StockThresholdRepository,
  WatchedStock,
} from '../application/ports';
import type { StockThreshold } from '../domain/stock-threshold';

/** A row of stock_thresholds (migration 1767000000100). */
interface StockThresholdRow {
  sku_id: string;
  warehouse_code: string;
  threshold: string;
  low: boolean;
  low_since: Date | null;
  updated_at: Date;
}

interface WatchedRow extends StockThresholdRow {
  available: string;
  sku_code: string;
  product_id: string;
  product_title: string;
}

interface LowStockRow {
  sku_id: string;
  sku_code: string;
  product_id: string;
  product_title: string;
  warehouse_code: string;
  on_hand: string;
  reserved: string;
  threshold: string;
  low_since: Date;
}

const toThreshold = (r: StockThresholdRow): StockThreshold => ({
  skuId: r.sku_id,
  warehouseCode: r.warehouse_code,
  threshold: Number(r.threshold),
  low: r.low,
  lowSince: r.low_since,
  updatedAt: r.updated_at,
});

const toLowStockItem = (r: LowStockRow): LowStockItem => ({
  skuId: r.sku_id,
  skuCode: r.sku_code,
  productId: r.product_id,
  productTitle: r.product_title,
  warehouseCode: r.warehouse_code,
  onHand: Number(r.on_hand),
  reserved: Number(r.reserved),
  available: Number(r.on_hand) - Number(r.reserved),
  threshold: Number(r.threshold),
  lowSince: r.low_since,
});

const COLUMNS = 't.sku_id, t.warehouse_code, t.threshold, t.low, t.low_since, t.updated_at';

/** Low-stock thresholds, in plain SQL inside the caller's transaction. */
export class SqlStockThresholdRepository implements StockThresholdRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async lockWatched(keys: { skuId: string; warehouseCode: string }[]): Promise<WatchedStock[]> {
    if (keys.length === 0) return [];
    const rows = await this.sql.rows<WatchedRow>(
      `SELECT ${COLUMNS}, COALESCE(l.on_hand - l.reserved, 0)::bigint AS available,
              s.code AS sku_code, s.product_id, p.title AS product_title
       FROM stock_thresholds t
       JOIN unnest($1::uuid[], $2::text[]) AS k(sku_id, warehouse_code)
         ON k.sku_id = t.sku_id AND k.warehouse_code = t.warehouse_code
       JOIN skus s ON s.id = t.sku_id
       JOIN products p ON p.id = s.product_id
       LEFT JOIN stock_levels l ON l.sku_id = t.sku_id AND l.warehouse_code = t.warehouse_code
       ORDER BY t.sku_id, t.warehouse_code
       FOR UPDATE OF t`,
      [keys.map((k) => k.skuId), keys.map((k) => k.warehouseCode)],
    );
    return rows.map((r) => ({
      threshold: toThreshold(r),
      available: Number(r.available),
      skuCode: r.sku_code,
      productId: r.product_id,
      productTitle: r.product_title,
    }));
  }

  async save(t: StockThreshold): Promise<void> {
    // held until the transaction's next statement or COMMIT (libs/persistence: no round trip of
    // its own; a crossing's event goes with it to the outbox at the COMMIT)
    await this.sql.runAtCommit(
      `INSERT INTO stock_thresholds (sku_id, warehouse_code, threshold, low, low_since, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sku_id, warehouse_code) DO UPDATE SET threshold = EXCLUDED.threshold,
         low = EXCLUDED.low, low_since = EXCLUDED.low_since, updated_at = EXCLUDED.updated_at`,
      [t.skuId, t.warehouseCode, t.threshold, t.low, t.lowSince, t.updatedAt],
    );
  }

  async remove(skuId: string, warehouseCode: string): Promise<void> {
    await this.sql.run(`DELETE FROM stock_thresholds WHERE sku_id = $1 AND warehouse_code = $2`, [
      skuId,
      warehouseCode,
    ]);
  }

  async list(skuId: string | undefined, limit: number): Promise<StockThreshold[]> {
    return (
      await this.sql.rows<StockThresholdRow>(
        `SELECT ${COLUMNS} FROM stock_thresholds t WHERE ($1::uuid IS NULL OR t.sku_id = $1::uuid)
         ORDER BY t.sku_id, t.warehouse_code LIMIT $2`,
        [skuId ?? null, limit],
      )
    ).map(toThreshold);
  }

  async lowStock(opts: {
    warehouseCode?: string;
    after?: LowStockCursor;
    limit: number;
  }): Promise<LowStockItem[]> {
    const a = opts.after;
    return (
      await this.sql.rows<LowStockRow>(
        `SELECT t.sku_id, s.code AS sku_code, s.product_id, p.title AS product_title, t.warehouse_code,
                COALESCE(l.on_hand, 0)::bigint AS on_hand, COALESCE(l.reserved, 0)::bigint AS reserved,
                t.threshold, t.low_since
         FROM stock_thresholds t
         JOIN skus s ON s.id = t.sku_id
         JOIN products p ON p.id = s.product_id
         LEFT JOIN stock_levels l ON l.sku_id = t.sku_id AND l.warehouse_code = t.warehouse_code
         WHERE t.low AND ($1::text IS NULL OR t.warehouse_code = $1)
           AND ($2::timestamptz IS NULL
                OR (t.low_since, t.sku_id, t.warehouse_code) > ($2::timestamptz, $3::uuid, $4::text))
         ORDER BY t.low_since, t.sku_id, t.warehouse_code
         LIMIT $5`,
        [
          opts.warehouseCode ?? null,
          a?.lowSince ?? null,
          a?.skuId ?? null,
          a?.warehouseCode ?? null,
          opts.limit,
        ],
      )
    ).map(toLowStockItem);
  }
}
