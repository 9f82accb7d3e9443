import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ADDRESS_DOUBT_CODES } from '@emporia/domain';
import { MoneyDto } from './money.dto';
import { IsRfc3339, Optional, OptionalNullable, QueryNumber } from './validators';

/**
 * Requests and responses of the operator's risk routes. The gateway checks shapes and the
 * enumerations the risk contract names (kinds, actions, dimensions, list kinds); the risk
 * service checks which fields a rule kind needs and answers 400 `RULE_INVALID` saying what.
 */

export const LIST_KINDS = ['ACCOUNT', 'DEVICE', 'IP', 'ADDRESS', 'PHONE'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export const RULE_KINDS = [
  'LIST_MATCH',
  'VELOCITY',
  'AMOUNT',
  'BRUSHING',
  'COUPON_ABUSE',
  'LOGIN_ANOMALY',
  'LOGIN_VELOCITY',
  // reviews (issue 17)
  'NEW_ACCOUNT',
  'BULK_AFTER_DELIVERY',
  // orders: addresses and returns (issue 24)
  'ADDRESS_QUALITY',
  'ADDRESS_SPREAD',
  'RETURN_ABUSE',
  // orders: the fraud model's probability (issue 23)
  'MODEL_SCORE',
] as const;
/** What a rule scores: orders, sign-ins, reviews (issue 17). */
export const SUBJECTS = ['ORDER', 'LOGIN', 'REVIEW'] as const;
/**
 * ADDRESS_QUALITY's dimension: a doubt checkout found about the shipping address and did not
 * refuse (`ADDRESS_DOUBT_CODES` of checkAddress in libs/domain: DETAIL_VAGUE, PHONE_OTHER_COUNTRY,
 * RECIPIENT_DOUBTFUL, REGION_MISMATCH_IN_DETAIL), or ANY of them.
 */
export const ADDRESS_ISSUES = ['ANY', ...ADDRESS_DOUBT_CODES] as const;
/** RETURN_ABUSE's dimension: what of the account's returns over the window is counted. */
export const RETURN_ABUSE_DIMENSIONS = [
  'RETURN_RATE',
  'EXCHANGES',
  'REFUNDS_WITHOUT_RETURN',
  'ITEMS_MISMATCH',
] as const;
/**
 * Every dimension a rule kind takes: what is counted (VELOCITY, COUPON_ABUSE, LOGIN_VELOCITY,
 * ADDRESS_SPREAD: ACCOUNT or ADDRESS), an address issue (ADDRESS_QUALITY), or what of the returns
 * (RETURN_ABUSE). Which one a kind takes is risk's RULE_INVALID.
 */
export const DIMENSIONS = [
  'ACCOUNT',
  'IP',
  'ADDRESS',
  'DEVICE',
  ...ADDRESS_ISSUES,
  ...RETURN_ABUSE_DIMENSIONS,
] as const;
/**
 * Risk's own limits: one batch of list entries; the longest window any kind takes (NEW_ACCOUNT's
 * account age and RETURN_ABUSE's window, a year; other counting windows are at most 7 days,
 * risk's RULE_INVALID per kind).
 */
export const MAX_LIST_BATCH = 10_000;
export const MAX_WINDOW_SECONDS = 365 * 86_400;
const oneOf = (what: string, values: readonly string[]) => ({
  message: `${what} must be one of ${values.join(', ')}`,
});

/** A rule as GET shows it posts back unchanged: fields a kind does not use may be null. */
export class UpsertRuleDto {
  @ApiProperty({ example: 'more than 10 orders an hour from one account' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    enum: RULE_KINDS,
    description:
      'LIST_MATCH (listKind), VELOCITY (dimension, windowSeconds, threshold), AMOUNT (amount), BRUSHING (amount, windowSeconds, threshold), COUPON_ABUSE (dimension DEVICE|ADDRESS, windowSeconds, threshold), LOGIN_ANOMALY (windowSeconds), LOGIN_VELOCITY (dimension IP|ACCOUNT, windowSeconds, threshold); for reviews NEW_ACCOUNT (windowSeconds: the account age) and BULK_AFTER_DELIVERY (windowSeconds, threshold, and the delivery window risk keeps); for orders ADDRESS_QUALITY (dimension: an address issue such as DETAIL_VAGUE, or ANY), ADDRESS_SPREAD (dimension ADDRESS: accounts shipping to one address, or ACCOUNT: addresses one account ships to; windowSeconds, threshold) and RETURN_ABUSE (dimension RETURN_RATE|EXCHANGES|REFUNDS_WITHOUT_RETURN|ITEMS_MISMATCH, windowSeconds up to 365 days, threshold: a percentage for RETURN_RATE, else a count; minSample for RETURN_RATE); MODEL_SCORE (orders; threshold 1 to 1000: the fraud model probability in per mille at or above which the rule hits; never without a model)',
  })
  @IsIn(RULE_KINDS, oneOf('kind', RULE_KINDS))
  kind!: string;

  @ApiProperty({ enum: SUBJECTS })
  @IsIn(SUBJECTS, oneOf('appliesTo', SUBJECTS))
  appliesTo!: string;

  @ApiProperty({ enum: ['REVIEW', 'REJECT'], description: 'what a hit does' })
  @IsIn(['REVIEW', 'REJECT'], oneOf('action', ['REVIEW', 'REJECT']))
  action!: string;

  @ApiProperty({ minimum: 0, maximum: 100, description: 'added to the decision score on a hit' })
  @IsInt()
  @Min(0)
  @Max(100)
  score!: number;

  @ApiProperty({ description: 'false switches the rule off' }) @IsBoolean() active!: boolean;

  @ApiPropertyOptional({ enum: LIST_KINDS, nullable: true, description: 'LIST_MATCH: the list' })
  @OptionalNullable()
  @IsIn(LIST_KINDS, oneOf('listKind', LIST_KINDS))
  listKind?: string | null;

  @ApiPropertyOptional({
    enum: DIMENSIONS,
    nullable: true,
    description:
      'what is counted (ACCOUNT, IP, ADDRESS, DEVICE), the address issue of ADDRESS_QUALITY (ANY, DETAIL_VAGUE, …) or what RETURN_ABUSE counts (RETURN_RATE, …)',
  })
  @OptionalNullable()
  @IsIn(DIMENSIONS, oneOf('dimension', DIMENSIONS))
  dimension?: string | null;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_WINDOW_SECONDS, nullable: true })
  @OptionalNullable()
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_SECONDS)
  windowSeconds?: number | null;

  @ApiPropertyOptional({
    minimum: 1,
    nullable: true,
    description:
      'a count; RETURN_ABUSE RETURN_RATE: a percentage of the delivered lines; MODEL_SCORE: per mille of the fraud model probability (1 to 1000)',
  })
  @OptionalNullable()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  threshold?: number | null;

  @ApiPropertyOptional({
    minimum: 1,
    nullable: true,
    description:
      'RETURN_ABUSE with RETURN_RATE: the fewest lines delivered to the account in the window before the rate counts',
  })
  @OptionalNullable()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  minSample?: number | null;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_WINDOW_SECONDS,
    nullable: true,
    description:
      'BULK_AFTER_DELIVERY: how soon after its delivery a review counts as written "right after" it',
  })
  @OptionalNullable()
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_SECONDS)
  deliveryWindowSeconds?: number | null;

  @ApiPropertyOptional({
    type: MoneyDto,
    nullable: true,
    description: 'AMOUNT: totals at or above it; BRUSHING: what counts as a small order',
  })
  @OptionalNullable()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount?: MoneyDto | null;
}

