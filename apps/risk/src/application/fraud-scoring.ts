import { Inject, Injectable, Optional } from '@nestjs/common';
import { counter, histogram } from '@emporia/platform';
import { fraudFeatures, namedFeatures, type FraudFacts } from '../domain/fraud-features';
import {
  FRAUD_MODEL,
  FRAUD_MODEL_SETTINGS,
  type FraudModel,
  type FraudModelCard,
  type FraudModelSettings,
} from './ports';

/**
 * What the model said of one order: its probability, or why the rules decide alone (past the
 * deadline, or the model failed). `ms` is how long the order waited for it.
 */
export type ModelOutcome =
  | { status: 'SCORED'; version: string; score: number; ms: number }
  | { status: 'PAST_DEADLINE'; version: string; ms: number }
  | { status: 'FAILED'; version: string; ms: number; error: string };

/** What GetFraudModel reports. */
export interface FraudModelStatus {
  card: FraudModelCard | null;
  deadlineMs: number;
  scored: number;
  pastDeadline: number;
  failed: number;
}

const outcomes = counter(
  'emporia_risk_fraud_model_scores_total',
  'Orders the fraud model was asked about, by outcome (scored; past_deadline and failed: decided by the rules alone)',
  ['outcome'],
);
const seconds = histogram(
  'emporia_risk_fraud_model_seconds',
  'How long an order waited for the fraud model (scored ones)',
  [],
  [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05],
);
const counted = {
  SCORED: outcomes.labels('scored'),
  PAST_DEADLINE: outcomes.labels('past_deadline'),
  FAILED: outcomes.labels('failed'),
};

/**
 * The fraud model as one more signal for the rules, behind a deadline: an order waits at most
 * `deadlineMs` for the model's probability; past it, or when the model fails, the order is decided
 * by the rules alone (the outcome says so, and is counted) — the model never fails an order. A
 * run past the deadline is not cancelled (onnxruntime cannot stop one); it finishes unused.
 */
@Injectable()
export class FraudScoring {
  private readonly counts = { scored: 0, pastDeadline: 0, failed: 0 };

  constructor(
    @Optional() @Inject(FRAUD_MODEL) private readonly model: FraudModel | null,
    @Inject(FRAUD_MODEL_SETTINGS) private readonly settings: FraudModelSettings,
  ) {}

  /** Whether a model is loaded (otherwise no features are read and the rules decide alone). */
  get loaded(): boolean {
    return !!this.model;
  }

  /**
   * One order: its features from the facts scoring gathered, the model's outcome, and what the
   * audit keeps of both (the outcome with the features by name). Undefined without a model.
   */
  async assess(
    facts: FraudFacts,
  ): Promise<{ outcome: ModelOutcome; audit: Record<string, unknown> } | undefined> {
    const features = fraudFeatures(facts);
    const outcome = await this.score(features);
    return outcome
      ? { outcome, audit: { ...outcome, features: namedFeatures(features) } }
      : undefined;
  }

  /** The model's outcome for one order's features; null without a model. */
  async score(features: readonly number[]): Promise<ModelOutcome | null> {
    const model = this.model;
    if (!model) return null;
    const version = model.card.version;
    const started = performance.now();
    const ms = () => Math.round((performance.now() - started) * 1000) / 1000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'PAST_DEADLINE'>((resolve) => {
      timer = setTimeout(() => resolve('PAST_DEADLINE'), this.settings.deadlineMs);
    });
    let outcome: ModelOutcome;
    try {
      const answer = await Promise.race([model.predict(features), deadline]);
      if (answer === 'PAST_DEADLINE') outcome = { status: 'PAST_DEADLINE', version, ms: ms() };
      else if (!Number.isFinite(answer) || answer < 0 || answer > 1)
        outcome = { status: 'FAILED', version, ms: ms(), error: `probability ${answer}` };
      else outcome = { status: 'SCORED', version, score: answer, ms: ms() };
    } catch (e) {
      outcome = { status: 'FAILED', version, ms: ms(), error: (e as Error).message ?? String(e) };
    } finally {
      clearTimeout(timer);
    }
    this.count(outcome);
    return outcome;
  }

  status(): FraudModelStatus {
    return { card: this.model?.card ?? null, deadlineMs: this.settings.deadlineMs, ...this.counts };
  }

  private count(o: ModelOutcome): void {
    counted[o.status].inc();
    if (o.status === 'SCORED') {
      this.counts.scored++;
      seconds.observe(o.ms / 1000);
    } else if (o.status === 'PAST_DEADLINE') this.counts.pastDeadline++;
    else this.counts.failed++;
  }
}
