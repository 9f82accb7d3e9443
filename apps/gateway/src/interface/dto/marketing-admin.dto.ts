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
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MoneyDto } from './money.dto';
import { PageQuery } from './query.dto';
import { IsInt32, IsRfc3339, Optional, OptionalNullable } from './validators';

/**
 * Requests and responses of the operator's marketing routes. Shapes only: the marketing service
 * checks the rules (windows, limits, kinds and their fields) and answers 400 with a stable code.
 */

const KIND = /^[A-Z][A-Z0-9_]{0,31}$/;
const kindMessage = (what: string) => `${what} must be an upper-case kind such as AMOUNT_OFF`;
const DATE_TIME = { format: 'date-time', example: '2026-11-11T00:00:00+08:00' } as const;

export class UpsertCampaignDto {
  @ApiProperty({ example: 'Double 11' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty(DATE_TIME) @IsRfc3339() startsAt!: string;
  @ApiProperty(DATE_TIME) @IsRfc3339() endsAt!: string;
  @ApiProperty({ description: "false stops the campaign's promotions at once" })
  @IsBoolean()
  active!: boolean;
}

export class PromotionConditionDto {
  @ApiProperty({
    example: 'MIN_SUBTOTAL',
    description:
      'MIN_SUBTOTAL (amount), MEMBER_TIER (values), FIRST_ORDER, DATE_WINDOW (from, to), CHANNEL (values)',
  })
  @Matches(KIND, { message: kindMessage('kind') })
  kind!: string;

  @ApiPropertyOptional({ type: MoneyDto, nullable: true })
  @OptionalNullable()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount?: MoneyDto | null;

  @ApiPropertyOptional({ type: [String], description: 'member tiers or channels' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  values?: string[];

  @ApiPropertyOptional({ ...DATE_TIME, nullable: true })
  @OptionalNullable()
  @IsRfc3339()
  from?: string | null;

  @ApiPropertyOptional({ ...DATE_TIME, nullable: true })
  @OptionalNullable()
  @IsRfc3339()
  to?: string | null;
}

export class ReductionTierDto {
  @ApiProperty({ type: MoneyDto, description: '满 (spend at least)' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  threshold!: MoneyDto;

  @ApiProperty({ type: MoneyDto, description: '减 (take off)' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  off!: MoneyDto;
}

export class PromotionActionDto {
  @ApiProperty({
    example: 'TIERED_REDUCTION',
    description:
      'AMOUNT_OFF (amount), PERCENT_OFF (basisPoints, cap), TIERED_REDUCTION (tiers), EVERY_REDUCTION (every, amount, cap), BUY_X_GET_Y (buy, free), GIFT (skuId, quantity), MEMBER_PRICE (amount: the unit price), FREE_SHIPPING',
  })
  @Matches(KIND, { message: kindMessage('kind') })
  kind!: string;

  @ApiPropertyOptional({ type: MoneyDto, nullable: true })
  @OptionalNullable()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount?: MoneyDto | null;

  @ApiPropertyOptional({ example: 1500, description: '1500 is 15 %' })
  @Optional()
  @IsInt32()
  basisPoints?: number;

  @ApiPropertyOptional({ type: MoneyDto, nullable: true, description: 'at most this much off' })
  @OptionalNullable()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  cap?: MoneyDto | null;

  @ApiPropertyOptional({ type: [ReductionTierDto] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ReductionTierDto)
  tiers?: ReductionTierDto[];

  @ApiPropertyOptional({ type: MoneyDto, nullable: true, description: '每满 (for every)' })
  @OptionalNullable()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  every?: MoneyDto | null;

  @ApiPropertyOptional() @Optional() @IsInt32() buy?: number;
  @ApiPropertyOptional() @Optional() @IsInt32() free?: number;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'the gift' })
  @OptionalNullable()
  @IsUUID()
  skuId?: string | null;
  @ApiPropertyOptional() @Optional() @IsInt32() quantity?: number;
}

export class UpsertPromotionDto {
  @ApiProperty({ example: '满300减50' }) @IsString() @Length(1, 200) name!: string;

  @ApiPropertyOptional({ default: 0, description: 'lower applies first' })
  @Optional()
  @IsInt32()
  priority?: number;

  @ApiPropertyOptional({ default: false, description: 'applies alone' })
  @Optional()
  @IsBoolean()
  exclusive?: boolean;

  @ApiProperty({ example: 'CART', description: 'CART, SKUS or CATEGORIES' })
  @Matches(KIND, { message: kindMessage('scopeKind') })
  scopeKind!: string;

  @ApiPropertyOptional({ type: [String], description: 'SKU or category ids (SKUS, CATEGORIES)' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  scopeIds?: string[];

  @ApiPropertyOptional({ type: [PromotionConditionDto] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PromotionConditionDto)
  conditions?: PromotionConditionDto[];

  @ApiProperty({ type: PromotionActionDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PromotionActionDto)
  action!: PromotionActionDto;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'in force only while this campaign is',
  })
  @OptionalNullable()
  @IsUUID()
  campaignId?: string | null;

  @ApiPropertyOptional({ ...DATE_TIME, nullable: true })
  @OptionalNullable()
  @IsRfc3339()
  startsAt?: string | null;

  @ApiPropertyOptional({ ...DATE_TIME, nullable: true })
  @OptionalNullable()
  @IsRfc3339()
  endsAt?: string | null;
  @ApiProperty() @IsBoolean() active!: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'applies only with a coupon of a template naming it',
  })
  @Optional()
  @IsBoolean()
  couponOnly?: boolean;
}

export class ListPromotionsQuery {
  @ApiPropertyOptional({
    ...DATE_TIME,
    description: 'only promotions in force at this time (encode + as %2B); omit for all',
  })
  @Optional()
  @IsRfc3339()
  inForceAt?: string;
}

/** A line of the sample cart a draft promotion is previewed on. */
export class SampleCartLineDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'the SKU, for SKUS scopes (a line without one is in no SKU scope)',
  })
  @Optional()
  @IsUUID()
  skuId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "the line's category, for CATEGORIES scopes: a scope naming it applies (the preview does not walk the category tree; name the category the scope names)",
  })
  @Optional()
  @IsUUID()
  categoryId?: string;

  @ApiProperty({ type: MoneyDto, description: 'the unit price' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  unitPrice!: MoneyDto;

  @ApiProperty({ minimum: 1, maximum: 999, example: 1 })
  @IsInt()
  @Min(1)
  @Max(999)
  quantity!: number;
}

/** Who the draft's conditions see buying, and when (all optional). */
export class PreviewContextDto {
  @ApiPropertyOptional({ example: 'GOLD', description: 'the member tier (MEMBER_TIER conditions)' })
  @Optional()
  @IsString()
  @Length(1, 64)
  memberTier?: string;

  @ApiPropertyOptional({ default: false, description: "the buyer's first order (FIRST_ORDER)" })
  @Optional()
  @IsBoolean()
  firstOrder?: boolean;

  @ApiPropertyOptional({ example: 'app', description: 'the checkout channel (CHANNEL)' })
  @Optional()
  @IsString()
  @Length(1, 64)
  channel?: string;

  @ApiPropertyOptional({
    ...DATE_TIME,
    description: 'price as at this time (DATE_WINDOW conditions, inForce); default now',
  })
  @Optional()
  @IsRfc3339()
  at?: string;
}

/**
 * A draft promotion exactly as `PUT /v1/admin/promotions/{id}` takes it, and a sample cart to
 * price it on (the console's live preview; nothing is saved).
 */
export class PreviewPromotionDto extends UpsertPromotionDto {
  @ApiProperty({ type: [SampleCartLineDto], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => SampleCartLineDto)
  lines!: SampleCartLineDto[];

  @ApiPropertyOptional({ type: PreviewContextDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => PreviewContextDto)
  context?: PreviewContextDto;
}

/** What the flash-sale list filters by: where each sale's window stands now. */
export const FLASH_SALE_STATUSES = ['SCHEDULED', 'LIVE', 'ENDED'] as const;

export class ListFlashSalesQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: FLASH_SALE_STATUSES,
    description:
      'SCHEDULED (not started), LIVE (started and not ended, sold out or not), ENDED; omit for all',
  })
  @Optional()
  @IsIn(FLASH_SALE_STATUSES, {
    message: `status must be one of ${FLASH_SALE_STATUSES.join(', ')}`,
  })
  status?: string;
}

export class CreateCouponTemplateDto {
  @ApiProperty({ example: '50 off 300' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ format: 'uuid', description: 'the coupon-only promotion a coupon applies' })
  @IsUUID()
  promotionId!: string;
  @ApiProperty({ description: 'coupons that may ever exist' }) @IsInt32() totalLimit!: number;
  @ApiProperty({ description: 'coupons one account may hold' }) @IsInt32() perUserLimit!: number;
  @ApiProperty(DATE_TIME) @IsRfc3339() validFrom!: string;
  @ApiProperty(DATE_TIME) @IsRfc3339() validTo!: string;
}

export class IssueCouponsDto {
  @ApiProperty({ example: 100, description: '1 to 10000 codes per call' })
  @IsInt32()
  count!: number;
}

export class CreateFlashSaleDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() skuId!: string;
  @ApiProperty({ type: MoneyDto, description: 'the sale price' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  price!: MoneyDto;
  @ApiProperty({ description: 'units in the pool' }) @IsInt32() stock!: number;
  @ApiProperty({ description: 'units one account may win' }) @IsInt32() perUserLimit!: number;
  @ApiProperty(DATE_TIME) @IsRfc3339() startsAt!: string;
  @ApiProperty(DATE_TIME) @IsRfc3339() endsAt!: string;
}

export class CreateGroupDealDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() skuId!: string;
  @ApiProperty({ type: MoneyDto, description: 'the group price' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  price!: MoneyDto;
  @ApiProperty({ description: 'participants a group needs (2 to 100)' })
  @IsInt32()
  groupSize!: number;
  @ApiProperty({ description: 'how long a group has to fill once opened' })
  @IsInt32()
  windowSeconds!: number;
  @ApiProperty(DATE_TIME) @IsRfc3339() startsAt!: string;
  @ApiProperty(DATE_TIME) @IsRfc3339() endsAt!: string;
}

// ---- responses

export class CampaignView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
  @ApiProperty() active!: boolean;
}

export class CampaignList {
  @ApiProperty({ type: [CampaignView] }) items!: CampaignView[];
}

export class PromotionConditionView {
  @ApiProperty() kind!: string;
  @ApiProperty({ type: MoneyDto, nullable: true }) amount!: MoneyDto | null;
  @ApiProperty({ type: [String] }) values!: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) from!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) to!: string | null;
}

export class ReductionTierView {
  @ApiProperty({ type: MoneyDto }) threshold!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) off!: MoneyDto;
}

export class PromotionActionView {
  @ApiProperty() kind!: string;
  @ApiProperty({ type: MoneyDto, nullable: true }) amount!: MoneyDto | null;
  @ApiProperty() basisPoints!: number;
  @ApiProperty({ type: MoneyDto, nullable: true }) cap!: MoneyDto | null;
  @ApiProperty({ type: [ReductionTierView] }) tiers!: ReductionTierView[];
  @ApiProperty({ type: MoneyDto, nullable: true }) every!: MoneyDto | null;
  @ApiProperty() buy!: number;
  @ApiProperty() free!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) skuId!: string | null;
  @ApiProperty() quantity!: number;
}

