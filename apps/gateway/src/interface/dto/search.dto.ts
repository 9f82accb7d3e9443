import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsRfc3339, Optional, QueryNumber } from './validators';
import { MoneyDto } from './money.dto';
import { PageQuery } from './query.dto';

/** A repeated query parameter arrives as a string once and as an array more times. */
const list = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

export const SEARCH_SORTS = [
  'relevance',
  'price_asc',
  'price_desc',
  'sales',
  'newest',
  'rating',
] as const;

export class SearchQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'free text (Chinese or English)', maxLength: 200 })
  @Optional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID()
  categoryId?: string;

  @ApiPropertyOptional({ description: 'minimum price in minor units (inclusive)', minimum: 0 })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(0)
  minPrice?: number;

  @ApiPropertyOptional({ description: 'maximum price in minor units (inclusive)', minimum: 0 })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(0)
  maxPrice?: number;

  @ApiPropertyOptional({ description: 'ISO 4217; required with a price bound', example: 'CNY' })
  @Optional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as CNY' })
  currency?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'products of any of these brands (repeat the parameter)',
  })
  @Optional()
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  brand?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'products carrying any of these tags (repeat the parameter), e.g. 新品, 促销, 爆款',
    example: ['新品'],
  })
  @Optional()
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 20, { each: true })
  tag?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'attribute filter as name:value, repeated; values of one name are ORed, names ANDed',
    example: ['colour:red', 'colour:blue', 'size:L'],
  })
  @Optional()
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(/^[^:]{1,100}:.{1,100}$/, { each: true, message: 'each attr must be name:value' })
  attr?: string[];

  @ApiPropertyOptional({
    enum: SEARCH_SORTS,
    default: 'relevance',
    description: 'rating: best average first (then more reviews), unrated products last',
  })
  @Optional()
  @IsIn(SEARCH_SORTS)
  sort?: (typeof SEARCH_SORTS)[number];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 5,
    description: 'only products whose average rating is at least this (unrated ones are left out)',
    example: 4,
  })
  @Optional()
  @QueryNumber()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(5)
  minRating?: number;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'only products with stock' })
  @Optional()
  @IsIn(['true', 'false'])
  inStock?: 'true' | 'false';

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'include facet counts' })
  @Optional()
  @IsIn(['true', 'false'])
  facets?: 'true' | 'false';

  @ApiPropertyOptional({
    description: 'upper edges of the price facet buckets in minor units, comma-separated',
    example: '5000,10000,50000',
  })
  @Optional()
  @Matches(/^\d{1,12}(,\d{1,12}){0,19}$/, {
    message: 'priceEdges must be up to 20 integers, comma-separated',
  })
  priceEdges?: string;
}

export class SuggestQuery {
  @ApiProperty({ description: 'what has been typed', minLength: 1, maxLength: 50 })
  @IsString()
  @MaxLength(50)
  q!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 20, default: 8 })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(20)
  limit?: number;
}

export class FlashSaleOfferView {
  @ApiProperty({ format: 'uuid' }) saleId!: string;
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ type: MoneyDto }) price!: MoneyDto;
  @ApiProperty() startsAt!: string;
  @ApiProperty() endsAt!: string;
  @ApiProperty({ description: 'running now; otherwise the next to start' }) active!: boolean;
}

export class SearchItemView {
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() brand!: string;
  @ApiProperty({ format: 'uuid' }) categoryId!: string;
  @ApiProperty({ type: [String], description: 'category path names, root first' })
  categoryNames!: string[];
  @ApiProperty({ type: MoneyDto }) minPrice!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) maxPrice!: MoneyDto;
  @ApiProperty() inStock!: boolean;
  @ApiProperty() unitsSold!: number;
  @ApiProperty() score!: number;
  @ApiPropertyOptional({ type: FlashSaleOfferView, nullable: true })
  flashSale!: FlashSaleOfferView | null;
  @ApiProperty({ description: 'average rating of the approved reviews (0: unrated)' })
  ratingAverage!: number;
  @ApiProperty({ description: 'approved reviews with a rating' }) reviewCount!: number;
  @ApiProperty({ type: [String], description: "the product's tags (新品, 促销, 爆款, ...)" })
  tags!: string[];
}

