/**
 * Runs `pass` again and again: every `intervalMs`, at once when nudged (a new batch is waiting),
 * and after a failed pass with exponential backoff up to `maxBackoffMs`. One pass at a time;
 * `stop()` waits for the pass in flight. The relays that move committed rows elsewhere (the
 * outbox to Kafka, token revocations to Redis) share it.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;
  private failures = 0;

  constructor(
    /** One pass; a rejection is a failure (handed to `onFailure`) and backs the loop off. */
    private readonly pass: () => Promise<void>,
    private readonly opts: {
      intervalMs: number;
      maxBackoffMs: number;
      /** Told of every failed pass, with how many failed in a row. */
      onFailure: (err: unknown, failures: number) => void;
    },
  ) {}

  /** Failed passes since the last one that succeeded. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop and waits for the pass in flight (drain on shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Asks for a pass soon (after the one in flight), unless the loop is backing off. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else if (this.failures === 0) this.schedule(0);
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.runPass().finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const backoff = Math.min(
          this.opts.intervalMs * 2 ** Math.min(this.failures, 10),
          this.opts.maxBackoffMs,
        );
        const next = this.failures > 0 ? backoff : this.again ? 0 : this.opts.intervalMs;
        this.again = false;
        this.schedule(next);
      });
    }, delay);
  }

  private async runPass(): Promise<void> {
    try {
      await this.pass();
      this.failures = 0;
    } catch (err) {
      this.failures++;
      this.opts.onFailure(err, this.failures);
    }
  }
}
