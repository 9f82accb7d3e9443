import { FakeUnitOfWork } from '@emporia/domain/testing';
import type {
  AccountsPort,
  AuthorFacts,
  BannedWordList,
  BannedWordRepository,
  HelpfulCursor,
  OrdersPort,
  Page,
  ProductFilter,
  RecentCursor,
  ReviewEvents,
  ReviewRepository,
  ReviewRiskInput,
  ReviewTx,
  RiskPort,
  StoredSummary,
  SummaryRepository,
  UnitOfWork,
} from '../application/ports';
import type { OrderFacts } from '../domain/delivered-line';
import { emptySummary, summarise } from '../domain/rating-summary';
import type { ModerationEntry, Review, ReviewStatus } from '../domain/review';
import { ReviewError } from '../domain/review-error';

/**
 * In-memory ports of the review service for fast use-case tests: a unit of work that rolls every
 * table back on a throw (and drops its events), repositories keeping the SQL adapters' rules
 * (the unique keys raise the same ALREADY_EXISTS codes, list orders follow the SQL ORDER BY),
 * and order, user and risk as tables a test fills.
 */

export type RecordedEvent =
  | { type: 'ReviewApproved'; reviewId: string; followUp: boolean; photoCount: number }
  | { type: 'ReviewRejected'; reviewId: string; reasons: string[] }
  | {
      type: 'ProductRatingChanged';
      productId: string;
      version: number;
      summary: StoredSummary['summary'];
    };

class RecordingEvents implements ReviewEvents {
  readonly rows: RecordedEvent[] = [];
  approved(r: Review) {
    this.rows.push({
      type: 'ReviewApproved',
      reviewId: r.id,
      followUp: r.followsReviewId !== null,
      photoCount: r.photoUrls.length,
    });
  }
  rejected(r: Review) {
    this.rows.push({ type: 'ReviewRejected', reviewId: r.id, reasons: r.reasons });
  }
  ratingChanged(s: StoredSummary) {
    this.rows.push({
      type: 'ProductRatingChanged',
      productId: s.summary.productId,
      version: s.version,
      summary: s.summary,
    });
  }
}

export class InMemoryReviewStore {
  reviews = new Map<string, Review>();
  votes = new Set<string>();
  audit: ModerationEntry[] = [];
  summaries = new Map<string, StoredSummary>();
  banned = new Map<'list', BannedWordList>();
  outbox: RecordedEvent[] = [];
}

const t = (d: Date) => d.getTime();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const newestFirst = (a: Review, b: Review) => t(b.createdAt) - t(a.createdAt) || cmp(b.id, a.id);
const oldestFirst = (a: Review, b: Review) => -newestFirst(a, b);
const afterRecent = (r: Review, c: RecentCursor | null) =>
  !c ||
  t(r.createdAt) < Date.parse(c.createdAt) ||
  (t(r.createdAt) === Date.parse(c.createdAt) && r.id < c.id);

class MemReviews implements ReviewRepository {
  constructor(private readonly s: InMemoryReviewStore) {}
  async insert(r: Review) {
    const all = [...this.s.reviews.values()];
    if (
      !r.followsReviewId &&
      all.some(
        (x) =>
          !x.followsReviewId &&
          x.accountId === r.accountId &&
          x.orderId === r.orderId &&
          x.skuId === r.skuId,
      )
    )
      throw new ReviewError('ALREADY_EXISTS', 'REVIEW_EXISTS', 'already reviewed');
    if (r.followsReviewId && all.some((x) => x.followsReviewId === r.followsReviewId))
      throw new ReviewError('ALREADY_EXISTS', 'FOLLOW_UP_EXISTS', 'already followed up');
    this.s.reviews = new Map(this.s.reviews).set(r.id, r);
  }
  find = async (id: string) => this.s.reviews.get(id) ?? null;
  findReview = async (accountId: string, orderId: string, skuId: string) =>
    [...this.s.reviews.values()].find(
      (x) =>
        !x.followsReviewId &&
        x.accountId === accountId &&
        x.orderId === orderId &&
        x.skuId === skuId,
    ) ?? null;
  followUpOf = async (id: string) =>
    [...this.s.reviews.values()].find((x) => x.followsReviewId === id) ?? null;
  followUps = async (ids: string[], approvedOnly: boolean) =>
    [...this.s.reviews.values()].filter(
      (x) =>
        x.followsReviewId &&
        ids.includes(x.followsReviewId) &&
        (!approvedOnly || x.status === 'APPROVED'),
    );
  async save(r: Review) {
    this.s.reviews = new Map(this.s.reviews).set(r.id, r);
  }
  async audit(e: ModerationEntry) {
    this.s.audit = [...this.s.audit, e];
  }
  auditTrail = async (id: string) => this.s.audit.filter((e) => e.reviewId === id);
  async listApproved(f: ProductFilter, page: Page<HelpfulCursor>) {
    const c = page.after;
    const byVotes = (a: Review, b: Review) => b.helpfulVotes - a.helpfulVotes || newestFirst(a, b);
    return [...this.s.reviews.values()]
      .filter(
        (r) =>
          r.productId === f.productId &&
          r.status === 'APPROVED' &&
          !r.followsReviewId &&
          (!f.withPhotos || r.photoUrls.length > 0) &&
          (!f.rating || r.rating === f.rating),
      )
      .filter((r) =>
        f.sort === 'helpful'
          ? !c ||
            r.helpfulVotes < (c.votes ?? 0) ||
            (r.helpfulVotes === (c.votes ?? 0) && afterRecent(r, c))
          : afterRecent(r, c),
      )
      .sort(f.sort === 'helpful' ? byVotes : newestFirst)
      .slice(0, page.limit);
  }
  async listByStatus(status: ReviewStatus, page: Page<RecentCursor>) {
    const c = page.after;
    return [...this.s.reviews.values()]
      .filter((r) => r.status === status)
      .filter(
        (r) =>
          !c ||
          t(r.createdAt) > Date.parse(c.createdAt) ||
          (t(r.createdAt) === Date.parse(c.createdAt) && r.id > c.id),
      )
      .sort(oldestFirst)
      .slice(0, page.limit);
  }
  async listByAccount(accountId: string, page: Page<RecentCursor>) {
    return [...this.s.reviews.values()]
      .filter((r) => r.accountId === accountId && !r.followsReviewId && afterRecent(r, page.after))
      .sort(newestFirst)
      .slice(0, page.limit);
  }
  async reviewedLines(accountId: string, orderIds: string[]) {
    return new Set(
      [...this.s.reviews.values()]
        .filter((r) => r.accountId === accountId && orderIds.includes(r.orderId))
        .map((r) => `${r.orderId}/${r.skuId}`),
    );
  }
  async addVote(reviewId: string, accountId: string) {
    const key = `${reviewId}/${accountId}`;
    if (this.s.votes.has(key)) return false;
    this.s.votes = new Set(this.s.votes).add(key);
    const r = this.s.reviews.get(reviewId)!;
    await this.save({ ...r, helpfulVotes: r.helpfulVotes + 1 });
    return true;
  }
}

