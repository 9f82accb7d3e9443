import type { Money } from '@emporia/money';
import type { LedgerResult, PointsAccount } from '../domain/points-ledger';
import { evaluateTier, rollingSpend } from '../domain/membership-tier';
import type { UserTx } from './ports';

/** Net spend over the 12 months up to `now`, in the tiers' currency. */
export async function rollingSpendOf(
  tx: UserTx,
  accountId: string,
  now: Date,
  currency: string,
): Promise<Money> {
  return rollingSpend(await tx.membership.spendSince(accountId, yearBefore(now)), now, currency);
}

const yearBefore = (now: Date): Date => {
  const from = new Date(now);
  from.setUTCFullYear(from.getUTCFullYear() - 1);
  return from;
};

/**
 * Re-evaluates the tier from rolling 12-month spend against the current tier table, saving and
 * announcing a change, and records when it was evaluated.
 */
export async function reevaluateTier(
  tx: UserTx,
  accountId: string,
  currentCode: string,
  now: Date,
): Promise<string> {
  // the tier table and the 12 months' spend in one round trip
  const { tiers, spend: records } = await tx.membership.tiersAndSpendSince(
    accountId,
    yearBefore(now),
  );
  const spend = rollingSpend(records, now, tiers[0].minSpend.currency);
  const { tier, change } = evaluateTier(tiers, currentCode, spend);
  if (change !== 'NONE') {
    await tx.membership.setTier(accountId, tier.code, now);
    tx.events.tierChanged(accountId, currentCode, tier.code, change, now);
  }
  await tx.membership.markEvaluated(accountId, now);
  return tier.code;
}

/** Loads the ledger slice for `refs`, applies `op`, saves what changed. */
export async function changePoints(
  tx: UserTx,
  accountId: string,
  refs: string[],
  op: (acc: PointsAccount) => LedgerResult,
): Promise<LedgerResult> {
  const before = await tx.membership.loadPoints(accountId, refs);
  const result = op(before);
  if (result.entries.length > 0)
    await tx.membership.savePoints(accountId, before, result.account, result.entries);
  return result;
}
