import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { upsertWarehouse, type Warehouse, type WarehouseInput } from '../domain/warehouse';
import type { SoldCurrencies } from '../domain/currencies';
import {
  CLOCK,
  type Clock,
  type Page,
  SOLD_CURRENCIES,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

/**
 * Warehouses as data for routing: where each is and what shipping from it costs. Operators
 * register them; nothing else depends on them being registered (stock adjustments and
 * reservations accept any well-formed warehouse code).
 */
@Injectable()
export class WarehousesUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SOLD_CURRENCIES) private readonly sold: SoldCurrencies,
  ) {}

  /** Registers or replaces a warehouse; `created` tells which. Repeating an upsert writes nothing. */
  upsert(
    ctx: RequestContext,
    input: WarehouseInput,
  ): Promise<{ warehouse: Warehouse; created: boolean }> {
    const now = this.clock.now();
    // validated before the transaction: bad input never touches the database
    const fresh = upsertWarehouse(null, input, now, this.sold).warehouse;
    return this.uow.run(ctx, async (tx) => {
      let existing = await tx.warehouses.get(fresh.code, true);
      if (!existing) {
        if (await tx.warehouses.insert(fresh)) return { warehouse: fresh, created: true };
        // a concurrent upsert registered it first: this one replaces its fields
        existing = await tx.warehouses.get(fresh.code, true);
        if (!existing) throw new Error(`invariant: warehouse ${fresh.code} vanished`);
      }
      const { warehouse, changed } = upsertWarehouse(existing, input, now, this.sold);
      if (changed) await tx.warehouses.save(warehouse);
      return { warehouse, created: false };
    });
  }

  list(
    ctx: RequestContext,
    q: { activeOnly: boolean; limit: number; afterCode?: string },
  ): Promise<Page<Warehouse>> {
    return this.uow.run(ctx, async (tx) => {
      const rows = await tx.warehouses.list({
        activeOnly: q.activeOnly,
        limit: q.limit + 1,
        ...(q.afterCode ? { afterCode: q.afterCode } : {}),
      });
      const items = rows.slice(0, q.limit);
      return rows.length > q.limit
        ? { items, nextAfterId: items[items.length - 1].code }
        : { items };
    });
  }
}
