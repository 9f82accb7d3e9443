import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { type Category, markRegulated, renameCategory } from '../domain/category';
import { touch } from '../domain/product';
import { requireCategory, requireFreeSlug } from './category-rules';
import { CLOCK, type CatalogTx, type Clock, UNIT_OF_WORK, type UnitOfWork } from './ports';
import { loadProductView } from './product-view';

@Injectable()
export class UpdateCategoryUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(
    ctx: RequestContext,
    input: { id: string; name?: string; slug?: string; regulated?: boolean },
  ): Promise<Category> {
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      // a change of the regulated mark rewrites the subtree: serialised with tree moves
      if (input.regulated !== undefined) await tx.categories.lockTree();
      const current = await requireCategory(tx, input.id);
      const { category: renamed, changed } = renameCategory(current, input, now);
      if (renamed.slug !== current.slug) await requireFreeSlug(tx, renamed.slug, renamed.id);
      const marked =
        input.regulated === undefined
          ? []
          : markRegulated(
              renamed,
              input.regulated,
              current.parentId ? await tx.categories.get(current.parentId) : null,
              await tx.categories.descendantsOf(current.id),
              now,
            );
      if (!changed && marked.length === 0) return current;
      const category = marked[0] ?? renamed;
      await tx.categories.save([category, ...marked.slice(1)]);
      tx.events.categoryUpdated(category);
      for (const c of marked.slice(1)) tx.events.categoryUpdated(c);
      // markRegulated lists the category first, then only descendants whose flag flipped
      const flipped = marked.filter((c, i) => i > 0 || c.regulated !== current.regulated);
      await resnapshotProducts(tx, category.id, flipped, now);
      return category;
    });
  }
}

/**
 * Products directly in categories whose inherited `regulated` flipped: their compliance status
 * (NOT_REQUIRED, or the state of their review) changed, so they get a new version and snapshot.
 */
async function resnapshotProducts(
  tx: CatalogTx,
  rootId: string,
  categories: Category[],
  now: Date,
) {
  const ids = new Set(categories.map((c) => c.id));
  if (ids.size === 0) return;
  for (const productId of await tx.products.idsInSubtree(rootId)) {
    const product = await tx.products.get(productId, { forUpdate: true });
    if (!product || !ids.has(product.categoryId)) continue;
    const next = touch(product, now);
    await tx.products.save(next);
    tx.events.productUpdated(await loadProductView(tx, next), ['compliance_status']);
  }
}
