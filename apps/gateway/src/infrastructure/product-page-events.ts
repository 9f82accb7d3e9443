import type { Consumer as KafkaConsumer, Kafka } from 'kafkajs';
import { counter, ThrottledWarning, type Consumer, type Logger } from '@emporia/platform';

/** What changes a shopper's product page: catalog's product snapshots (keyed by product id). */
export const PRODUCT_PAGE_TOPICS = ['catalog.product'] as const;

const dropped = counter(
  'emporia_product_page_invalidations_total',
  'Cached product pages dropped by this gateway replica: one product (event) or all (consumer joined)',
  ['scope'],
);

/**
 * How long a fetch gathers events before it answers (or until far more than a window's events
 * arrived): a product's page is dropped at most this much later than its event reached Kafka.
 * Without it, kafkajs asks again as soon as one event arrived: during a sale every paid order's
 * stock event cost each replica a fetch of its own (~6 % of a gateway's CPU in the checkout
 * benchmark). The same window as the services' consumers (their `gatherMs`, 500 ms): it is also
 * how often an idle replica asks Kafka. At 100 ms, ten empty fetches a second cost an idle gateway
 * 16.5 ms of CPU a second against 7.5 at 500 ms (its threads' CPU from /proc, 60 s after start).
 * The hard bound on a page stays PRODUCT_PAGE_CACHE_TTL_MS.
 */
export const PRODUCT_PAGE_EVENTS_GATHER_MS = 500;
const GATHER_BYTES = 1 << 20;

/** The cache the events drop pages of. */
export interface InvalidatedPages {
  invalidate(id: string): void;
  clear(): void;
}

/**
 * Reads catalog's product events on one gateway replica and drops the product's cached page:
 * every replica must see every event, so each process has its own consumer group, starts at the
 * latest offset and commits nothing (the group is forgotten when its member leaves). Every
 * (re)join of the group clears the whole cache, since events may have been missed meanwhile.
 * `start()` does not wait for Kafka: the gateway serves without it (pages then live until their
 * TTL); kafkajs reconnects by itself, and a crash restarts the consumer after a pause. `stop()`
 * does not wait either.
 */
export class ProductPageEvents implements Consumer {
  private consumer: KafkaConsumer | undefined;
  private stopped = false;
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: {
      topics: string[];
      groupId: string;
      pages: InvalidatedPages;
      logger: Logger;
      /** PRODUCT_PAGE_EVENTS_GATHER_MS unless said. */
      gatherMs?: number;
    },
  ) {
    this.warning = new ThrottledWarning(opts.logger, 30_000);
  }

  start(): Promise<void> {
    void this.run();
    return Promise.resolve();
  }

  private async run(): Promise<void> {
    const { pages, topics, groupId } = this.opts;
    while (!this.stopped) {
      const consumer = this.kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: this.opts.gatherMs ?? PRODUCT_PAGE_EVENTS_GATHER_MS,
        minBytes: GATHER_BYTES,
      });
      this.consumer = consumer;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        pages.clear();
        dropped.inc({ scope: 'all' });
      });
      const crashed = new Promise<void>((resolve) =>
        consumer.on(consumer.events.CRASH, () => resolve()),
      );
      try {
        await consumer.connect();
        await consumer.subscribe({ topics, fromBeginning: false });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            if (!message.key) return;
            pages.invalidate(message.key.toString());
            dropped.inc({ scope: 'product' });
          },
        });
        await crashed;
      } catch (err) {
        this.warning.warn(
          { err },
          'product page events unavailable: cached pages live until their TTL',
        );
      }
      pages.clear();
      await consumer.disconnect().catch(() => undefined);
      if (!this.stopped) await new Promise((r) => setTimeout(r, 1000).unref());
    }
  }

  /**
   * Leaves without waiting: the consumer only drops cached pages, so nothing is lost, and the
   * gateway's shutdown (consumers first, then the servers) must not wait for Kafka (a fetch can
   * take seconds to end), or requests in flight would finish before the listener closes.
   */
  stop(): Promise<void> {
    this.stopped = true;
    void this.consumer?.disconnect().catch(() => undefined);
    return Promise.resolve();
  }
}
