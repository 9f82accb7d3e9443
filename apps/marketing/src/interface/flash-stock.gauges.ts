import {
  gaugesReadOnScrape,
  newContext,
  ThrottledWarning,
  type Logger,
  type Worker,
} from '@emporia/platform';
import type { FlashSalesUseCase } from '../application/flash-sales.use-case';

/**
 * `emporia_flash_sales_live` and `emporia_flash_sale_remaining_units`, read when /metrics is
 * scraped (`FlashSalesUseCase.liveStock`: the live sales from the database, their pools from
 * Redis; one read per scrape for both), so every replica reports the same current figures
 * whichever holds the flash-sale sweep, and nothing is read between scrapes. When Postgres or
 * Redis does not answer within 2 s the gauges keep their last values, with one warning per
 * 5 minutes. A worker: `attach` once the use case exists (the service's `ready`), detached on stop.
 */
export class FlashStockGauges implements Worker {
  private detach: (() => void) | undefined;
  private readonly warning: ThrottledWarning;

  constructor(logger: Logger) {
    this.warning = new ThrottledWarning(logger, 300_000);
  }

  attach(flash: FlashSalesUseCase): void {
    this.detach?.();
    this.detach = gaugesReadOnScrape(
      {
        live: {
          name: 'emporia_flash_sales_live',
          help: 'Flash sales selling now (started, not ended), read on scrape',
        },
        remainingUnits: {
          name: 'emporia_flash_sale_remaining_units',
          help: 'Units left in the pools of the flash sales selling now, summed, read on scrape',
        },
      },
      () => flash.liveStock(newContext()),
      {
        onError: (err) =>
          this.warning.warn(
            { err },
            'flash-sale stock gauges not read (they keep their last values)',
          ),
      },
    );
  }

  start(): void {}

  async stop(): Promise<void> {
    this.detach?.();
    this.detach = undefined;
  }
}
