import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { CatalogError } from '../domain/catalog-error';
import {
  type AuditAction,
  checkContent,
  checkSubmittable,
  type ComplianceAuditEntry,
  type ComplianceReview,
  type ComplianceRules,
  complianceRules,
  decideReview,
  newReview,
  type ReviewStatus,
} from '../domain/compliance';
import { touch } from '../domain/product';
import {
  type CatalogTx,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  type Page,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import { requireProduct } from './product-rules';
import { loadProductView, page } from './product-view';

/**
 * Compliance review of products in regulated categories: submit (checked against the banned
 * words and blacklisted brands), decide once (approve, or reject with a reason), list, audit,
 * and the rules. The publish guard itself is in the update-product path (compliance-guard.ts).
 */
@Injectable()
export class ComplianceUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /** A PENDING review of the product's current content; the product's status becomes PENDING. */
  submit(
    ctx: RequestContext,
    input: { productId: string; qualityReportRef: string; submittedBy: string },
  ): Promise<ComplianceReview> {
    return this.uow.run(ctx, async (tx) => {
      const current = await requireProduct(tx, input.productId, true);
      const category = await tx.categories.get(current.categoryId);
      checkSubmittable(current.id, category?.regulated ?? false, current.compliance);
      checkContent(
        {
          title: current.title,
          description: current.description,
          brand: current.brand,
          skuAttributes: current.skus.map((s) => s.attributes),
        },
        await tx.compliance.rules(),
      );
      const now = this.clock.now();
      const product = { ...touch(current, now), compliance: 'PENDING' as const };
      const review = newReview({
        id: this.ids.newId(),
        productId: product.id,
        productVersion: product.version,
        qualityReportRef: input.qualityReportRef,
        submittedBy: input.submittedBy,
        now,
      });
      await tx.products.save(product);
      await tx.compliance.insertReview(review);
      await this.audit(tx, review, 'submitted', review.submittedBy, review.qualityReportRef, now);
      tx.events.productUpdated(await loadProductView(tx, product), ['compliance_status']);
      return review;
    });
  }

  /** Approves or rejects a pending review, once; the product follows (APPROVED / REJECTED). */
  decide(
    ctx: RequestContext,
    input: { reviewId: string; operatorId: string; approve: boolean; reason: string },
  ): Promise<ComplianceReview> {
    return this.uow.run(ctx, async (tx) => {
      const found = await this.requireReview(tx, input.reviewId);
      // the product's lock first, as every product write takes it (no lock-order inversion)
      const current = await requireProduct(tx, found.productId, true);
      const review = await this.requireReview(tx, input.reviewId, true);
      const now = this.clock.now();
      const decided = decideReview(review, input, now);
      const product = {
        ...touch(current, now),
        compliance: decided.status === 'APPROVED' ? ('APPROVED' as const) : ('REJECTED' as const),
      };
      await tx.compliance.saveReview(decided);
      await tx.products.save(product);
      await this.audit(
        tx,
        decided,
        decided.status === 'APPROVED' ? 'approved' : 'rejected',
        decided.decidedBy,
        decided.reason,
        now,
      );
      tx.events.productUpdated(await loadProductView(tx, product), ['compliance_status']);
      return decided;
    });
  }

  list(
    ctx: RequestContext,
    opts: { status?: ReviewStatus; afterId?: string; limit: number },
  ): Promise<Page<ComplianceReview>> {
    return this.uow.run(ctx, (tx) =>
      page((limit) => tx.compliance.listReviews({ ...opts, limit }), opts.limit),
    );
  }

  auditTrail(ctx: RequestContext, productId: string): Promise<ComplianceAuditEntry[]> {
    return this.uow.run(ctx, async (tx) => {
      await requireProduct(tx, productId);
      return tx.compliance.audit(productId);
    });
  }

  rules(ctx: RequestContext): Promise<ComplianceRules> {
    return this.uow.run(ctx, (tx) => tx.compliance.rules());
  }

  /** Replaces both lists (normalised); applies to the next submissions. */
  async replaceRules(
    ctx: RequestContext,
    input: { bannedWords: readonly string[]; blacklistedBrands: readonly string[] },
  ): Promise<ComplianceRules> {
    const rules = complianceRules(input);
    return this.uow.run(ctx, async (tx) => {
      await tx.compliance.replaceRules(rules);
      return rules;
    });
  }

  private async requireReview(tx: CatalogTx, id: string, forUpdate = false) {
    const review = await tx.compliance.getReview(id, forUpdate);
    if (!review)
      throw new CatalogError('NOT_FOUND', 'REVIEW_NOT_FOUND', `review ${id} does not exist`, {
        id,
      });
    return review;
  }

  private audit(
    tx: CatalogTx,
    review: ComplianceReview,
    action: AuditAction,
    actorId: string,
    detail: string,
    now: Date,
  ) {
    return tx.compliance.appendAudit({
      id: this.ids.newId(),
      productId: review.productId,
      reviewId: review.id,
      action,
      actorId,
      detail,
      occurredAt: now,
    });
  }
}
