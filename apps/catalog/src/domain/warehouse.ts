import { Money, MoneyError } from '@emporia/money';
import { invalid } from './catalog-error';
import { ANY_ISO_CURRENCY, type SoldCurrencies, unsoldCurrency } from './currencies';

/**
 * A warehouse as data: where it is and what shipping from it costs, so callers can route an
 * order to the nearest, cheapest one. Optional: stock may sit in a warehouse code nobody
 * registered, which then simply has no known location and no cost.
 */
export interface Warehouse {
  /** Upper case, as stock levels store it. */
  code: string;
  name: string;
  /** ISO 3166-1 alpha-2, upper case (the rule order addresses follow). */
  country: string;
  province: string;
  city: string;
  /** Flat cost of one shipment from here; never negative. */
  shippingCost: Money;
  /** Inactive warehouses keep their stock but are not routed to. */
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface WarehouseInput {
  code: string;
  name: string;
  country: string;
  province: string;
  city: string;
  shippingCost?: { amountMinor: number; currency: string };
  /** Absent: unchanged, or true for a new warehouse. */
  active?: boolean;
}

const WAREHOUSE_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const COUNTRY_RE = /^[A-Z]{2}$/;
export const WAREHOUSE_LIMITS = { name: 100, province: 64, city: 64 } as const;

/** 1–32 letters, digits, '_' or '-', starting with a letter or digit; normalised to upper case. */
export function validateWarehouseCode(code: string, field = 'code'): string {
  if (typeof code !== 'string' || !WAREHOUSE_CODE_RE.test(code)) {
    throw invalid(
      'WAREHOUSE_CODE_INVALID',
      `warehouse code '${code}' must be 1-32 letters, digits, '_' or '-'`,
      { field },
    );
  }
  return code.toUpperCase();
}

function text(field: 'name' | 'province' | 'city', value: string, code: string): string {
  const v = (typeof value === 'string' ? value : '').trim().replace(/\s+/g, ' ');
  const max = WAREHOUSE_LIMITS[field];
  if (v.length === 0 || v.length > max) {
    throw invalid(
      field === 'name' ? 'WAREHOUSE_NAME_INVALID' : 'WAREHOUSE_LOCATION_INVALID',
      `warehouse ${field} must be 1 to ${max} characters`,
      { code, field },
    );
  }
  return v;
}

function country(value: string, code: string): string {
  const v = (typeof value === 'string' ? value : '').trim().toUpperCase();
  if (!COUNTRY_RE.test(v)) {
    throw invalid(
      'WAREHOUSE_COUNTRY_INVALID',
      `warehouse country must be an ISO 3166-1 alpha-2 code such as CN, got '${value}'`,
      { code, field: 'country' },
    );
  }
  return v;
}

function shippingCost(
  input: WarehouseInput['shippingCost'],
  code: string,
  sold: SoldCurrencies,
): Money {
  if (!input) {
    throw invalid('WAREHOUSE_SHIPPING_COST_REQUIRED', `warehouse ${code} needs a shipping cost`, {
      code,
      field: 'shipping_cost',
    });
  }
  let money: Money;
  try {
    money = Money.of(input.amountMinor, input.currency);
  } catch (e) {
    if (e instanceof MoneyError)
      throw invalid('WAREHOUSE_SHIPPING_COST_INVALID', `warehouse ${code}: ${e.message}`, {
        code,
        field: 'shipping_cost',
      });
    throw e;
  }
  if (money.isNegative()) {
    throw invalid(
      'WAREHOUSE_SHIPPING_COST_NEGATIVE',
      `warehouse ${code}: shipping cost must not be negative`,
      { code, field: 'shipping_cost' },
    );
  }
  const unsold = unsoldCurrency(money.currency, sold);
  if (unsold)
    throw invalid('WAREHOUSE_SHIPPING_COST_INVALID', `warehouse ${code}: ${unsold}`, {
      code,
      field: 'shipping_cost',
    });
  return money;
}

/**
 * Creates the warehouse (`existing` null) or replaces its fields. `changed` is false when the
 * input says what the warehouse already is: then nothing is written and `updatedAt` stays.
 */
export function upsertWarehouse(
  existing: Warehouse | null,
  input: WarehouseInput,
  now: Date,
  sold: SoldCurrencies = ANY_ISO_CURRENCY,
): { warehouse: Warehouse; changed: boolean } {
  const code = validateWarehouseCode(input.code);
  const next = {
    code,
    name: text('name', input.name, code),
    country: country(input.country, code),
    province: text('province', input.province, code),
    city: text('city', input.city, code),
    shippingCost: shippingCost(input.shippingCost, code, sold),
    active: input.active ?? existing?.active ?? true,
  };
  if (!existing) return { warehouse: { ...next, createdAt: now, updatedAt: now }, changed: true };
  const changed =
    next.name !== existing.name ||
    next.country !== existing.country ||
    next.province !== existing.province ||
    next.city !== existing.city ||
    !next.shippingCost.equals(existing.shippingCost) ||
    next.active !== existing.active;
  return {
    warehouse: changed ? { ...next, createdAt: existing.createdAt, updatedAt: now } : existing,
    changed,
  };
}
