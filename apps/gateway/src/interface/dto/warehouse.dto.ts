import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { Optional } from './validators';
import { MoneyDto } from './money.dto';
import { PageQuery } from './query.dto';

export const WAREHOUSE_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** The body of `PUT /v1/admin/warehouses/{code}`: the whole warehouse but its code. */
export class UpsertWarehouseDto {
  @ApiProperty({ example: 'Shanghai Pudong', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ example: 'CN', description: 'ISO 3166-1 alpha-2', pattern: '^[A-Za-z]{2}$' })
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as CN' })
  country!: string;

  @ApiProperty({ example: 'Shanghai', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  province!: string;

  @ApiProperty({ example: 'Shanghai', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  city!: string;

  @ApiProperty({ type: MoneyDto, description: 'flat cost of one shipment from here' })
  @IsObject({ message: 'shippingCost is required: {amountMinor, currency}' })
  @ValidateNested()
  @Type(() => MoneyDto)
  shippingCost!: MoneyDto;

  @ApiPropertyOptional({
    description:
      'inactive warehouses keep their stock but are not routed to; omitted: unchanged (true when new)',
  })
  @Optional()
  @IsBoolean()
  active?: boolean;
}

export class ListWarehousesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'only active warehouses' })
  @Optional()
  @IsIn(['true', 'false'])
  activeOnly?: 'true' | 'false';
}

export class WarehouseView {
  @ApiProperty({ example: 'SH-PD' }) code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'CN' }) country!: string;
  @ApiProperty() province!: string;
  @ApiProperty() city!: string;
  @ApiProperty({ type: MoneyDto }) shippingCost!: MoneyDto;
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class WarehousePage {
  @ApiProperty({ type: [WarehouseView] }) items!: WarehouseView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}
