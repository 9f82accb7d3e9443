import type { Logger } from 'pino';

/**
 * A warning logged at most once per interval, saying how many were held back since the last:
 * for fail-open paths that would otherwise log once per request while a dependency is down.
 */
export class ThrottledWarning {
  private lastAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    if (now - this.lastAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    this.logger.warn({ ...fields, suppressed: this.suppressed }, message);
    this.lastAt = now;
    this.suppressed = 0;
  }
}

/**
 * `p`, or a rejection once `ms` have passed without an answer (the timer is always cleared).
 * When the deadline passes while the process was busy, the answer may already be waiting in a
 * socket: timers run before I/O in Node's loop, so the rejection waits one more turn
 * (`setImmediate`, after I/O) and an answer that had arrived in time still wins.
 */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let turn: NodeJS.Immediate | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        turn = setImmediate(() => reject(new Error(`no answer within ${ms} ms`)));
      }, ms);
    }),
  ]).finally(() => {
    clearTimeout(timer);
    if (turn) clearImmediate(turn);
  });
}
