import type { marketingV1 } from '@emporia/contracts';
import type { FlashPool } from '@emporia/flash';
import { countEdgeDecision } from './flash-attempt.metrics';

type Attempt = marketingV1.AttemptFlashPurchaseRequest;
type Result = marketingV1.AttemptFlashPurchaseResponse;

/** The quantities the gateway's routes accept (FlashAttemptDto); any other goes to marketing. */
const MAX_QUANTITY = 10;

/**
 * Flash-sale attempts decided by the gateway itself (FLASH_DECISIONS=edge): the sale's own
 * decision script (`@emporia/flash`, marketing's contract) run on marketing's Redis keys, so a
 * win costs one Redis call instead of a call to marketing that makes it. Each attempt is decided
 * exactly as marketing decides it (window, limit, stock, atomically; the win appended to the
 * sale's win list in the same call, from which marketing records it: `recordPendingWins`), with
 * the answer marketing would give. What the pool does not know is marketing's: a sale not
 * loaded (or loaded without its token TTL, by an older marketing), a quantity the routes do not
 * take; and every attempt when Redis fails. Those come back `undefined`, for marketing.
 */
export class FlashEdge {
  constructor(
    private readonly pool: FlashPool,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The attempts of one sale (in order, in one call): each one's answer, or undefined for
   * marketing to decide. Rejects only when the call fails (nothing known of it: marketing
   * decides them all).
   */
  async decide(saleId: string, batch: readonly Attempt[]): Promise<(Result | undefined)[]> {
    const out: (Result | undefined)[] = new Array<Result | undefined>(batch.length);
    const mine: number[] = [];
    batch.forEach((a, i) => {
      if (Number.isInteger(a.quantity) && a.quantity >= 1 && a.quantity <= MAX_QUANTITY)
        mine.push(i);
    });
    if (mine.length === 0) return out;
    const now = this.clock();
    const decided = await this.pool.attemptMany(
      saleId,
      mine.map((i) => ({ buyer: batch[i].accountId, quantity: batch[i].quantity })),
      new Date(now),
      true,
    );
    mine.forEach((i, k) => {
      const d = decided[k];
      if (d.result === 'UNKNOWN') return;
      countEdgeDecision(d.result);
      out[i] =
        d.result === 'WON'
          ? {
              result: 'WON',
              token: d.token,
              expiresAt: new Date(now + d.tokenTtlMs).toISOString(),
              allowanceLeft: d.allowanceLeft,
            }
          : d.result === 'LIMIT_REACHED'
            ? { result: d.result, token: '', expiresAt: '', allowanceLeft: d.allowanceLeft }
            : { result: d.result, token: '', expiresAt: '' };
    });
    return out;
  }
}
