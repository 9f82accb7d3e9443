import type { EntityManager } from 'typeorm';
import { isUniqueViolation, Sql } from '@emporia/persistence';
import type {
  BannedWordList,
  BannedWordRepository,
  HelpfulCursor,
  Page,
  ProductFilter,
  RecentCursor,
  ReviewRepository,
  StoredSummary,
  SummaryRepository,
} from '../application/ports';
import { averageOf, emptySummary, type RatingSummary } from '../domain/rating-summary';
import type { ModerationEntry, Review, ReviewStatus } from '../domain/review';
import { ReviewError } from '../domain/review-error';

interface ReviewRow {
  id: string;
  product_id: string;
  sku_id: string;
  order_id: string;
  account_id: string;
  author_name: string;
  anonymous: boolean;
  rating: number;
  text: string;
  photo_urls: string[];
  status: ReviewStatus;
  reasons: string[];
  helpful_votes: number;
  reply_text: string | null;
  reply_by: string | null;
  reply_at: Date | null;
  follows_review_id: string | null;
  address_fingerprint: string;
  delivered_at: Date | null;
  created_at: Date;
  moderated_at: Date | null;
  moderated_by: string | null;
}

const toReview = (r: ReviewRow): Review => ({
  id: r.id,
  productId: r.product_id,
  skuId: r.sku_id,
  orderId: r.order_id,
  accountId: r.account_id,
  authorName: r.author_name,
  anonymous: r.anonymous,
  rating: r.rating,
  text: r.text,
  photoUrls: r.photo_urls,
  status: r.status,
  reasons: r.reasons,
  helpfulVotes: r.helpful_votes,
  reply:
    r.reply_text !== null
      ? { text: r.reply_text, repliedBy: r.reply_by ?? '', repliedAt: r.reply_at ?? r.created_at }
      : null,
  followsReviewId: r.follows_review_id,
  addressFingerprint: r.address_fingerprint,
  deliveredAt: r.delivered_at,
  createdAt: r.created_at,
  moderatedAt: r.moderated_at,
  moderatedBy: r.moderated_by,
});

interface LogRow {
  review_id: string;
  action: ModerationEntry['action'];
  actor: string;
  note: string;
  reasons: string[];
  at: Date;
}

