import { Money } from '@emporia/money';
import { groupAllowsFulfilment } from './group-buy';
import type { Order, OrderLine } from './order';
import { OrderError } from './order-error';

/**
 * REQUESTED → APPROVED → RECEIVED → (REFUNDING → REFUNDED | EXCHANGED); REJECTED from REQUESTED.
 * DISPUTED: the warehouse received other items than those sold; an operator then approves it
 * (RECEIVED, as if received whole) or rejects it (REJECTED).
 */
export type ReturnStatus =
  | 'REQUESTED'
  | 'APPROVED'
  | 'REJECTED'
  | 'DISPUTED'
  | 'RECEIVED'
  | 'REFUNDING'
  | 'REFUNDED'
  | 'EXCHANGED';

/**
 * A refund gives the money back; an exchange ships the same SKUs again; a refund-only return
 * (仅退款, an operator's decision) gives the money back without the goods coming back.
 */
export type ReturnKind = 'REFUND' | 'EXCHANGE' | 'REFUND_ONLY';

export interface ReturnLine {
  skuId: string;
  quantity: number;
}

export interface ReturnRequest {
  id: string;
  orderId: string;
  accountId: string;
  lines: ReturnLine[];
  reason: string;
  kind: ReturnKind;
  status: ReturnStatus;
  /** Set when the refund is computed (at refund time, against what was already refunded). */
  refund: Money | null;
  note: string | null;
  restocked: boolean;
  /** The warehouse reported items other than those sold in the parcel. */
  itemsMismatch: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The return reached its outcome for the account's record (`ReturnSettled`, for risk's
 * return-abuse signals): recorded by the first of a receipt, a mismatched receipt or a
 * refund-only approval — exactly one per return, since each return passes one of them once.
 */
export interface ReturnSettled {
  type: 'settled';
  returnId: string;
  orderId: string;
  accountId: string;
  /** REFUND or EXCHANGE at a receipt (mismatched or not), REFUND_ONLY at such an approval. */
  kind: ReturnKind;
  /** Distinct SKUs (order lines) and units in the return. */
  lineCount: number;
  unitCount: number;
  itemsMismatch: boolean;
  settledAt: Date;
}

export type ReturnDomainEvent = ReturnSettled;

/**
 * A change of one return, to be saved as one: the return after it and the events it recorded
 * (the repository appends them to the outbox in the same transaction).
 */
export interface ReturnChange {
  readonly request: ReturnRequest;
  readonly events: readonly ReturnDomainEvent[];
}

/** Orders whose goods can come back: paid (refund before shipping) up to completed. */
const RETURNABLE = new Set(['PAID', 'FULFILLING', 'SHIPPED', 'DELIVERED', 'COMPLETED']);

const units = (
  returns: readonly ReturnRequest[],
  skuId: string,
  keep: (r: ReturnRequest) => boolean,
) =>
  returns
    .filter(keep)
    .flatMap((r) => r.lines)
    .filter((l) => l.skuId === skuId)
    .reduce((a, l) => a + l.quantity, 0);

/**
 * A customer's return request: lines of the order, never more units of a SKU than were bought
 * minus those in other returns that were not rejected. Repeated SKUs are merged. A rejected
 * return frees its units, a rejected dispute too: the genuine goods may still come back through
 * a new return (with its own receipt, and its own `ReturnSettled`).
 */
