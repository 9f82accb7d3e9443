/**
 * Experiments (A/B tests): the definition and its checks, the status a time gives it, and the
 * deterministic assignment of a unit (account, or anonymous visitor) to a variant.
 */
import { AnalyticsError } from './analytics-error';

export const EXPERIMENT_METRICS = [
  'paid_order',
  'checkout_started',
  'add_to_cart',
  'banner_click',
] as const;
export type ExperimentMetric = (typeof EXPERIMENT_METRICS)[number];

export type ExperimentStatus = 'SCHEDULED' | 'RUNNING' | 'STOPPED';

export interface ExperimentVariant {
  key: string;
  weight: number;
}

export interface Experiment {
  key: string;
  name: string;
  variants: ExperimentVariant[];
  /** The window is [startAt, stopAt): exposures and conversions count inside it. */
  startAt: Date;
  stopAt: Date;
  primaryMetric: ExperimentMetric;
}

/** An experiment as a caller sends it: times still text, the metric not yet checked. */
export interface ExperimentInput {
  key: string;
  name: string;
  variants: ExperimentVariant[];
  startAt: string;
  stopAt: string;
  primaryMetric: string;
}

export const EXPERIMENT_KEY_RE = /^[a-z0-9_-]{1,64}$/;
export const VARIANT_KEY_RE = /^[a-z0-9_-]{1,32}$/;
export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 10;
export const MAX_WEIGHT = 10_000;
export const MAX_NAME_LENGTH = 200;
/** Buckets a unit hashes into; variants take consecutive ranges of them. */
export const BUCKETS = 10_000;

const invalid = (field: string, code: string, message: string) =>
  new AnalyticsError('INVALID_ARGUMENT', code, message, { field });

/** An RFC 3339 time with a date, a time and an offset (or Z). */
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function parseTime(value: string, field: string): Date {
  const at = new Date(value);
  if (!RFC3339_RE.test(value ?? '') || Number.isNaN(at.getTime()))
    throw invalid(field, 'TIME_INVALID', `${field} must be an RFC 3339 time, got '${value}'`);
  return at;
}

/** Checks a definition and returns it typed; the first fault found is the error (with its field). */
export function validateExperiment(input: ExperimentInput): Experiment {
  const key = input.key ?? '';
  if (!EXPERIMENT_KEY_RE.test(key))
    throw invalid('experiment.key', 'EXPERIMENT_KEY_INVALID', 'key must be 1 to 64 of [a-z0-9_-]');
  const name = (input.name ?? '').trim();
  if (name.length > MAX_NAME_LENGTH)
    throw invalid(
      'experiment.name',
      'EXPERIMENT_NAME_INVALID',
      `name is at most ${MAX_NAME_LENGTH} characters`,
    );
  const variants = input.variants ?? [];
  if (variants.length < MIN_VARIANTS || variants.length > MAX_VARIANTS)
    throw invalid(
      'experiment.variants',
      'VARIANTS_INVALID',
      `an experiment has ${MIN_VARIANTS} to ${MAX_VARIANTS} variants, got ${variants.length}`,
    );
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (!VARIANT_KEY_RE.test(v.key ?? ''))
      throw invalid(
        `experiment.variants.${i}.key`,
        'VARIANT_KEY_INVALID',
        'a variant key is 1 to 32 of [a-z0-9_-]',
      );
    if (seen.has(v.key))
      throw invalid(
        `experiment.variants.${i}.key`,
        'VARIANT_KEY_DUPLICATE',
        `variant '${v.key}' appears twice`,
      );
    seen.add(v.key);
    if (!Number.isInteger(v.weight) || v.weight < 1 || v.weight > MAX_WEIGHT)
      throw invalid(
        `experiment.variants.${i}.weight`,
        'VARIANT_WEIGHT_INVALID',
        `a weight is an integer from 1 to ${MAX_WEIGHT}`,
      );
  });
  const startAt = parseTime(input.startAt, 'experiment.start_at');
  const stopAt = parseTime(input.stopAt, 'experiment.stop_at');
  if (startAt.getTime() >= stopAt.getTime())
    throw invalid(
      'experiment.stop_at',
      'EXPERIMENT_WINDOW_INVALID',
      'stop_at must be after start_at',
    );
  if (!(EXPERIMENT_METRICS as readonly string[]).includes(input.primaryMetric))
    throw invalid(
      'experiment.primary_metric',
      'METRIC_INVALID',
      `primary_metric is one of ${EXPERIMENT_METRICS.join(', ')}`,
    );
  return {
    key,
    name,
    variants: variants.map((v) => ({ key: v.key, weight: v.weight })),
    startAt,
    stopAt,
    primaryMetric: input.primaryMetric as ExperimentMetric,
  };
}

