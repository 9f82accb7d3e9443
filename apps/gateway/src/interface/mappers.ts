import { catalogV1, type commonV1 } from '@emporia/contracts';
import type { ProductStatusName, SkuInputDto } from './dto/catalog.dto';
import type { MoneyDto } from './dto/money.dto';
import type { PriceChangeView } from './dto/prices-reminders.dto';
import type { CategoryView, ProductAdminView, ProductView, StockLevelView } from './dto/views.dto';
import { productRatingView } from './review-mappers';

/** Explicit mapping between the HTTP API's JSON and the backends' messages. */

const TO_PROTO: Record<ProductStatusName, catalogV1.ProductStatus> = {
  draft: catalogV1.ProductStatus.PRODUCT_STATUS_DRAFT,
  active: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
  archived: catalogV1.ProductStatus.PRODUCT_STATUS_ARCHIVED,
};

const FROM_PROTO: Partial<Record<string, ProductStatusName>> = {
  [catalogV1.ProductStatus.PRODUCT_STATUS_DRAFT]: 'draft',
  [catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE]: 'active',
  [catalogV1.ProductStatus.PRODUCT_STATUS_ARCHIVED]: 'archived',
};

export const statusToProto = (s: ProductStatusName | undefined): catalogV1.ProductStatus =>
  s ? TO_PROTO[s] : catalogV1.ProductStatus.PRODUCT_STATUS_UNSPECIFIED;

export function statusFromProto(s: catalogV1.ProductStatus | string): ProductStatusName {
  const name = FROM_PROTO[s];
  if (!name) throw new Error(`unexpected product status ${s} from catalog`);
  return name;
}

export const skuToProto = (s: SkuInputDto): catalogV1.SkuInput => ({
  code: s.code,
  attributes: s.attributes ?? {},
  price: { amountMinor: s.price.amountMinor, currency: s.price.currency },
  originalPrice: s.originalPrice
    ? { amountMinor: s.originalPrice.amountMinor, currency: s.originalPrice.currency }
    : undefined,
});

const maybeMoney = (m: commonV1.Money | undefined): MoneyDto | null =>
  m ? { amountMinor: Number(m.amountMinor), currency: m.currency } : null;

export const categoryView = (c: catalogV1.Category): CategoryView => ({
  id: c.id,
  name: c.name,
  slug: c.slug,
  parentId: c.parentId || null,
  pathIds: c.pathIds,
  depth: c.depth,
  regulated: c.regulated,
  regulatedMarked: c.regulatedMarked,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

export const productView = (p: catalogV1.Product): ProductView => ({
  id: p.id,
  title: p.title,
  description: p.description,
  brand: p.brand,
  categoryId: p.categoryId,
  categoryPathIds: p.categoryPathIds,
  status: statusFromProto(p.status),
  skus: p.skus.map((s) => ({
    id: s.id,
    code: s.code,
    attributes: s.attributes,
    price: { amountMinor: s.price?.amountMinor ?? 0, currency: s.price?.currency ?? '' },
    originalPrice: maybeMoney(s.originalPrice),
    stockOnHand: s.stockOnHand,
  })),
  version: p.version,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
  rating: productRatingView(p.rating),
  tags: p.tags,
});

const COMPLIANCE_PREFIX = 'COMPLIANCE_STATUS_';

/** `COMPLIANCE_STATUS_APPROVED` → `APPROVED`. */
export const complianceStatusName = (s: catalogV1.ComplianceStatus | string): string =>
  s.startsWith(COMPLIANCE_PREFIX) ? s.slice(COMPLIANCE_PREFIX.length) : s;

/**
 * A product as operators see it: the shopper's view plus its manual tags, listing schedule and
 * compliance status (shoppers see the tags only).
 */
export const productAdminView = (p: catalogV1.Product): ProductAdminView => ({
  ...productView(p),
  manualTags: p.manualTags,
  publishAt: p.publishAt || null,
  unpublishAt: p.unpublishAt || null,
  complianceStatus: complianceStatusName(p.complianceStatus),
});

export const stockLevelView = (l: catalogV1.StockLevel): StockLevelView => ({
  skuId: l.skuId,
  warehouseCode: l.warehouseCode,
  onHand: l.onHand,
  updatedAt: l.updatedAt,
});

export const cursorOf = (token: string): string | null => token || null;

export const priceChangeView = (c: catalogV1.PriceChange): PriceChangeView => ({
  skuId: c.skuId,
  price: maybeMoney(c.price) ?? { amountMinor: 0, currency: '' },
  originalPrice: maybeMoney(c.originalPrice),
  previousPrice: maybeMoney(c.previousPrice),
  reason: c.reason,
  reference: c.reference,
  actorId: c.actorId,
  changedAt: c.changedAt,
});