export function requestReturn(
  order: Order,
  existing: readonly ReturnRequest[],
  input: {
    id: string;
    lines: ReturnLine[];
    reason: string;
    now: Date;
    kind?: 'REFUND' | 'EXCHANGE';
  },
): ReturnRequest {
  if (!RETURNABLE.has(order.status))
    throw new OrderError(
      'FAILED_PRECONDITION',
      'ORDER_NOT_RETURNABLE',
      `an order that is ${order.status} cannot be returned`,
    );
  // its units are only held, not taken, until the group is confirmed; a failed group refunds all
  if (!groupAllowsFulfilment(order))
    throw new OrderError(
      'FAILED_PRECONDITION',
      'ORDER_NOT_RETURNABLE',
      'a group-buy order can be returned once its group is confirmed',
      { groupStatus: order.groupStatus },
    );
  const reason = (input.reason ?? '').trim();
  if (!reason || reason.length > 500)
    throw new OrderError(
      'INVALID_ARGUMENT',
      'RETURN_REASON_REQUIRED',
      'say why (at most 500 characters)',
    );
  const merged = new Map<string, number>();
  for (const l of input.lines ?? []) {
    if (!Number.isInteger(l.quantity) || l.quantity < 1)
      throw new OrderError(
        'INVALID_ARGUMENT',
        'QUANTITY_INVALID',
        'return at least one unit per line',
      );
    merged.set(l.skuId, (merged.get(l.skuId) ?? 0) + l.quantity);
  }
  if (merged.size === 0)
    throw new OrderError('INVALID_ARGUMENT', 'RETURN_LINES_REQUIRED', 'name what comes back');
  for (const [skuId, quantity] of merged) {
    const line = order.lines.find((l) => l.skuId === skuId);
    if (!line)
      throw new OrderError(
        'INVALID_ARGUMENT',
        'RETURN_LINE_UNKNOWN',
        `SKU ${skuId} is not in order ${order.id}`,
      );
    const left = line.quantity - units(existing, skuId, (r) => r.status !== 'REJECTED');
    if (quantity > left)
      throw new OrderError(
        'FAILED_PRECONDITION',
        'RETURN_QUANTITY_EXCEEDED',
        `only ${left} of SKU ${skuId} can still be returned`,
        {
          skuId,
          left,
        },
      );
  }
  return {
    id: input.id,
    orderId: order.id,
    accountId: order.accountId,
    lines: [...merged].map(([skuId, quantity]) => ({ skuId, quantity })),
    reason,
    kind: input.kind ?? 'REFUND',
    status: 'REQUESTED',
    refund: null,
    note: null,
    restocked: false,
    itemsMismatch: false,
    createdAt: input.now,
    updatedAt: input.now,
  };
}

export type ReturnMove =
  | 'APPROVE'
  | 'APPROVE_REFUND_ONLY'
  | 'REJECT'
  | 'RECEIVE'
  | 'RECEIVE_MISMATCHED'
  | 'ACCEPT_DISPUTED'
  | 'START_REFUND'
  | 'FINISH_REFUND'
  | 'REPLACE';

const MOVES: Record<ReturnMove, Partial<Record<ReturnStatus, ReturnStatus>>> = {
  APPROVE: { REQUESTED: 'APPROVED' },
  // 仅退款: received as far as the books go (nothing comes back), refunded next
  APPROVE_REFUND_ONLY: { REQUESTED: 'RECEIVED' },
  REJECT: { REQUESTED: 'REJECTED', DISPUTED: 'REJECTED' },
  RECEIVE: { APPROVED: 'RECEIVED' },
  RECEIVE_MISMATCHED: { APPROVED: 'DISPUTED' },
  // an operator accepts the parcel after all: on as a whole receipt (restock, refund or exchange)
  ACCEPT_DISPUTED: { DISPUTED: 'RECEIVED' },
  START_REFUND: { RECEIVED: 'REFUNDING' },
  FINISH_REFUND: { REFUNDING: 'REFUNDED' },
  REPLACE: { RECEIVED: 'EXCHANGED' },
};

/** The moves that settle a return for the account's record; a return makes one of them once. */
const SETTLING: ReadonlySet<ReturnMove> = new Set([
  'RECEIVE',
  'RECEIVE_MISMATCHED',
  'APPROVE_REFUND_ONLY',
]);

/** The longest note a return keeps (characters): a review's, or what the warehouse found. */
export const NOTE_MAX = 500;

const invalidMove = (r: ReturnRequest, move: ReturnMove, why = '') =>
  new OrderError(
    'FAILED_PRECONDITION',
    'RETURN_TRANSITION_INVALID',
    `a return that is ${r.status} cannot ${move.toLowerCase().replace(/_/g, ' ')}${why}`,
    { status: r.status, move },
  );

