import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
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
import { ProductAdminView } from './views.dto';
import { Optional, OptionalNullable, QueryNumber } from './validators';

/** Catalog's SKU prices with their history, and marketing's cart reminders and audience grants. */

export class SetSkuPriceDto {
  @ApiProperty({ type: MoneyDto, description: 'the new price' })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  price!: MoneyDto;

  @ApiPropertyOptional({
    type: MoneyDto,
    nullable: true,
    description:
      'the displayed original price (划线价); left out or null: none. Above the lowest price of the previous 30 days: 422 ORIGINAL_PRICE_TOO_HIGH',
  })
  @OptionalNullable()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  originalPrice?: MoneyDto | null;

  @ApiProperty({ example: 'manual', description: 'why, kept in the price history' })
  @IsString()
  @Length(1, 200)
  reason!: string;
}

export class PriceHistoryQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class CartReminderPolicyDto {
  @ApiProperty({ description: 'false: no reminder coupons' }) @IsBoolean() enabled!: boolean;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'the coupon template a reminder gives (needed when enabled)',
  })
  @OptionalNullable()
  @IsUUID()
  couponTemplateId?: string | null;

  @ApiProperty({
    minimum: 1,
    maximum: 8760,
    description: 'at most one reminder per account within',
  })
  @IsInt()
  @Min(1)
  @Max(8760)
  minIntervalHours!: number;
}

export class AudienceGrantsQuery {
  @ApiPropertyOptional({
    example: 'cart-reminder',
    description: 'an audience id, or cart-reminder; left out: all',
    pattern: '^[A-Za-z0-9_-]{1,64}$',
  })
  @Optional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: "source must be 1-64 letters, digits, '_' or '-'" })
  source?: string;

  @ApiPropertyOptional({ format: 'uuid' }) @Optional() @IsUUID() accountId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

// ---- responses

export class PriceChangeView {
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ type: MoneyDto }) price!: MoneyDto;
  @ApiProperty({ type: MoneyDto, nullable: true }) originalPrice!: MoneyDto | null;
  @ApiProperty({ type: MoneyDto, nullable: true }) previousPrice!: MoneyDto | null;
  @ApiProperty() reason!: string;
  @ApiProperty({ description: 'e.g. the price suggestion approved' }) reference!: string;
  @ApiProperty({ description: 'who changed it' }) actorId!: string;
  @ApiProperty({ format: 'date-time' }) changedAt!: string;
}

export class SkuPriceSetView {
  @ApiProperty({ type: ProductAdminView }) product!: ProductAdminView;
  @ApiProperty({ type: PriceChangeView }) change!: PriceChangeView;
}

export class PriceHistoryView {
  @ApiProperty({ type: [PriceChangeView], description: 'newest first' })
  items!: PriceChangeView[];
  @ApiProperty({
    type: MoneyDto,
    nullable: true,
    description: 'the lowest price of the previous 30 days: the highest original price allowed now',
  })
  lowestPrice30d!: MoneyDto | null;
}

export class CartReminderPolicyView {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  couponTemplateId!: string | null;
  @ApiProperty() minIntervalHours!: number;
}

export class AudienceGrantView {
  @ApiProperty({ description: 'the audience id, or cart-reminder' }) source!: string;
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ type: String, nullable: true }) couponCode!: string | null;
  @ApiProperty() templateId!: string;
  @ApiProperty({ format: 'date-time' }) grantedAt!: string;
  @ApiProperty({ enum: ['GRANTED', 'SKIPPED'] }) outcome!: string;
  @ApiProperty({ description: 'why it was skipped' }) reason!: string;
}

export class AudienceGrantList {
  @ApiProperty({ type: [AudienceGrantView] }) items!: AudienceGrantView[];
}