/** SCHEDULED before the start, RUNNING in [start, stop), STOPPED from the stop on. */
export function experimentStatus(e: Experiment, now: Date): ExperimentStatus {
  if (now.getTime() < e.startAt.getTime()) return 'SCHEDULED';
  if (now.getTime() < e.stopAt.getTime()) return 'RUNNING';
  return 'STOPPED';
}

/** Whether an instant is inside the experiment's window [start, stop). */
export function inWindow(e: Pick<Experiment, 'startAt' | 'stopAt'>, at: Date): boolean {
  return at.getTime() >= e.startAt.getTime() && at.getTime() < e.stopAt.getTime();
}

const sameVariants = (a: ExperimentVariant[], b: ExperimentVariant[]) =>
  a.length === b.length && a.every((v, i) => v.key === b[i].key && v.weight === b[i].weight);

/**
 * The definition to store when `next` replaces `current` at `now`. Before the start anything
 * may change; from the start on only the name, the stop and the primary metric: the variants,
 * their weights and the start are what units were assigned and exposed under.
 */
export function reviseExperiment(
  current: Experiment | null,
  next: Experiment,
  now: Date,
): Experiment {
  if (!current || experimentStatus(current, now) === 'SCHEDULED') return next;
  if (!sameVariants(current.variants, next.variants))
    throw new AnalyticsError(
      'FAILED_PRECONDITION',
      'EXPERIMENT_STARTED',
      `experiment '${current.key}' has started: its variants and weights cannot change`,
      { field: 'experiment.variants' },
    );
  if (current.startAt.getTime() !== next.startAt.getTime())
    throw new AnalyticsError(
      'FAILED_PRECONDITION',
      'EXPERIMENT_STARTED',
      `experiment '${current.key}' has started: its start cannot change`,
      { field: 'experiment.start_at' },
    );
  return next;
}

/** SHA-256 of a text's UTF-8 bytes as lower-case hex (given by the caller: domain/ does no I/O). */
export type Sha256Hex = (text: string) => string;

/**
 * The bucket of a unit in an experiment: the first 8 hex digits of
 * sha256(experiment_key + ':' + unit) as an unsigned 32-bit integer, mod 10000.
 */
export function bucketOf(experimentKey: string, unit: string, sha256Hex: Sha256Hex): number {
  const hex = sha256Hex(`${experimentKey}:${unit}`);
  return parseInt(hex.slice(0, 8), 16) % BUCKETS;
}

/**
 * The variant a bucket falls in: variant i takes the buckets from floor(10000 * W(i-1) / W)
 * up to (not including) floor(10000 * W(i) / W), W(i) being the sum of the first i+1
 * weights and W their total; the last variant ends at 10000.
 */
export function variantOfBucket(variants: ExperimentVariant[], bucket: number): string {
  const total = variants.reduce((s, v) => s + v.weight, 0);
  let cumulative = 0;
  for (const v of variants) {
    cumulative += v.weight;
    if (bucket < Math.floor((BUCKETS * cumulative) / total)) return v.key;
  }
  return variants[variants.length - 1].key;
}

/** The unit an experiment assigns by: the account when signed in, else the anonymous id. */
export function unitOf(accountId: string, anonymousId: string): string {
  return accountId || anonymousId;
}

/** The variant a unit sees: deterministic, the same on every call and every instance. */
export function assignVariant(
  e: Pick<Experiment, 'key' | 'variants'>,
  unit: string,
  sha256Hex: Sha256Hex,
): string {
  return variantOfBucket(e.variants, bucketOf(e.key, unit, sha256Hex));
}
