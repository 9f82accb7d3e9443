import type { RequestContext } from '@emporia/platform';
import type { OrderFacts } from '../domain/delivered-line';
import type { RatingSummary } from '../domain/rating-summary';
import type { ModerationEntry, Review, ReviewStatus } from '../domain/review';

export const UNIT_OF_WORK = Symbol('UNIT_OF_WORK');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const ORDERS = Symbol('ORDERS');
export const ACCOUNTS = Symbol('ACCOUNTS');
export const RISK = Symbol('RISK');
export const REVIEW_SETTINGS = Symbol('REVIEW_SETTINGS');

export type { Clock, IdGenerator } from '@emporia/domain';

export interface ReviewSettings {
  windowDays: number;
  followUpMinHours: number;
  /** How many of the account's newest orders ListReviewable looks at. */
  reviewableOrders: number;
}

/** The order service: only the caller's orders are answered (another's is ORDER_NOT_FOUND). */
export interface OrdersPort {
  /** The order with its lines, address and shipments; NOT_FOUND ORDER_NOT_FOUND, UNAVAILABLE ORDER_UNAVAILABLE. */
  order(ctx: RequestContext, accountId: string, orderId: string): Promise<OrderFacts>;
  /** The ids of the account's newest orders that are DELIVERED or COMPLETED (at most `max` looked at). */
  deliveredOrderIds(ctx: RequestContext, accountId: string, max: number): Promise<string[]>;
}

export interface AuthorFacts {
  name: string;
  locale: string;
  createdAt: Date | null;
}

/** The user service: the author's name and account age (null when it does not answer). */
export interface AccountsPort {
  author(ctx: RequestContext, accountId: string): Promise<AuthorFacts | null>;
}

export interface ReviewRiskInput {
  reviewId: string;
  accountId: string;
  deviceId: string;
  ip: string;
  addressFingerprint: string;
  productId: string;
  deliveredAt: Date | null;
  accountCreatedAt: Date | null;
  rating: number;
  photoCount: number;
}

/** Risk's brushing checks: ALLOW, or reasons to hold (RISK_UNAVAILABLE when it did not answer). */
export interface RiskPort {
  scoreReview(
    ctx: RequestContext,
    input: ReviewRiskInput,
  ): Promise<{ allow: boolean; reasons: string[] }>;
}

export interface Page<C> {
  limit: number;
  after: C | null;
}

export interface RecentCursor {
  createdAt: string;
  id: string;
}

/** A position in a product's listing: `votes` is set when it is sorted by helpfulness. */
export interface HelpfulCursor extends RecentCursor {
  votes?: number;
}

export interface ProductFilter {
  productId: string;
  sort: 'recent' | 'helpful';
  withPhotos: boolean;
  /** 0: any rating. */
  rating: number;
}

export interface ReviewRepository {
  /** Inserts a review; ALREADY_EXISTS REVIEW_EXISTS / FOLLOW_UP_EXISTS when its key is taken. */
  insert(r: Review): Promise<void>;
  find(id: string, forUpdate?: boolean): Promise<Review | null>;
  findReview(accountId: string, orderId: string, skuId: string): Promise<Review | null>;
  followUpOf(reviewId: string): Promise<Review | null>;
  /** The follow-ups of these reviews (only approved ones when `approvedOnly`). */
  followUps(reviewIds: string[], approvedOnly: boolean): Promise<Review[]>;
  save(r: Review): Promise<void>;
  audit(e: ModerationEntry): Promise<void>;
  auditTrail(reviewId: string): Promise<ModerationEntry[]>;
  /** Approved reviews (not follow-ups) of a product, in the filter's order, after the cursor. */
  listApproved(f: ProductFilter, page: Page<HelpfulCursor>): Promise<Review[]>;
  /** Reviews and follow-ups with this status, oldest first. */
  listByStatus(status: ReviewStatus, page: Page<RecentCursor>): Promise<Review[]>;
  /** The account's reviews (not follow-ups), newest first. */
  listByAccount(accountId: string, page: Page<RecentCursor>): Promise<Review[]>;
  /** `orderId/skuId` of the account's reviews of these orders. */
  reviewedLines(accountId: string, orderIds: string[]): Promise<Set<string>>;
  /** Records a helpful vote and counts it; false (nothing changed) when the account had voted. */
  addVote(reviewId: string, accountId: string, at: Date): Promise<boolean>;
}

export interface StoredSummary {
  summary: RatingSummary;
  version: number;
}

export interface SummaryRepository {
  /** The stored summary, locked for this transaction (created at version 0 when absent). */
  lock(productId: string): Promise<StoredSummary>;
  /** The summary of the product's approved reviews, as the database holds them now. */
  compute(productId: string): Promise<RatingSummary>;
  save(s: StoredSummary, at: Date): Promise<void>;
  find(productId: string): Promise<StoredSummary | null>;
}

export interface BannedWordList {
  words: string[];
  updatedAt: Date | null;
  updatedBy: string;
}

export interface BannedWordRepository {
  get(): Promise<BannedWordList>;
  set(list: BannedWordList): Promise<void>;
}

/** Events of this transaction, written to the outbox with the change. */
export interface ReviewEvents {
  approved(r: Review, at: Date): void;
  rejected(r: Review, at: Date): void;
  ratingChanged(s: StoredSummary, at: Date): void;
}

export interface ReviewTx {
  reviews: ReviewRepository;
  summaries: SummaryRepository;
  bannedWords: BannedWordRepository;
  events: ReviewEvents;
}

export interface UnitOfWork {
  run<T>(ctx: RequestContext, work: (tx: ReviewTx) => Promise<T>): Promise<T>;
}
