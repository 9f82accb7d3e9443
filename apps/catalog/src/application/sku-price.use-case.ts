import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertId, CatalogError, invalid, notFound } from '../domain/catalog-error';
import type { SoldCurrencies } from '../domain/currencies';
import { checkOriginalPrice, type PriceChange } from '../domain/price-history';
import { setSkuPrices, skuPrices, type SkuInput } from '../domain/product';
import {
  CLOCK,
  type Clock,
  SOLD_CURRENCIES,
  type ProductView,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import { lowestPrice30d } from './price-changes';
import { requireProduct } from './product-rules';
import { loadProductView } from './product-view';

export interface SetSkuPriceInput {
  skuId: string;
  price?: SkuInput['price'];
  originalPrice?: SkuInput['originalPrice'];
  reason: string;
  reference: string;
  actorId: string;
  requestId: string;
}

const TEXT_LIMITS = { reason: 64, reference: 200, actor_id: 200 } as const;

function text(field: keyof typeof TEXT_LIMITS, value: string | undefined): string {
  const v = (value ?? '').trim();
  if (v.length > TEXT_LIMITS[field])
    throw invalid(
      'PRICE_CHANGE_FIELD_TOO_LONG',
      `${field} must be at most ${TEXT_LIMITS[field]} characters`,
      {
        field,
        max: TEXT_LIMITS[field],
      },
    );
  return v;
}

/** A SKU's price changes: SetSkuPrice and GetSkuPriceHistory. */
@Injectable()
export class SkuPriceUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SOLD_CURRENCIES) private readonly sold: SoldCurrencies,
  ) {}

  /**
   * Sets the SKU's price and original price (none when unset) under the product's row lock,
   * records the change with its reason, reference and actor, and emits ProductUpdated (changed
   * field `skus`) when the prices differ from the current ones. The request is recorded even
   * when they do not (the audit trail shows who confirmed the price). The same request id again
   * returns the first change and changes nothing; with another SKU or other prices it is
   * FAILED_PRECONDITION REQUEST_ID_REUSED.
   */
  async setPrice(
    ctx: RequestContext,
    input: SetSkuPriceInput,
  ): Promise<{ view: ProductView; change: PriceChange }> {
    const skuId = assertId('sku_id', input.skuId);
    const requestId = assertId('request_id', input.requestId);
    const meta = {
      reason: text('reason', input.reason) || 'manual',
      reference: text('reference', input.reference),
      actorId: text('actor_id', input.actorId),
    };
    return this.uow.run(ctx, async (tx) => {
      const productId = await tx.products.productIdOfSku(skuId);
      if (!productId) throw notFound('Sku', skuId);
      const current = await requireProduct(tx, productId, true);
      const sku = current.skus.find((s) => s.id === skuId);
      if (!sku) throw notFound('Sku', skuId);
      const prices = skuPrices(input, sku.code, this.sold);
      const first = await tx.priceHistory.byRequestId(requestId);
      if (first) {
        const same =
          first.skuId === skuId &&
          first.price.equals(prices.price) &&
          (first.originalPrice?.amountMinor ?? null) ===
            (prices.originalPrice?.amountMinor ?? null);
        if (!same)
          throw new CatalogError(
            'FAILED_PRECONDITION',
            'REQUEST_ID_REUSED',
            `request ${requestId} already set another price`,
            { field: 'request_id' },
          );
        return { view: await loadProductView(tx, current, { rating: true }), change: first };
      }
      const now = this.clock.now();
      if (prices.originalPrice) {
        const lowest = await lowestPrice30d(tx, skuId, sku.price, now);
        checkOriginalPrice(prices.originalPrice, prices.price, lowest);
      }
      const { product, changed } = setSkuPrices(current, skuId, prices, now);
      const change: PriceChange = {
        skuId,
        ...prices,
        previousPrice: sku.price,
        ...meta,
        requestId,
        at: now,
      };
      if (changed) await tx.products.save(product);
      await tx.priceHistory.append(change);
      const view = await loadProductView(tx, product, { rating: true });
      if (changed) tx.events.productUpdated(view, ['skus']);
      return { view, change };
    });
  }

  /** The SKU's newest `limit` changes and the lowest price of the previous 30 days (as of now). */
  async history(
    ctx: RequestContext,
    skuId: string,
    limit: number,
  ): Promise<{ changes: PriceChange[]; lowest30d: PriceChange['price'] }> {
    const id = assertId('sku_id', skuId);
    return this.uow.run(ctx, async (tx) => {
      const productId = await tx.products.productIdOfSku(id);
      const product = productId ? await tx.products.get(productId) : null;
      const sku = product?.skus.find((s) => s.id === id);
      if (!sku) throw notFound('Sku', id);
      const changes = await tx.priceHistory.latest(id, limit);
      const lowest = (await lowestPrice30d(tx, id, sku.price, this.clock.now())) ?? sku.price;
      return { changes, lowest30d: lowest };
    });
  }
}
