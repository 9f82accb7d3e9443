import type {
  CohortCell,
  LifecycleSettings,
  LifecycleStage,
  RfmScore,
  RfmSegment,
} from '../domain/customers';

export const CUSTOMER_STORE = Symbol('CUSTOMER_STORE');
export const CUSTOMER_SETTINGS = Symbol('CUSTOMER_SETTINGS');

/** The customers area's settings (ANALYTICS_NEW_DAYS, ANALYTICS_DORMANT_DAYS). */
export type CustomerSettings = LifecycleSettings;

export interface RetentionCounts {
  buyers: number;
  repeatBuyers: number;
  /** (cohort, month) cells of the cohorts from `fromMonth` to `toMonth` (inclusive; '' = open). */
  cells: CohortCell[];
}

export interface SegmentTotal {
  segment: RfmSegment;
  accounts: number;
  monetaryMinor: number;
}

export interface RfmResult {
  /** Every segment with at least one account. */
  segments: SegmentTotal[];
  /** Accounts of the segment asked for (or of all), by account id, up to the limit. */
  accounts: RfmScore[];
  /** The buyers' currency (ANALYTICS_DEFAULT_CURRENCY when there is no buyer). */
  currency: string;
}

export interface AudienceRequest {
  id: string;
  segment: RfmSegment | LifecycleStage;
  couponTemplateId: string;
  requestedBy: string;
  idempotencyKey: string;
  now: Date;
  settings: LifecycleSettings;
  /** The size of one AudienceExported part. */
  partSize: number;
}

export interface ExportedAudience {
  audienceId: string;
  accounts: number;
  segment: string;
  couponTemplateId: string;
}

/**
 * The customer rollups (one row per buyer) and the figures over them, as of a time. Buyers are
 * accounts with ≥ 1 paid order, not deleted.
 */
export interface CustomerStore {
  retention(fromMonth: string, toMonth: string): Promise<RetentionCounts>;
  lifecycle(now: Date, settings: LifecycleSettings): Promise<Record<LifecycleStage, number>>;
  rfm(now: Date, segment: RfmSegment | null, limit: number): Promise<RfmResult>;
  /**
   * In one transaction: the audience of an idempotency key as recorded, or the segment's
   * accounts as of `now` recorded as a new audience with its AudienceExported parts in the
   * outbox; 'EMPTY' when the segment has no account.
   */
  exportAudience(req: AudienceRequest): Promise<ExportedAudience | 'EMPTY'>;
}
