import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { Optional, QueryNumber } from './validators';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor from the previous page' })
  @Optional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export class ListCategoriesQuery extends PageQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'children of this category; omit for the roots',
  })
  @Optional()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'every category, whatever its parent',
  })
  @Optional()
  @IsIn(['true', 'false'])
  all?: 'true' | 'false';
}

export class ListProductsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'products in this category or below it' })
  @Optional()
  @IsUUID()
  categoryId?: string;
}
