import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { UUID_RE, type Clock } from '@emporia/domain';
import { AnalyticsError } from '../domain/analytics-error';
import {
  assignVariant,
  EXPERIMENT_KEY_RE,
  experimentStatus,
  reviseExperiment,
  unitOf,
  validateExperiment,
  type Experiment,
  type ExperimentInput,
  type ExperimentStatus,
} from '../domain/experiment';
import { experimentStatistics, type ExperimentStatistics } from '../domain/experiment-statistics';
import { CLOCK } from './ports';
import { EXPERIMENT_STORE, type ExperimentStore } from './experiment.ports';

export interface ExperimentView {
  experiment: Experiment;
  status: ExperimentStatus;
}

export interface ExperimentResults extends ExperimentView, ExperimentStatistics {}

export interface Assignment {
  experimentKey: string;
  variant: string;
}

/** A visitor id as the storefront sends it (as the collector checks it). */
const ANONYMOUS_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const invalid = (field: string, code: string, message: string) =>
  new AnalyticsError('INVALID_ARGUMENT', code, message, { field });

/**
 * Experiments: definitions (created, or revised within what a started experiment allows),
 * the deterministic assignment the storefront asks for, and the results per variant with
 * their statistics, read from the exposures and conversions the projection keeps.
 */
@Injectable()
export class ExperimentsUseCase {
  constructor(
    @Inject(EXPERIMENT_STORE) private readonly store: ExperimentStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async upsert(input: ExperimentInput): Promise<ExperimentView> {
    const next = validateExperiment(input);
    const now = this.clock.now();
    const saved = await this.store.upsert(next.key, (current) =>
      reviseExperiment(current, next, now),
    );
    return { experiment: saved, status: experimentStatus(saved, now) };
  }

  async list(): Promise<ExperimentView[]> {
    const now = this.clock.now();
    return (await this.store.list()).map((e) => ({
      experiment: e,
      status: experimentStatus(e, now),
    }));
  }

  /** The variant of every running experiment for the unit (the account, else the visitor). */
  async assignments(input: { anonymousId: string; accountId: string }): Promise<Assignment[]> {
    const anonymousId = input.anonymousId ?? '';
    const accountId = (input.accountId ?? '').toLowerCase();
    if (anonymousId && !ANONYMOUS_ID_RE.test(anonymousId))
      throw invalid(
        'anonymous_id',
        'ANONYMOUS_ID_INVALID',
        'anonymous_id is 1 to 64 of [A-Za-z0-9_-]',
      );
    if (accountId && !UUID_RE.test(accountId))
      throw invalid('account_id', 'ACCOUNT_ID_INVALID', 'account_id must be a UUID');
    if (!anonymousId && !accountId)
      throw invalid('anonymous_id', 'UNIT_REQUIRED', 'anonymous_id or account_id is required');
    const unit = unitOf(accountId, anonymousId);
    const now = this.clock.now();
    return (await this.store.list())
      .filter((e) => experimentStatus(e, now) === 'RUNNING')
      .map((e) => ({ experimentKey: e.key, variant: assignVariant(e, unit, sha256Hex) }));
  }

  async results(key: string): Promise<ExperimentResults> {
    if (!EXPERIMENT_KEY_RE.test(key ?? ''))
      throw invalid('key', 'EXPERIMENT_KEY_INVALID', 'key must be 1 to 64 of [a-z0-9_-]');
    const experiment = await this.store.find(key);
    if (!experiment)
      throw new AnalyticsError('NOT_FOUND', 'EXPERIMENT_NOT_FOUND', `no experiment '${key}'`, {
        key,
      });
    const counts = new Map((await this.store.exposureCounts(key)).map((c) => [c.variant, c]));
    const statistics = experimentStatistics(
      experiment.variants.map((v) => ({
        key: v.key,
        weight: v.weight,
        users: counts.get(v.key)?.users ?? 0,
        conversions: counts.get(v.key)?.conversions ?? 0,
      })),
    );
    return {
      experiment,
      status: experimentStatus(experiment, this.clock.now()),
      ...statistics,
    };
  }
}
