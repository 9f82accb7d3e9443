import type { FlashPurchase } from './ports';

/**
 * Writes flash-sale wins to the database in batches: while one write is in flight, the wins
 * that arrive wait and go together in the next one (one multi-row INSERT, its own transaction),
 * so a burst of winners costs a few statements instead of one transaction each. Every caller
 * still waits for the write that carries its win before it answers, as before; a write that
 * fails is reported to `failed` with its wins (they stay in the sale's Redis win list, from
 * which the sweep records them), and its callers go on.
 */
export class FlashWinBatcher {
  private queue: { win: FlashPurchase; done: () => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (wins: FlashPurchase[]) => Promise<void>,
    private readonly failed: (err: unknown, wins: FlashPurchase[]) => void,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves once a write carrying `win` has committed or failed (never rejects). */
  record(win: FlashPurchase): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ win, done });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        const wins = batch.map((b) => b.win);
        try {
          await this.write(wins);
        } catch (err) {
          this.failed(err, wins);
        }
        for (const b of batch) b.done();
      }
    } finally {
      this.writing = false;
    }
  }
}
