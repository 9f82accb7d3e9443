/** A loss the gateway may answer from memory, without asking marketing. */
export type MarkedLoss = 'SOLD_OUT' | 'LIMIT_REACHED';

/** The most units one attempt asks for (FlashAttemptDto): a limit mark for more is never used. */
const MAX_QUANTITY = 10;

/**
 * What this gateway replica learnt from marketing's answers to flash-sale attempts: a sale that
 * answered sold out, a buyer that reached the sale's per-user limit. While a mark holds, an
 * attempt is answered the same loss without touching marketing or Redis; most of a flash sale's
 * attempts are losers after the first second.
 *
 * A limit mark comes from a LIMIT_REACHED, and from a win too: marketing says with both how many
 * units the buyer may still win (`allowanceLeft`), so a buyer who won all the limit allows is
 * answered LIMIT_REACHED from memory from the next attempt on (an attempt of more units than
 * allowed, whatever is left in the pool: the decision checks the buyer's limit before the stock),
 * rather than after one more round trip.
 *
 * The bound: a mark lasts `boundMs` (a buyer's limit mark `limitBoundMs`) from the moment the
 * attempt that learnt it was SENT to marketing (so before marketing decided it), and is dropped
 * at once when marketing announces units coming back to the sale (`restocked`: a lapsed purchase
 * token, a failed checkout, a cancelled order; the Redis restock channel): the sale's sold-out
 * mark, and the limit mark of the buyer whose units came back. An answer to an attempt sent
 * before such an announcement arrived is not kept (it may have been decided before the units
 * came back). So "sold out" (or "limit reached") is never answered more than the bound after
 * units came back, even if the announcement is lost. `boundMs` 0 turns the marks off,
 * `limitBoundMs` 0 the limit marks. A limit mark may hold longer than a sold-out one: only that
 * buyer's own units coming back can change its answer, where any buyer's can end "sold out".
 *
 * Marks live per replica, in memory; limit marks are capped at `maxLimitMarks` (beyond, they
 * are simply not kept and marketing answers).
 */
export class FlashSoldOutMarks {
  /** sale → until when, and the smallest quantity answered sold out (fewer units may remain) */
  private readonly soldOut = new Map<string, Mark>();
  /** `<sale>|<account>` → until when, and the smallest quantity answered limit reached */
  private readonly limited = new Map<string, Mark>();
  /** sale, and `<sale>|<buyer>` → when units coming back were last announced (recent ones) */
  private readonly restocks = new Map<string, number>();

  constructor(
    readonly boundMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxLimitMarks = 200_000,
    readonly limitBoundMs = boundMs,
  ) {}

  /** The clock reading to pass to `learn` for an attempt about to be sent. */
  sending(): number {
    return this.now();
  }

  /** The loss to answer from memory, if a mark holds for this sale (or this buyer of it). */
  known(saleId: string, accountId: string, quantity: number): MarkedLoss | undefined {
    if (this.boundMs <= 0) return undefined;
    const now = this.now();
    if (this.limited.size > 0) {
      const key = `${saleId}|${accountId}`;
      const m = this.limited.get(key);
      if (m !== undefined) {
        if (m.until <= now) this.limited.delete(key);
        else if (quantity >= m.quantity) return 'LIMIT_REACHED';
      }
    }
    const m = this.soldOut.get(saleId);
    if (m === undefined) return undefined;
    if (m.until <= now) {
      this.soldOut.delete(saleId);
      return undefined;
    }
    return quantity >= m.quantity ? 'SOLD_OUT' : undefined;
  }

  /**
   * Keeps marketing's answer to an attempt of `quantity` units sent at `sentAt` (`sending()`):
   * its `result` and, for WON and LIMIT_REACHED, the units the buyer may still win after it
   * (`allowanceLeft`; unknown from an older marketing: a LIMIT_REACHED then marks `quantity`).
   */
  learn(
    saleId: string,
    accountId: string,
    quantity: number,
    result: string,
    sentAt: number,
    allowanceLeft?: number,
  ): void {
    if (this.boundMs <= 0) return;
    const now = this.now();
    const live = (m: Mark | undefined) => (m && m.until > now ? m : undefined);
    // units came back after the attempt was sent: its answer may predate them
    const restocked = (key: string) => (this.restocks.get(key) ?? -Infinity) >= sentAt;
    if (result === 'SOLD_OUT') {
      const until = sentAt + this.boundMs;
      if (until <= now || restocked(saleId)) return;
      this.soldOut.set(saleId, merge(live(this.soldOut.get(saleId)), until, quantity));
      return;
    }
    // the fewest units marketing would now answer LIMIT_REACHED to
    let over: number;
    if (result === 'LIMIT_REACHED')
      over = allowanceLeft === undefined ? quantity : Math.min(quantity, allowanceLeft + 1);
    else if (result === 'WON' && allowanceLeft !== undefined) over = allowanceLeft + 1;
    else return;
    over = Math.max(1, over); // a limit lowered below what the buyer holds: any attempt
    if (over > MAX_QUANTITY) return;
    const until = sentAt + this.limitBoundMs;
    const key = `${saleId}|${accountId}`;
    if (until <= now || restocked(key)) return;
    if (this.limited.size >= this.maxLimitMarks && !this.limited.has(key)) this.dropExpired();
    if (this.limited.size < this.maxLimitMarks || this.limited.has(key))
      this.limited.set(key, merge(live(this.limited.get(key)), until, over));
  }

  /** Units came back to a sale (from `buyer`'s purchase, if known): its marks go. */
  restocked(saleId: string, buyer?: string): void {
    const now = this.now();
    this.soldOut.delete(saleId);
    this.restocks.set(saleId, now);
    if (buyer) {
      this.limited.delete(`${saleId}|${buyer}`);
      this.restocks.set(`${saleId}|${buyer}`, now);
    }
    // an announcement matters for answers to attempts sent before it, at most a bound ago
    if (this.restocks.size > 10_000) {
      const since = now - Math.max(this.boundMs, this.limitBoundMs);
      for (const [k, at] of this.restocks) if (at < since) this.restocks.delete(k);
    }
  }

  /** Forgets every mark (the restock channel was lost and announcements may have been missed). */
  clear(): void {
    this.soldOut.clear();
    this.limited.clear();
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [k, m] of this.limited) if (m.until <= now) this.limited.delete(k);
  }
}

interface Mark {
  until: number;
  quantity: number;
}

/**
 * A mark is always exactly one answer of marketing (never a blend that would stretch an older
 * answer's bound): the answer for the smaller quantity wins, and of two for the same quantity
 * the later-ending one.
 */
function merge(old: Mark | undefined, until: number, quantity: number): Mark {
  if (!old || quantity < old.quantity) return { until, quantity };
  if (quantity === old.quantity) return { until: Math.max(until, old.until), quantity };
  return old;
}
