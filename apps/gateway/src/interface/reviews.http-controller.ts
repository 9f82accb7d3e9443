import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { REVIEW_BACKEND, type Principal, type ReviewBackend } from '../application/ports';
import { ApiProblemCodes } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  BannedWordsDto,
  BannedWordsView,
  FollowUpDto,
  HelpfulVoteView,
  ModerateReviewDto,
  ModerationQueueQuery,
  ModerationReviewPage,
  ModerationReviewView,
  MyReviewPage,
  MyReviewView,
  ProductReviewsQuery,
  RatingSummaryView,
  ReplyToReviewDto,
  ReviewableList,
  ReviewPage,
  SubmitReviewDto,
} from './dto/review.dto';
import { Idempotent } from './idempotency.interceptor';
import { cursorOf } from './mappers';
import { PageQuery } from './dto/query.dto';
import { RateLimit } from './rate-limit.guard';
import { Ctx } from './request-context';
import {
  bannedWordsView,
  moderationReviewView,
  myReviewView,
  ratingSummaryView,
  reviewView,
} from './review-mappers';
import { uuidParam } from './uuid-param';

/** The X-Device-Id header as checkout passes it (printable ASCII, checked by input-checks.ts). */
const deviceId = (req: FastifyRequest): string => {
  const device = req.headers['x-device-id'];
  return (Array.isArray(device) ? device[0] : (device ?? '')).slice(0, 200);
};

const DEVICE_HEADER = {
  name: 'X-Device-Id',
  required: false,
  description: "the client's stable device id (risk's brushing checks count reviews per device)",
};

const SUBMIT_CODES = {
  400: ['RATING_INVALID', 'TEXT_INVALID', 'PHOTO_URL_INVALID'],
  404: ['ORDER_NOT_FOUND', 'LINE_NOT_FOUND'],
  409: ['REVIEW_EXISTS'],
  422: ['NOT_DELIVERED', 'REVIEW_WINDOW_CLOSED'],
};

/**
 * Customers' reviews (`@Auth()`; the author is the token's account, never the body's): only the
 * buyer of a delivered order line reviews it, once, plus one follow-up; helpful votes, one per
 * account. The device (X-Device-Id) and the client address go to the review service for risk's
 * brushing checks, as checkout passes them.
 */
@ApiTags('reviews')
@Controller('v1')
export class ReviewsHttpController {
  constructor(@Inject(REVIEW_BACKEND) private readonly reviews: ReviewBackend) {}

