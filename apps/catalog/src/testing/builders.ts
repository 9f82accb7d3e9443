import type { NewProductInput, SkuInput } from '../domain/product';
import type { RequestedLine } from '../domain/reservation';
import type { WarehouseInput } from '../domain/warehouse';

/**
 * Test data builders (eShop `Ordering.UnitTests/Builders.cs`): a valid default, and the one fact
 * a test is about set by name. Prices are minor units of CNY unless said.
 */

export const aSkuInput = (code: string, over: Partial<SkuInput> = {}): SkuInput => ({
  code,
  attributes: { colour: 'red' },
  price: { amountMinor: 9900, currency: 'CNY' },
  ...over,
});

/** An ACTIVE product of one SKU (`code`) in `categoryId`. */
export const aProductInput = (
  categoryId: string,
  over: Partial<NewProductInput> = {},
): NewProductInput => ({
  title: 'Tea cup',
  description: 'Porcelain',
  brand: 'Emporia',
  categoryId,
  status: 'ACTIVE',
  skus: [aSkuInput('CUP-RED')],
  ...over,
});

export const aWarehouseInput = (
  code: string,
  over: Partial<WarehouseInput> = {},
): WarehouseInput => ({
  code,
  name: `Warehouse ${code}`,
  country: 'CN',
  province: 'Shanghai',
  city: 'Shanghai',
  shippingCost: { amountMinor: 1000, currency: 'CNY' },
  ...over,
});

/** A reservation line; warehouse '' means any. */
export const aLine = (skuId: string, quantity: number, warehouseCode = ''): RequestedLine => ({
  skuId,
  quantity,
  warehouseCode,
});
