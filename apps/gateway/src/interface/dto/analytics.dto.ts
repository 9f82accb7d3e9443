import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MoneyDto } from './money.dto';
import { IsCalendarDay, IsRfc3339, Optional, QueryNumber } from './validators';

/**
 * Queries and bodies of the analytics routes (public and operators'). The gateway checks their
 * shape and the enumerations the analytics contract names; analytics checks the rest (a range
 * whose end is before its start, an unknown experiment) and answers 400 naming the field.
 */

export const DEVICES = ['mobile', 'desktop', 'tablet', 'app'] as const;
export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new_customers',
  'at_risk',
  'cant_lose',
  'hibernating',
  'lost',
] as const;
export const LIFECYCLE_STAGES = ['new', 'active', 'dormant', 'woken_up'] as const;
export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch'] as const;
export const RECOMMENDATION_KINDS = ['bought_together', 'viewed_together'] as const;
export const PRIMARY_METRICS = [
  'paid_order',
  'checkout_started',
  'add_to_cart',
  'banner_click',
] as const;
export const SUGGESTION_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED'] as const;
/** Experiment keys and variant keys: 1 to 64 of [a-z0-9_-]. */
export const EXPERIMENT_KEY = /^[a-z0-9_-]{1,64}$/;
/** A visitor id as storefronts make them. */
export const ANONYMOUS_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const CHANNEL = /^[a-z0-9_]{1,32}$/;

const oneOf = (what: string, values: readonly string[]) => ({
  message: `${what} must be one of ${values.join(', ')}`,
});
const DAY_DOC = { format: 'date', example: '2026-11-01' } as const;

/** `limit` of a list, 1..max (the backend's default when left out). */
const limitProperty = (max: number, dflt: number) =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: max, default: dflt }),
    Optional(),
    QueryNumber(),
    IsInt(),
    Min(1),
    Max(max),
  );

// ---- queries

export class DayRangeQuery {
  @ApiProperty({ ...DAY_DOC, description: 'first day (shop time zone), included' })
  @IsCalendarDay()
  from!: string;

  @ApiProperty({ ...DAY_DOC, example: '2026-11-30', description: 'last day, included' })
  @IsCalendarDay()
  to!: string;
}

export class KpisQuery extends DayRangeQuery {
  @ApiPropertyOptional({
    pattern: CHANNEL.source,
    description:
      'left out: a row per day and channel; "all": summed over channels; a channel (web, app, mini_program, unknown): that one',
  })
  @Optional()
  @Matches(CHANNEL, { message: 'channel must be 1-32 lower-case letters, digits or _' })
  channel?: string;
}

export class FunnelQuery extends DayRangeQuery {
  @ApiPropertyOptional({ pattern: CHANNEL.source, description: "the events' channel" })
  @Optional()
  @Matches(CHANNEL, { message: 'channel must be 1-32 lower-case letters, digits or _' })
  channel?: string;

  @ApiPropertyOptional({ description: "the events' utm source", example: 'newsletter' })
  @Optional()
  @IsString()
  @Length(1, 200)
  utmSource?: string;

  @ApiPropertyOptional({ enum: DEVICES, description: "the events' device type" })
  @Optional()
  @IsIn(DEVICES, oneOf('device', DEVICES))
  device?: string;
}

export class RetentionQuery {
  @ApiProperty({ example: '2026-06', pattern: MONTH.source, description: 'first cohort month' })
  @Matches(MONTH, { message: 'fromMonth must be a month as YYYY-MM' })
  fromMonth!: string;

  @ApiProperty({ example: '2026-11', pattern: MONTH.source, description: 'last cohort month' })
  @Matches(MONTH, { message: 'toMonth must be a month as YYYY-MM' })
  toMonth!: string;
}

export class RfmQuery {
  @ApiPropertyOptional({ enum: RFM_SEGMENTS, description: 'left out: every segment' })
  @Optional()
  @IsIn(RFM_SEGMENTS, oneOf('segment', RFM_SEGMENTS))
  segment?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1000,
    default: 0,
    description: 'list up to this many accounts (0: counts only)',
  })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(0)
  @Max(1000)
  limit?: number;
}

export class InventoryQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'left out: every category' })
  @Optional()
  @IsUUID()
  categoryId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 30, description: 'sales window' })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(365)
  windowDays?: number;

  @limitProperty(1000, 100) limit?: number;
}

