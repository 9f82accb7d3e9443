import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { type ProductPatch, updateProduct } from '../domain/product';
import type { SoldCurrencies } from '../domain/currencies';
import {
  type CatalogTx,
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
import { requireFreeSkuCodes, requireProduct, requireProductCategory } from './product-rules';
import { loadProductView } from './product-view';
import { CatalogError } from '../domain/catalog-error';
import { guardCompliance, recordRefusedPublish } from './compliance-guard';

@Injectable()
export class UpdateProductUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SOLD_CURRENCIES) private readonly sold: SoldCurrencies,
  ) {}

  /**
   * Applies a patch under a row lock; a patch that changes nothing writes nothing and emits nothing.
   * This is the one path by which a product becomes ACTIVE (UpdateProduct and the listing sweep):
   * the compliance guard is here, and a refusal is written to the audit trail in a transaction
   * of its own, so it survives the refused one.
   * `within`: run in that transaction instead of a new one (the listing sweep publishes through
   * here, in the transaction holding its claim, so every rule of a status change applies to it).
   * The caller owns that transaction, and records a refusal itself once it has rolled back (a
   * second transaction writing the audit now would wait for the product row the first one holds).
   */
  async execute(
    ctx: RequestContext,
    id: string,
    patch: ProductPatch,
    within?: CatalogTx,
  ): Promise<ProductView> {
    if (within) return this.apply(within, ctx, id, patch);
    try {
      return await this.uow.run(ctx, (tx) => this.apply(tx, ctx, id, patch));
    } catch (e) {
      if (e instanceof CatalogError && e.code === 'COMPLIANCE_REVIEW_REQUIRED')
        await recordRefusedPublish(this.uow, ctx, this.clock, this.ids, id, e.message);
      throw e;
    }
  }

  private async apply(
    tx: CatalogTx,
    ctx: RequestContext,
    id: string,
    patch: ProductPatch,
  ): Promise<ProductView> {
    {
      const current = await requireProduct(tx, id, true);
      const { product, changed } = updateProduct(
        current,
        patch,
        () => this.ids.newId(),
        this.clock.now(),
        this.sold,
      );
      if (changed.length > 0) {
        if (changed.includes('category_id')) await requireProductCategory(tx, product.categoryId);
        if (changed.includes('skus'))
          await requireFreeSkuCodes(
            tx,
            product.skus.map((s) => s.code),
            product.id,
          );
        // issue 18 (catalog-merch): the publish guard, and an edit invalidating a review
        await guardCompliance(tx, ctx, this.ids, current, product, changed);
        await tx.products.save(product);
        // a refused original price rolls the save back with it
        if (changed.includes('skus'))
          await recordPriceChanges(tx, current, product, product.updatedAt, {
            reason: 'update',
            reference: '',
            actorId: actorOf(ctx),
          });
      }
      const view = await loadProductView(tx, product, { rating: true });
      if (changed.length > 0) tx.events.productUpdated(view, changed);
      return view;
    }
  }
}
