import { validatePhotoUrls } from './photo-url';
import { invalid, ReviewError } from './review-error';

export type ReviewStatus = 'HELD' | 'APPROVED' | 'REJECTED';
export type Decision = 'APPROVE' | 'REJECT';

export const MAX_TEXT = 2000;
export const MAX_REPLY = 1000;
export const MAX_NOTE = 500;

export interface MerchantReply {
  text: string;
  repliedBy: string;
  repliedAt: Date;
}

/** One entry of a review's moderation trail: who did what, when, and why. */
export interface ModerationEntry {
  reviewId: string;
  action: 'SUBMITTED' | 'APPROVED' | 'HELD' | 'REJECTED' | 'REPLIED';
  /** An operator's id, or `system` for automatic decisions. */
  actor: string;
  note: string;
  reasons: string[];
  at: Date;
}

/** A review, or (followsReviewId set, rating 0) the one follow-up of a review. */
export interface Review {
  id: string;
  productId: string;
  skuId: string;
  orderId: string;
  accountId: string;
  /** The masked name (or 匿名用户 / Anonymous), fixed when the review is written. */
  authorName: string;
  anonymous: boolean;
  rating: number;
  text: string;
  photoUrls: string[];
  status: ReviewStatus;
  reasons: string[];
  helpfulVotes: number;
  reply: MerchantReply | null;
  followsReviewId: string | null;
  /** Kept for the follow-up's risk check: the order's address fingerprint and the delivery. */
  addressFingerprint: string;
  deliveredAt: Date | null;
  createdAt: Date;
  moderatedAt: Date | null;
  moderatedBy: string | null;
}

export const SYSTEM_ACTOR = 'system';

export function validateRating(rating: number): number {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5)
    throw invalid('RATING_INVALID', 'rating is a whole number from 1 to 5', 'rating');
  return rating;
}

/**
 * A review's or follow-up's text: trimmed, at most 2000 code points, and not blank unless the
 * review has photos (a photo says something; a bare star rating does not, so it is refused).
 */
export function validateText(text: string, photoCount: number, field = 'text'): string {
  const t = (text ?? '').trim();
  if ([...t].length > MAX_TEXT)
    throw invalid('TEXT_INVALID', `${field} has at most ${MAX_TEXT} characters`, field);
  if (!t && photoCount === 0)
    throw invalid('TEXT_INVALID', `${field} is required unless photos are attached`, field);
  return t;
}

/** What a customer writes, checked: the rating (none on a follow-up), the text and the photos. */
export function validateContent(input: {
  rating?: number;
  text: string;
  photoUrls: readonly string[];
}): { rating: number; text: string; photoUrls: string[] } {
  const rating = input.rating === undefined ? 0 : validateRating(input.rating);
  const photoUrls = validatePhotoUrls(input.photoUrls);
  return { rating, text: validateText(input.text, photoUrls.length), photoUrls };
}

const ANONYMOUS_ZH = '匿名用户';
const ANONYMOUS_EN = 'Anonymous';

/**
 * The name the public sees: the first character kept and the rest masked (张三丰 → 张**,
 * John → J***, a one-character name → 张*); anonymous (or nameless) authors are 匿名用户, or
 * Anonymous when the author's locale is not Chinese.
 */
export function displayName(name: string, anonymous: boolean, locale = ''): string {
  const chars = [...(name ?? '').trim()];
  if (anonymous || chars.length === 0)
    return locale && !locale.toLowerCase().startsWith('zh') ? ANONYMOUS_EN : ANONYMOUS_ZH;
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** Approved at once when risk allowed it and no banned word was found; held otherwise. */
export function initialStatus(reasons: readonly string[]): ReviewStatus {
  return reasons.length === 0 ? 'APPROVED' : 'HELD';
}

/**
 * An operator's decision. HELD → APPROVED or REJECTED; an APPROVED review may be taken down
 * (REJECTED); the same decision again changes nothing (null); a REJECTED review stays rejected.
 */
export function moderate(
  review: Review,
  decision: Decision,
  operatorId: string,
  note: string,
  at: Date,
): Review | null {
  const target: ReviewStatus = decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
  if (review.status === target) return null;
  if (review.status === 'REJECTED')
    throw new ReviewError(
      'FAILED_PRECONDITION',
      'REVIEW_REJECTED',
      'a rejected review cannot be approved',
    );
  const reasons =
    target === 'REJECTED' && note ? [...review.reasons, `OPERATOR:${note}`] : review.reasons;
  return { ...review, status: target, reasons, moderatedAt: at, moderatedBy: operatorId };
}

export function validateDecision(decision: string): Decision {
  if (decision !== 'APPROVE' && decision !== 'REJECT')
    throw invalid('DECISION_INVALID', 'decision is APPROVE or REJECT', 'decision');
  return decision;
}

export function validateNote(note: string): string {
  const n = (note ?? '').trim();
  if ([...n].length > MAX_NOTE)
    throw invalid('NOTE_INVALID', `note has at most ${MAX_NOTE} characters`, 'note');
  return n;
}

export function validateReply(text: string): string {
  const t = (text ?? '').trim();
  if (!t || [...t].length > MAX_REPLY)
    throw invalid('TEXT_INVALID', `a reply is 1..${MAX_REPLY} characters`, 'text');
  return t;
}

/**
 * Whether `accountId` may write the follow-up of `review` at `now`: their own review (else
 * REVIEW_NOT_FOUND), itself not a follow-up, not rejected, and at least `minHours` old.
 */
export function checkFollowUp(review: Review, accountId: string, now: Date, minHours: number) {
  if (review.accountId !== accountId)
    throw new ReviewError('NOT_FOUND', 'REVIEW_NOT_FOUND', 'no such review of yours');
  if (review.followsReviewId)
    throw new ReviewError(
      'FAILED_PRECONDITION',
      'REVIEW_IS_FOLLOW_UP',
      'a follow-up cannot be followed up',
    );
  if (review.status === 'REJECTED')
    throw new ReviewError(
      'FAILED_PRECONDITION',
      'REVIEW_REJECTED',
      'a rejected review cannot be followed up',
    );
  const earliest = review.createdAt.getTime() + minHours * 3_600_000;
  if (now.getTime() < earliest)
    throw new ReviewError(
      'FAILED_PRECONDITION',
      'FOLLOW_UP_TOO_EARLY',
      `a follow-up can be written from ${new Date(earliest).toISOString()}`,
      { earliest: new Date(earliest).toISOString() },
    );
}
