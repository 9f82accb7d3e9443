import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { type Category, renameCategory } from '../domain/category';
import { requireCategory, requireFreeSlug } from './category-rules';
import { CLOCK, type Clock, UNIT_OF_WORK, type UnitOfWork } from './ports';

@Injectable()
export class UpdateCategoryUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(
    ctx: RequestContext,
    input: { id: string; name?: string; slug?: string },
  ): Promise<Category> {
    return this.uow.run(ctx, async (tx) => {
      const current = await requireCategory(tx, input.id);
      const { category, changed } = renameCategory(current, input, this.clock.now());
      if (!changed) return current;
      if (category.slug !== current.slug) await requireFreeSlug(tx, category.slug, category.id);
      await tx.categories.save([category]);
      tx.events.categoryUpdated(category);
      return category;
    });
  }
}
