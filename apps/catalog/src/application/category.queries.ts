import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { type Category } from '../domain/category';
import { requireCategory } from './category-rules';
import { type Page, UNIT_OF_WORK, type UnitOfWork } from './ports';
import { page } from './product-view';

@Injectable()
export class CategoryQueries {
  constructor(@Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork) {}

  get(ctx: RequestContext, id: string): Promise<Category> {
    return this.uow.run(ctx, (tx) => requireCategory(tx, id));
  }

  list(
    ctx: RequestContext,
    q: { parentId?: string; all: boolean; limit: number; afterId?: string },
  ): Promise<Page<Category>> {
    return this.uow.run(ctx, async (tx) => {
      if (q.all) return page((n) => tx.categories.listAll(q.afterId, n), q.limit);
      if (q.parentId) await requireCategory(tx, q.parentId);
      return page((n) => tx.categories.listChildren(q.parentId ?? null, q.afterId, n), q.limit);
    });
  }
}
