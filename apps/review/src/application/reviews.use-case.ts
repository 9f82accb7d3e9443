import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { findBannedWords } from '../domain/banned-words';
import {
  orderAddressFingerprint,
  deliveredLines,
  reviewableLine,
  type ReviewableLine,
} from '../domain/delivered-line';
import { emptySummary, type RatingSummary } from '../domain/rating-summary';
import {
  checkFollowUp,
  displayName,
  initialStatus,
  SYSTEM_ACTOR,
  validateContent,
  type Review,
} from '../domain/review';
import { ReviewError } from '../domain/review-error';
import {
  ACCOUNTS,
  CLOCK,
  ID_GENERATOR,
  ORDERS,
  REVIEW_SETTINGS,
  RISK,
  UNIT_OF_WORK,
  type AccountsPort,
  type Clock,
  type HelpfulCursor,
  type IdGenerator,
  type OrdersPort,
  type Page,
  type ProductFilter,
  type RecentCursor,
  type ReviewSettings,
  type ReviewTx,
  type RiskPort,
  type UnitOfWork,
} from './ports';
import { afterStatusChange } from './rating';

export interface SubmitReviewInput {
  accountId: string;
  orderId: string;
  skuId: string;
  rating: number;
  text: string;
  photoUrls: string[];
  anonymous: boolean;
  deviceId: string;
  ip: string;
}

export interface SubmitFollowUpInput {
  reviewId: string;
  accountId: string;
  text: string;
  photoUrls: string[];
  deviceId: string;
  ip: string;
}

/** A review with its approved follow-up (public listings) or its follow-up whatever its status. */
export interface ReviewView {
  review: Review;
  followUp: Review | null;
}

const notFound = () => new ReviewError('NOT_FOUND', 'REVIEW_NOT_FOUND', 'no such review');
const exists = () =>
  new ReviewError('ALREADY_EXISTS', 'REVIEW_EXISTS', 'this line of this order is already reviewed');
const followUpExists = () =>
  new ReviewError('ALREADY_EXISTS', 'FOLLOW_UP_EXISTS', 'this review already has its follow-up');

