import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
