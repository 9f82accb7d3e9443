import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { withTimeout } from './fail-open';

/** One Prometheus registry per process, served at /metrics. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

function getOrCreate<T>(name: string, create: () => T): T {
  return (metricsRegistry.getSingleMetric(name) as T | undefined) ?? create();
}

export function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return getOrCreate(
    name,
    () => new Counter({ name, help, labelNames, registers: [metricsRegistry] }),
  );
}

export function gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
  return getOrCreate(
    name,
    () => new Gauge({ name, help, labelNames, registers: [metricsRegistry] }),
  );
}

export function histogram(
  name: string,
  help: string,
  labelNames: string[] = [],
  buckets?: number[],
): Histogram<string> {
  return getOrCreate(
    name,
    () =>
      new Histogram({
        name,
        help,
        labelNames,
        registers: [metricsRegistry],
        ...(buckets ? { buckets } : {}),
      }),
  );
}

/** What the scrape-time gauges of each name read (replaced by a later registration). */
const scrapeReaders = new Map<string, () => Promise<void>>();

/**
 * Gauges (no labels) whose values are read when /metrics is scraped, all from one `read`: a
 * scrape collects every metric at once, so the gauges share one call per scrape however many
 * they are. A read that fails or takes longer than `timeoutMs` (default 2 s) leaves the gauges
 * at their last values and goes to `onError`; it never fails or holds up the scrape for longer.
 * A second registration of the same names (another instance of the service in the process)
 * takes over; the function returned detaches this one (the gauges then keep their last values).
 */
export function gaugesReadOnScrape<K extends string>(
  gauges: Record<K, { name: string; help: string }>,
  read: () => Promise<Record<K, number>>,
  opts: { timeoutMs?: number; onError?: (err: unknown) => void } = {},
): () => void {
  const timeoutMs = opts.timeoutMs ?? 2000;
  let reading: Promise<Record<K, number> | undefined> | undefined;
  const once = () =>
    (reading ??= withTimeout(read(), timeoutMs)
      .catch((err: unknown) => {
        opts.onError?.(err);
        return undefined;
      })
      .finally(() => {
        reading = undefined;
      }));
  const mine = new Map<string, () => Promise<void>>();
  for (const key of Object.keys(gauges) as K[]) {
    const { name, help } = gauges[key];
    const g = getOrCreate(
      name,
      () =>
        new Gauge({
          name,
          help,
          registers: [metricsRegistry],
          async collect() {
            await scrapeReaders.get(name)?.();
          },
        }),
    );
    const reader = async () => {
      const values = await once();
      if (values) g.set(values[key]);
    };
    scrapeReaders.set(name, reader);
    mine.set(name, reader);
  }
  return () => {
    for (const [name, reader] of mine)
      if (scrapeReaders.get(name) === reader) scrapeReaders.delete(name);
  };
}