export class AttributionQuery extends DayRangeQuery {
  @ApiPropertyOptional({ enum: ATTRIBUTION_MODELS, default: 'last_touch' })
  @Optional()
  @IsIn(ATTRIBUTION_MODELS, oneOf('model', ATTRIBUTION_MODELS))
  model?: string;
}

export class LimitQuery {
  @limitProperty(500, 50) limit?: number;
}

export class PriceSuggestionsQuery {
  @ApiPropertyOptional({ enum: SUGGESTION_STATUSES, description: 'left out: every status' })
  @Optional()
  @IsIn(SUGGESTION_STATUSES, oneOf('status', SUGGESTION_STATUSES))
  status?: string;

  @limitProperty(500, 50) limit?: number;
}

export class AssignmentsQuery {
  @ApiProperty({ example: 'v-7f3a9c', pattern: ANONYMOUS_ID.source })
  @Matches(ANONYMOUS_ID, {
    message: 'anonymousId must be 1-64 letters, digits, _ or -',
  })
  anonymousId!: string;
}

export class RecommendationsQuery {
  @ApiPropertyOptional({ enum: RECOMMENDATION_KINDS, default: 'bought_together' })
  @Optional()
  @IsIn(RECOMMENDATION_KINDS, oneOf('kind', RECOMMENDATION_KINDS))
  kind?: string;

  @limitProperty(50, 10) limit?: number;
}

// ---- bodies

export class ExportAudienceDto {
  @ApiProperty({
    enum: [...RFM_SEGMENTS, ...LIFECYCLE_STAGES],
    description: 'an RFM segment or a life-cycle stage',
  })
  @IsIn(
    [...RFM_SEGMENTS, ...LIFECYCLE_STAGES],
    oneOf('segment', [...RFM_SEGMENTS, ...LIFECYCLE_STAGES]),
  )
  segment!: string;

  @ApiProperty({ format: 'uuid', description: 'marketing gives each account one coupon of it' })
  @IsUUID()
  couponTemplateId!: string;
}

export class VariantDto {
  @ApiProperty({ example: 'control', pattern: EXPERIMENT_KEY.source })
  @Matches(EXPERIMENT_KEY, { message: 'key must be 1-64 of a-z, 0-9, _ and -' })
  key!: string;

  @ApiProperty({ minimum: 1, maximum: 10000, description: 'relative weight' })
  @IsInt()
  @Min(1)
  @Max(10000)
  weight!: number;
}

export class UpsertExperimentDto {
  @ApiProperty({ example: 'Bigger buy button' }) @IsString() @Length(1, 200) name!: string;

  @ApiProperty({ type: [VariantDto], description: '2 to 10 variants; the first is the control' })
  @IsArray()
  @ArrayMinSize(2, { message: 'variants must hold at least two variants' })
  @ArrayMaxSize(10, { message: 'variants must hold at most ten variants' })
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => VariantDto)
  variants!: VariantDto[];

  @ApiProperty({ format: 'date-time', example: '2026-11-01T00:00:00+08:00' })
  @IsRfc3339()
  startAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-15T00:00:00+08:00' })
  @IsRfc3339()
  stopAt!: string;

  @ApiProperty({ enum: PRIMARY_METRICS, description: 'the conversion counted' })
  @IsIn(PRIMARY_METRICS, oneOf('primaryMetric', PRIMARY_METRICS))
  primaryMetric!: string;
}

export class UpsertPricingPolicyDto {
  @ApiProperty({ type: MoneyDto, description: 'no suggestion below it' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  floor!: MoneyDto;

  @ApiProperty({ type: MoneyDto, description: 'no suggestion above it' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  ceiling!: MoneyDto;

  @ApiProperty({ type: MoneyDto, description: 'the unit cost the margin guard protects' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  unitCost!: MoneyDto;

  @ApiProperty({
    minimum: 0,
    maximum: 10000,
    description: 'smallest margin over cost (1500 = 15%)',
  })
  @IsInt()
  @Min(0)
  @Max(10000)
  minMarginBps!: number;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.6, description: 'sell-through wanted' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  targetSellThrough!: number;

  @ApiProperty({ minimum: 1, maximum: 365, example: 30, description: 'days of supply aimed at' })
  @IsInt()
  @Min(1)
  @Max(365)
  targetDaysOfSupply!: number;

  @ApiProperty({ description: 'false: no suggestions for this SKU' })
  @IsBoolean()
  enabled!: boolean;
}
