/** What the KPIs need of one ticket handed off in the period. */
export interface TicketFacts {
  assigneeId: string | null;
  handedOffAt: Date;
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  reopenCount: number;
  surveyRating: number | null;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
}

export interface Kpis {
  /** '' for the team. */
  agentId: string;
  ticketsAssigned: number;
  ticketsResolved: number;
  resolutionRate: number;
  reopenRate: number;
  firstResponseSecondsAvg: number;
  firstResponseSecondsP50: number;
  resolutionSecondsAvg: number;
  resolutionSecondsP50: number;
  satisfactionAvg: number;
  surveys: number;
  slaBreaches: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** The median (the mean of the two middle values for an even count); 0 when empty. */
export function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const seconds = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 1000;
const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

function kpisOf(agentId: string, tickets: readonly TicketFacts[], assigned: number): Kpis {
  const resolved = tickets.filter((t) => t.resolvedAt);
  const responded = tickets.filter((t) => t.firstRespondedAt);
  const firstResponse = responded.map((t) => seconds(t.handedOffAt, t.firstRespondedAt!));
  const resolution = resolved.map((t) => seconds(t.handedOffAt, t.resolvedAt!));
  const ratings = tickets.flatMap((t) => (t.surveyRating ? [t.surveyRating] : []));
  return {
    agentId,
    ticketsAssigned: assigned,
    ticketsResolved: resolved.length,
    resolutionRate: assigned ? round(resolved.length / assigned) : 0,
    reopenRate: resolved.length
      ? round(resolved.filter((t) => t.reopenCount > 0).length / resolved.length)
      : 0,
    firstResponseSecondsAvg: round(mean(firstResponse), 3),
    firstResponseSecondsP50: round(median(firstResponse), 3),
    resolutionSecondsAvg: round(mean(resolution), 3),
    resolutionSecondsP50: round(median(resolution), 3),
    satisfactionAvg: round(mean(ratings)),
    surveys: ratings.length,
    slaBreaches: tickets.reduce(
      (n, t) => n + (t.firstResponseBreached ? 1 : 0) + (t.resolutionBreached ? 1 : 0),
      0,
    ),
  };
}

/**
 * KPIs per agent (the tickets they hold or resolved) and for the team (every ticket handed off
 * in the period: the team's resolution rate counts the ones nobody took too). Rates 0..1 to four
 * decimals, seconds to milliseconds; agents by id.
 */
export function computeKpis(tickets: readonly TicketFacts[]): { agents: Kpis[]; team: Kpis } {
  const byAgent = new Map<string, TicketFacts[]>();
  for (const t of tickets) {
    if (!t.assigneeId) continue;
    byAgent.set(t.assigneeId, [...(byAgent.get(t.assigneeId) ?? []), t]);
  }
  const agents = [...byAgent.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, ts]) => kpisOf(id, ts, ts.length));
  return { agents, team: kpisOf('', tickets, tickets.length) };
}
