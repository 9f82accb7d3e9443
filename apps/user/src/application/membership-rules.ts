import type { Money } from '@emporia/money';
import type { LedgerResult, PointsAccount } from '../domain/points-ledger';
import {
  evaluateTier,
  rollingSpend,
  type SpendRecord,
  type TierDefinition,
} from '../domain/membership-tier';
import type { UserTx } from './ports';

/** The start of the 12-month spend window that ends at `now`. */
export function spendWindowStart(now: Date): Date {
  const from = new Date(now);
  from.setUTCFullYear(from.getUTCFullYear() - 1);
  return from;
}

/**
 * The tier table and the net spend over the 12 months up to `now` (in the tiers' currency), read
 * in one round trip.
 */
export async function tiersAndRollingSpend(
  tx: UserTx,
  accountId: string,
  now: Date,
): Promise<{ tiers: TierDefinition[]; spend: Money }> {
  const { tiers, spend } = await tx.membership.tiersAndSpendSince(accountId, spendWindowStart(now));
  return { tiers, spend: rollingSpend(spend, now, tiers[0].minSpend.currency) };
}

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
  const read = await tx.membership.tiersAndSpendSince(accountId, spendWindowStart(now));
  return evaluateTierFrom(tx, accountId, currentCode, now, read);
}

/**
 * `reevaluateTier` against the tier table and the spend records since `spendWindowStart(now)`
 * read earlier in the transaction (after its last spend change), with no read of its own.
 */
export async function evaluateTierFrom(
  tx: UserTx,
  accountId: string,
  currentCode: string,
  now: Date,
  read: { tiers: TierDefinition[]; spend: SpendRecord[] },
): Promise<string> {
  const spend = rollingSpend(read.spend, now, read.tiers[0].minSpend.currency);
  const { tier, change } = evaluateTier(read.tiers, currentCode, spend);
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
  return changeLoadedPoints(tx, accountId, await tx.membership.loadPoints(accountId, refs), op);
}

/** `changePoints` on a slice read earlier in the transaction (under the membership's lock). */
export async function changeLoadedPoints(
  tx: UserTx,
  accountId: string,
  before: PointsAccount,
  op: (acc: PointsAccount) => LedgerResult,
): Promise<LedgerResult> {
  const result = op(before);
  if (result.entries.length > 0)
    await tx.membership.savePoints(accountId, before, result.account, result.entries);
  return result;
}
