import { Inject, Injectable } from '@nestjs/common';
import type { FlashSaleRecord } from '../domain/flash-offer';
import {
  CATEGORY_NAMES,
  FLASH_SALES,
  PRODUCT_INDEX,
  type CategoryNames,
  type FlashSales,
  type ProductIndex,
} from './ports';

/** A flash sale announced before its product reached the index: retried, then dead-lettered. */
export class ProductNotIndexedYet extends Error {
  constructor(skuId: string) {
    super(`no indexed product has SKU ${skuId} yet`);
    this.name = 'ProductNotIndexedYet';
  }
}

/** Category names and flash sales: the facts search keeps beside the product documents. */
@Injectable()
export class ProjectionUseCases {
  constructor(
    @Inject(PRODUCT_INDEX) private readonly index: ProductIndex,
    @Inject(CATEGORY_NAMES) private readonly categories: CategoryNames,
    @Inject(FLASH_SALES) private readonly sales: FlashSales,
  ) {}

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
