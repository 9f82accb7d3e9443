import type { RequestContext } from '@emporia/platform';
import { checkPublishable, invalidateReview, REVIEWED_FIELDS } from '../domain/compliance';
import type { Product } from '../domain/product';
import type { CatalogTx, Clock, IdGenerator, UnitOfWork } from './ports';
import { actorOf } from './price-changes';

/**
 * Compliance rules of a product update (issue 18), in the update's transaction:
 * - the publish guard: becoming ACTIVE in a regulated category needs APPROVED content;
 * - an edit of reviewed content (title, description, brand, category) of an APPROVED or PENDING
 *   product took it back to REQUIRED (domain `updateProduct`): a pending review is closed as
 *   rejected, and the audit trail says "invalidated".
 */
export async function guardCompliance(
  tx: CatalogTx,
  ctx: RequestContext,
  ids: IdGenerator,
  current: Product,
  product: Product,
  changed: readonly string[],
): Promise<void> {
  if (changed.includes('status') && product.status === 'ACTIVE') {
    const category = await tx.categories.get(product.categoryId);
    checkPublishable(product, category?.regulated ?? false);
  }
  if (current.compliance === product.compliance) return;
  const now = product.updatedAt;
  const fields = changed.filter((f) => (REVIEWED_FIELDS as readonly string[]).includes(f));
  const pending =
    current.compliance === 'PENDING' ? await tx.compliance.pendingReviewOf(product.id) : null;
  if (pending) await tx.compliance.saveReview(invalidateReview(pending, fields, now));
  await tx.compliance.appendAudit({
    id: ids.newId(),
    productId: product.id,
    reviewId: pending?.id ?? null,
    action: 'invalidated',
    actorId: actorOf(ctx),
    detail: `was ${current.compliance}; changed: ${fields.join(', ')}`,
    occurredAt: now,
  });
}

/** Writes a refused publish to the audit trail in a transaction of its own (the refused one rolled back). */
export async function recordRefusedPublish(
  uow: UnitOfWork,
  ctx: RequestContext,
  clock: Clock,
  ids: IdGenerator,
  productId: string,
  detail: string,
): Promise<void> {
  await uow.run(ctx, async (tx) => {
    await tx.compliance.appendAudit({
      id: ids.newId(),
      productId,
      reviewId: null,
      action: 'refused_publish',
      actorId: actorOf(ctx),
      detail,
      occurredAt: clock.now(),
    });
  });
}
