import { Money, MoneyError } from '@emporia/money';
import { AnalyticsError } from './analytics-error';

/** A SKU's pricing policy: the bounds of any suggestion and the targets it aims at. */
export interface PricingPolicy {
  skuId: string;
  floor: Money;
  ceiling: Money;
  unitCost: Money;
  /** Smallest margin over cost, in basis points (1500 = 15%). */
  minMarginBps: number;
  /** Sell-through wanted over the window, in (0, 1]. */
  targetSellThrough: number;
  /** Days of supply aimed at, 1..365. */
  targetDaysOfSupply: number;
  enabled: boolean;
}

export interface PricingPolicyInput {
  skuId: string;
  floor?: { amountMinor: number; currency: string };
  ceiling?: { amountMinor: number; currency: string };
  unitCost?: { amountMinor: number; currency: string };
  minMarginBps: number;
  targetSellThrough: number;
  targetDaysOfSupply: number;
  enabled: boolean;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const bad = (field: string, code: string, message: string) =>
  new AnalyticsError('INVALID_ARGUMENT', code, `${field}: ${message}`, { field });

function money(field: string, m: PricingPolicyInput['floor']): Money {
  if (!m) throw bad(field, 'PRICING_POLICY_INVALID', 'is required');
  let v: Money;
  try {
    v = Money.of(Number(m.amountMinor), m.currency);
  } catch (e) {
    if (e instanceof MoneyError) throw bad(field, 'PRICING_POLICY_INVALID', e.message);
    throw e;
  }
  if (v.isNegative()) throw bad(field, 'PRICING_POLICY_INVALID', 'must not be negative');
  return v;
}

/**
 * Checks a policy: a UUID SKU id; floor, ceiling and unit cost in one currency, none negative,
 * floor > 0 and floor ≤ ceiling; min margin 0..10000 bps; target sell-through in (0, 1]; target
 * days of supply 1..365; and the floor itself must keep the margin (cost × (1 + margin) ≤
 * ceiling), or no price could ever satisfy the policy. INVALID_ARGUMENT PRICING_POLICY_INVALID
 * with `details.field`.
 */
export function pricingPolicy(input: PricingPolicyInput): PricingPolicy {
  if (!UUID_RE.test(input.skuId ?? ''))
    throw bad('policy.sku_id', 'PRICING_POLICY_INVALID', 'must be a UUID');
  const floor = money('policy.floor', input.floor);
  const ceiling = money('policy.ceiling', input.ceiling);
  const unitCost = money('policy.unit_cost', input.unitCost);
  for (const [field, m] of [
    ['policy.ceiling', ceiling],
    ['policy.unit_cost', unitCost],
  ] as const)
    if (m.currency !== floor.currency)
      throw bad(field, 'PRICING_POLICY_INVALID', `must be in ${floor.currency} like the floor`);
  if (floor.amountMinor <= 0) throw bad('policy.floor', 'PRICING_POLICY_INVALID', 'must be > 0');
  if (floor.amountMinor > ceiling.amountMinor)
    throw bad('policy.ceiling', 'PRICING_POLICY_INVALID', 'must not be below the floor');
  const bps = input.minMarginBps;
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000)
    throw bad('policy.min_margin_bps', 'PRICING_POLICY_INVALID', 'must be 0..10000');
  if (marginFloor(unitCost, bps).amountMinor > ceiling.amountMinor)
    throw bad(
      'policy.min_margin_bps',
      'PRICING_POLICY_INVALID',
      'unit cost with the minimum margin is above the ceiling',
    );
  const st = input.targetSellThrough;
  if (!Number.isFinite(st) || st <= 0 || st > 1)
    throw bad('policy.target_sell_through', 'PRICING_POLICY_INVALID', 'must be in (0, 1]');
  const days = input.targetDaysOfSupply;
  if (!Number.isInteger(days) || days < 1 || days > 365)
    throw bad('policy.target_days_of_supply', 'PRICING_POLICY_INVALID', 'must be 1..365');
  return {
    skuId: input.skuId.toLowerCase(),
    floor,
    ceiling,
    unitCost,
    minMarginBps: bps,
    targetSellThrough: st,
    targetDaysOfSupply: days,
    enabled: input.enabled,
  };
}

/** The lowest price the margin guard allows: cost × (1 + bps / 10000), rounded up. */
export function marginFloor(unitCost: Money, minMarginBps: number): Money {
  return Money.of(
    Math.ceil((unitCost.amountMinor * (10_000 + minMarginBps)) / 10_000),
    unitCost.currency,
  );
}
