import { Redis } from 'ioredis';
import { FlashPool } from '@emporia/flash';
import type { RequestContext, ResourceSpec } from '@emporia/platform';
import type { MarketingBackend } from '../application/ports';
import type { FlashWinView } from './dto/marketing.dto';
import { FlashAdmission } from './flash-admission';
import { countMarkedLoss } from './flash-attempt.metrics';
import { FlashBatcher } from './flash-batcher';
import { FlashEdge } from './flash-edge';
import { FlashSoldOutMarks, type MarkedLoss } from './flash-sold-out';
import { flashAttemptResult } from './marketing-mappers';

export const FLASH_GATE = Symbol('FLASH_GATE');

/** How long a replica waits for the pool to decide a batch before marketing decides it. */
export const EDGE_DECISION_TIMEOUT_MS = 250;

/**
 * What stands between a flash-sale attempt and marketing on one gateway replica: the sold-out
 * and limit marks (losses answered from memory, within FLASH_SOLD_OUT_MARK_MS and
 * FLASH_LIMIT_MARK_MS) and admission control (at most FLASH_MAX_IN_FLIGHT_PER_SALE attempts of a
 * sale with marketing at once), and the batching of the attempts sent together
 * (FLASH_ATTEMPT_BATCH_MAX per TryFlashPurchases call).
 * Used by the fast route and by the Nest route alike.
 */
export class FlashGate {
  constructor(
    readonly marks: FlashSoldOutMarks,
    readonly admission: FlashAdmission,
    readonly batcher: FlashBatcher = new FlashBatcher(1),
  ) {}

  /** Marks and admission off (tests and tools without the settings). */
  static off(): FlashGate {
    return new FlashGate(new FlashSoldOutMarks(0), new FlashAdmission(0));
  }

  /**
   * The win, or the 409 problem of the loss (from memory or from marketing). `goingOn`, when
   * given, runs once the marks have not answered at once, before the attempt queues for
   * marketing (the fast route counts the attempt in the shared rate limiter there; its 429
   * stops it).
   */
  async attempt(...args: Parameters<FlashGate['decide']>): Promise<FlashWinView> {
    const r = await this.decide(...args);
    return typeof r === 'string' ? flashAttemptResult({ result: r, token: '', expiresAt: '' }) : r;
  }

  /**
   * As `attempt`, with a loss (SOLD_OUT, LIMIT_REACHED; from a mark or from marketing) answered
   * rather than thrown, so the hot routes write its canned problem without building an error.
   * Any other failure (a sale not started or ended, a backend that did not answer) is thrown.
   */
  async decide(
    marketing: MarketingBackend,
    ctx: RequestContext,
    saleId: string,
    accountId: string,
    quantity: number,
    goingOn?: () => Promise<void>,
  ): Promise<FlashWinView | MarkedLoss> {
    let known = this.marks.known(saleId, accountId, quantity);
    if (known) return answeredFromMark(known);
    if (goingOn) await goingOn();
    const waiting = this.admission.enter(saleId);
    try {
      if (waiting) {
        await waiting;
        // what the attempts ahead learnt while this one waited
        known = this.marks.known(saleId, accountId, quantity);
        if (known) return answeredFromMark(known);
      }
      const sentAt = this.marks.sending();
      const r = await this.batcher.attempt(marketing, ctx, { saleId, accountId, quantity });
      this.marks.learn(saleId, accountId, quantity, r.result, sentAt, r.allowanceLeft);
      if (r.result === 'SOLD_OUT' || r.result === 'LIMIT_REACHED') return r.result;
      return flashAttemptResult(r);
    } finally {
      this.admission.leave(saleId);
    }
  }
}

/** A loss a mark answers (counted: marketing never sees the attempt). */
function answeredFromMark(known: MarkedLoss): MarkedLoss {
  countMarkedLoss(known);
  return known;
}

/**
 * The replica's flash gate: its admission control, and its marks with a Redis subscriber on marketing's restock channel (`<sale id>|<buyer>` per
 * give-back) that drops them. Not a readiness check: without the channel the marks still lapse
 * at their bound; every (re)connection forgets all marks, since announcements may have been
 * missed while it was away. With `edgeKeyPrefix` (FLASH_DECISIONS=edge: marketing's key prefix),
 * attempts are decided by this replica in the sale's pool, on a connection of their own (commands
 * of one turn in one write); not a readiness check either: while it is down marketing decides.
 */
export function flashGateResource(opts: {
  redisUrl: string;
  channel: string;
  boundMs: number;
  limitBoundMs: number;
  maxInFlight: number;
  maxBatch: number;
  edgeKeyPrefix?: string;
}): ResourceSpec<FlashGate> {
  return {
    kind: 'client',
    async open({ logger }) {
      const marks = new FlashSoldOutMarks(opts.boundMs, undefined, undefined, opts.limitBoundMs);
      const decisions =
        opts.edgeKeyPrefix === undefined
          ? undefined
          : new Redis(opts.redisUrl, {
              enableAutoPipelining: true,
              // a call that cannot be sent, or is not answered in time, fails soon: marketing
              // decides its attempts (a decision answered late, after all, is a win whose token
              // nobody holds: it lapses, and its units come back)
              maxRetriesPerRequest: 1,
              commandTimeout: EDGE_DECISION_TIMEOUT_MS,
              retryStrategy: (attempt) => Math.min(attempt * 50, 2000),
            });
      decisions?.on('error', () => undefined); // the main connection logs Redis outages
      const gate = new FlashGate(
        marks,
        new FlashAdmission(opts.maxInFlight),
        new FlashBatcher(
          opts.maxBatch,
          undefined,
          decisions && new FlashEdge(new FlashPool(decisions, opts.edgeKeyPrefix!)),
        ),
      );
      const closeDecisions = () => decisions?.disconnect();
      if (opts.boundMs <= 0) return { value: gate, close: closeDecisions }; // no marks at all
      const sub = new Redis(opts.redisUrl, {
        lazyConnect: true,
        maxRetriesPerRequest: null,
        retryStrategy: (attempt) => Math.min(attempt * 50, 2000),
      });
      sub.on('error', () => undefined); // the main connection logs Redis outages
      sub.on('message', (_channel: string, message: string) => {
        const bar = message.indexOf('|');
        if (bar < 0) marks.restocked(message);
        else marks.restocked(message.slice(0, bar), message.slice(bar + 1));
      });
      sub.on('ready', () => marks.clear());
      sub.on('close', () => marks.clear());
      // not awaited: the gateway starts while Redis is down (ioredis subscribes once it is up)
      void sub
        .connect()
        .then(() => sub.subscribe(opts.channel))
        .catch((err: unknown) =>
          logger.warn(
            { err },
            'flash-sale restock channel unavailable; marks lapse at their bound',
          ),
        );
      return {
        value: gate,
        close: () => {
          sub.disconnect();
          closeDecisions();
        },
      };
    },
  };
}
