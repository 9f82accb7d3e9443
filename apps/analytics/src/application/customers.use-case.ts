import { Inject, Injectable } from '@nestjs/common';
import { UUID_RE } from '@emporia/domain';
import type { RequestContext } from '@emporia/platform';
import { AnalyticsError } from '../domain/analytics-error';
import {
  cohortTable,
  isRfmSegment,
  LIFECYCLE_STAGES,
  parseAudienceSegment,
  parseMonth,
  repurchaseRate,
  RFM_SEGMENTS,
  type Cohort,
  type LifecycleStage,
  type RfmSegment,
} from '../domain/customers';
import { dayOf } from '../domain/facts';
import {
  CUSTOMER_SETTINGS,
  CUSTOMER_STORE,
  type CustomerSettings,
  type CustomerStore,
  type ExportedAudience,
  type RfmResult,
} from './customers.ports';
import { ANALYTICS_SETTINGS, CLOCK, ID_GENERATOR, type AnalyticsSettings } from './ports';
import type { Clock, IdGenerator } from '@emporia/domain';

/** Accounts one AudienceExported part carries at most. */
export const AUDIENCE_PART_SIZE = 1000;
export const MAX_RFM_LIMIT = 1000;

const invalid = (code: string, field: string, message: string) =>
  new AnalyticsError('INVALID_ARGUMENT', code, message, { field });

function text(value: string, field: string, max = 200): string {
  const v = (value ?? '').trim();
  if (!v || v.length > max)
    throw invalid('FIELD_REQUIRED', field, `${field} is required (at most ${max} characters)`);
  return v;
}

export interface RetentionView {
  repurchaseRate: number;
  buyers: number;
  repeatBuyers: number;
  cohorts: Cohort[];
}

export interface ExportAudienceInput {
  segment: string;
  couponTemplateId: string;
  requestedBy: string;
  idempotencyKey: string;
}

/** Retention and cohorts, life-cycle stages, RFM and audience exports (definitions.md). */
@Injectable()
export class CustomersUseCase {
  constructor(
    @Inject(CUSTOMER_STORE) private readonly store: CustomerStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(ANALYTICS_SETTINGS) private readonly settings: AnalyticsSettings,
    @Inject(CUSTOMER_SETTINGS) private readonly customers: CustomerSettings,
  ) {}

  /** Repurchase rate (all time) and the cohorts from `fromMonth` to `toMonth` ('' = open). */
  async retention(
    _ctx: RequestContext,
    fromMonth: string,
    toMonth: string,
  ): Promise<RetentionView> {
    const from = fromMonth ? parseMonth(fromMonth, 'from_month') : '';
    const to = toMonth ? parseMonth(toMonth, 'to_month') : '';
    if (from && to && from > to)
      throw invalid('MONTH_RANGE_INVALID', 'to_month', 'to_month is before from_month');
    const counts = await this.store.retention(from, to);
    const current = dayOf(this.clock.now(), this.settings.timeZone).slice(0, 7);
    return {
      repurchaseRate: repurchaseRate(counts.buyers, counts.repeatBuyers),
      buyers: counts.buyers,
      repeatBuyers: counts.repeatBuyers,
      cohorts: cohortTable(counts.cells, current),
    };
  }

  async lifecycle(
    _ctx: RequestContext,
  ): Promise<{ stages: { stage: LifecycleStage; accounts: number }[]; asOf: Date }> {
    const now = this.clock.now();
    const counts = await this.store.lifecycle(now, this.customers);
    return {
      stages: LIFECYCLE_STAGES.map((stage) => ({ stage, accounts: counts[stage] })),
      asOf: now,
    };
  }

  /** Every segment's count and monetary sum (or one segment's), and up to `limit` accounts. */
  async rfm(
    _ctx: RequestContext,
    segment: string,
    limit: number,
  ): Promise<RfmResult & { asOf: Date }> {
    if (segment && !isRfmSegment(segment))
      throw new AnalyticsError(
        'INVALID_ARGUMENT',
        'SEGMENT_UNKNOWN',
        `segment must be one of ${RFM_SEGMENTS.join(', ')}`,
        { field: 'segment' },
      );
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_RFM_LIMIT)
      throw invalid('LIMIT_INVALID', 'limit', `limit is 0 to ${MAX_RFM_LIMIT}`);
    const now = this.clock.now();
    const wanted: RfmSegment | null = segment ? (segment as RfmSegment) : null;
    const r = await this.store.rfm(now, wanted, limit);
    // every segment asked for is shown, with 0 when it has no account
    const names = wanted ? [wanted] : [...RFM_SEGMENTS];
    const segments = names.map(
      (name) =>
        r.segments.find((s) => s.segment === name) ?? {
          segment: name,
          accounts: 0,
          monetaryMinor: 0,
        },
    );
    return { ...r, segments, asOf: now };
  }

  /**
   * Records the segment's (or stage's) accounts as an audience and hands them to marketing
   * (AudienceExported parts of ≤ 1000 accounts, through the outbox). The same idempotency key
   * is the same audience; reusing it for another segment or template is refused.
   */
  async exportAudience(
    _ctx: RequestContext,
    input: ExportAudienceInput,
  ): Promise<ExportedAudience> {
    const segment = parseAudienceSegment(input.segment);
    if (!UUID_RE.test(input.couponTemplateId ?? ''))
      throw invalid('ID_INVALID', 'coupon_template_id', 'coupon_template_id must be a UUID');
    const couponTemplateId = input.couponTemplateId.toLowerCase();
    const requestedBy = text(input.requestedBy, 'requested_by');
    const idempotencyKey = text(input.idempotencyKey, 'idempotency_key');
    const result = await this.store.exportAudience({
      id: this.ids.newId(),
      segment,
      couponTemplateId,
      requestedBy,
      idempotencyKey,
      now: this.clock.now(),
      settings: this.customers,
      partSize: AUDIENCE_PART_SIZE,
    });
    if (result === 'EMPTY')
      throw new AnalyticsError(
        'FAILED_PRECONDITION',
        'AUDIENCE_EMPTY',
        `segment ${segment} has no account`,
        { field: 'segment' },
      );
    if (result.segment !== segment || result.couponTemplateId !== couponTemplateId)
      throw new AnalyticsError(
        'ALREADY_EXISTS',
        'IDEMPOTENCY_KEY_REUSED',
        'this idempotency key was used for another segment or template',
        { field: 'idempotency_key' },
      );
    return result;
  }
}