export class ListEntryDto {
  @ApiProperty({
    example: '203.0.113.7',
    description:
      'an account id, device id, IP, phone, or address fingerprint `country|province|city|district|line1|line2` (normalised by risk: lower case, phones digits and +, addresses without white space)',
  })
  @IsString()
  @Length(1, 512)
  value!: string;

  @ApiPropertyOptional({ example: 'chargebacks', maxLength: 500 })
  @Optional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'accepted so an export can be posted back; ignored (the entry is added now)',
  })
  @Optional()
  @IsRfc3339()
  addedAt?: string;
}

export class AddListEntriesDto {
  @ApiPropertyOptional({
    enum: LIST_KINDS,
    description: "as in an export; when given it must be the path's list",
  })
  @Optional()
  @IsIn(LIST_KINDS, oneOf('kind', LIST_KINDS))
  kind?: string;

  @ApiProperty({
    type: [ListEntryDto],
    description: `1 to ${MAX_LIST_BATCH} entries (and at most 1 MiB); an entry already listed keeps its first reason`,
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'entries must hold at least one entry' })
  @ArrayMaxSize(MAX_LIST_BATCH, {
    message: `entries must hold at most ${MAX_LIST_BATCH} entries; send more in several requests`,
  })
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ListEntryDto)
  entries!: ListEntryDto[];
}

