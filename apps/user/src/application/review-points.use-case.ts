import { Inject, Injectable } from '@nestjs/common';
import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import { earn } from '../domain/points-ledger';
import { changePoints } from './membership-rules';
import {
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  POINTS_SETTINGS,
  type PointsSettings,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

/** The inbox name of review events (its own, apart from order events' `user.membership`). */
export const REVIEW_POINTS_CONSUMER = 'user.review-points';

export interface ReviewApprovedFacts {
  reviewId: string;
  accountId: string;
  photoCount: number;
  followUp: boolean;
}

/** What an approval did: points granted, already granted, not eligible, or no account to grant. */
export type ReviewPointsOutcome =
  'GRANTED' | 'ALREADY_GRANTED' | 'NOT_ELIGIBLE' | 'DISABLED' | 'NO_ACCOUNT' | 'DUPLICATE_EVENT';

/** The ledger reference of a review's points: one lot per review id, ever. */
export const reviewPointsRef = (reviewId: string) => `review:${reviewId}`;

/**
 * Points for an approved review with photos (issue 17): `reviewPhotoPoints` (0 disables) for a
 * first review (not a follow-up) with at least one photo, earned once per review id. Twice
 * safe: the inbox drops a redelivered event, and the ledger's lot reference `review:<id>` is
 * unique per account, so the same review approved again (a new event after a take-down) earns
 * nothing more. An unknown or erased account is skipped.
 */
@Injectable()
export class ReviewPointsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(POINTS_SETTINGS) private readonly points: PointsSettings,
  ) {}

  async onReviewApproved(
    ctx: RequestContext,
    event: ReceivedEvent,
    facts: ReviewApprovedFacts,
  ): Promise<ReviewPointsOutcome> {
    let outcome: ReviewPointsOutcome = 'DUPLICATE_EVENT';
    await this.uow.runForEvent(ctx, REVIEW_POINTS_CONSUMER, event, async (tx) => {
      if (facts.photoCount <= 0 || facts.followUp) {
        outcome = 'NOT_ELIGIBLE';
        return;
      }
      const points = this.points.reviewPhotoPoints;
      if (points <= 0) {
        outcome = 'DISABLED';
        return;
      }
      const account = await tx.accounts.findById(facts.accountId);
      if (!account || account.status === 'DELETED') {
        outcome = 'NO_ACCOUNT';
        return;
      }
      const now = this.clock.now();
      await tx.membership.lockMembership(facts.accountId, now);
      const ref = reviewPointsRef(facts.reviewId);
      const r = await changePoints(tx, facts.accountId, [ref], (acc) =>
        earn(acc, {
          lotId: this.ids.newId(),
          ref,
          points,
          now,
          expiresAt: new Date(now.getTime() + this.points.ttlMs),
        }),
      );
      outcome = r.entries.some((e) => e.type === 'EARN') ? 'GRANTED' : 'ALREADY_GRANTED';
    });
    return outcome;
  }
}
