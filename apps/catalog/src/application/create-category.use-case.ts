import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { type Category, newCategory } from '../domain/category';
import { requireCategory, requireFreeSlug } from './category-rules';
import {
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

@Injectable()
export class CreateCategoryUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  execute(
    ctx: RequestContext,
    input: { name: string; slug: string; parentId?: string; regulated?: boolean },
  ): Promise<Category> {
    return this.uow.run(ctx, async (tx) => {
      const parent = input.parentId
        ? await requireCategory(tx, input.parentId, 'PARENT_CATEGORY_NOT_FOUND')
        : null;
      const category = newCategory({
        id: this.ids.newId(),
        name: input.name,
        slug: input.slug,
        parent,
        now: this.clock.now(),
        regulated: input.regulated ?? false,
      });
      await requireFreeSlug(tx, category.slug);
      await tx.categories.insert(category);
      tx.events.categoryCreated(category);
      return category;
    });
  }
}
