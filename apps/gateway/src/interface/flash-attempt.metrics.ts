import { counter } from '@emporia/platform';
import type { MarkedLoss } from './flash-sold-out';

/**
 * `emporia_flash_sale_attempts_total{outcome}` on the gateway: the attempts a replica answers
 * from its sold-out and limit marks, which never reach marketing. Marketing counts every attempt
 * it decides (won, sold_out, limit, rejected) under the same name, so each attempt is counted
 * once, where it was answered: summed over the services, the metric counts every attempt
 * answered. An attempt refused before either (a 429, a bad body) is not one.
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
