import { summaryChanged } from '../domain/rating-summary';
import type { Review } from '../domain/review';
import type { ReviewTx, StoredSummary } from './ports';

/**
 * Recomputes a product's summary from its approved reviews in the current transaction, after
 * the summary row is locked (so concurrent changes of one product are counted one after the
 * other); a changed summary gets the next version and a ProductRatingChanged event.
 */
export async function refreshSummary(
  tx: ReviewTx,
  productId: string,
  at: Date,
): Promise<StoredSummary> {
  const stored = await tx.summaries.lock(productId);
  const summary = await tx.summaries.compute(productId);
  if (!summaryChanged(stored.summary, summary)) return stored;
  const next = { summary, version: stored.version + 1 };
  await tx.summaries.save(next, at);
  tx.events.ratingChanged(next, at);
  return next;
}

/**
 * The events and the summary that follow a review's status change (in its transaction):
 * ReviewApproved on every move to APPROVED, ReviewRejected on a rejection, and the product's
 * summary whenever an approved review (not a follow-up) comes or goes.
 */
export async function afterStatusChange(
  tx: ReviewTx,
  before: Review['status'] | null,
  after: Review,
  at: Date,
): Promise<void> {
  if (before === after.status) return;
  if (after.status === 'APPROVED') tx.events.approved(after, at);
  if (after.status === 'REJECTED') tx.events.rejected(after, at);
  if (!after.followsReviewId && (before === 'APPROVED' || after.status === 'APPROVED'))
    await refreshSummary(tx, after.productId, at);
}