export class FacetValueView {
  @ApiProperty() value!: string;
  @ApiPropertyOptional({ description: 'display name (categories)' }) label?: string;
  @ApiProperty() count!: number;
}

export class PriceRangeView {
  @ApiPropertyOptional({ nullable: true, type: Number }) from!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) to!: number | null;
  @ApiProperty() count!: number;
}

export class AttributeFacetView {
  @ApiProperty() name!: string;
  @ApiProperty({ type: [FacetValueView] }) values!: FacetValueView[];
}

export class FacetsView {
  @ApiProperty({ type: [FacetValueView] }) categories!: FacetValueView[];
  @ApiProperty({ type: [FacetValueView] }) brands!: FacetValueView[];
  @ApiProperty({ type: [FacetValueView], description: 'counts per tag (disjunctive, like brands)' })
  tags!: FacetValueView[];
  @ApiProperty({ type: [PriceRangeView] }) priceRanges!: PriceRangeView[];
  @ApiProperty({ type: [AttributeFacetView] }) attributes!: AttributeFacetView[];
}

export class SearchPage {
  @ApiProperty({ type: [SearchItemView] }) items!: SearchItemView[];
  @ApiProperty() total!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiPropertyOptional({
    type: FacetsView,
    description:
      'With facets=true: counts for the search without its own facet selection (disjunctive). Always the count Elasticsearch made of the products the items were found among (the same text and filters in another sort or page show the same counts while those products are unchanged). Items, total, prices and facets are at most SEARCH_RESULT_CACHE_MS (1 s) old.',
  })
  facets?: FacetsView;
}

export class SuggestionView {
  @ApiProperty() text!: string;
  @ApiProperty({ enum: ['query', 'brand', 'product'] }) kind!: string;
}

export class SuggestionList {
  @ApiProperty({ type: [SuggestionView] }) items!: SuggestionView[];
}

export class PutSynonymSetDto {
  @ApiProperty({ type: [String], example: ['手机', '移动电话', 'mobile phone'] })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  terms!: string[];
}

export class SynonymSetView {
  @ApiProperty() id!: string;
  @ApiProperty({ type: [String] }) terms!: string[];
  @ApiProperty() updatedAt!: string;
}

export class SynonymSetList {
  @ApiProperty({ type: [SynonymSetView] }) items!: SynonymSetView[];
}

export class TopQueriesQuery {
  @ApiPropertyOptional({ description: 'RFC 3339 date-time; default 7 days before until' })
  @Optional()
  @IsRfc3339()
  since?: string;

  @ApiPropertyOptional({ description: 'RFC 3339 date-time; default now' })
  @Optional()
  @IsRfc3339()
  until?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'only queries that found nothing' })
  @Optional()
  @IsIn(['true', 'false'])
  zeroResults?: 'true' | 'false';

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 20 })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class QueryStatView {
  @ApiProperty() query!: string;
  @ApiProperty() searches!: number;
  @ApiProperty() zeroResultSearches!: number;
  @ApiProperty() averageResults!: number;
  @ApiProperty() lastSearchedAt!: string;
}

export class TopQueriesView {
  @ApiProperty({ type: [QueryStatView] }) items!: QueryStatView[];
  @ApiProperty() totalSearches!: number;
}

export class ReindexView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] }) state!: string;
  @ApiProperty() targetIndex!: string;
  @ApiProperty() previousIndex!: string;
  @ApiProperty() productsIndexed!: number;
  @ApiProperty() caughtUp!: number;
  @ApiProperty() batches!: number;
  @ApiProperty() startedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) error!: string | null;
}