/** What the return's refund or exchange needs first, checked by the moves that follow it. */
function checkReady(r: ReturnRequest, move: ReturnMove): void {
  if (move === 'START_REFUND') {
    if (r.kind === 'EXCHANGE') throw invalidMove(r, move, ' (an exchange ships a replacement)');
    if (r.kind === 'REFUND' && !r.restocked)
      throw invalidMove(r, move, ' before its goods are restocked');
  }
  if (move === 'REPLACE' && (r.kind !== 'EXCHANGE' || !r.restocked))
    throw invalidMove(r, move, ' (only a restocked exchange ships a replacement)');
}

/**
 * The return's one way to change state: applies `move` (a move not allowed in its state is
 * RETURN_TRANSITION_INVALID) and records `ReturnSettled` when the move settles it. A non-empty
 * note replaces the return's note; an empty one keeps it.
 */
export function moveReturn(
  r: ReturnRequest,
  move: ReturnMove,
  now: Date,
  extra: { note?: string; refund?: Money } = {},
): ReturnChange {
  const to = MOVES[move][r.status];
  if (!to) throw invalidMove(r, move);
  checkReady(r, move);
  // callers check the length (RETURN_NOTE_TOO_LONG); cut by characters, never within one
  const note = [...(extra.note ?? '').trim()].slice(0, NOTE_MAX).join('');
  const request: ReturnRequest = {
    ...r,
    status: to,
    note: note || r.note,
    ...(extra.refund ? { refund: extra.refund } : {}),
    ...(move === 'APPROVE_REFUND_ONLY' ? { kind: 'REFUND_ONLY' as const } : {}),
    ...(move === 'RECEIVE_MISMATCHED' ? { itemsMismatch: true } : {}),
    updatedAt: now,
  };
  return { request, events: SETTLING.has(move) ? [settled(request, now)] : [] };
}

function settled(r: ReturnRequest, now: Date): ReturnSettled {
  return {
    type: 'settled',
    returnId: r.id,
    orderId: r.orderId,
    accountId: r.accountId,
    kind: r.kind,
    lineCount: new Set(r.lines.map((l) => l.skuId)).size,
    unitCount: r.lines.reduce((a, l) => a + l.quantity, 0),
    itemsMismatch: r.itemsMismatch,
    settledAt: now,
  };
}

/**
 * An operator's review. A REQUESTED return: approve (the goods are to be sent back), approve
 * with `refundOnly` (仅退款: kind REFUND_ONLY, refunded next without a receipt) or reject. A
 * DISPUTED one: approve carries on as a whole receipt, reject ends it. `refundOnly` without
 * approve is RETURN_REFUND_ONLY_NEEDS_APPROVE (INVALID_ARGUMENT); on a return that is not
 * REQUESTED it is RETURN_REFUND_ONLY_NOT_REQUESTED (FAILED_PRECONDITION).
 */
export function reviewReturn(
  r: ReturnRequest,
  decision: { approve: boolean; refundOnly?: boolean; note?: string },
  now: Date,
): ReturnChange {
  const extra = { note: decision.note };
  if (decision.refundOnly) {
    if (!decision.approve)
      throw new OrderError(
        'INVALID_ARGUMENT',
        'RETURN_REFUND_ONLY_NEEDS_APPROVE',
        'refund_only is an approval: send it with approve',
        { field: 'refund_only' },
      );
    if (r.status !== 'REQUESTED')
      throw new OrderError(
        'FAILED_PRECONDITION',
        'RETURN_REFUND_ONLY_NOT_REQUESTED',
        `only a REQUESTED return can be refunded without its goods; this one is ${r.status}`,
        { status: r.status },
      );
    return moveReturn(r, 'APPROVE_REFUND_ONLY', now, extra);
  }
  if (r.status === 'DISPUTED')
    return moveReturn(r, decision.approve ? 'ACCEPT_DISPUTED' : 'REJECT', now, extra);
  return moveReturn(r, decision.approve ? 'APPROVE' : 'REJECT', now, extra);
}

/**
 * The warehouse received the parcel: RECEIVED (restock, then refund or exchange), or, when it
 * found other items than those sold, DISPUTED (nothing restocked, refunded or exchanged until an
 * operator reviews it). Either settles the return. The warehouse's note becomes the return's.
 */
