import type { Money } from '@emporia/money';
import { regionKeys } from '@emporia/domain';
import { OrderError } from './order-error';

/**
 * Warehouse routing: which warehouse(s) ship an order. Pure: the caller brings the cart, the
 * shipping address, the registered warehouses and what each holds (catalog `ListWarehouses` and
 * `GetSkus`' per-warehouse `stock`), and gets lines naming a warehouse each, ready for
 * `ReserveStock`. One warehouse used is one shipment.
 */

export interface RoutingLine {
  skuId: string;
  quantity: number;
}

export interface RoutingAddress {
  /** ISO 3166-1 alpha-2. */
  country: string;
  province: string;
  city: string;
}

export interface RoutingWarehouse {
  code: string;
  country: string;
  province: string;
  city: string;
  /** Flat cost of one shipment from this warehouse. */
  shippingCost: Money;
  /** Inactive warehouses are never routed to, whatever they hold. */
  active: boolean;
}

export interface WarehouseStock {
  skuId: string;
  warehouseCode: string;
  /** On hand minus reserved. */
  available: number;
}

export interface RoutingInput {
  lines: readonly RoutingLine[];
  address: RoutingAddress;
  /**
   * Registered warehouses. Stock in a warehouse not listed here still counts: it has no known
   * location (farthest tier) and no shipping cost, as the catalog treats unregistered codes.
   */
  warehouses: readonly RoutingWarehouse[];
  availability: readonly WarehouseStock[];
  /**
   * The order's currency. Costs are never converted: a cost in this currency compares by amount,
   * and at equal distance ranks before a cost in another currency. Zero costs rank first in any
   * currency.
   */
  currency?: string;
}

export interface RoutedLine {
  skuId: string;
  warehouseCode: string;
  quantity: number;
}

export interface RoutePlan {
  /** By SKU, then warehouse code; a SKU split over warehouses has one line per warehouse. */
  lines: RoutedLine[];
  /** The warehouses shipping, by code: one shipment each. */
  warehouseCodes: string[];
}

export interface RoutingStrategy {
  /** Throws OrderError FAILED_PRECONDITION STOCK_INSUFFICIENT naming a SKU that cannot be covered. */
  route(input: RoutingInput): RoutePlan;
}

/** 0 same city, 1 same province, 2 same country, 3 elsewhere or unknown. */
export type DistanceTier = 0 | 1 | 2 | 3;

const norm = (s: string | undefined) =>
  (s ?? '').normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * How far a warehouse is from the address, coarsely. A city counts only inside its province.
 * Places compare by their GB/T 2260 codes where the names resolve (a warehouse in "Shanghai"
 * and an address in 上海市 are one province), else by name.
 */
export function distanceTier(
  at: Pick<RoutingWarehouse, 'country' | 'province' | 'city'> | null,
  to: RoutingAddress,
): DistanceTier {
  if (!at || !norm(at.country) || norm(at.country) !== norm(to.country)) return 3;
  const [from, dest] = [regionKeys(at), regionKeys(to)];
  if (!from.province || from.province !== dest.province) return 2;
  if (!from.city || from.city !== dest.city) return 1;
  return 0;
}

/** A warehouse as routing ranks it. */
interface Site {
  code: string;
  tier: DistanceTier;
  /** 0 free, 1 priced in the order's currency, 2 priced in another currency. */
  costGroup: 0 | 1 | 2;
  costCurrency: string;
  costAmount: number;
}

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Nearest first, then cheapest, then by code: a total order, so routing is deterministic. */
const byRank = (a: Site, b: Site) =>
  a.tier - b.tier ||
  a.costGroup - b.costGroup ||
  cmp(a.costCurrency, b.costCurrency) ||
  a.costAmount - b.costAmount ||
  cmp(a.code, b.code);

function site(code: string, w: RoutingWarehouse | null, input: RoutingInput): Site {
  const cost = w?.shippingCost;
  const costGroup = !cost || cost.amountMinor === 0 ? 0 : cost.currency === input.currency ? 1 : 2;
  return {
    code,
    tier: distanceTier(w, input.address),
    costGroup,
    costCurrency: costGroup === 2 ? cost!.currency : '',
    costAmount: costGroup === 0 ? 0 : cost!.amountMinor,
  };
}

const insufficient = (skuId: string, requested: number, available: number) =>
  new OrderError(
    'FAILED_PRECONDITION',
    'STOCK_INSUFFICIENT',
    `SKU ${skuId} has ${available} available; ${requested} requested`,
    { skuId, requested, available },
  );