export class RemoveListEntriesDto {
  @ApiProperty({ type: [String], example: ['203.0.113.7'], description: '1 to 10000 values' })
  @IsArray()
  @ArrayMinSize(1, { message: 'values must hold at least one value' })
  @ArrayMaxSize(MAX_LIST_BATCH, { message: `values must hold at most ${MAX_LIST_BATCH} values` })
  @IsString({ each: true })
  @Length(1, 512, { each: true })
  values!: string[];
}

export class ListDecisionsQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'the order id (order decisions) or the account id (sign-in decisions)',
  })
  @Optional()
  @IsUUID()
  subjectId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the same as subjectId, for orders' })
  @Optional()
  @IsUUID()
  orderId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "the account's orders and sign-ins" })
  @Optional()
  @IsUUID()
  accountId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

// ---- responses

export class RuleView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: RULE_KINDS }) kind!: string;
  @ApiProperty({ enum: SUBJECTS }) appliesTo!: string;
  @ApiProperty({ enum: ['REVIEW', 'REJECT'] }) action!: string;
  @ApiProperty() score!: number;
  @ApiProperty() active!: boolean;
  @ApiProperty({ type: String, enum: LIST_KINDS, nullable: true }) listKind!: string | null;
  @ApiProperty({ type: String, enum: DIMENSIONS, nullable: true }) dimension!: string | null;
  @ApiProperty({ type: Number, nullable: true }) windowSeconds!: number | null;
  @ApiProperty({ type: Number, nullable: true }) threshold!: number | null;
  @ApiProperty({ type: Number, nullable: true }) deliveryWindowSeconds!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'RETURN_ABUSE with RETURN_RATE: delivered lines before the rate counts',
  })
  minSample!: number | null;
  @ApiProperty({ type: MoneyDto, nullable: true }) amount!: MoneyDto | null;
}

export class RuleList {
  @ApiProperty({ type: [RuleView] }) items!: RuleView[];
}

export class ListEntriesAddedView {
  @ApiProperty({ description: 'entries that were not listed before' }) added!: number;
}

export class ListEntriesRemovedView {
  @ApiProperty({ description: 'entries that were listed and are not any more' }) removed!: number;
}

export class ListEntryView {
  @ApiProperty() value!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) addedAt!: string;
}

export class ListExportView {
  @ApiProperty({ enum: LIST_KINDS }) kind!: string;
  @ApiProperty({ type: [ListEntryView] }) entries!: ListEntryView[];
}

export class DecisionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: SUBJECTS }) kind!: string;
  @ApiProperty({ description: 'the order id, or the account id for a sign-in' })
  subjectId!: string;
  @ApiProperty() accountId!: string;
  @ApiProperty({ enum: ['ALLOW', 'REVIEW', 'REJECT'] }) decision!: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) score!: number;
  @ApiProperty({ type: [String], example: ['BRUSHING'] }) reasons!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'what the rules saw: the values, list hits and counts',
  })
  signals!: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) decidedAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'fm-4cf60ea244b5',
    description: 'the fraud model that scored the order; null when none did (rules alone)',
  })
  modelVersion!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1,
    description: "the fraud model's probability that the order is fraud; null when none scored it",
  })
  modelScore!: number | null;
}

export class DecisionList {
  @ApiProperty({ type: [DecisionView] }) items!: DecisionView[];
}

/** The fraud model risk serves (issue 23). */
export class FraudModelView {
  @ApiProperty({ description: 'false: no model is loaded, orders are decided by the rules alone' })
  loaded!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'fm-4cf60ea244b5' })
  version!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) trainedAt!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'the training report on held-out data: ROC AUC, precision and recall at the review budget, the lift over the rules alone, per pattern',
  })
  report!: Record<string, unknown> | null;
  @ApiProperty({
    description: 'how long an order waits for the model before the rules decide alone',
  })
  deadlineMs!: number;
  @ApiProperty({ description: 'orders scored since risk started (this replica)' }) scored!: number;
  @ApiProperty({
    description: 'orders decided by the rules alone: the model was past its deadline',
  })
  pastDeadline!: number;
  @ApiProperty({ description: 'orders decided by the rules alone: the model failed' })
  failed!: number;
  @ApiProperty({ type: [String], description: 'the features the model reads, in order' })
  features!: string[];
}
