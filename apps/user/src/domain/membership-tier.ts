import { Money } from '@emporia/money';
import { UserError } from './user-error';

/** A tier configured as data: reached when rolling 12-month spend is at least `minSpend`. */
export interface TierDefinition {
  code: string;
  name: string;
  minSpend: Money;
}

export interface SpendRecord {
  /** The order, so a repeated or refunded order is counted correctly. */
  ref: string;
  amount: Money;
  at: Date;
}

export type TierChange = 'UPGRADE' | 'DOWNGRADE' | 'NONE';

/**
 * Validates a tier table: codes unique, one currency, thresholds strictly rising, and a base
 * tier at zero so every member has one. Returns it sorted by threshold.
 */
export function validateTiers(tiers: readonly TierDefinition[]): TierDefinition[] {
  if (tiers.length === 0)
    throw new UserError('INVALID_ARGUMENT', 'TIERS_EMPTY', 'at least one tier is required');
  const sorted = [...tiers].sort((a, b) => a.minSpend.amountMinor - b.minSpend.amountMinor);
  const codes = new Set<string>();
  for (const [i, t] of sorted.entries()) {
    if (!/^[A-Z][A-Z0-9_]{0,31}$/.test(t.code))
      throw new UserError(
        'INVALID_ARGUMENT',
        'TIER_CODE_INVALID',
        `tier code '${t.code}' must be upper-case letters, digits or '_'`,
      );
    if (codes.has(t.code))
      throw new UserError(
        'INVALID_ARGUMENT',
        'TIER_CODE_DUPLICATE',
        `tier ${t.code} appears twice`,
      );
    codes.add(t.code);
    if (t.minSpend.currency !== sorted[0].minSpend.currency)
      throw new UserError(
        'INVALID_ARGUMENT',
        'TIERS_MIXED_CURRENCY',
        'all tier thresholds share one currency',
      );
    if (i > 0 && t.minSpend.amountMinor === sorted[i - 1].minSpend.amountMinor) {
      throw new UserError(
        'INVALID_ARGUMENT',
        'TIER_THRESHOLD_DUPLICATE',
        `tiers ${sorted[i - 1].code} and ${t.code} have the same threshold`,
      );
    }
  }
  if (!sorted[0].minSpend.isZero())
    throw new UserError(
      'INVALID_ARGUMENT',
      'TIERS_NO_BASE',
      'the lowest tier must start at zero spend',
    );
  return sorted;
}

/** Net spend in the 12 months up to `now` (a refund is a negative record), never below zero. */
export function rollingSpend(records: readonly SpendRecord[], now: Date, currency: string): Money {
  const from = new Date(now);
  from.setUTCFullYear(from.getUTCFullYear() - 1);
  const inWindow = records.filter(
    (r) =>
      r.at.getTime() > from.getTime() &&
      r.at.getTime() <= now.getTime() &&
      r.amount.currency === currency,
  );
  const total = Money.sum(
    inWindow.map((r) => r.amount),
    currency,
  );
  return total.isNegative() ? Money.zero(currency) : total;
}

/** The tier a spend reaches, and how it compares with the member's current tier. */
export function evaluateTier(
  tiers: readonly TierDefinition[],
  currentCode: string | null,
  spend: Money,
): { tier: TierDefinition; change: TierChange } {
  const sorted = validateTiers(tiers);
  if (spend.currency !== sorted[0].minSpend.currency) {
    throw new UserError(
      'INVALID_ARGUMENT',
      'TIERS_MIXED_CURRENCY',
      `spend in ${spend.currency}, tiers in ${sorted[0].minSpend.currency}`,
    );
  }
  const tier = [...sorted].reverse().find((t) => spend.compare(t.minSpend) >= 0)!;
  const rank = (code: string | null) =>
    code === null ? -1 : sorted.findIndex((t) => t.code === code);
  const before = rank(currentCode);
  const after = rank(tier.code);
  return { tier, change: after > before ? 'UPGRADE' : after < before ? 'DOWNGRADE' : 'NONE' };
}
