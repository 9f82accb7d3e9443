import { Money } from '@emporia/money';
import { groupAllowsFulfilment } from './group-buy';
import type { Order, OrderLine } from './order';
import { OrderError } from './order-error';

export type ReturnStatus =
  'REQUESTED' | 'APPROVED' | 'REJECTED' | 'RECEIVED' | 'REFUNDING' | 'REFUNDED' | 'EXCHANGED';

/** A refund gives the money back; an exchange ships the same SKUs again. */
export type ReturnKind = 'REFUND' | 'EXCHANGE';

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
  createdAt: Date;
  updatedAt: Date;
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
 * minus those in other returns that were not rejected. Repeated SKUs are merged.
 */
export function requestReturn(
  order: Order,
  existing: readonly ReturnRequest[],
  input: { id: string; lines: ReturnLine[]; reason: string; now: Date; kind?: ReturnKind },
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
    createdAt: input.now,
    updatedAt: input.now,
  };
}

const MOVES: Record<string, Partial<Record<ReturnStatus, ReturnStatus>>> = {
  APPROVE: { REQUESTED: 'APPROVED' },
  REJECT: { REQUESTED: 'REJECTED' },
  RECEIVE: { APPROVED: 'RECEIVED' },
  START_REFUND: { RECEIVED: 'REFUNDING' },
  FINISH_REFUND: { REFUNDING: 'REFUNDED' },
  REPLACE: { RECEIVED: 'EXCHANGED' },
};

export function moveReturn(
  r: ReturnRequest,
  event: keyof typeof MOVES,
  now: Date,
  extra: Partial<Pick<ReturnRequest, 'note' | 'refund' | 'restocked' | 'kind'>> = {},
): ReturnRequest {
  const to = MOVES[event][r.status];
  if (!to)
    throw new OrderError(
      'FAILED_PRECONDITION',
      'RETURN_TRANSITION_INVALID',
      `a return that is ${r.status} cannot ${event.toLowerCase().replace('_', ' ')}`,
    );
  return { ...r, ...extra, status: to, updatedAt: now };
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
