import { catalogV1, type commonV1 } from '@emporia/contracts';
import type { Money } from '@emporia/money';
import type { LowStockItem, ProductView } from '../application/ports';
import { type Category, depthOf } from '../domain/category';
import type { PriceChange } from '../domain/price-history';
import type { ProductStatus } from '../domain/product';
import type { StockLevel } from '../domain/stock';
import type { StockThreshold } from '../domain/stock-threshold';
import type { Warehouse } from '../domain/warehouse';
import { complianceStatus } from '../domain/compliance';
import { productTags } from '../domain/tag';
import { COMPLIANCE_TO_PROTO } from './compliance-mappers';

/** Explicit mapping from domain objects to contract messages (entities never cross the wire). */

export const STATUS_TO_PROTO: Record<ProductStatus, catalogV1.ProductStatus> = {
  DRAFT: catalogV1.ProductStatus.PRODUCT_STATUS_DRAFT,
  ACTIVE: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
  ARCHIVED: catalogV1.ProductStatus.PRODUCT_STATUS_ARCHIVED,
};

/** Unset (UNSPECIFIED) means "not given". */
export function statusFromProto(
  s: catalogV1.ProductStatus | string | undefined,
): ProductStatus | undefined {
  switch (s) {
    case catalogV1.ProductStatus.PRODUCT_STATUS_DRAFT:
      return 'DRAFT';
    case catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE:
      return 'ACTIVE';
    case catalogV1.ProductStatus.PRODUCT_STATUS_ARCHIVED:
      return 'ARCHIVED';
    default:
      return undefined;
  }
}

export function categoryToProto(c: Category): catalogV1.Category {
  return {
    id: c.id,
    name: c.name,
    slug: c.slug,
    parentId: c.parentId ?? '',
    pathIds: c.pathIds,
    depth: depthOf(c),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    regulated: c.regulated,
    regulatedMarked: c.regulatedMarked,
  };
}

export function productToProto(v: ProductView): catalogV1.Product {
  const p = v.product;
  const sold = (skuId: string) => v.unitsSoldBySku.get(skuId) ?? 0;
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    brand: p.brand,
    categoryId: p.categoryId,
    categoryPathIds: v.categoryPathIds,
    rating: v.rating
      ? {
          reviewCount: v.rating.reviewCount,
          average: v.rating.average,
          distribution: [...v.rating.distribution],
          withPhotoCount: v.rating.withPhotoCount,
        }
      : undefined,
    status: STATUS_TO_PROTO[p.status],
    skus: p.skus.map((s) => ({
      id: s.id,
      code: s.code,
      attributes: s.attributes,
      price: moneyToProto(s.price),
      originalPrice: s.originalPrice ? moneyToProto(s.originalPrice) : undefined,
      stockOnHand: v.stockBySku.get(s.id) ?? 0,
      unitsSold: sold(s.id),
    })),
    version: p.version,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    unitsSold: p.skus.reduce((total, s) => total + sold(s.id), 0),
    // issue 18: catalog-stock
    publishAt: p.publishAt?.toISOString() ?? '',
    unpublishAt: p.unpublishAt?.toISOString() ?? '',
    // issue 18 (catalog-merch)
    tags: productTags(p),
    manualTags: [...p.manualTags],
    complianceStatus: COMPLIANCE_TO_PROTO[complianceStatus(v.regulated ?? false, p.compliance)],
  };
}

export const moneyToProto = (m: Money): commonV1.Money => ({
  amountMinor: m.amountMinor,
  currency: m.currency,
});

export function priceChangeToProto(c: PriceChange): catalogV1.PriceChange {
  return {
    skuId: c.skuId,
    price: moneyToProto(c.price),
    originalPrice: c.originalPrice ? moneyToProto(c.originalPrice) : undefined,
    previousPrice: c.previousPrice ? moneyToProto(c.previousPrice) : undefined,
    reason: c.reason,
    reference: c.reference,
    actorId: c.actorId,
    changedAt: c.at.toISOString(),
  };
}

export function stockLevelToProto(l: StockLevel): catalogV1.StockLevel {
  return {
    skuId: l.skuId,
    warehouseCode: l.warehouseCode,
    onHand: l.onHand,
    updatedAt: l.updatedAt.toISOString(),
    reserved: l.reserved,
    available: l.onHand - l.reserved,
  };
}

export function warehouseToProto(w: Warehouse): catalogV1.Warehouse {
  return {
    code: w.code,
    name: w.name,
    country: w.country,
    province: w.province,
    city: w.city,
    shippingCost: { amountMinor: w.shippingCost.amountMinor, currency: w.shippingCost.currency },
    active: w.active,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

// issue 18: low-stock thresholds
export function stockThresholdToProto(t: StockThreshold): catalogV1.StockThreshold {
  return {
    skuId: t.skuId,
    warehouseCode: t.warehouseCode,
    threshold: t.threshold,
    low: t.low,
    lowSince: t.lowSince?.toISOString() ?? '',
    updatedAt: t.updatedAt.toISOString(),
  };
}

export function lowStockItemToProto(i: LowStockItem): catalogV1.LowStockItem {
  return {
    skuId: i.skuId,
    skuCode: i.skuCode,
    productId: i.productId,
    productTitle: i.productTitle,
    warehouseCode: i.warehouseCode,
    onHand: i.onHand,
    reserved: i.reserved,
    available: i.available,
    threshold: i.threshold,
    lowSince: i.lowSince.toISOString(),
  };
}
