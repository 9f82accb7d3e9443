import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { createProduct, type NewProductInput } from '../domain/product';
import type { SoldCurrencies } from '../domain/currencies';
import {
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  SOLD_CURRENCIES,
  type ProductView,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import { actorOf, recordPriceChanges } from './price-changes';
import { requireFreeSkuCodes, requireProductCategory } from './product-rules';
import { loadProductView } from './product-view';
import { checkPublishable } from '../domain/compliance';

@Injectable()
export class CreateProductUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SOLD_CURRENCIES) private readonly sold: SoldCurrencies,
  ) {}

  execute(ctx: RequestContext, input: NewProductInput): Promise<ProductView> {
    const product = createProduct(
      input,
      { id: this.ids.newId(), newSkuId: () => this.ids.newId() },
      this.clock.now(),
      this.sold,
    );
    return this.uow.run(ctx, async (tx) => {
      await requireProductCategory(tx, product.categoryId);
      // issue 18: a new product in a regulated category cannot be ACTIVE before its review
      if (product.status === 'ACTIVE')
        checkPublishable(
          product,
          (await tx.categories.get(product.categoryId))?.regulated ?? false,
        );
      await requireFreeSkuCodes(
        tx,
        product.skus.map((s) => s.code),
      );
      await tx.products.insert(product);
      // a refused original price rolls the insert back with it
      await recordPriceChanges(tx, null, product, product.createdAt, {
        reason: 'create',
        reference: '',
        actorId: actorOf(ctx),
      });
      const view = await loadProductView(tx, product, { rating: true });
      tx.events.productCreated(view);
      return view;
    });
  }
}