class MemSummaries implements SummaryRepository {
  constructor(private readonly s: InMemoryReviewStore) {}
  async lock(productId: string) {
    return this.s.summaries.get(productId) ?? { summary: emptySummary(productId), version: 0 };
  }
  async compute(productId: string) {
    return summarise(
      productId,
      [...this.s.reviews.values()]
        .filter((r) => r.productId === productId && r.status === 'APPROVED' && !r.followsReviewId)
        .map((r) => ({ rating: r.rating, photoCount: r.photoUrls.length })),
    );
  }
  async save(s: StoredSummary) {
    this.s.summaries = new Map(this.s.summaries).set(s.summary.productId, s);
  }
  find = async (productId: string) => this.s.summaries.get(productId) ?? null;
}

class MemBannedWords implements BannedWordRepository {
  constructor(private readonly s: InMemoryReviewStore) {}
  get = async () => this.s.banned.get('list') ?? { words: [], updatedAt: null, updatedBy: '' };
  async set(list: BannedWordList) {
    this.s.banned = new Map(this.s.banned).set('list', list);
  }
}

export class InMemoryUnitOfWork
  extends FakeUnitOfWork<ReviewTx, RecordedEvent, InMemoryReviewStore>
  implements UnitOfWork
{
  protected begin() {
    const events = new RecordingEvents();
    return {
      tx: {
        reviews: new MemReviews(this.store),
        summaries: new MemSummaries(this.store),
        bannedWords: new MemBannedWords(this.store),
        events,
      },
      recorded: events,
    };
  }
}

/** Orders as order answers them: only the owner's; `down` makes every call UNAVAILABLE. */
export class InMemoryOrders implements OrdersPort {
  readonly orders = new Map<string, OrderFacts & { accountId: string }>();
  down = false;
  calls = 0;
  private check() {
    this.calls++;
    if (this.down)
      throw new ReviewError('UNAVAILABLE', 'ORDER_UNAVAILABLE', 'order did not answer');
  }
  async order(_ctx: unknown, accountId: string, orderId: string) {
    this.check();
    const o = this.orders.get(orderId);
    if (!o || o.accountId !== accountId)
      throw new ReviewError('NOT_FOUND', 'ORDER_NOT_FOUND', 'no such order of yours');
    return o;
  }
  async deliveredOrderIds(_ctx: unknown, accountId: string, max: number) {
    this.check();
    return [...this.orders.values()]
      .filter((o) => o.accountId === accountId)
      .slice(0, max)
      .filter((o) => o.status === 'DELIVERED' || o.status === 'COMPLETED')
      .map((o) => o.orderId);
  }
}

export class InMemoryAccounts implements AccountsPort {
  readonly authors = new Map<string, AuthorFacts>();
  async author(_ctx: unknown, accountId: string) {
    return this.authors.get(accountId) ?? null;
  }
}

/** Risk's answers: ALLOW unless a test says otherwise; the inputs it saw are kept. */
export class InMemoryRisk implements RiskPort {
  verdict: { allow: boolean; reasons: string[] } = { allow: true, reasons: [] };
  readonly seen: ReviewRiskInput[] = [];
  async scoreReview(_ctx: unknown, input: ReviewRiskInput) {
    this.seen.push(input);
    return this.verdict;
  }
}