  @Post('reviews')
  @Auth()
  @RateLimit('reviews')
  @Idempotent()
  @ApiHeader(DEVICE_HEADER)
  @ApiCreatedResponse({
    type: MyReviewView,
    description:
      'APPROVED at once, or HELD for an operator (banned words, brushing signals): a held review is not public until approved',
  })
  @ApiProblemCodes(SUBMIT_CODES)
  async submit(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: SubmitReviewDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MyReviewView> {
    const r = await this.reviews.submitReview(ctx, {
      accountId: me.accountId,
      orderId: body.orderId,
      skuId: body.skuId,
      rating: body.rating,
      text: body.text,
      photoUrls: body.photoUrls ?? [],
      anonymous: body.anonymous ?? false,
      deviceId: deviceId(req),
      ip: req.ip,
    });
    void reply.status(201);
    return myReviewView(r.review!);
  }

  @Post('reviews/:id/follow-up')
  @Auth()
  @RateLimit('reviews')
  @Idempotent()
  @ApiHeader(DEVICE_HEADER)
  @ApiCreatedResponse({ type: MyReviewView, description: 'the follow-up of my review' })
  @ApiProblemCodes({
    400: ['TEXT_INVALID', 'PHOTO_URL_INVALID'],
    404: ['REVIEW_NOT_FOUND'],
    409: ['FOLLOW_UP_EXISTS'],
    422: ['FOLLOW_UP_TOO_EARLY'],
  })
  async followUp(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: FollowUpDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MyReviewView> {
    const r = await this.reviews.submitFollowUp(ctx, {
      reviewId: id,
      accountId: me.accountId,
      text: body.text,
      photoUrls: body.photoUrls ?? [],
      deviceId: deviceId(req),
      ip: req.ip,
    });
    void reply.status(201);
    return myReviewView(r.review!);
  }

  @Post('reviews/:id/helpful')
  @Auth()
  @RateLimit('reviews')
  @HttpCode(200)
  @ApiOkResponse({
    type: HelpfulVoteView,
    description: 'one vote per account; a repeat changes nothing',
  })
  @ApiProblemCodes({ 404: ['REVIEW_NOT_FOUND'], 422: ['OWN_REVIEW'] })
  async helpful(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<HelpfulVoteView> {
    const r = await this.reviews.voteHelpful(ctx, { reviewId: id, accountId: me.accountId });
    return { helpfulVotes: r.helpfulVotes, counted: r.counted };
  }

  @Get('me/reviews')
  @Auth()
  @ApiOkResponse({ type: MyReviewPage, description: 'my reviews, whatever their status' })
  @ApiProblemCodes({})
  async mine(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Query() q: PageQuery,
  ): Promise<MyReviewPage> {
    const r = await this.reviews.listMyReviews(ctx, {
      accountId: me.accountId,
      cursor: q.cursor ?? '',
      limit: q.limit ?? 0,
    });
    return { items: r.reviews.map(myReviewView), nextCursor: cursorOf(r.nextCursor) };
  }

  @Get('me/reviewable')
  @Auth()
  @ApiOkResponse({
    type: ReviewableList,
    description: 'lines of my delivered orders not yet reviewed',
  })
  @ApiProblemCodes({})
  async reviewable(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<ReviewableList> {
    const r = await this.reviews.listReviewable(ctx, { accountId: me.accountId });
    return {
      items: r.lines.map((l) => ({
        orderId: l.orderId,
        skuId: l.skuId,
        productId: l.productId,
        title: l.title,
        deliveredAt: l.deliveredAt,
      })),
    };
  }
}

/** A product's approved reviews and rating, for everyone. */
@ApiTags('reviews')
@Controller('v1/products')
export class ProductReviewsHttpController {
  constructor(@Inject(REVIEW_BACKEND) private readonly reviews: ReviewBackend) {}

  @Get(':id/reviews')
  @ApiOkResponse({ type: ReviewPage, description: 'approved reviews; never an account id' })
  @ApiProblemCodes({})
  async list(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Query() q: ProductReviewsQuery,
  ): Promise<ReviewPage> {
    const r = await this.reviews.listProductReviews(ctx, {
      productId: id,
      sort: q.sort ?? '',
      withPhotos: q.withPhotos === 'true',
      rating: q.rating ?? 0,
      cursor: q.cursor ?? '',
      limit: q.limit ?? 0,
    });
    return { items: r.reviews.map(reviewView), nextCursor: cursorOf(r.nextCursor) };
  }

  @Get(':id/rating')
  @ApiOkResponse({
    type: RatingSummaryView,
    description: 'average, count, distribution and with-photo count of the approved reviews',
  })
  @ApiProblemCodes({})
  async rating(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<RatingSummaryView> {
    const r = await this.reviews.getRatingSummary(ctx, { productId: id });
    return ratingSummaryView(id, r.summary);
  }
}

/** Operators' moderation, merchant replies and the banned words (`@Auth('operator')`). */
@ApiTags('reviews admin')
@Auth('operator')
@Controller('v1/admin/reviews')
export class ReviewAdminHttpController {
  constructor(@Inject(REVIEW_BACKEND) private readonly reviews: ReviewBackend) {}

  @Get()
  @ApiOkResponse({
    type: ModerationReviewPage,
    description: 'reviews of a status (HELD by default), with their author and reasons',
  })
  @ApiProblemCodes({})
  async queue(
    @Ctx() ctx: RequestContext,
    @Query() q: ModerationQueueQuery,
  ): Promise<ModerationReviewPage> {
    const r = await this.reviews.listModerationQueue(ctx, {
      status: q.status ?? 'HELD',
      cursor: q.cursor ?? '',
      limit: q.limit ?? 0,
    });
    return { items: r.reviews.map(moderationReviewView), nextCursor: cursorOf(r.nextCursor) };
  }

  @Post(':id/moderation')
  @HttpCode(200)
  @ApiOkResponse({
    type: ModerationReviewView,
    description: 'approved (public, counted in the rating) or rejected',
  })
  @ApiProblemCodes({ 400: ['DECISION_INVALID'], 404: ['REVIEW_NOT_FOUND'] })
  async moderate(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: ModerateReviewDto,
  ): Promise<ModerationReviewView> {
    const r = await this.reviews.moderateReview(ctx, {
      reviewId: id,
      operatorId: me.accountId,
      decision: body.decision,
      note: body.note ?? '',
    });
    return moderationReviewView(r.review!);
  }

  @Put(':id/reply')
  @ApiOkResponse({
    type: ModerationReviewView,
    description: "the merchant's reply, set or replaced",
  })
  @ApiProblemCodes({ 400: ['TEXT_INVALID'], 404: ['REVIEW_NOT_FOUND'] })
  async reply(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: ReplyToReviewDto,
  ): Promise<ModerationReviewView> {
    const r = await this.reviews.replyToReview(ctx, {
      reviewId: id,
      operatorId: me.accountId,
      text: body.text,
    });
    return moderationReviewView(r.review!);
  }

  @Get('banned-words')
  @ApiOkResponse({ type: BannedWordsView })
  @ApiProblemCodes({})
  async bannedWords(@Ctx() ctx: RequestContext): Promise<BannedWordsView> {
    return bannedWordsView(await this.reviews.listBannedWords(ctx, {}));
  }

  @Put('banned-words')
  @ApiOkResponse({
    type: BannedWordsView,
    description: 'the list, replaced: new reviews are held when they contain one',
  })
  @ApiProblemCodes({ 400: ['BANNED_WORDS_INVALID'] })
  async setBannedWords(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: BannedWordsDto,
  ): Promise<BannedWordsView> {
    return bannedWordsView(
      await this.reviews.setBannedWords(ctx, { words: body.words, operatorId: me.accountId }),
    );
  }
}
