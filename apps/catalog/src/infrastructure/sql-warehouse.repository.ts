import { Money } from '@emporia/money';
import { Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type { WarehouseRepository } from '../application/ports';
import type { Warehouse } from '../domain/warehouse';

interface WarehouseRow {
  code: string;
  name: string;
  country: string;
  province: string;
  city: string;
  shipping_cost_minor: string;
  currency: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const toWarehouse = (r: WarehouseRow): Warehouse => ({
  code: r.code,
  name: r.name,
  country: r.country.trim(),
  province: r.province,
  city: r.city,
  shippingCost: Money.of(Number(r.shipping_cost_minor), r.currency.trim()),
  active: r.active,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const COLUMNS = `code, name, country, province, city, shipping_cost_minor::bigint AS shipping_cost_minor,
  currency, active, created_at, updated_at`;

/** Registered warehouses, in plain SQL inside the caller's transaction. */
export class SqlWarehouseRepository implements WarehouseRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async get(code: string, forUpdate = false): Promise<Warehouse | null> {
    const r = await this.sql.one<WarehouseRow>(
      `SELECT ${COLUMNS} FROM warehouses WHERE code = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [code],
    );
    return r ? toWarehouse(r) : null;
  }

  async insert(w: Warehouse): Promise<boolean> {
    const rows = await this.sql.rows<{ code: string }>(
      `INSERT INTO warehouses (code, name, country, province, city, shipping_cost_minor, currency, active, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (code) DO NOTHING RETURNING code`,
      [
        w.code,
        w.name,
        w.country,
        w.province,
        w.city,
        w.shippingCost.amountMinor,
        w.shippingCost.currency,
        w.active,
        w.createdAt,
        w.updatedAt,
      ],
    );
    return rows.length > 0;
  }

  async save(w: Warehouse): Promise<void> {
    await this.sql.run(
      `UPDATE warehouses SET name = $2, country = $3, province = $4, city = $5, shipping_cost_minor = $6,
         currency = $7, active = $8, updated_at = $9 WHERE code = $1`,
      [
        w.code,
        w.name,
        w.country,
        w.province,
        w.city,
        w.shippingCost.amountMinor,
        w.shippingCost.currency,
        w.active,
        w.updatedAt,
      ],
    );
  }

  async list(opts: {
    activeOnly: boolean;
    afterCode?: string;
    limit: number;
  }): Promise<Warehouse[]> {
    const rows = await this.sql.rows<WarehouseRow>(
      `SELECT ${COLUMNS} FROM warehouses
       WHERE ($1::boolean IS FALSE OR active) AND ($2::text IS NULL OR code > $2)
       ORDER BY code LIMIT $3`,
      [opts.activeOnly, opts.afterCode ?? null, opts.limit],
    );
    return rows.map(toWarehouse);
  }
}
