import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { validateBannedWords } from '../domain/banned-words';
import {
  moderate,
  validateDecision,
  validateNote,
  validateReply,
  type ModerationEntry,
  type Review,
  type ReviewStatus,
} from '../domain/review';
import { ReviewError } from '../domain/review-error';
import {
  CLOCK,
  UNIT_OF_WORK,
  type BannedWordList,
  type Clock,
  type Page,
  type RecentCursor,
  type UnitOfWork,
} from './ports';
import { afterStatusChange } from './rating';

const notFound = () => new ReviewError('NOT_FOUND', 'REVIEW_NOT_FOUND', 'no such review');

/** What operators do: the moderation queue, decisions, merchant replies, the banned words. */
@Injectable()
export class ModerationUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  queue(ctx: RequestContext, status: ReviewStatus, page: Page<RecentCursor>): Promise<Review[]> {
    return this.uow.run(ctx, (tx) => tx.reviews.listByStatus(status, page));
  }

  /**
   * APPROVE or REJECT a review (HELD → either; APPROVED → REJECTED takes it down), with the
   * operator and note in its trail; the events and the product's summary follow in the same
   * transaction. The same decision twice changes nothing.
   */
  async decide(
    ctx: RequestContext,
    input: { reviewId: string; operatorId: string; decision: string; note: string },
  ): Promise<Review> {
    const decision = validateDecision(input.decision);
    const note = validateNote(input.note);
    return this.uow.run(ctx, async (tx) => {
      const before = await tx.reviews.find(input.reviewId, true);
      if (!before) throw notFound();
      const now = this.clock.now();
      const after = moderate(before, decision, input.operatorId, note, now);
      if (!after) return before;
      await tx.reviews.save(after);
      await tx.reviews.audit({
        reviewId: after.id,
        action: after.status as ModerationEntry['action'],
        actor: input.operatorId,
        note,
        reasons: after.reasons,
        at: now,
      });
      await afterStatusChange(tx, before.status, after, now);
      return after;
    });
  }

  /** The merchant's reply (one per review: a second replaces the first). */
  async reply(
    ctx: RequestContext,
    input: { reviewId: string; operatorId: string; text: string },
  ): Promise<Review> {
    const text = validateReply(input.text);
    return this.uow.run(ctx, async (tx) => {
      const r = await tx.reviews.find(input.reviewId, true);
      if (!r) throw notFound();
      const now = this.clock.now();
      const replied: Review = {
        ...r,
        reply: { text, repliedBy: input.operatorId, repliedAt: now },
      };
      await tx.reviews.save(replied);
      await tx.reviews.audit({
        reviewId: r.id,
        action: 'REPLIED',
        actor: input.operatorId,
        note: text,
        reasons: [],
        at: now,
      });
      return replied;
    });
  }

  auditTrail(ctx: RequestContext, reviewId: string): Promise<ModerationEntry[]> {
    return this.uow.run(ctx, (tx) => tx.reviews.auditTrail(reviewId));
  }

  async setBannedWords(
    ctx: RequestContext,
    words: string[],
    operatorId: string,
  ): Promise<BannedWordList> {
    const list = {
      words: validateBannedWords(words),
      updatedAt: this.clock.now(),
      updatedBy: operatorId,
    };
    await this.uow.run(ctx, (tx) => tx.bannedWords.set(list));
    return list;
  }

  bannedWords(ctx: RequestContext): Promise<BannedWordList> {
    return this.uow.run(ctx, (tx) => tx.bannedWords.get());
  }
}
