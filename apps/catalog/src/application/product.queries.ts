import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import type { ProductStatus } from '../domain/product';
import { requireCategory } from './category-rules';
import { type Page, type ProductView, UNIT_OF_WORK, type UnitOfWork } from './ports';
import { requireProduct } from './product-rules';
import { loadProductView, loadProductViews, page } from './product-view';

@Injectable()
export class ProductQueries {
  constructor(@Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork) {}

  get(ctx: RequestContext, id: string): Promise<ProductView> {
    return this.uow.run(ctx, async (tx) =>
      loadProductView(tx, await requireProduct(tx, id), { rating: true }),
    );
  }

  list(
    ctx: RequestContext,
    q: { categoryId?: string; limit: number; afterId?: string; statuses?: ProductStatus[] },
  ): Promise<Page<ProductView>> {
    return this.uow.run(ctx, async (tx) => {
      if (q.categoryId) await requireCategory(tx, q.categoryId);
      const result = await page(
        (n) => tx.products.listInSubtree(q.categoryId ?? null, q.afterId, n, q.statuses),
        q.limit,
      );
      const items = await loadProductViews(tx, result.items, { rating: true });
      return { items, ...(result.nextAfterId ? { nextAfterId: result.nextAfterId } : {}) };
    });
  }
}
