import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { MoneyDto } from './money.dto';
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

export class GroupDealView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ type: MoneyDto }) price!: MoneyDto;
  @ApiProperty() groupSize!: number;
  @ApiProperty() windowSeconds!: number;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
}
