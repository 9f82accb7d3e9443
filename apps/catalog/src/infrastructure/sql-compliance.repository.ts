import { Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type { ComplianceRepository } from '../application/ports';
import type {
  AuditAction,
  ComplianceAuditEntry,
  ComplianceReview,
  ComplianceRules,
  ReviewStatus,
} from '../domain/compliance';

interface ReviewRow {
  id: string;
  product_id: string;
  product_version: string;
  quality_report_ref: string;
  status: ReviewStatus;
  submitted_by: string;
  submitted_at: Date;
  decided_by: string;
  decided_at: Date | null;
  reason: string;
}

interface AuditRow {
  id: string;
  product_id: string;
  review_id: string | null;
  action: AuditAction;
  actor_id: string;
  detail: string;
  occurred_at: Date;
}

interface RuleRow {
  kind: 'BANNED_WORD' | 'BLACKLISTED_BRAND';
  term: string;
}

const toReview = (r: ReviewRow): ComplianceReview => ({
  id: r.id,
  productId: r.product_id,
  productVersion: Number(r.product_version),
  qualityReportRef: r.quality_report_ref,
  status: r.status,
  submittedBy: r.submitted_by,
  submittedAt: r.submitted_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  reason: r.reason,
});

const toAudit = (r: AuditRow): ComplianceAuditEntry => ({
  id: r.id,
  productId: r.product_id,
  reviewId: r.review_id,
  action: r.action,
  actorId: r.actor_id,
  detail: r.detail,
  occurredAt: r.occurred_at,
});

/** Compliance reviews, audit trail and rules (tables compliance_*). */
export class SqlComplianceRepository implements ComplianceRepository {
  private readonly sql: Sql;

  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async rules(): Promise<ComplianceRules> {
    const rows = await this.sql.rows<RuleRow>(
      `SELECT kind, term FROM compliance_rules ORDER BY kind, term`,
    );
    return {
      bannedWords: rows.filter((r) => r.kind === 'BANNED_WORD').map((r) => r.term),
      blacklistedBrands: rows.filter((r) => r.kind === 'BLACKLISTED_BRAND').map((r) => r.term),
    };
  }

  async replaceRules(rules: ComplianceRules): Promise<void> {
    await this.sql.run(`LOCK TABLE compliance_rules IN SHARE ROW EXCLUSIVE MODE`);
    await this.sql.run(`DELETE FROM compliance_rules`);
    await this.sql.run(
      `INSERT INTO compliance_rules (kind, term)
       SELECT 'BANNED_WORD', unnest($1::text[]) UNION ALL SELECT 'BLACKLISTED_BRAND', unnest($2::text[])`,
      [rules.bannedWords, rules.blacklistedBrands],
    );
  }

  async insertReview(r: ComplianceReview): Promise<void> {
    await this.sql.run(
      `INSERT INTO compliance_reviews (id, product_id, product_version, quality_report_ref, status,
         submitted_by, submitted_at, decided_by, decided_at, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        r.id,
        r.productId,
        r.productVersion,
        r.qualityReportRef,
        r.status,
        r.submittedBy,
        r.submittedAt,
        r.decidedBy,
        r.decidedAt,
        r.reason,
      ],
    );
  }

  async saveReview(r: ComplianceReview): Promise<void> {
    await this.sql.run(
      `UPDATE compliance_reviews SET status = $2, decided_by = $3, decided_at = $4, reason = $5 WHERE id = $1`,
      [r.id, r.status, r.decidedBy, r.decidedAt, r.reason],
    );
  }

  async getReview(id: string, forUpdate = false): Promise<ComplianceReview | null> {
    const r = await this.sql.one<ReviewRow>(
      `SELECT * FROM compliance_reviews WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r && toReview(r);
  }

  async pendingReviewOf(productId: string): Promise<ComplianceReview | null> {
    const r = await this.sql.one<ReviewRow>(
      `SELECT * FROM compliance_reviews WHERE product_id = $1 AND status = 'PENDING' FOR UPDATE`,
      [productId],
    );
    return r && toReview(r);
  }

  async listReviews(opts: {
    status?: ReviewStatus;
    afterId?: string;
    limit: number;
  }): Promise<ComplianceReview[]> {
    return (
      await this.sql.rows<ReviewRow>(
        `SELECT * FROM compliance_reviews
          WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR id > $2::uuid)
          ORDER BY id LIMIT $3`,
        [opts.status ?? null, opts.afterId ?? null, opts.limit],
      )
    ).map(toReview);
  }

  async appendAudit(e: ComplianceAuditEntry): Promise<void> {
    await this.sql.run(
      `INSERT INTO compliance_audit (id, product_id, review_id, action, actor_id, detail, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [e.id, e.productId, e.reviewId, e.action, e.actorId, e.detail, e.occurredAt],
    );
  }

  async audit(productId: string): Promise<ComplianceAuditEntry[]> {
    return (
      await this.sql.rows<AuditRow>(
        `SELECT * FROM compliance_audit WHERE product_id = $1 ORDER BY occurred_at, id`,
        [productId],
      )
    ).map(toAudit);
  }
}
