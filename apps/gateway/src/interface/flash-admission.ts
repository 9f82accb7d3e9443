/**
 * Admission control in front of the flash-sale decision: at most `maxInFlight` attempts of one
 * sale are with marketing at a time from this replica; the others wait, in arrival order, for
 * a free place (no answer is made up: a waiting attempt is decided like any other). When the
 * place comes, the caller checks the sold-out marks again, so the crowd queued behind the
 * attempt that found the pool empty is answered from memory instead of going to marketing one
 * by one. `maxInFlight` 0: no limit.
 */
export class FlashAdmission {
  private readonly sales = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(readonly maxInFlight: number) {}

  /** Undefined when admitted at once; otherwise a promise resolved once admitted. */
  enter(saleId: string): Promise<void> | undefined {
    if (this.maxInFlight <= 0) return undefined;
    let s = this.sales.get(saleId);
    if (!s) this.sales.set(saleId, (s = { active: 0, waiting: [] }));
    if (s.active < this.maxInFlight) {
      s.active++;
      return undefined;
    }
    const sale = s;
    return new Promise<void>((admitted) => sale.waiting.push(admitted));
  }

  /** Gives the place back: to the first waiting attempt, if any. */
  leave(saleId: string): void {
    if (this.maxInFlight <= 0) return;
    const s = this.sales.get(saleId);
    if (!s) return;
    const next = s.waiting.shift();
    if (next)
      next(); // the place passes on: `active` unchanged
    else if (--s.active === 0) this.sales.delete(saleId);
  }

  /** Attempts of a sale with marketing and waiting (metrics, tests). */
  load(saleId: string): { active: number; waiting: number } {
    const s = this.sales.get(saleId);
    return { active: s?.active ?? 0, waiting: s?.waiting.length ?? 0 };
  }
}