export function receiveReturn(
  r: ReturnRequest,
  receipt: { itemsMismatch?: boolean; note?: string },
  now: Date,
): ReturnChange {
  return moveReturn(r, receipt.itemsMismatch ? 'RECEIVE_MISMATCHED' : 'RECEIVE', now, {
    note: receipt.note,
  });
}

/** The returned units are back in stock (idempotent); no state moves, no event. */
export function markRestocked(r: ReturnRequest, now: Date): ReturnChange {
  if (r.restocked) return { request: r, events: [] };
  if (r.status !== 'RECEIVED' || r.kind === 'REFUND_ONLY')
    throw new OrderError(
      'FAILED_PRECONDITION',
      'RETURN_TRANSITION_INVALID',
      `a ${r.kind} return that is ${r.status} has nothing to restock`,
      { status: r.status },
    );
  return { request: { ...r, restocked: true, updatedAt: now }, events: [] };
}

/**
 * The catalog can no longer supply an exchange's units: it is refunded instead (kind REFUND).
 * Its `ReturnSettled` said EXCHANGE at receipt and stays so: what the customer asked for.
 */
export function refundInsteadOfExchange(r: ReturnRequest, now: Date): ReturnChange {
  if (r.status !== 'RECEIVED' || r.kind !== 'EXCHANGE')
    throw new OrderError(
      'FAILED_PRECONDITION',
      'RETURN_TRANSITION_INVALID',
      `a ${r.kind} return that is ${r.status} cannot become a refund`,
      { status: r.status },
    );
  return {
    request: {
      ...r,
      kind: 'REFUND',
      note: 'exchanged units out of stock: refunded',
      updatedAt: now,
    },
    events: [],
  };
}

/**
 * What a return still needs, in order: a received one is restocked (never a refund-only one:
 * nothing came back), then ships its replacement (an exchange) or starts its refund; a refund
 * started is completed. Null when nothing is left (or it waits for someone: REQUESTED,
 * APPROVED, DISPUTED).
 */
export function pendingStep(
  r: ReturnRequest,
): 'RESTOCK' | 'REPLACE' | 'START_REFUND' | 'COMPLETE_REFUND' | null {
  if (r.status === 'REFUNDING') return 'COMPLETE_REFUND';
  if (r.status !== 'RECEIVED') return null;
  if (r.kind === 'REFUND_ONLY') return 'START_REFUND';
  if (!r.restocked) return 'RESTOCK';
  return r.kind === 'EXCHANGE' ? 'REPLACE' : 'START_REFUND';
}

/** The line total spread over its units exactly (largest remainder): unit i pays shares[i]. */
function unitShares(line: OrderLine): Money[] {
  return line.total.allocate(Array.from({ length: line.quantity }, () => 1));
}

/**
 * What returning `r` refunds, given the returns already refunded: each line pays back the next
 * units' shares of what the customer paid for it (discounts included), so refunding every unit
 * of a line, in any number of returns, gives back exactly its total.
 */
export function refundFor(
  order: Order,
  refunded: readonly ReturnRequest[],
  r: ReturnRequest,
): Money {
  let sum = Money.zero(order.currency);
  for (const l of r.lines) {
    const line = order.lines.find((x) => x.skuId === l.skuId);
    if (!line) continue;
    const shares = unitShares(line);
    const before = units(refunded, l.skuId, (x) => x.status === 'REFUNDED' && x.id !== r.id);
    for (let i = before; i < Math.min(line.quantity, before + l.quantity); i++)
      sum = sum.add(shares[i]);
  }
  return sum;
}

/** Whether, with `r` refunded too, every unit of the order has been refunded. */
export function fullyRefunded(
  order: Order,
  refunded: readonly ReturnRequest[],
  r: ReturnRequest,
): boolean {
  const all = [...refunded.filter((x) => x.status === 'REFUNDED' && x.id !== r.id), r];
  return order.lines.every((l) => units(all, l.skuId, () => true) >= l.quantity);
}