/**
 * The default strategy: fewest shipments, then nearest, then cheapest.
 *
 * 1. One warehouse that holds the whole cart, if any: the nearest (distance tier), then the
 *    cheapest, then the first by code.
 * 2. Otherwise the cart is split. Lines are taken most constrained first (held by the fewest
 *    warehouses, then by SKU id), so warehouses a line cannot avoid are chosen before lines that
 *    could go anywhere. Each line takes from warehouses the plan already uses first (no new
 *    shipment), nearest and cheapest first; what remains comes from one new warehouse that holds
 *    all of it when there is one (one more shipment, not two), else from the best ranked new
 *    warehouse, and so on.
 *
 * Inactive warehouses are skipped. A SKU whose active warehouses together hold less than asked
 * is STOCK_INSUFFICIENT, naming it (the most constrained such SKU first).
 */
export class DefaultRoutingStrategy implements RoutingStrategy {
  route(input: RoutingInput): RoutePlan {
    const lines = mergeLines(input.lines);
    const registered = new Map<string, RoutingWarehouse>();
    for (const w of input.warehouses) {
      const code = w.code.toUpperCase();
      if (!registered.has(code)) registered.set(code, w);
    }
    const sites = new Map<string, Site>();
    /** sku → warehouse code → available, active warehouses only. */
    const stock = new Map<string, Map<string, number>>();
    for (const a of input.availability) {
      const code = a.warehouseCode.toUpperCase();
      const w = registered.get(code) ?? null;
      const available = Math.floor(a.available);
      if ((w && !w.active) || !(available > 0)) continue;
      if (!sites.has(code)) sites.set(code, site(code, w, input));
      const bySite = stock.get(a.skuId) ?? new Map<string, number>();
      bySite.set(code, (bySite.get(code) ?? 0) + available);
      stock.set(a.skuId, bySite);
    }
    const held = (skuId: string, code: string) => stock.get(skuId)?.get(code) ?? 0;
    const ranked = [...sites.values()].sort(byRank);

    const single = ranked.find((s) => lines.every((l) => held(l.skuId, s.code) >= l.quantity));
    if (single)
      return plan(
        lines.map((l) => ({ skuId: l.skuId, warehouseCode: single.code, quantity: l.quantity })),
      );

    const order = [...lines].sort(
      (a, b) =>
        (stock.get(a.skuId)?.size ?? 0) - (stock.get(b.skuId)?.size ?? 0) || cmp(a.skuId, b.skuId),
    );
    for (const l of order) {
      const total = [...(stock.get(l.skuId)?.values() ?? [])].reduce((n, q) => n + q, 0);
      if (total < l.quantity) throw insufficient(l.skuId, l.quantity, total);
    }

    const used = new Set<string>();
    const out: RoutedLine[] = [];
    for (const l of order) {
      let need = l.quantity;
      const take = (s: Site) => {
        const q = Math.min(need, held(l.skuId, s.code));
        if (q <= 0) return;
        out.push({ skuId: l.skuId, warehouseCode: s.code, quantity: q });
        used.add(s.code);
        need -= q;
      };
      for (const s of ranked) if (need > 0 && used.has(s.code)) take(s);
      while (need > 0) {
        const fresh = ranked.filter((s) => !used.has(s.code) && held(l.skuId, s.code) > 0);
        // totals were checked: something always remains while need > 0
        take(fresh.find((s) => held(l.skuId, s.code) >= need) ?? fresh[0]);
      }
    }
    return plan(out);
  }
}

/** The default, shared: the strategy holds no state. */
export const defaultRoutingStrategy: RoutingStrategy = new DefaultRoutingStrategy();

/** Lines of one SKU are summed; quantities are whole numbers from 1. */
function mergeLines(lines: readonly RoutingLine[]): RoutingLine[] {
  const merged = new Map<string, number>();
  for (const l of lines) {
    if (!Number.isInteger(l.quantity) || l.quantity < 1)
      throw new OrderError(
        'INVALID_ARGUMENT',
        'QUANTITY_INVALID',
        `quantity of SKU ${l.skuId} must be a whole number from 1`,
        { skuId: l.skuId },
      );
    merged.set(l.skuId, (merged.get(l.skuId) ?? 0) + l.quantity);
  }
  return [...merged].map(([skuId, quantity]) => ({ skuId, quantity }));
}

function plan(lines: RoutedLine[]): RoutePlan {
  const sorted = [...lines].sort(
    (a, b) => cmp(a.skuId, b.skuId) || cmp(a.warehouseCode, b.warehouseCode),
  );
  return {
    lines: sorted,
    warehouseCodes: [...new Set(sorted.map((l) => l.warehouseCode))].sort(cmp),
  };
}
