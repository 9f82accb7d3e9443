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
  MaxLength,
  Min,
  NotEquals,
  ValidateIf,
  ValidateNested,
  registerDecorator,
} from 'class-validator';
import { Optional, OptionalNullable } from './validators';
import { MoneyDto } from './money.dto';

export const PRODUCT_STATUSES = ['draft', 'active', 'archived'] as const;
export type ProductStatusName = (typeof PRODUCT_STATUSES)[number];

/** An object whose values are all strings (SKU attributes). */
function IsStringMap(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (v: unknown) =>
          typeof v === 'object' &&
          v !== null &&
          !Array.isArray(v) &&
          Object.values(v).every((x) => typeof x === 'string'),
        defaultMessage: () => 'attributes must be an object of string values',
      },
    });
}

export class CreateCategoryDto {
  @ApiProperty({ example: 'Phone cases', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ example: 'phone-cases', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' })
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: "slug must be lower-case words joined by '-'" })
  @MaxLength(100)
  slug!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'parent category; omit for a root' })
  @Optional()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'regulated (food, mother and baby): its products, and those of its descendants, need an approved compliance review before publishing',
  })
  @Optional()
  @IsBoolean()
  regulated?: boolean;
}

export class UpdateCategoryDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @Optional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional()
  @Optional()
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: "slug must be lower-case words joined by '-'" })
  @MaxLength(100)
  slug?: string;

  @ApiPropertyOptional({ description: 'marks or unmarks the category as regulated' })
  @Optional()
  @IsBoolean()
  regulated?: boolean;
}

export class MoveCategoryDto {
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    description: 'new parent; null moves the category to the root',
  })
  @ValidateIf((o: MoveCategoryDto) => o.newParentId !== null)
  @IsUUID()
  newParentId!: string | null;
}

export class SkuInputDto {
  @ApiProperty({ example: 'CASE-BLK', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: "code must be 1-64 letters, digits, '.', '_' or '-'",
  })
  code!: string;

  @ApiPropertyOptional({
    example: { color: 'black' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @Optional()
  @IsObject()
  @IsStringMap()
  attributes?: Record<string, string>;

  @ApiProperty({ type: MoneyDto })
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
}

export class CreateProductDto {
  @ApiProperty({ example: 'Aramid phone case', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @Optional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ example: 'Emporia', maxLength: 100 })
  @Optional()
  @IsString()
  @MaxLength(100)
  brand?: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  categoryId!: string;

  @ApiPropertyOptional({ enum: ['draft', 'active'], default: 'active' })
  @Optional()
  @IsIn(['draft', 'active'])
  status?: 'draft' | 'active';

  @ApiProperty({ type: [SkuInputDto], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1, { message: 'a product needs at least one SKU' })
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SkuInputDto)
  skus!: SkuInputDto[];
}

export class UpdateProductDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @MaxLength(100)
  brand?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID()
  categoryId?: string;

  @ApiPropertyOptional({ enum: PRODUCT_STATUSES })
  @Optional()
  @IsIn(PRODUCT_STATUSES)
  status?: ProductStatusName;

  @ApiPropertyOptional({
    type: [SkuInputDto],
    description: 'SKUs to add or change, matched by code',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SkuInputDto)
  upsertSkus?: SkuInputDto[];

  @ApiPropertyOptional({
    description: 'fail with 409 unless the product is at this version',
    minimum: 1,
  })
  @Optional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}

export class StockAdjustmentDto {
  @ApiProperty({ example: 'SH-1', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, {
    message: "warehouseCode must be 1-32 letters, digits, '_' or '-'",
  })
  warehouseCode!: string;

  @ApiProperty({
    example: 50,
    description: 'non-zero integer: positive adds stock, negative removes it',
  })
  @IsInt()
  @NotEquals(0)
  delta!: number;

  @ApiPropertyOptional({ example: 'inbound shipment', maxLength: 200 })
  @Optional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}
