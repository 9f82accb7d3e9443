import { Inject, Injectable } from '@nestjs/common';
import type { FlashSaleRecord } from '../domain/flash-offer';
import { docRating, type RatingSummary } from '../domain/product-rating';
import {
  CATEGORY_NAMES,
  FLASH_SALES,
  PRODUCT_INDEX,
  PRODUCT_RATINGS,
  type CategoryNames,
  type FlashSales,
  type ProductIndex,
  type ProductRatings,
} from './ports';

/** A flash sale announced before its product reached the index: retried, then dead-lettered. */
export class ProductNotIndexedYet extends Error {
  constructor(skuId: string) {
    super(`no indexed product has SKU ${skuId} yet`);
    this.name = 'ProductNotIndexedYet';
  }
}

/**
 * Category names, flash sales and rating summaries: the facts search keeps beside the product
 * documents.
 */
@Injectable()
export class ProjectionUseCases {
  constructor(
    @Inject(PRODUCT_INDEX) private readonly index: ProductIndex,
    @Inject(CATEGORY_NAMES) private readonly categories: CategoryNames,
    @Inject(FLASH_SALES) private readonly sales: FlashSales,
    @Inject(PRODUCT_RATINGS) private readonly ratings: ProductRatings,
  ) {}

  /**
   * Keeps the summary when its version is the highest seen, then brings the product's document
   * up to the highest summary held (also when this one was stale: a redelivery after a failure
   * between the two writes completes the second). A product not indexed yet gets it with its
   * first snapshot. Returns what happened to the document.
   */
  async ratingChanged(
    summary: RatingSummary,
  ): Promise<'applied' | 'stale' | 'missing' | 'deferred'> {
    const stored = await this.ratings.put(summary);
    const latest =
      stored === 'applied'
        ? summary
        : (await this.ratings.forProducts([summary.productId])).get(summary.productId);
    if (!latest) return 'missing';
    return this.index.setRating(summary.productId, docRating(latest));
  }

  /** Stores the name; when it changed, rewrites it on every product under the category. */
  async categoryChanged(c: { id: string; name: string; pathIds: string[] }): Promise<number> {
    const before = (await this.categories.names([c.id])).get(c.id);
    await this.categories.put(c);
    if (before === undefined || before === c.name) return 0;
    return this.index.renameCategory(c.id, c.name);
  }

  async flashSaleScheduled(sale: FlashSaleRecord): Promise<void> {
    const productId = sale.productId || (await this.index.productOfSku(sale.skuId));
    if (!productId) throw new ProductNotIndexedYet(sale.skuId);
    await this.sales.put({ ...sale, productId });
  }
}
