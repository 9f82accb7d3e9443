import { MarketingError } from './marketing-error';

/**
 * Group buying (拼团): a group needs `size` participants before `deadline`. Joining holds the
 * participant's order; the join that fills the group confirms every order; at the deadline an
 * unfilled group fails and every order is cancelled and refunded. Pure: the store applies
 * these decisions under a row lock, so two joins can never take the same last seat.
 */
export type GroupStatus = 'OPEN' | 'SUCCEEDED' | 'FAILED';

export interface Group {
  id: string;
  dealId: string;
  size: number;
  deadline: Date;
  status: GroupStatus;
  participants: { accountId: string; orderId: string }[];
}

export type JoinOutcome =
  | { result: 'JOINED'; group: Group }
  /** This join filled the group: confirm every participant's order. */
  | { result: 'COMPLETED'; group: Group; confirm: string[] }
  /** The same account and order joined before: nothing changes. */
  | { result: 'ALREADY_JOINED'; group: Group };

const closed = (g: Group) =>
  new MarketingError(
    'FAILED_PRECONDITION',
    g.status === 'SUCCEEDED' ? 'GROUP_FULL' : 'GROUP_CLOSED',
    `group ${g.id} is ${g.status.toLowerCase()}`,
  );

export function openGroup(input: {
  id: string;
  dealId: string;
  size: number;
  deadline: Date;
  now: Date;
}): Group {
  if (!Number.isInteger(input.size) || input.size < 2 || input.size > 100)
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'GROUP_SIZE_INVALID',
      'a group has 2 to 100 participants',
    );
  if (input.deadline.getTime() <= input.now.getTime())
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'GROUP_DEADLINE_INVALID',
      'the deadline is in the future',
    );
  return {
    id: input.id,
    dealId: input.dealId,
    size: input.size,
    deadline: input.deadline,
    status: 'OPEN',
    participants: [],
  };
}

export function join(g: Group, accountId: string, orderId: string, now: Date): JoinOutcome {
  const mine = g.participants.find((p) => p.accountId === accountId);
  if (mine && mine.orderId === orderId) return { result: 'ALREADY_JOINED', group: g };
  if (g.status !== 'OPEN') throw closed(g);
  if (now.getTime() >= g.deadline.getTime())
    throw new MarketingError(
      'FAILED_PRECONDITION',
      'GROUP_CLOSED',
      `group ${g.id} has passed its deadline`,
    );
  if (mine)
    throw new MarketingError('FAILED_PRECONDITION', 'GROUP_ALREADY_JOINED', 'one seat per account');
  const participants = [...g.participants, { accountId, orderId }];
  if (participants.length === g.size) {
    const group = { ...g, participants, status: 'SUCCEEDED' as const };
    return { result: 'COMPLETED', group, confirm: participants.map((p) => p.orderId) };
  }
  return { result: 'JOINED', group: { ...g, participants } };
}

/** At the deadline an unfilled group fails: every held order is cancelled and refunded. */
export function expire(g: Group, now: Date): { group: Group; refund: string[] } | null {
  if (g.status !== 'OPEN' || now.getTime() < g.deadline.getTime()) return null;
  return { group: { ...g, status: 'FAILED' }, refund: g.participants.map((p) => p.orderId) };
}