export class SqlReviewRepository implements ReviewRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async insert(r: Review): Promise<void> {
    try {
      await this.sql.run(
        `INSERT INTO reviews (id, product_id, sku_id, order_id, account_id, author_name, anonymous,
           rating, text, photo_urls, status, reasons, helpful_votes, reply_text, reply_by, reply_at,
           follows_review_id, address_fingerprint, delivered_at, created_at, moderated_at, moderated_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)`,
        [
          r.id,
          r.productId,
          r.skuId,
          r.orderId,
          r.accountId,
          r.authorName,
          r.anonymous,
          r.rating,
          r.text,
          r.photoUrls,
          r.status,
          r.reasons,
          r.helpfulVotes,
          r.reply?.text ?? null,
          r.reply?.repliedBy ?? null,
          r.reply?.repliedAt ?? null,
          r.followsReviewId,
          r.addressFingerprint,
          r.deliveredAt,
          r.createdAt,
          r.moderatedAt,
          r.moderatedBy,
        ],
      );
    } catch (e) {
      if (isUniqueViolation(e, 'reviews_once_uq'))
        throw new ReviewError('ALREADY_EXISTS', 'REVIEW_EXISTS', 'this line is already reviewed');
      if (isUniqueViolation(e, 'reviews_follow_up_uq'))
        throw new ReviewError(
          'ALREADY_EXISTS',
          'FOLLOW_UP_EXISTS',
          'this review has its follow-up',
        );
      throw e;
    }
  }

  async find(id: string, forUpdate = false): Promise<Review | null> {
    const r = await this.sql.one<ReviewRow>(
      `SELECT * FROM reviews WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r ? toReview(r) : null;
  }

  async findReview(accountId: string, orderId: string, skuId: string): Promise<Review | null> {
    const r = await this.sql.one<ReviewRow>(
      `SELECT * FROM reviews WHERE account_id = $1 AND order_id = $2 AND sku_id = $3
         AND follows_review_id IS NULL`,
      [accountId, orderId, skuId],
    );
    return r ? toReview(r) : null;
  }

  async followUpOf(reviewId: string): Promise<Review | null> {
    const r = await this.sql.one<ReviewRow>(`SELECT * FROM reviews WHERE follows_review_id = $1`, [
      reviewId,
    ]);
    return r ? toReview(r) : null;
  }

  async followUps(reviewIds: string[], approvedOnly: boolean): Promise<Review[]> {
    if (reviewIds.length === 0) return [];
    const rows = await this.sql.rows<ReviewRow>(
      `SELECT * FROM reviews WHERE follows_review_id = ANY($1::uuid[])${
        approvedOnly ? ` AND status = 'APPROVED'` : ''
      }`,
      [reviewIds],
    );
    return rows.map(toReview);
  }

  async save(r: Review): Promise<void> {
    await this.sql.run(
      `UPDATE reviews SET status = $2, reasons = $3, reply_text = $4, reply_by = $5, reply_at = $6,
         moderated_at = $7, moderated_by = $8 WHERE id = $1`,
      [
        r.id,
        r.status,
        r.reasons,
        r.reply?.text ?? null,
        r.reply?.repliedBy ?? null,
        r.reply?.repliedAt ?? null,
        r.moderatedAt,
        r.moderatedBy,
      ],
    );
  }

  async audit(e: ModerationEntry): Promise<void> {
    await this.sql.run(
      `INSERT INTO review_moderation_log (review_id, action, actor, note, reasons, at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [e.reviewId, e.action, e.actor, e.note, e.reasons, e.at],
    );
  }

  async auditTrail(reviewId: string): Promise<ModerationEntry[]> {
    const rows = await this.sql.rows<LogRow>(
      `SELECT review_id, action, actor, note, reasons, at FROM review_moderation_log
        WHERE review_id = $1 ORDER BY id`,
      [reviewId],
    );
    return rows.map((r) => ({
      reviewId: r.review_id,
      action: r.action,
      actor: r.actor,
      note: r.note,
      reasons: r.reasons,
      at: r.at,
    }));
  }

  async listApproved(f: ProductFilter, page: Page<HelpfulCursor>): Promise<Review[]> {
    const params: unknown[] = [f.productId, page.limit];
    const where = [`product_id = $1`, `status = 'APPROVED'`, `follows_review_id IS NULL`];
    if (f.withPhotos) where.push(`cardinality(photo_urls) > 0`);
    if (f.rating) where.push(`rating = $${params.push(f.rating)}`);
    const c = page.after;
    if (c) {
      const at = `$${params.push(new Date(c.createdAt))}`;
      const id = `$${params.push(c.id)}`;
      where.push(
        f.sort === 'helpful'
          ? `(helpful_votes, created_at, id) < ($${params.push(c.votes ?? 0)}, ${at}, ${id})`
          : `(created_at, id) < (${at}, ${id})`,
      );
    }
    const order =
      f.sort === 'helpful'
        ? 'helpful_votes DESC, created_at DESC, id DESC'
        : 'created_at DESC, id DESC';
    const rows = await this.sql.rows<ReviewRow>(
      `SELECT * FROM reviews WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $2`,
      params,
    );
    return rows.map(toReview);
  }

  async listByStatus(status: ReviewStatus, page: Page<RecentCursor>): Promise<Review[]> {
    const c = page.after;
    const rows = await this.sql.rows<ReviewRow>(
      `SELECT * FROM reviews WHERE status = $1 ${c ? 'AND (created_at, id) > ($3, $4)' : ''}
        ORDER BY created_at, id LIMIT $2`,
      c ? [status, page.limit, new Date(c.createdAt), c.id] : [status, page.limit],
    );
    return rows.map(toReview);
  }

  async listByAccount(accountId: string, page: Page<RecentCursor>): Promise<Review[]> {
    const c = page.after;
    const rows = await this.sql.rows<ReviewRow>(
      `SELECT * FROM reviews WHERE account_id = $1 AND follows_review_id IS NULL
          ${c ? 'AND (created_at, id) < ($3, $4)' : ''}
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      c ? [accountId, page.limit, new Date(c.createdAt), c.id] : [accountId, page.limit],
    );
    return rows.map(toReview);
  }

  async reviewedLines(accountId: string, orderIds: string[]): Promise<Set<string>> {
    if (orderIds.length === 0) return new Set();
    const rows = await this.sql.rows<{ order_id: string; sku_id: string }>(
      `SELECT order_id, sku_id FROM reviews
        WHERE account_id = $1 AND order_id = ANY($2::uuid[]) AND follows_review_id IS NULL`,
      [accountId, orderIds],
    );
    return new Set(rows.map((r) => `${r.order_id}/${r.sku_id}`));
  }

  async addVote(reviewId: string, accountId: string, at: Date): Promise<boolean> {
    const added = await this.sql.rows<{ review_id: string }>(
      `INSERT INTO review_votes (review_id, account_id, voted_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING review_id`,
      [reviewId, accountId, at],
    );
    if (added.length === 0) return false;
    await this.sql.run(`UPDATE reviews SET helpful_votes = helpful_votes + 1 WHERE id = $1`, [
      reviewId,
    ]);
    return true;
  }
}

interface SummaryRow {
  product_id: string;
  review_count: number;
  rating_sum: string;
  distribution: number[];
  with_photo_count: number;
  version: string;
}

const toStored = (r: SummaryRow): StoredSummary => {
  const sum = Number(r.rating_sum);
  const d = r.distribution;
  return {
    summary: {
      productId: r.product_id,
      reviewCount: r.review_count,
      ratingSum: sum,
      average: averageOf(sum, r.review_count),
      distribution: [d[0], d[1], d[2], d[3], d[4]],
      withPhotoCount: r.with_photo_count,
    },
    version: Number(r.version),
  };
};

interface ComputedRow {
  review_count: number;
  rating_sum: string;
  d1: number;
  d2: number;
  d3: number;
  d4: number;
  d5: number;
  with_photo_count: number;
}

export class SqlSummaryRepository implements SummaryRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async lock(productId: string): Promise<StoredSummary> {
    await this.sql.run(
      `INSERT INTO rating_summaries (product_id, review_count, rating_sum, distribution,
         with_photo_count, version, updated_at)
       VALUES ($1, 0, 0, '{0,0,0,0,0}', 0, 0, now()) ON CONFLICT DO NOTHING`,
      [productId],
    );
    const r = await this.sql.one<SummaryRow>(
      `SELECT * FROM rating_summaries WHERE product_id = $1 FOR UPDATE`,
      [productId],
    );
    return r ? toStored(r) : { summary: emptySummary(productId), version: 0 };
  }

  async compute(productId: string): Promise<RatingSummary> {
    const r = await this.sql.one<ComputedRow>(
      `SELECT count(*)::int AS review_count, coalesce(sum(rating), 0)::bigint AS rating_sum,
              count(*) FILTER (WHERE rating = 1)::int AS d1, count(*) FILTER (WHERE rating = 2)::int AS d2,
              count(*) FILTER (WHERE rating = 3)::int AS d3, count(*) FILTER (WHERE rating = 4)::int AS d4,
              count(*) FILTER (WHERE rating = 5)::int AS d5,
              count(*) FILTER (WHERE cardinality(photo_urls) > 0)::int AS with_photo_count
         FROM reviews
        WHERE product_id = $1 AND status = 'APPROVED' AND follows_review_id IS NULL`,
      [productId],
    );
    if (!r) return emptySummary(productId);
    const sum = Number(r.rating_sum);
    return {
      productId,
      reviewCount: r.review_count,
      ratingSum: sum,
      average: averageOf(sum, r.review_count),
      distribution: [r.d1, r.d2, r.d3, r.d4, r.d5],
      withPhotoCount: r.with_photo_count,
    };
  }

  async save(s: StoredSummary, at: Date): Promise<void> {
    const m = s.summary;
    await this.sql.run(
      `UPDATE rating_summaries SET review_count = $2, rating_sum = $3, distribution = $4,
         with_photo_count = $5, version = $6, updated_at = $7 WHERE product_id = $1`,
      [m.productId, m.reviewCount, m.ratingSum, m.distribution, m.withPhotoCount, s.version, at],
    );
  }

  async find(productId: string): Promise<StoredSummary | null> {
    const r = await this.sql.one<SummaryRow>(
      `SELECT * FROM rating_summaries WHERE product_id = $1`,
      [productId],
    );
    return r ? toStored(r) : null;
  }
}

interface BannedRow {
  words: string[];
  updated_at: Date;
  updated_by: string;
}

export class SqlBannedWordRepository implements BannedWordRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async get(): Promise<BannedWordList> {
    const r = await this.sql.one<BannedRow>(`SELECT * FROM banned_words WHERE id = 1`);
    return r
      ? { words: r.words, updatedAt: r.updated_at, updatedBy: r.updated_by }
      : { words: [], updatedAt: null, updatedBy: '' };
  }

  async set(list: BannedWordList): Promise<void> {
    await this.sql.run(
      `INSERT INTO banned_words (id, words, updated_at, updated_by) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET words = $1, updated_at = $2, updated_by = $3`,
      [list.words, list.updatedAt ?? new Date(), list.updatedBy],
    );
  }
}
