import type { RequestContext } from '@emporia/platform';
import type { FlashSaleRecord } from '../domain/flash-offer';
import type { ProductSnapshot } from '../domain/product-document';

/** A listed product with one SKU in stock, version 1, under category c-phones (path c-root). */
export function aSnapshot(over: Partial<ProductSnapshot> = {}): ProductSnapshot {
  const id = over.id ?? 'p-1';
  return {
    id,
    title: 'Aurora phone',
    description: 'a phone',
    brand: 'Aurora',
    categoryId: 'c-phones',
    categoryPathIds: ['c-root', 'c-phones'],
    status: 'ACTIVE',
    skus: [
      {
        id: `${id}-sku-1`,
        code: `${id}-A`,
        amountMinor: 19900,
        currency: 'CNY',
        stockOnHand: 5,
        attributes: { colour: 'black' },
      },
    ],
    unitsSold: 0,
    tags: [],
    version: 1,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    ...over,
  };
}

/** A flash sale of a product's first SKU running from an hour ago for a day. */
export function aFlashSale(over: Partial<FlashSaleRecord> = {}): FlashSaleRecord {
  const now = Date.now();
  return {
    saleId: 'sale-1',
    skuId: 'p-1-sku-1',
    productId: 'p-1',
    priceMinor: 9900,
    currency: 'CNY',
    startsAt: new Date(now - 3_600_000).toISOString(),
    endsAt: new Date(now + 86_400_000).toISOString(),
    ...over,
  };
}

export const CTX: RequestContext = { traceId: '0'.repeat(32), spanId: '0'.repeat(16) };
