import type { PoolResult } from '@emporia/flash';
import { counter } from '@emporia/platform';
import type { MarkedLoss } from './flash-sold-out';

/**
 * `emporia_flash_sale_attempts_total{outcome}` on the gateway: the attempts a replica answers
 * from its sold-out and limit marks, which never reach marketing, and those it decides itself in
 * the sale's pool (FLASH_DECISIONS=edge). Marketing counts every attempt it decides (won,
 * sold_out, limit, rejected) under the same name, so each attempt is counted once, where it was
 * answered: summed over the services, the metric counts every attempt answered. An attempt
 * refused before either (a 429, a bad body) is not one.
 */
const attempts = counter(
  'emporia_flash_sale_attempts_total',
  'Flash-sale attempts by outcome (won, sold_out, limit, rejected: the sale not started or ended): decided by marketing, or answered by a gateway from its sold-out and limit marks; each attempt counted once, where it was answered',
  ['outcome'],
);

/** The counter's children for the losses a mark answers, bound once (no label lookup per attempt). */
const marked: Record<MarkedLoss, { inc(): void }> = {
  SOLD_OUT: attempts.labels('sold_out'),
  LIMIT_REACHED: attempts.labels('limit'),
};

/** Counts an attempt answered from a mark (call once per answer, once it is sure to be given). */
export function countMarkedLoss(loss: MarkedLoss): void {
  marked[loss].inc();
}

/** The attempts a replica decided itself, apart (they are in the counter above too). */
const edgeDecisions = counter(
  'emporia_flash_sale_edge_decisions_total',
  "Flash-sale attempts a gateway decided itself in the sale's Redis pool (FLASH_DECISIONS=edge), by outcome; each also counted in emporia_flash_sale_attempts_total",
  ['outcome'],
);

const OUTCOME: Record<Exclude<PoolResult, 'UNKNOWN'>, string> = {
  WON: 'won',
  SOLD_OUT: 'sold_out',
  LIMIT_REACHED: 'limit',
  NOT_STARTED: 'rejected',
  ENDED: 'rejected',
};

/** Both counters' children per decided result, bound once. */
const decided = Object.fromEntries(
  Object.entries(OUTCOME).map(([result, outcome]) => [
    result,
    [attempts.labels(outcome), edgeDecisions.labels(outcome)],
  ]),
) as Record<Exclude<PoolResult, 'UNKNOWN'>, [{ inc(): void }, { inc(): void }]>;

/** Counts an attempt this replica decided in the pool (once, when decided). */
export function countEdgeDecision(result: Exclude<PoolResult, 'UNKNOWN'>): void {
  const [all, edge] = decided[result];
  all.inc();
  edge.inc();
}
