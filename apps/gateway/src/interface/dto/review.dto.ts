import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageQuery } from './query.dto';
import { oneOf, UrlList } from './support.dto';
import { Optional, QueryNumber } from './validators';

/**
 * Requests and responses of the review routes. The gateway checks shapes; the review service
 * decides who may review what (`ORDER_NOT_FOUND`, `NOT_DELIVERED`, `REVIEW_EXISTS`, ...), the
 * text and photo rules (`TEXT_INVALID`, `PHOTO_URL_INVALID`) and moderation.
 */

export const REVIEW_STATUSES = ['HELD', 'APPROVED', 'REJECTED'] as const;
export const REVIEW_SORTS = ['recent', 'helpful'] as const;
export const DECISIONS = ['APPROVE', 'REJECT'] as const;
export const MAX_REVIEW_TEXT = 2000;
export const MAX_REPLY_TEXT = 1000;
export const MAX_BANNED_WORDS = 2000;

export class SubmitReviewDto {
  @ApiProperty({ format: 'uuid', description: 'an order of mine, delivered' })
  @IsUUID()
  orderId!: string;

  @ApiProperty({ format: 'uuid', description: 'a SKU of that order' })
  @IsUUID()
  skuId!: string;

  @ApiProperty({ minimum: 1, maximum: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  rating!: number;

  @ApiProperty({
    maxLength: MAX_REVIEW_TEXT,
    description: 'may be empty when photos are attached (TEXT_INVALID otherwise)',
    example: '做工很好，物流也快。',
  })
  @IsString()
  @MaxLength(MAX_REVIEW_TEXT)
  text!: string;

  @UrlList('photos') photoUrls?: string[];

  @ApiPropertyOptional({
    default: false,
    description: 'shown as 匿名用户 / Anonymous instead of my masked name',
  })
  @Optional()
  @IsBoolean()
  anonymous?: boolean;
}

export class FollowUpDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_REVIEW_TEXT })
  @IsString()
  @Length(1, MAX_REVIEW_TEXT)
  text!: string;

  @UrlList('photos') photoUrls?: string[];
}

export class ProductReviewsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REVIEW_SORTS, default: 'recent' })
  @Optional()
  @IsIn(REVIEW_SORTS, oneOf('sort', REVIEW_SORTS))
  sort?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'only reviews with photos' })
  @Optional()
  @IsIn(['true', 'false'])
  withPhotos?: 'true' | 'false';

  @ApiPropertyOptional({ minimum: 1, maximum: 5, description: 'only this rating' })
  @Optional()
  @QueryNumber()
  @IsInt()
  @Min(1)
  @Max(5)
  rating?: number;
}

export class ModerationQueueQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REVIEW_STATUSES, default: 'HELD' })
  @Optional()
  @IsIn(REVIEW_STATUSES, oneOf('status', REVIEW_STATUSES))
  status?: string;
}

export class ModerateReviewDto {
  @ApiProperty({ enum: DECISIONS })
  @IsIn(DECISIONS, oneOf('decision', DECISIONS))
  decision!: string;

  @ApiPropertyOptional({ maxLength: 500, description: 'why (kept with the review)' })
  @Optional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class ReplyToReviewDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_REPLY_TEXT, description: "the merchant's reply" })
  @IsString()
  @Length(1, MAX_REPLY_TEXT)
  text!: string;
}

export class BannedWordsDto {
  @ApiProperty({
    type: [String],
    maxItems: MAX_BANNED_WORDS,
    description:
      'the whole list (replaces it); matched case-insensitively after NFKC normalisation',
    example: ['刷单', 'spam'],
  })
  @IsArray()
  @ArrayMaxSize(MAX_BANNED_WORDS)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  words!: string[];
}

// ---- responses

export class MerchantReplyView {
  @ApiProperty() text!: string;
  @ApiProperty({ format: 'date-time' }) repliedAt!: string;
}

/** A review as everyone sees it: never the author's account. */
export class ReviewView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ description: 'the masked name, or 匿名用户 / Anonymous' })
  authorDisplayName!: string;
  @ApiProperty() anonymous!: boolean;
  @ApiProperty({ minimum: 0, maximum: 5, description: '1..5; 0 on a follow-up' })
  rating!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ type: [String] }) photoUrls!: string[];
  @ApiProperty() helpfulVotes!: number;
  @ApiPropertyOptional({ nullable: true, type: MerchantReplyView })
  reply!: MerchantReplyView | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'its follow-up',
  })
  followUpId!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'on a follow-up: the review it follows',
  })
  followsReviewId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

/** My own review: its order and whether it is published. */
export class MyReviewView extends ReviewView {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ enum: REVIEW_STATUSES, description: 'HELD: waiting for an operator' })
  status!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  moderatedAt!: string | null;
}

/** A review as operators see it: the author and why it was held or rejected. */
export class ModerationReviewView extends MyReviewView {
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ type: [String], description: 'banned words, risk reasons, the note' })
  moderationReasons!: string[];
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' })
  moderatedBy!: string | null;
}

export class ReviewPage {
  @ApiProperty({ type: [ReviewView] }) items!: ReviewView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class MyReviewPage {
  @ApiProperty({ type: [MyReviewView] }) items!: MyReviewView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ModerationReviewPage {
  @ApiProperty({ type: [ModerationReviewView] }) items!: ModerationReviewView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class HelpfulVoteView {
  @ApiProperty() helpfulVotes!: number;
  @ApiProperty({ description: 'false when I had voted already' }) counted!: boolean;
}

export class ReviewableLineView {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty({ format: 'uuid' }) productId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'date-time' }) deliveredAt!: string;
}

export class ReviewableList {
  @ApiProperty({ type: [ReviewableLineView] }) items!: ReviewableLineView[];
}

/** A product's rating from its approved reviews. */
export class ProductRatingView {
  @ApiProperty() reviewCount!: number;
  @ApiProperty({ description: 'rounded to two decimals; 0 when unrated' }) average!: number;
  @ApiProperty({ type: [Number], description: 'how many ratings of 1, 2, 3, 4 and 5' })
  distribution!: number[];
  @ApiProperty({ description: 'approved reviews with a photo' }) withPhotoCount!: number;
}

export class RatingSummaryView extends ProductRatingView {
  @ApiProperty({ format: 'uuid' }) productId!: string;
}

export class BannedWordsView {
  @ApiProperty({ type: [String] }) words!: string[];
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  updatedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' })
  updatedBy!: string | null;
}
