import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MoneyDto } from './money.dto';
import { PRODUCT_STATUSES, type ProductStatusName } from './catalog.dto';
import { ProductRatingView } from './review.dto';

/** Response shapes, for OpenAPI. */

export class CategoryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() slug!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentId!: string | null;
  @ApiProperty({ type: [String], description: 'root-to-node ids, the node last' })
  pathIds!: string[];
  @ApiProperty() depth!: number;
  @ApiProperty({
    description:
      'products here need an approved compliance review before publishing: marked here or on an ancestor',
  })
  regulated!: boolean;
  @ApiProperty({ description: "this category's own mark (descendants inherit it)" })
  regulatedMarked!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class SkuView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) attributes!: Record<
    string,
    string
  >;
  @ApiProperty({ type: MoneyDto }) price!: MoneyDto;
  @ApiProperty({
    type: MoneyDto,
    nullable: true,
    description: 'the displayed original price (划线价), or null',
  })
  originalPrice!: MoneyDto | null;
  @ApiProperty({ description: 'on-hand stock over all warehouses' }) stockOnHand!: number;
}

export class ProductView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty() brand!: string;
  @ApiProperty({ format: 'uuid' }) categoryId!: string;
  @ApiProperty({ type: [String] }) categoryPathIds!: string[];
  @ApiProperty({ enum: PRODUCT_STATUSES }) status!: ProductStatusName;
  @ApiProperty({ type: [SkuView] }) skus!: SkuView[];
  @ApiProperty({ description: 'incremented on every change' }) version!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiPropertyOptional({
    type: ProductRatingView,
    nullable: true,
    description: 'from the approved reviews; null while unrated',
  })
  rating!: ProductRatingView | null;
  @ApiProperty({
    type: [String],
    example: ['新品', '促销'],
    description: 'manual and rule tags, sorted (filter search with `tag`)',
  })
  tags!: string[];
}

/** A product as operators see it (operators' routes, and product reads by an operator). */
export class ProductAdminView extends ProductView {
  @ApiProperty({ type: [String], description: 'the tags set by hand (the rest come from rules)' })
  manualTags!: string[];
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  publishAt!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  unpublishAt!: string | null;
  @ApiProperty({
    enum: ['NOT_REQUIRED', 'REQUIRED', 'PENDING', 'APPROVED', 'REJECTED'],
    description:
      'REQUIRED, PENDING or REJECTED: it cannot be published (COMPLIANCE_REVIEW_REQUIRED)',
  })
  complianceStatus!: string;
}

export class StockLevelView {
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty() warehouseCode!: string;
  @ApiProperty() onHand!: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class StockView {
  @ApiProperty({ type: [StockLevelView] }) levels!: StockLevelView[];
  @ApiProperty() totalOnHand!: number;
}

export class CategoryPage {
  @ApiProperty({ type: [CategoryView] }) items!: CategoryView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ProductPage {
  @ApiProperty({
    type: [ProductView],
    description:
      "an operator's items also carry ProductAdminView's manualTags, publishAt, unpublishAt and complianceStatus",
  })
  items!: ProductView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ProblemView {
  @ApiProperty({ example: 'https://emporia.dev/problems/category-not-found' }) type!: string;
  @ApiProperty({ example: 'Unprocessable Content' }) title!: string;
  @ApiProperty({ example: 422 }) status!: number;
  @ApiProperty() detail!: string;
  @ApiPropertyOptional({
    example: '/v1/products',
    description: 'the path asked for (left out when the URI was too long to read back)',
  })
  instance?: string;
  @ApiProperty({ example: 'CATEGORY_NOT_FOUND', description: 'stable machine-readable code' })
  code!: string;
  @ApiPropertyOptional({
    description:
      "the request's trace id, to find it in the logs (left out on answers made before the request was read: 431, a malformed request line)",
  })
  traceId?: string;
  @ApiPropertyOptional({
    type: 'array',
    description:
      "field errors: `field` the path in the request (`address.postalCode`, `skus.0.price.currency`), `message` for people, `reason` a service's stable reason for that field when it gives one (ADDRESS_INVALID: PROVINCE_UNKNOWN, CITY_NOT_IN_PROVINCE, DISTRICT_NOT_IN_CITY, DISTRICT_MISSING, DETAIL_PLACEHOLDER, DETAIL_REPEATED, PHONE_INVALID, POSTAL_CODE_INVALID)",
    items: {
      type: 'object',
      properties: {
        field: { type: 'string' },
        message: { type: 'string' },
        reason: { type: 'string', example: 'DISTRICT_NOT_IN_CITY' },
      },
    },
  })
  errors?: { field: string; message: string; reason?: string }[];
}
