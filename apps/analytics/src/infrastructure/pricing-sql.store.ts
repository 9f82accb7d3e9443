import { Money } from '@emporia/money';
import { inTransaction, isUniqueViolation, Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type {
  InventoryStore,
  PriceSuggestion,
  PricingStore,
  SuggestionStatus,
} from '../application/pricing.ports';
import { AnalyticsError } from '../domain/analytics-error';
import type { SkuWindowFacts } from '../domain/inventory-health';
import type { PricingPolicy } from '../domain/pricing-policy';
import type { PricePoint } from '../domain/pricing-suggestion';

// Rows as Postgres returns them (migration 1765000000400): bigint as string, char(3) padded.

interface WindowFactsRow {
  sku_id: string;
  product_id: string;
  category_id: string;
  category_path_ids: string[];
  on_hand: string;
  units_sold: string;
  on_hand_day_sum: string;
}

interface PriceRow {
  sku_id: string;
  currency: string;
  price_minor: string;
}

interface PricePointRow {
  day: string;
  price_minor: string;
}

interface DailySalesRow {
  day: string;
  units: string;
}

interface PolicyRow {
  sku_id: string;
  currency: string;
  floor_minor: string;
  ceiling_minor: string;
  unit_cost_minor: string;
  min_margin_bps: number;
  target_sell_through: number;
  target_days_of_supply: number;
  enabled: boolean;
}

interface SuggestionRow {
  id: string;
  sku_id: string;
  currency: string;
  current_price_minor: string;
  suggested_price_minor: string;
  reasons: string[];
  elasticity: number;
  days_of_supply: number;
  sell_through: number;
  status: SuggestionStatus;
  created_at: Date;
  decided_by: string;
  decided_at: Date | null;
}

const toPolicy = (r: PolicyRow): PricingPolicy => {
  const c = r.currency.trim();
  return {
    skuId: r.sku_id,
    floor: Money.of(Number(r.floor_minor), c),
    ceiling: Money.of(Number(r.ceiling_minor), c),
    unitCost: Money.of(Number(r.unit_cost_minor), c),
    minMarginBps: r.min_margin_bps,
    targetSellThrough: r.target_sell_through,
    targetDaysOfSupply: r.target_days_of_supply,
    enabled: r.enabled,
  };
};

const toSuggestion = (r: SuggestionRow): PriceSuggestion => {
  const c = r.currency.trim();
  return {
    id: r.id,
    skuId: r.sku_id,
    currentPrice: Money.of(Number(r.current_price_minor), c),
    suggestedPrice: Money.of(Number(r.suggested_price_minor), c),
    reasons: r.reasons,
    elasticity: r.elasticity,
    daysOfSupply: r.days_of_supply,
    sellThrough: r.sell_through,
    status: r.status,
    createdAt: r.created_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
  };
};

const SUGGESTION_COLUMNS = `id, sku_id, currency, current_price_minor, suggested_price_minor, reasons,
  elasticity, days_of_supply, sell_through, status, created_at, decided_by, decided_at`;

/** The inventory rollups and the pricing tables over Postgres. */
export class SqlPricingStore implements InventoryStore, PricingStore {
  private readonly sql: Sql;

  constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
  }

  async windowFacts(
    fromDay: string,
    toDay: string,
    skuIds?: readonly string[],
  ): Promise<SkuWindowFacts[]> {
    // end-of-day on hand of each window day: the last daily row on or before it (carried forward)
    const rows = await this.sql.rows<WindowFactsRow>(
      `WITH s AS (
         SELECT * FROM inventory_skus WHERE $3::text[] IS NULL OR sku_id = ANY($3::text[])),
       days AS (SELECT d::date AS day FROM generate_series($1::date, $2::date, interval '1 day') d)
       SELECT s.sku_id, s.product_id, s.category_id, s.category_path_ids, s.on_hand,
         COALESCE((SELECT sum(units) FROM inventory_daily_sales x
                   WHERE x.sku_id = s.sku_id AND x.day BETWEEN $1::date AND $2::date), 0) AS units_sold,
         (SELECT COALESCE(sum(COALESCE(
            (SELECT o.on_hand FROM inventory_daily_on_hand o
             WHERE o.sku_id = s.sku_id AND o.day <= days.day ORDER BY o.day DESC LIMIT 1), 0)), 0)
          FROM days) AS on_hand_day_sum
       FROM s ORDER BY s.sku_id`,
      [fromDay, toDay, skuIds ? [...skuIds] : null],
    );
    return rows.map((r) => ({
      skuId: r.sku_id,
      productId: r.product_id,
      categoryId: r.category_id,
      categoryPathIds: r.category_path_ids,
      onHand: Number(r.on_hand),
      unitsSold: Number(r.units_sold),
      onHandDaySum: Number(r.on_hand_day_sum),
    }));
  }

  async currentPrices(skuIds: readonly string[]): Promise<Map<string, Money>> {
    const rows = await this.sql.rows<PriceRow>(
      `SELECT sku_id, currency, price_minor FROM inventory_skus WHERE sku_id = ANY($1::text[])`,
      [[...skuIds]],
    );
    return new Map(rows.map((r) => [r.sku_id, Money.of(Number(r.price_minor), r.currency.trim())]));
  }

  async priceHistory(
    skuId: string,
    fromDay: string,
    toDay: string,
  ): Promise<{ points: PricePoint[]; unitsByDay: Map<string, number> }> {
    const points = await this.sql.rows<PricePointRow>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, price_minor FROM inventory_price_points
       WHERE sku_id = $1 AND day <= $3::date
         AND at >= COALESCE((SELECT max(at) FROM inventory_price_points
                             WHERE sku_id = $1 AND day < $2::date), '-infinity')
       ORDER BY at`,
      [skuId, fromDay, toDay],
    );
    const sales = await this.sql.rows<DailySalesRow>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, units FROM inventory_daily_sales
       WHERE sku_id = $1 AND day BETWEEN $2::date AND $3::date`,
      [skuId, fromDay, toDay],
    );
    return {
      points: points.map((p) => ({ day: p.day, priceMinor: Number(p.price_minor) })),
      unitsByDay: new Map(sales.map((s) => [s.day, Number(s.units)])),
    };
  }

  async upsertPolicy(p: PricingPolicy, now: Date): Promise<PricingPolicy> {
    await this.sql.run(
      `INSERT INTO pricing_policies (sku_id, currency, floor_minor, ceiling_minor, unit_cost_minor,
         min_margin_bps, target_sell_through, target_days_of_supply, enabled, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (sku_id) DO UPDATE SET currency = EXCLUDED.currency,
         floor_minor = EXCLUDED.floor_minor, ceiling_minor = EXCLUDED.ceiling_minor,
         unit_cost_minor = EXCLUDED.unit_cost_minor, min_margin_bps = EXCLUDED.min_margin_bps,
         target_sell_through = EXCLUDED.target_sell_through,
         target_days_of_supply = EXCLUDED.target_days_of_supply, enabled = EXCLUDED.enabled,
         updated_at = EXCLUDED.updated_at`,
      [
        p.skuId,
        p.floor.currency,
        p.floor.amountMinor,
        p.ceiling.amountMinor,
        p.unitCost.amountMinor,
        p.minMarginBps,
        p.targetSellThrough,
        p.targetDaysOfSupply,
        p.enabled,
        now,
      ],
    );
    return p;
  }

  async listPolicies(): Promise<PricingPolicy[]> {
    return (await this.sql.rows<PolicyRow>(`SELECT * FROM pricing_policies ORDER BY sku_id`)).map(
      toPolicy,
    );
  }

  async addSuggestion(s: PriceSuggestion): Promise<void> {
    await inTransaction(this.ds, async (m) => {
      const sql = new Sql(m);
      await sql.run(
        `UPDATE pricing_suggestions SET status = 'SUPERSEDED' WHERE sku_id = $1 AND status = 'PENDING'`,
        [s.skuId],
      );
      try {
        await sql.run(
          `INSERT INTO pricing_suggestions (${SUGGESTION_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13)`,
          [
            s.id,
            s.skuId,
            s.currentPrice.currency,
            s.currentPrice.amountMinor,
            s.suggestedPrice.amountMinor,
            JSON.stringify(s.reasons),
            s.elasticity,
            s.daysOfSupply,
            s.sellThrough,
            s.status,
            s.createdAt,
            s.decidedBy,
            s.decidedAt,
          ],
        );
      } catch (e) {
        // two sweeps cannot run at once (advisory lock); SuggestPrices beside one can
        if (isUniqueViolation(e, 'pricing_suggestions_one_pending'))
          throw new AnalyticsError(
            'ABORTED',
            'SUGGESTION_CONFLICT',
            `another suggestion for ${s.skuId} was made at the same time; try again`,
          );
        throw e;
      }
    });
  }

  async listSuggestions(status: SuggestionStatus | '', limit: number): Promise<PriceSuggestion[]> {
    return (
      await this.sql.rows<SuggestionRow>(
        `SELECT ${SUGGESTION_COLUMNS} FROM pricing_suggestions
         WHERE $1 = '' OR status = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
        [status, limit],
      )
    ).map(toSuggestion);
  }

  decide(
    id: string,
    decide: (s: PriceSuggestion) => Promise<PriceSuggestion>,
  ): Promise<PriceSuggestion> {
    return inTransaction(this.ds, async (m) => {
      const sql = new Sql(m);
      const row = await sql.one<SuggestionRow>(
        `SELECT ${SUGGESTION_COLUMNS} FROM pricing_suggestions WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!row)
        throw new AnalyticsError('NOT_FOUND', 'SUGGESTION_NOT_FOUND', `no suggestion ${id}`, {
          id,
        });
      const after = await decide(toSuggestion(row));
      await sql.run(
        `UPDATE pricing_suggestions SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1`,
        [id, after.status, after.decidedBy, after.decidedAt],
      );
      return after;
    });
  }
}
