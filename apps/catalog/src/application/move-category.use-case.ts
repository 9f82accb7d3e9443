import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { type Category, planMove } from '../domain/category';
import { requireCategory } from './category-rules';
import { CLOCK, type Clock, UNIT_OF_WORK, type UnitOfWork } from './ports';
import { loadProductView } from './product-view';
import { touch } from '../domain/product';

@Injectable()
export class MoveCategoryUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Moves a subtree. Products in it get a new snapshot (their category path changed), written
   * to the outbox in the same transaction so search never shows them under the old path for long.
   */
  execute(ctx: RequestContext, input: { id: string; newParentId?: string }): Promise<Category> {
    return this.uow.run(ctx, async (tx) => {
      await tx.categories.lockTree();
      const current = await requireCategory(tx, input.id);
      const parent = input.newParentId
        ? await requireCategory(tx, input.newParentId, 'PARENT_CATEGORY_NOT_FOUND')
        : null;
      const now = this.clock.now();
      const changed = planMove(current, parent, await tx.categories.descendantsOf(current.id), now);
      if (changed.length === 0) return current;
      await tx.categories.save(changed);
      tx.events.categoryMoved(changed[0], current);
      for (const productId of await tx.products.idsInSubtree(current.id)) {
        const product = await tx.products.get(productId, { forUpdate: true });
        if (!product) continue;
        const next = touch(product, now);
        await tx.products.save(next);
        tx.events.productUpdated(await loadProductView(tx, next), ['category_path_ids']);
      }
      return changed[0];
    });
  }
}
