import { UserError } from './user-error';

/**
 * A member's points as lots (one per earning), spent first-expiring-first, plus the ledger of
 * every change. Pure: the caller persists lots and entries in one transaction. Invariants:
 * the balance never goes negative; the entries sum to the balance; an operation repeated with
 * the same reference changes nothing (idempotent, so a redelivered event counts once).
 */

export interface PointsLot {
  id: string;
  sourceRef: string;
  points: number;
  remaining: number;
  earnedAt: Date;
  expiresAt: Date;
}

export type LedgerEntryType = 'EARN' | 'REDEEM' | 'EXPIRE' | 'REVOKE' | 'REDEMPTION_REFUND';

export interface LedgerEntry {
  type: LedgerEntryType;
  /** Signed: + adds to the balance, - takes from it. */
  points: number;
  lotId: string;
  ref: string;
  at: Date;
  balanceAfter: number;
}

export interface PointsAccount {
  lots: PointsLot[];
  entries: LedgerEntry[];
}

export const emptyAccount = (): PointsAccount => ({ lots: [], entries: [] });

const isLive = (lot: PointsLot, now: Date) => lot.expiresAt.getTime() > now.getTime();

/** Spendable points at `now` (expired lots count for nothing, swept or not). */
export function balance(account: PointsAccount, now: Date): number {
  return account.lots.filter((l) => isLive(l, now)).reduce((a, l) => a + l.remaining, 0);
}

function positiveInt(points: number, what: string): void {
  if (!Number.isInteger(points) || points <= 0 || points > 1_000_000_000) {
    throw new UserError(
      'INVALID_ARGUMENT',
      'POINTS_AMOUNT_INVALID',
      `${what} must be a positive integer of points, got ${points}`,
    );
  }
}

/** Mutable working copy; every public operation returns a new account. */
function working(account: PointsAccount) {
  const lots = account.lots.map((l) => ({ ...l }));
  const entries = [...account.entries];
  const added: LedgerEntry[] = [];
  const live = (now: Date) =>
    lots.filter((l) => isLive(l, now)).reduce((a, l) => a + l.remaining, 0);
  const record = (type: LedgerEntryType, points: number, lotId: string, ref: string, now: Date) => {
    const e: LedgerEntry = { type, points, lotId, ref, at: now, balanceAfter: live(now) };
    entries.push(e);
    added.push(e);
  };
  /** Sweeps lots that expired by `now`: their remaining points leave with an EXPIRE entry. */
  const sweep = (now: Date) => {
    for (const lot of lots) {
      if (!isLive(lot, now) && lot.remaining > 0) {
        const gone = lot.remaining;
        lot.remaining = 0;
        record('EXPIRE', -gone, lot.id, `expiry:${lot.id}`, now);
      }
    }
  };
  return {
    lots,
    entries,
    added,
    record,
    sweep,
    done: () => ({ account: { lots, entries }, entries: added }),
  };
}

export interface LedgerResult {
  account: PointsAccount;
  /** Entries this operation added, to persist. */
  entries: LedgerEntry[];
}

/** Credits a new lot. The same `ref` twice (a redelivered order.paid) earns once. */
export function earn(
  account: PointsAccount,
  input: { lotId: string; ref: string; points: number; now: Date; expiresAt: Date },
): LedgerResult {
  positiveInt(input.points, 'earned points');
  if (input.expiresAt.getTime() <= input.now.getTime()) {
    throw new UserError(
      'INVALID_ARGUMENT',
      'POINTS_EXPIRY_INVALID',
      'points must expire after they are earned',
    );
  }
  const w = working(account);
  w.sweep(input.now);
  if (w.lots.some((l) => l.sourceRef === input.ref)) return w.done();
  w.lots.push({
    id: input.lotId,
    sourceRef: input.ref,
    points: input.points,
    remaining: input.points,
    earnedAt: input.now,
    expiresAt: input.expiresAt,
  });
  w.record('EARN', input.points, input.lotId, input.ref, input.now);
  return w.done();
}

/** Spends points, earliest-expiring lot first. Never below zero: POINTS_INSUFFICIENT instead. */
export function redeem(
  account: PointsAccount,
  input: { ref: string; points: number; now: Date },
): LedgerResult {
  positiveInt(input.points, 'redeemed points');
  const w = working(account);
  w.sweep(input.now);
  if (w.entries.some((e) => e.type === 'REDEEM' && e.ref === input.ref)) return w.done();
  const available = w.lots.filter((l) => isLive(l, input.now)).reduce((a, l) => a + l.remaining, 0);
  if (available < input.points) {
    throw new UserError(
      'FAILED_PRECONDITION',
      'POINTS_INSUFFICIENT',
      `${input.points} points requested, ${available} available`,
      { available, requested: input.points },
    );
  }
  let left = input.points;
  const order = w.lots
    .filter((l) => isLive(l, input.now) && l.remaining > 0)
    .sort(
      (a, b) =>
        a.expiresAt.getTime() - b.expiresAt.getTime() ||
        a.earnedAt.getTime() - b.earnedAt.getTime() ||
        a.id.localeCompare(b.id),
    );
  for (const lot of order) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    lot.remaining -= take;
    left -= take;
    w.record('REDEEM', -take, lot.id, input.ref, input.now);
  }
  return w.done();
}

/**
 * Gives back the points of redemption `ref` (order cancelled) to the lots they came from. A
 * lot that expired meanwhile takes them back and expires them at once. Refunds once.
 */
export function refundRedemption(
  account: PointsAccount,
  input: { ref: string; now: Date },
): LedgerResult {
  const w = working(account);
  w.sweep(input.now);
  if (w.entries.some((e) => e.type === 'REDEMPTION_REFUND' && e.ref === input.ref)) return w.done();
  const taken = w.entries.filter((e) => e.type === 'REDEEM' && e.ref === input.ref);
  if (taken.length === 0)
    throw new UserError('NOT_FOUND', 'POINTS_REDEMPTION_NOT_FOUND', `no redemption ${input.ref}`);
  for (const e of taken) {
    const lot = w.lots.find((l) => l.id === e.lotId)!;
    lot.remaining += -e.points;
    w.record('REDEMPTION_REFUND', -e.points, lot.id, input.ref, input.now);
  }
  w.sweep(input.now);
  return w.done();
}

/**
 * Takes back the unspent points earned by `ref` (order refunded). Points of that lot already
 * spent stay spent: the balance never goes negative. Revokes once.
 */
export function revokeEarn(
  account: PointsAccount,
  input: { ref: string; now: Date },
): LedgerResult {
  const w = working(account);
  w.sweep(input.now);
  const lot = w.lots.find((l) => l.sourceRef === input.ref);
  if (!lot)
    throw new UserError(
      'NOT_FOUND',
      'POINTS_EARNING_NOT_FOUND',
      `no points were earned for ${input.ref}`,
    );
  if (w.entries.some((e) => e.type === 'REVOKE' && e.ref === input.ref)) return w.done();
  const take = lot.remaining;
  lot.remaining = 0;
  w.record('REVOKE', -take, lot.id, input.ref, input.now);
  return w.done();
}

/** Sweeps expired lots (the scheduled expiry job). */
export function expire(account: PointsAccount, now: Date): LedgerResult {
  const w = working(account);
  w.sweep(now);
  return w.done();
}
