import { RiskError } from './risk-error';

/**
 * An account's return history as risk keeps it from order events (RETURN_ABUSE rules): pure.
 * One fact per thing that happened, identified by what it happened to, so an event delivered
 * twice, or a carrier reporting the same delivery twice, records it once:
 *
 * - `DELIVERED` (`lines` = the shipment's order lines): a first delivery (`ShipmentTracked`
 *   DELIVERED, not an exchange's replacement), once per shipment;
 * - per return (`ReturnSettled`, once per return id): `RETURNED` (`lines` = its order lines)
 *   when the goods came back (REFUND or EXCHANGE), `EXCHANGE` when it was an exchange,
 *   `REFUND_ONLY` when an operator refunded without the goods coming back (not returned goods:
 *   it counts as a refund without a return, not in the return rate), `ITEMS_MISMATCH` when the
 *   warehouse found other items than those sold;
 * - `CANCELLED` (once per order, `OrderCancelled`): an order of the account that was cancelled,
 *   for any reason (the customer, unpaid in time, an operator's rejection); for the fraud model's
 *   cancel rate, no rule reads it.
 */
export const RETURN_FACT_KINDS = [
  'DELIVERED',
  'RETURNED',
  'EXCHANGE',
  'REFUND_ONLY',
  'ITEMS_MISMATCH',
  'CANCELLED',
] as const;
export type ReturnFactKind = (typeof RETURN_FACT_KINDS)[number];

export interface ReturnFact {
  /** `<kind>:<shipment or return id>`: the fact's identity, recorded once. */
  id: string;
  accountId: string;
  kind: ReturnFactKind;
  /** Order lines for DELIVERED and RETURNED; 1 for the others. */
  lines: number;
  occurredAt: Date;
}

/** The longest RETURN_ABUSE window: a year of an account's returns. */
export const MAX_RETURN_WINDOW_SECONDS = 365 * 86_400;
/** Facts are kept a day longer than the longest window, then pruned. */
export const RETURN_FACT_RETENTION_SECONDS = MAX_RETURN_WINDOW_SECONDS + 86_400;

/** An account's return history over one window ending now. */
export interface ReturnStats {
  deliveredLines: number;
  returnedLines: number;
  exchanges: number;
  refundsWithoutReturn: number;
  itemsMismatches: number;
  /** Orders of the account cancelled in the window (any reason). */
  cancellations: number;
}

export const NO_RETURNS: ReturnStats = Object.freeze({
  deliveredLines: 0,
  returnedLines: 0,
  exchanges: 0,
  refundsWithoutReturn: 0,
  itemsMismatches: 0,
  cancellations: 0,
});

/**
 * Returned lines as a percentage of delivered lines (one decimal), null without deliveries. Can
 * pass 100: a return in the window may be of goods delivered before it.
 */
export const returnRate = (s: ReturnStats): number | null =>
  s.deliveredLines > 0 ? Math.round((s.returnedLines * 1000) / s.deliveredLines) / 10 : null;

/** Adds up facts as the SQL store does (the in-memory store and the tests). */
export function statsOf(facts: readonly ReturnFact[], from: Date): ReturnStats {
  const s = { ...NO_RETURNS };
  for (const f of facts) {
    if (f.occurredAt.getTime() < from.getTime()) continue;
    if (f.kind === 'DELIVERED') s.deliveredLines += f.lines;
    else if (f.kind === 'RETURNED') s.returnedLines += f.lines;
    else if (f.kind === 'EXCHANGE') s.exchanges++;
    else if (f.kind === 'REFUND_ONLY') s.refundsWithoutReturn++;
    else if (f.kind === 'CANCELLED') s.cancellations++;
    else s.itemsMismatches++;
  }
  return s;
}

const bad = (m: string) => new RiskError('INVALID_ARGUMENT', 'RETURN_EVENT_INVALID', m);

const lines = (n: number, what: string): number => {
  if (!Number.isInteger(n) || n < 0) throw bad(`${what}: line_count must be 0 or more, not ${n}`);
  return n;
};

/**
 * A shipment's tracking event: a first delivery of at least one line records its lines once per
 * shipment; other statuses, replacements of an exchange and empty shipments record nothing.
 */
export function deliveryFacts(e: {
  shipmentId: string;
  accountId: string;
  status: string;
  lineCount: number;
  replacement: boolean;
  occurredAt: Date;
}): ReturnFact[] {
  if (e.status !== 'DELIVERED' || e.replacement) return [];
  if (!e.shipmentId || !e.accountId) throw bad('ShipmentTracked without a shipment or an account');
  const n = lines(e.lineCount, `shipment ${e.shipmentId}`);
  if (n === 0) return [];
  return [
    {
      id: `DELIVERED:${e.shipmentId}`,
      accountId: e.accountId,
      kind: 'DELIVERED',
      lines: n,
      occurredAt: e.occurredAt,
    },
  ];
}

export const RETURN_KINDS = ['REFUND', 'EXCHANGE', 'REFUND_ONLY'] as const;
export type ReturnKind = (typeof RETURN_KINDS)[number];

/** A settled return's facts (see RETURN_FACT_KINDS), each once per return. */
export function settledReturnFacts(e: {
  returnId: string;
  accountId: string;
  kind: string;
  lineCount: number;
  itemsMismatch: boolean;
  settledAt: Date;
}): ReturnFact[] {
  if (!e.returnId || !e.accountId) throw bad('ReturnSettled without a return or an account');
  if (!RETURN_KINDS.includes(e.kind as ReturnKind))
    throw bad(`return ${e.returnId}: kind is one of ${RETURN_KINDS.join(', ')}, not '${e.kind}'`);
  const n = lines(e.lineCount, `return ${e.returnId}`);
  const fact = (kind: ReturnFactKind, count = 1): ReturnFact => ({
    id: `${kind}:${e.returnId}`,
    accountId: e.accountId,
    kind,
    lines: count,
    occurredAt: e.settledAt,
  });
  const out: ReturnFact[] = [];
  if (e.kind === 'REFUND_ONLY') out.push(fact('REFUND_ONLY'));
  else if (n > 0) out.push(fact('RETURNED', n));
  if (e.kind === 'EXCHANGE') out.push(fact('EXCHANGE'));
  if (e.itemsMismatch) out.push(fact('ITEMS_MISMATCH'));
  return out;
}

/** A cancelled order of the account: one fact per order (a redelivered event adds nothing). */
export function cancellationFacts(e: {
  orderId: string;
  accountId: string;
  cancelledAt: Date;
}): ReturnFact[] {
  if (!e.orderId || !e.accountId) throw bad('OrderCancelled without an order or an account');
  return [
    {
      id: `CANCELLED:${e.orderId}`,
      accountId: e.accountId,
      kind: 'CANCELLED',
      lines: 1,
      occurredAt: e.cancelledAt,
    },
  ];
}