export class PromotionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() priority!: number;
  @ApiProperty() exclusive!: boolean;
  @ApiProperty() scopeKind!: string;
  @ApiProperty({ type: [String] }) scopeIds!: string[];
  @ApiProperty({ type: [PromotionConditionView] }) conditions!: PromotionConditionView[];
  @ApiProperty({ type: PromotionActionView }) action!: PromotionActionView;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) campaignId!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startsAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endsAt!: string | null;
  @ApiProperty() active!: boolean;
  @ApiProperty() couponOnly!: boolean;
}

export class PromotionList {
  @ApiProperty({ type: [PromotionView] }) items!: PromotionView[];
}

export class CouponTemplateView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'uuid' }) promotionId!: string;
  @ApiProperty() totalLimit!: number;
  @ApiProperty() perUserLimit!: number;
  @ApiProperty({ format: 'date-time' }) validFrom!: string;
  @ApiProperty({ format: 'date-time' }) validTo!: string;
  @ApiProperty({ description: 'coupons issued so far' }) issued!: number;
}

export class IssuedCouponsView {
  @ApiProperty({ type: [String], example: ['ABCDE-FGH2K'] }) codes!: string[];
}

export class FlashSaleView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ type: MoneyDto }) price!: MoneyDto;
  @ApiProperty() stock!: number;
  @ApiProperty() perUserLimit!: number;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
}

