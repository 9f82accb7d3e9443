import { catalogV1 } from '@emporia/contracts';
import { newContext, type GrpcApi } from '@emporia/platform';
import type { CatalogSource } from '../application/ports';
import type { ProductSnapshot } from '../domain/product-document';

const STATUS: Record<string, ProductSnapshot['status']> = {
  [catalogV1.ProductStatus.PRODUCT_STATUS_DRAFT]: 'DRAFT',
  [catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE]: 'ACTIVE',
  [catalogV1.ProductStatus.PRODUCT_STATUS_ARCHIVED]: 'ARCHIVED',
};

/** The catalog's product message as the snapshot search indexes. */
export function snapshotFromProto(p: catalogV1.Product): ProductSnapshot {
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    brand: p.brand,
    categoryId: p.categoryId,
    categoryPathIds: p.categoryPathIds,
    status: STATUS[p.status] ?? 'UNKNOWN',
    skus: p.skus.map((s) => ({
      id: s.id,
      code: s.code,
      amountMinor: s.price?.amountMinor ?? 0,
      currency: s.price?.currency ?? '',
      stockOnHand: s.stockOnHand,
      attributes: s.attributes ?? {},
    })),
    unitsSold: p.unitsSold,
    tags: p.tags ?? [],
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** Pages through every product of the catalog over gRPC, for a full reindex. */
export class GrpcCatalogSource implements CatalogSource {
  constructor(private readonly api: GrpcApi<catalogV1.CatalogServiceController>) {}

  async page(pageToken: string, pageSize: number) {
    const res = await this.api.listProducts(newContext(), {
      categoryId: '',
      pageSize,
      pageToken,
      // every status: a draft or archived product replaces what the index holds for it
      statuses: [],
    });
    return { products: res.products.map(snapshotFromProto), next: res.nextPageToken };
  }

  async categoryPage(pageToken: string) {
    const res = await this.api.listCategories(newContext(), {
      parentId: '',
      all: true,
      pageSize: 500,
      pageToken,
    });
    return {
      categories: res.categories.map((c) => ({ id: c.id, name: c.name, pathIds: c.pathIds })),
      next: res.nextPageToken,
    };
  }
}
