import { counter } from '@emporia/platform';
import type { AttemptOutcome } from '../domain/flash-sale';

/** `emporia_flash_sale_attempts_total`'s outcomes. */
export type FlashAttemptOutcome = 'won' | 'sold_out' | 'limit' | 'rejected';

/**
 * The outcome an attempt decided by the pool is counted under: a win, the pool empty, the
 * buyer's limit, or refused by the sale's window (not started, ended).
 */
export function flashAttemptOutcome(result: AttemptOutcome['result']): FlashAttemptOutcome {
  switch (result) {
    case 'WON':
      return 'won';
    case 'SOLD_OUT':
      return 'sold_out';
    case 'LIMIT_REACHED':
      return 'limit';
    case 'NOT_STARTED':
    case 'ENDED':
      return 'rejected';
  }
}

const attempts = counter(
  'emporia_flash_sale_attempts_total',
  'Flash-sale attempts by outcome (won, sold_out, limit, rejected: the sale not started or ended): decided by marketing, or answered by a gateway from its sold-out and limit marks; each attempt counted once, where it was answered',
  ['outcome'],
);

/** The counter's children by decided result, bound once: counting costs no label lookup. */
const byResult: Record<AttemptOutcome['result'], { inc(): void }> = {
  WON: attempts.labels(flashAttemptOutcome('WON')),
  SOLD_OUT: attempts.labels(flashAttemptOutcome('SOLD_OUT')),
  LIMIT_REACHED: attempts.labels(flashAttemptOutcome('LIMIT_REACHED')),
  NOT_STARTED: attempts.labels(flashAttemptOutcome('NOT_STARTED')),
  ENDED: attempts.labels(flashAttemptOutcome('ENDED')),
};

/** Counts one attempt the pool decided (once per attempt: where its outcome is final). */
export function countFlashAttempt(result: AttemptOutcome['result']): void {
  byResult[result].inc();
}