export class FlashSaleReconciliationView {
  @ApiProperty({ description: 'units left in the Redis pool' }) redisRemaining!: number;
  @ApiProperty({ description: 'units won (token live), ordered or paid' }) held!: number;
  @ApiProperty({ description: 'of those, paid' }) paid!: number;
  @ApiProperty({
    description: 'stock − redisRemaining − held: 0 when Redis and the database agree',
  })
  drift!: number;
}

export class FlashSaleDetailView extends FlashSaleView {
  @ApiProperty({ type: FlashSaleReconciliationView })
  reconciliation!: FlashSaleReconciliationView;
}

export class FlashSalePage {
  @ApiProperty({ type: [FlashSaleDetailView] }) items!: FlashSaleDetailView[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'the next page: pass as ?cursor= with the same status; null on the last page',
  })
  nextCursor!: string | null;
}

export class PreviewLineView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) skuId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) categoryId!: string | null;
  @ApiProperty() quantity!: number;
  @ApiProperty({ type: MoneyDto }) unitPrice!: MoneyDto;
  @ApiProperty({ type: MoneyDto, description: "this line's share of the discount" })
  discount!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) total!: MoneyDto;
}

export class PreviewDiscountView {
  @ApiProperty({ example: '满300减50' }) promotionName!: string;
  @ApiProperty({ type: MoneyDto }) amount!: MoneyDto;
  @ApiProperty({ example: '满300减50: −50.00 CNY', description: 'as checkout explains it' })
  explanation!: string;
}

export class PreviewGiftView {
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty() quantity!: number;
}

export class PromotionPreviewView {
  @ApiProperty({ type: [PreviewLineView], description: 'one per sample line, in order' })
  lines!: PreviewLineView[];
  @ApiProperty({ type: MoneyDto }) subtotal!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) discount!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) total!: MoneyDto;
  @ApiProperty({
    type: [PreviewDiscountView],
    description: 'what the draft took off; empty when its conditions are not met',
  })
  discounts!: PreviewDiscountView[];
  @ApiProperty({ type: [PreviewGiftView] }) gifts!: PreviewGiftView[];
  @ApiProperty({
    description:
      'whether the draft, saved as it is, would be in force (active, inside its window and its campaign’s); the preview applies it either way',
  })
  inForce!: boolean;
}

export class GroupDealView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ type: MoneyDto }) price!: MoneyDto;
  @ApiProperty() groupSize!: number;
  @ApiProperty() windowSeconds!: number;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
}
