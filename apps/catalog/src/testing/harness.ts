import { createLogger, newContext } from '@emporia/platform';
import { AdjustStockUseCase } from '../application/adjust-stock.use-case';
import { CategoryQueries } from '../application/category.queries';
import { CreateCategoryUseCase } from '../application/create-category.use-case';
import { CreateProductUseCase } from '../application/create-product.use-case';
import { MoveCategoryUseCase } from '../application/move-category.use-case';
import { ProductQueries } from '../application/product.queries';
import { ProductRatingsUseCase } from '../application/product-ratings.use-case';
import { ReservationsUseCase } from '../application/reservations.use-case';
import { SkuPriceUseCase } from '../application/sku-price.use-case';
import { StockQueries } from '../application/stock.queries';
import { UpdateCategoryUseCase } from '../application/update-category.use-case';
import { UpdateProductUseCase } from '../application/update-product.use-case';
import { WarehousesUseCase } from '../application/warehouses.use-case';
// issue 18: catalog-stock
import { ListingScheduleUseCase } from '../application/listing-schedule.use-case';
import { LowStockQueries } from '../application/low-stock.queries';
import { StockThresholdUseCase } from '../application/stock-threshold.use-case';
import { ComplianceUseCase } from '../application/compliance.use-case';
import { TagsUseCase } from '../application/tags.use-case';
import type { SoldCurrencies } from '../domain/currencies';
import type { NewProductInput } from '../domain/product';
import { aProductInput } from './builders';
import { FakeClock, InMemoryCatalogUnitOfWork, SequentialIds } from './in-memory';

/**
 * Every catalog use case wired to the in-memory unit of work, a hand-moved clock and sequential
 * ids, plus shortcuts that put a category, a product and stock in place through the use cases.
 */
export function catalogHarness(opts: { sold?: SoldCurrencies } = {}) {
  const uow = new InMemoryCatalogUnitOfWork();
  const clock = new FakeClock();
  const ids = new SequentialIds();
  const sold: SoldCurrencies = opts.sold ?? new Set(['CNY', 'USD']);
  const ctx = newContext();
  const updateProduct = new UpdateProductUseCase(uow, clock, ids, sold);
  const h = {
    ctx,
    uow,
    store: uow.store,
    clock,
    ids,
    createCategory: new CreateCategoryUseCase(uow, clock, ids),
    updateCategory: new UpdateCategoryUseCase(uow, clock),
    moveCategory: new MoveCategoryUseCase(uow, clock),
    categories: new CategoryQueries(uow),
    createProduct: new CreateProductUseCase(uow, clock, ids, sold),
    updateProduct,
    products: new ProductQueries(uow),
    adjustStock: new AdjustStockUseCase(uow, clock),
    stock: new StockQueries(uow),
    reservations: new ReservationsUseCase(uow, clock),
    warehouses: new WarehousesUseCase(uow, clock, sold),
    skuPrices: new SkuPriceUseCase(uow, clock, sold),
    ratings: new ProductRatingsUseCase(uow),
    // issue 18: catalog-stock
    stockThresholds: new StockThresholdUseCase(uow, clock),
    lowStock: new LowStockQueries(uow),
    listingSchedule: new ListingScheduleUseCase(
      uow,
      clock,
      ids,
      updateProduct,
      createLogger('catalog-test', 'silent'),
    ),
    // issue 18 (catalog-merch)
    tags: new TagsUseCase(uow, clock),
    compliance: new ComplianceUseCase(uow, clock, ids),
    /** A root category (slug `slug`). */
    category: (slug = 'kitchen', parentId?: string) =>
      h.createCategory.execute(ctx, { name: slug, slug, ...(parentId ? { parentId } : {}) }),
    /** A product in a fresh category, with `stock` units of each SKU in each warehouse given. */
    async stockedProduct(
      stock: Record<string, number> = { SH: 10 },
      over: Partial<NewProductInput> = {},
    ) {
      const cat = over.categoryId
        ? { id: over.categoryId }
        : await h.category(`c${ids.newId().slice(-4)}`);
      const view = await h.createProduct.execute(ctx, aProductInput(cat.id, over));
      for (const sku of view.product.skus)
        for (const [warehouseCode, delta] of Object.entries(stock))
          await h.adjustStock.execute(ctx, sku.id, { warehouseCode, delta, reason: 'receipt' });
      return { product: view.product, skuIds: view.product.skus.map((s) => s.id) };
    },
    /** A fresh reservation id. */
    reservationId: () => ids.newId(),
  };
  return h;
}
export type CatalogHarness = ReturnType<typeof catalogHarness>;
