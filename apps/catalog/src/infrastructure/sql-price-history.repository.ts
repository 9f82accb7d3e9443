import { Money } from '@emporia/money';
import { isUniqueViolation, Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type { PriceHistoryRepository } from '../application/ports';
import { CatalogError } from '../domain/catalog-error';
import type { PriceChange } from '../domain/price-history';

/** A row of sku_price_history (migration 1765000000400). */
interface PriceHistoryRow {
  sku_id: string;
  currency: string;
  price_minor: string;
  original_price_minor: string | null;
  previous_price_minor: string | null;
  reason: string;
  reference: string;
  actor_id: string;
  request_id: string | null;
  changed_at: Date;
}

const COLUMNS = `sku_id, currency, price_minor, original_price_minor, previous_price_minor, reason,
  reference, actor_id, request_id, changed_at`;

const money = (minor: string | null, currency: string) =>
  minor === null ? null : Money.of(Number(minor), currency.trim());

const toChange = (r: PriceHistoryRow): PriceChange => ({
  skuId: r.sku_id,
  price: Money.of(Number(r.price_minor), r.currency.trim()),
  originalPrice: money(r.original_price_minor, r.currency),
  previousPrice: money(r.previous_price_minor, r.currency),
  reason: r.reason,
  reference: r.reference,
  actorId: r.actor_id,
  requestId: r.request_id,
  at: r.changed_at,
});

export class SqlPriceHistoryRepository implements PriceHistoryRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async append(c: PriceChange): Promise<void> {
    try {
      await this.sql.run(
        `INSERT INTO sku_price_history (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          c.skuId,
          c.price.currency,
          c.price.amountMinor,
          c.originalPrice?.amountMinor ?? null,
          c.previousPrice?.amountMinor ?? null,
          c.reason,
          c.reference,
          c.actorId,
          c.requestId,
          c.at,
        ],
      );
    } catch (e) {
      if (isUniqueViolation(e, 'sku_price_history_request_key'))
        throw new CatalogError(
          'FAILED_PRECONDITION',
          'REQUEST_ID_REUSED',
          `request ${c.requestId} already set a price`,
          { field: 'request_id' },
        );
      throw e;
    }
  }

  async since(skuId: string, from: Date): Promise<PriceChange[]> {
    const rows = await this.sql.rows<PriceHistoryRow>(
      `SELECT ${COLUMNS} FROM sku_price_history WHERE sku_id = $1 AND changed_at >= $2
       ORDER BY changed_at, id`,
      [skuId, from],
    );
    return rows.map(toChange);
  }

  async latest(skuId: string, limit: number): Promise<PriceChange[]> {
    const rows = await this.sql.rows<PriceHistoryRow>(
      `SELECT ${COLUMNS} FROM sku_price_history WHERE sku_id = $1
       ORDER BY changed_at DESC, id DESC LIMIT $2`,
      [skuId, limit],
    );
    return rows.map(toChange);
  }

  async byRequestId(requestId: string): Promise<PriceChange | null> {
    const r = await this.sql.one<PriceHistoryRow>(
      `SELECT ${COLUMNS} FROM sku_price_history WHERE request_id = $1`,
      [requestId],
    );
    return r ? toChange(r) : null;
  }
}