/** What customers and the public do: write reviews and follow-ups, vote, read. */
@Injectable()
export class ReviewsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(ORDERS) private readonly orders: OrdersPort,
    @Inject(ACCOUNTS) private readonly accounts: AccountsPort,
    @Inject(RISK) private readonly risk: RiskPort,
    @Inject(REVIEW_SETTINGS) private readonly settings: ReviewSettings,
  ) {}

  /**
   * The caller's review of a delivered line of their order: checked with order (nothing is
   * written when order does not answer), then risk and the banned words decide whether it is
   * published at once or held for an operator.
   */
  async submit(ctx: RequestContext, input: SubmitReviewInput): Promise<Review> {
    const content = validateContent(input);
    const facts = await this.orders.order(ctx, input.accountId, input.orderId);
    const line = reviewableLine(facts, input.skuId, this.clock.now(), this.settings.windowDays);
    const earlier = await this.uow.run(ctx, (tx) =>
      tx.reviews.findReview(input.accountId, input.orderId, input.skuId),
    );
    if (earlier) throw exists();
    const author = await this.accounts.author(ctx, input.accountId);
    const id = this.ids.newId();
    const fingerprint = orderAddressFingerprint(facts.address);
    const verdict = await this.risk.scoreReview(ctx, {
      reviewId: id,
      accountId: input.accountId,
      deviceId: input.deviceId,
      ip: input.ip,
      addressFingerprint: fingerprint,
      productId: line.productId,
      deliveredAt: line.deliveredAt,
      accountCreatedAt: author?.createdAt ?? null,
      rating: content.rating,
      photoCount: content.photoUrls.length,
    });
    return this.write(ctx, verdict, {
      id,
      productId: line.productId,
      skuId: input.skuId,
      orderId: input.orderId,
      accountId: input.accountId,
      authorName: displayName(author?.name ?? '', input.anonymous, author?.locale),
      anonymous: input.anonymous,
      ...content,
      status: 'HELD',
      reasons: [],
      helpfulVotes: 0,
      reply: null,
      followsReviewId: null,
      addressFingerprint: fingerprint,
      deliveredAt: line.deliveredAt,
      createdAt: this.clock.now(),
      moderatedAt: null,
      moderatedBy: null,
    });
  }

  /** The one follow-up of the caller's review (no rating), moderated as a review is. */
  async submitFollowUp(ctx: RequestContext, input: SubmitFollowUpInput): Promise<Review> {
    const content = validateContent({ text: input.text, photoUrls: input.photoUrls });
    const parent = await this.uow.run(ctx, async (tx) => {
      const r = await tx.reviews.find(input.reviewId);
      if (!r) throw notFound();
      checkFollowUp(r, input.accountId, this.clock.now(), this.settings.followUpMinHours);
      if (await tx.reviews.followUpOf(r.id)) throw followUpExists();
      return r;
    });
    const id = this.ids.newId();
    const verdict = await this.risk.scoreReview(ctx, {
      reviewId: id,
      accountId: input.accountId,
      deviceId: input.deviceId,
      ip: input.ip,
      addressFingerprint: parent.addressFingerprint,
      productId: parent.productId,
      deliveredAt: parent.deliveredAt,
      accountCreatedAt: null,
      rating: 0,
      photoCount: content.photoUrls.length,
    });
    return this.write(
      ctx,
      verdict,
      {
        ...parent,
        id,
        ...content,
        status: 'HELD',
        reasons: [],
        helpfulVotes: 0,
        reply: null,
        followsReviewId: parent.id,
        createdAt: this.clock.now(),
        moderatedAt: null,
        moderatedBy: null,
      },
      async (tx) => {
        // checked again under the parent's lock: rejected meanwhile refuses the follow-up
        const locked = await tx.reviews.find(parent.id, true);
        if (!locked) throw notFound();
        checkFollowUp(locked, input.accountId, this.clock.now(), this.settings.followUpMinHours);
      },
    );
  }

  /** Moderates and stores a new review or follow-up, with its trail, events and summary. */
  private async write(
    ctx: RequestContext,
    verdict: { allow: boolean; reasons: string[] },
    draft: Review,
    precheck?: (tx: ReviewTx) => Promise<void>,
  ): Promise<Review> {
    return this.uow.run(ctx, async (tx) => {
      if (precheck) await precheck(tx);
      const { words } = await tx.bannedWords.get();
      const reasons = [
        ...findBannedWords(draft.text, words).map((w) => `BANNED_WORD:${w}`),
        ...(verdict.allow ? [] : verdict.reasons),
      ];
      const now = this.clock.now();
      const status = initialStatus(reasons);
      const review: Review = {
        ...draft,
        status,
        reasons,
        moderatedAt: status === 'APPROVED' ? now : null,
        moderatedBy: status === 'APPROVED' ? SYSTEM_ACTOR : null,
      };
      await tx.reviews.insert(review);
      await tx.reviews.audit({
        reviewId: review.id,
        action: status,
        actor: SYSTEM_ACTOR,
        note: '',
        reasons,
        at: now,
      });
      await afterStatusChange(tx, null, review, now);
      return review;
    });
  }

  /** A helpful vote: once per account, on approved reviews of others. */
  async voteHelpful(
    ctx: RequestContext,
    reviewId: string,
    accountId: string,
  ): Promise<{ helpfulVotes: number; counted: boolean }> {
    return this.uow.run(ctx, async (tx) => {
      const r = await tx.reviews.find(reviewId);
      if (!r || r.status !== 'APPROVED') throw notFound();
      if (r.accountId === accountId)
        throw new ReviewError(
          'FAILED_PRECONDITION',
          'OWN_REVIEW',
          'one cannot vote for one’s own review',
        );
      const counted = await tx.reviews.addVote(reviewId, accountId, this.clock.now());
      const after = await tx.reviews.find(reviewId);
      return { helpfulVotes: after!.helpfulVotes, counted };
    });
  }

  /** Approved reviews of a product with their approved follow-ups. */
  async listProduct(
    ctx: RequestContext,
    filter: ProductFilter,
    page: Page<HelpfulCursor>,
  ): Promise<ReviewView[]> {
    return this.uow.run(ctx, async (tx) => {
      return withFollowUps(tx, await tx.reviews.listApproved(filter, page), true);
    });
  }

  /** The caller's reviews, whatever their status, each with its follow-up. */
  listMine(
    ctx: RequestContext,
    accountId: string,
    page: Page<RecentCursor>,
  ): Promise<ReviewView[]> {
    return this.uow.run(ctx, async (tx) =>
      withFollowUps(tx, await tx.reviews.listByAccount(accountId, page), false),
    );
  }

  async summary(ctx: RequestContext, productId: string): Promise<RatingSummary> {
    const stored = await this.uow.run(ctx, (tx) => tx.summaries.find(productId));
    return stored?.summary ?? emptySummary(productId);
  }

  /**
   * Lines of the caller's newest delivered orders (REVIEW_REVIEWABLE_ORDERS of them), inside the
   * review window and not reviewed yet, most recently delivered first.
   */
  async reviewable(ctx: RequestContext, accountId: string): Promise<ReviewableLine[]> {
    const ids = await this.orders.deliveredOrderIds(ctx, accountId, this.settings.reviewableOrders);
    const now = this.clock.now();
    const orders = await Promise.all(ids.map((id) => this.orders.order(ctx, accountId, id)));
    const lines = orders.flatMap((o) => deliveredLines(o, now, this.settings.windowDays));
    const done = await this.uow.run(ctx, (tx) => tx.reviews.reviewedLines(accountId, ids));
    return lines
      .filter((l) => !done.has(`${l.orderId}/${l.skuId}`))
      .sort((a, b) => b.deliveredAt.getTime() - a.deliveredAt.getTime());
  }
}

async function withFollowUps(
  tx: ReviewTx,
  reviews: Review[],
  approvedOnly: boolean,
): Promise<ReviewView[]> {
  const followUps = await tx.reviews.followUps(
    reviews.map((r) => r.id),
    approvedOnly,
  );
  return reviews.map((review) => ({
    review,
    followUp: followUps.find((f) => f.followsReviewId === review.id) ?? null,
  }));
}
