import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from './query.dto';
import { IsInt32, IsRfc3339, Optional, OptionalNullable, QueryNumber } from './validators';
import { WAREHOUSE_CODE_RE } from './warehouse.dto';

/**
 * Requests and views of the catalog's operations routes (issue 18): low-stock thresholds,
 * scheduled listing, tags and their rules, compliance review and its rules. camelCase of
 * `proto/emporia/catalog/v1`; the gateway checks shapes, the catalog the rules
 * (`STOCK_THRESHOLD_INVALID`, `SCHEDULE_INVALID`, `TAGS_INVALID`, `BANNED_WORDS` …).
 */

export const COMPLIANCE_STATUSES = [
  'NOT_REQUIRED',
  'REQUIRED',
  'PENDING',
  'APPROVED',
  'REJECTED',
] as const;
export const TAG_RULE_KINDS = ['NEW_ARRIVAL', 'BEST_SELLER'] as const;
/** Largest threshold taken (a stock count in an int64, kept to a safe JavaScript integer). */
const MAX_THRESHOLD = 1_000_000_000;

const oneOf = (what: string, values: readonly string[]) => ({
  message: `${what} must be one of ${values.join(', ')}`,
});

export class StockThresholdDto {
  @ApiProperty({
    minimum: 0,
    maximum: MAX_THRESHOLD,
    description:
      'low while available (on hand − reserved) ≤ threshold; 0 removes the threshold (a low SKU then recovers)',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_THRESHOLD)
  threshold!: number;
}

export class StockThresholdsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "one SKU's thresholds; omit for all" })
  @Optional()
  @IsUUID()
  skuId?: string;
}

export class LowStockQuery {
  @ApiPropertyOptional({ example: 'SH-PD', description: 'one warehouse; omit for all' })
  @Optional()
  @Matches(WAREHOUSE_CODE_RE, { message: 'warehouse must be a warehouse code' })
  warehouse?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor from the previous page' })
  @Optional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export class ListingScheduleDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'when a DRAFT product becomes ACTIVE (once); null or left out: none',
  })
  @OptionalNullable()
  @IsRfc3339()
  publishAt?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'when an ACTIVE product becomes ARCHIVED (once), after publishAt',
  })
  @OptionalNullable()
  @IsRfc3339()
  unpublishAt?: string | null;

  @ApiPropertyOptional({ description: 'optimistic concurrency: the version you read' })
  @Optional()
  @IsInt32()
  @Min(1)
  expectedVersion?: number;
}

export class ProductTagsDto {
  @ApiProperty({
    type: [String],
    example: ['促销'],
    description:
      'the manual tags (replacing them): at most 10, 1-20 characters each, no duplicates; rule tags (新品, 爆款) come on top',
  })
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(1, 20, { each: true })
  tags!: string[];

  @ApiPropertyOptional({ description: 'optimistic concurrency: the version you read' })
  @Optional()
  @IsInt32()
  @Min(1)
  expectedVersion?: number;
}

export class TagRuleDto {
  @ApiProperty({ example: '新品', maxLength: 20 }) @IsString() @Length(1, 20) tag!: string;

  @ApiProperty({
    enum: TAG_RULE_KINDS,
    description:
      'NEW_ARRIVAL: first published within `days`; BEST_SELLER: the `top` products by units over the last `days` with at least `minUnits`',
  })
  @IsIn(TAG_RULE_KINDS, oneOf('kind', TAG_RULE_KINDS))
  kind!: (typeof TAG_RULE_KINDS)[number];

  @ApiProperty({ minimum: 1, maximum: 365, example: 30 })
  @IsInt()
  @Min(1)
  @Max(365)
  days!: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 1000,
    description: 'BEST_SELLER only (null or left out otherwise)',
  })
  @OptionalNullable()
  @IsInt()
  @Min(1)
  @Max(1000)
  top?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: MAX_THRESHOLD,
    description: 'BEST_SELLER only (null or left out otherwise)',
  })
  @OptionalNullable()
  @IsInt()
  @Min(0)
  @Max(MAX_THRESHOLD)
  minUnits?: number | null;
}

export class TagRulesDto {
  @ApiProperty({ type: [TagRuleDto], description: 'every rule (replacing them)' })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TagRuleDto)
  rules!: TagRuleDto[];
}

export class ComplianceSubmissionDto {
  @ApiProperty({
    maxLength: 2048,
    example: 'https://docs.example.com/qa/2026-123.pdf',
    description:
      'reference to the quality-report document (an https URL or a document-store id); empty: QUALITY_REPORT_REQUIRED',
  })
  @IsString()
  @MaxLength(2048)
  qualityReportRef!: string;
}

export class ComplianceDecisionDto {
  @ApiProperty() @IsBoolean() approve!: boolean;

  @ApiPropertyOptional({ maxLength: 1000, description: 'required when rejecting' })
  @Optional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class ComplianceReviewsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: COMPLIANCE_STATUSES, description: 'omit for every status' })
  @Optional()
  @IsIn(COMPLIANCE_STATUSES, oneOf('status', COMPLIANCE_STATUSES))
  status?: (typeof COMPLIANCE_STATUSES)[number];
}

export class ComplianceRulesDto {
  @ApiProperty({
    type: [String],
    example: ['最好', '第一'],
    description: 'refused in titles and descriptions',
  })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  bannedWords!: string[];

  @ApiProperty({ type: [String], description: 'brands refused in regulated categories' })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  blacklistedBrands!: string[];
}

// ---- views

export class StockThresholdView {
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ example: 'SH-PD' }) warehouseCode!: string;
  @ApiProperty() threshold!: number;
  @ApiProperty({ description: 'available ≤ threshold now' }) low!: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  lowSince!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  updatedAt!: string | null;
}

export class StockThresholdList {
  @ApiProperty({ type: [StockThresholdView] }) items!: StockThresholdView[];
}

export class LowStockItemView {
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty() skuCode!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() productTitle!: string;
  @ApiProperty() warehouseCode!: string;
  @ApiProperty() onHand!: number;
  @ApiProperty() reserved!: number;
  @ApiProperty() available!: number;
  @ApiProperty() threshold!: number;
  @ApiProperty({ format: 'date-time' }) lowSince!: string;
}

export class LowStockPage {
  @ApiProperty({ type: [LowStockItemView], description: 'longest low first' })
  items!: LowStockItemView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TagRuleView {
  @ApiProperty() tag!: string;
  @ApiProperty({ enum: TAG_RULE_KINDS }) kind!: string;
  @ApiProperty() days!: number;
  @ApiPropertyOptional({ type: Number, nullable: true }) top!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) minUnits!: number | null;
}

export class TagRulesView {
  @ApiProperty({ type: [TagRuleView] }) rules!: TagRuleView[];
}

export class ComplianceReviewView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty({ description: 'the product version reviewed: an approval covers that content' })
  productVersion!: number;
  @ApiProperty() qualityReportRef!: string;
  @ApiProperty({ enum: COMPLIANCE_STATUSES }) status!: string;
  @ApiProperty({ format: 'uuid' }) submittedBy!: string;
  @ApiProperty({ format: 'date-time' }) submittedAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid' })
  decidedBy!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  decidedAt!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) reason!: string | null;
}

export class ComplianceReviewPage {
  @ApiProperty({ type: [ComplianceReviewView] }) items!: ComplianceReviewView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ComplianceAuditEntryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid' })
  reviewId!: string | null;
  @ApiProperty({
    example: 'submitted',
    description: 'submitted, approved, rejected, invalidated, refused_publish',
  })
  action!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) actorId!: string | null;
  @ApiProperty() detail!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
}

export class ComplianceAuditList {
  @ApiProperty({ type: [ComplianceAuditEntryView] })
  items!: ComplianceAuditEntryView[];
}

export class ComplianceRulesView {
  @ApiProperty({ type: [String] }) bannedWords!: string[];
  @ApiProperty({ type: [String] }) blacklistedBrands!: string[];
}
