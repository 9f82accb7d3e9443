import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { catalogV1 } from '@emporia/contracts';
import { decodeCursor, encodeCursor, pageSize, withGrpcContext } from '@emporia/platform';
import { AdjustStockUseCase } from '../application/adjust-stock.use-case';
import { CategoryQueries } from '../application/category.queries';
import { CreateCategoryUseCase } from '../application/create-category.use-case';
import { CreateProductUseCase } from '../application/create-product.use-case';
import { MoveCategoryUseCase } from '../application/move-category.use-case';
import { ProductQueries } from '../application/product.queries';
import { ReservationsUseCase } from '../application/reservations.use-case';
import type { Reservation } from '../domain/reservation';
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
import {
  auditToProto,
  reviewStatusFromProto,
  reviewToProto,
  tagRuleFromProto,
  tagRuleToProto,
} from '../infrastructure/compliance-mappers';
import { assertId, invalid } from '../domain/catalog-error';
import type { SkuInput } from '../domain/product';
import {
  categoryToProto,
  moneyToProto,
  priceChangeToProto,
  productToProto,
  statusFromProto,
  stockLevelToProto,
  warehouseToProto,
  // issue 18: catalog-stock
  lowStockItemToProto,
  stockThresholdToProto,
} from '../infrastructure/proto-mappers';

const optionalId = (field: string, v: string | undefined) => (v ? assertId(field, v) : undefined);
const isAfter = (v: unknown): v is { a: string } =>
  typeof v === 'object' && v !== null && typeof (v as { a: unknown }).a === 'string';
const after = (token: string) =>
  token ? assertId('page_token', decodeCursor(token, isAfter).a) : undefined;
const nextToken = (afterId?: string) => (afterId ? encodeCursor({ a: afterId }) : '');
const isAfterCode = (v: unknown): v is { w: string } =>
  typeof v === 'object' && v !== null && typeof (v as { w: unknown }).w === 'string';
const afterCode = (token: string) => (token ? decodeCursor(token, isAfterCode).w : undefined);
// issue 18: the low-stock list's keyset cursor (low_since, SKU id, warehouse code)
const isLowCursor = (v: unknown): v is { t: string; s: string; w: string } =>
  typeof v === 'object' &&
  v !== null &&
  ['t', 's', 'w'].every((k) => typeof (v as Record<string, unknown>)[k] === 'string');
const lowStockCursor = (c: { t: string; s: string; w: string }) => {
  const lowSince = new Date(c.t);
  if (Number.isNaN(lowSince.getTime()))
    throw invalid('INVALID_CURSOR', 'page token is malformed or expired');
  return { lowSince, skuId: assertId('page_token', c.s), warehouseCode: c.w };
};
const skuInputs = (skus: catalogV1.SkuInput[] | undefined): SkuInput[] =>
  (skus ?? []).map((s) => ({
    code: s.code,
    attributes: s.attributes ?? {},
    ...(s.price ? { price: { amountMinor: s.price.amountMinor, currency: s.price.currency } } : {}),
    ...(s.originalPrice
      ? {
          originalPrice: {
            amountMinor: s.originalPrice.amountMinor,
            currency: s.originalPrice.currency,
          },
        }
      : {}),
  }));

/** gRPC surface of the catalog: maps messages, calls one use case, maps back. */
@Controller()
@catalogV1.CatalogServiceControllerMethods()
export class CatalogGrpcController implements catalogV1.CatalogServiceController {
  constructor(
    private readonly createCategoryUc: CreateCategoryUseCase,
    private readonly updateCategoryUc: UpdateCategoryUseCase,
    private readonly moveCategoryUc: MoveCategoryUseCase,
    private readonly categories: CategoryQueries,
    private readonly createProductUc: CreateProductUseCase,
    private readonly updateProductUc: UpdateProductUseCase,
    private readonly products: ProductQueries,
    private readonly adjustStockUc: AdjustStockUseCase,
    private readonly stock: StockQueries,
    private readonly reservations: ReservationsUseCase,
    private readonly warehouses: WarehousesUseCase,
    private readonly skuPrices: SkuPriceUseCase,
    // issue 18: catalog-stock
    private readonly stockThresholds: StockThresholdUseCase,
    private readonly lowStock: LowStockQueries,
    private readonly listingSchedule: ListingScheduleUseCase,
    // issue 18 (catalog-merch)
    private readonly tags: TagsUseCase,
    private readonly compliance: ComplianceUseCase,
  ) {}

  setSkuPrice(
    req: catalogV1.SetSkuPriceRequest,
    md?: Metadata,
  ): Promise<catalogV1.SetSkuPriceResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.skuPrices.setPrice(ctx, {
        skuId: req.skuId,
        ...(req.price ? { price: req.price } : {}),
        ...(req.originalPrice ? { originalPrice: req.originalPrice } : {}),
        reason: req.reason,
        reference: req.reference,
        actorId: req.actorId,
        requestId: req.requestId,
      });
      return { product: productToProto(r.view), change: priceChangeToProto(r.change) };
    });
  }

  getSkuPriceHistory(
    req: catalogV1.GetSkuPriceHistoryRequest,
    md?: Metadata,
  ): Promise<catalogV1.GetSkuPriceHistoryResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.skuPrices.history(ctx, req.skuId, pageSize(req.limit, 50, 500));
      const lowest = moneyToProto(r.lowest30d);
      // proto-loader (the gRPC server's serializer) names `lowest_price_30d` lowestPrice_30d
      // (no camel case before a digit) where ts-proto says lowestPrice30d: answer both
      return Object.assign(
        { changes: r.changes.map(priceChangeToProto), lowestPrice30d: lowest },
        { lowestPrice_30d: lowest },
      );
    });
  }

  createCategory(
    req: catalogV1.CreateCategoryRequest,
    md?: Metadata,
  ): Promise<catalogV1.CreateCategoryResponse> {
    return withGrpcContext(md, async (ctx) => {
      const parentId = optionalId('parent_id', req.parentId);
      const c = await this.createCategoryUc.execute(ctx, {
        name: req.name,
        slug: req.slug,
        ...(parentId ? { parentId } : {}),
        regulated: !!req.regulated,
      });
      return { category: categoryToProto(c) };
    });
  }

  updateCategory(
    req: catalogV1.UpdateCategoryRequest,
    md?: Metadata,
  ): Promise<catalogV1.UpdateCategoryResponse> {
    return withGrpcContext(md, async (ctx) => {
      const c = await this.updateCategoryUc.execute(ctx, {
        id: assertId('id', req.id),
        ...(req.name !== undefined ? { name: req.name } : {}),
        ...(req.slug !== undefined ? { slug: req.slug } : {}),
        ...(req.regulated !== undefined && req.regulated !== null
          ? { regulated: req.regulated }
          : {}),
      });
      return { category: categoryToProto(c) };
    });
  }

  moveCategory(
    req: catalogV1.MoveCategoryRequest,
    md?: Metadata,
  ): Promise<catalogV1.MoveCategoryResponse> {
    return withGrpcContext(md, async (ctx) => {
      const newParentId = optionalId('new_parent_id', req.newParentId);
      const c = await this.moveCategoryUc.execute(ctx, {
        id: assertId('id', req.id),
        ...(newParentId ? { newParentId } : {}),
      });
      return { category: categoryToProto(c) };
    });
  }

  getCategory(
    req: catalogV1.GetCategoryRequest,
    md?: Metadata,
  ): Promise<catalogV1.GetCategoryResponse> {
    return withGrpcContext(md, async (ctx) => ({
      category: categoryToProto(await this.categories.get(ctx, assertId('id', req.id))),
    }));
  }

  listCategories(
    req: catalogV1.ListCategoriesRequest,
    md?: Metadata,
  ): Promise<catalogV1.ListCategoriesResponse> {
    return withGrpcContext(md, async (ctx) => {
      const parentId = optionalId('parent_id', req.parentId);
      const afterId = after(req.pageToken);
      const page = await this.categories.list(ctx, {
        all: req.all,
        limit: pageSize(req.pageSize, 50, 500),
        ...(parentId ? { parentId } : {}),
        ...(afterId ? { afterId } : {}),
      });
      return {
        categories: page.items.map(categoryToProto),
        nextPageToken: nextToken(page.nextAfterId),
      };
    });
  }

  createProduct(
    req: catalogV1.CreateProductRequest,
    md?: Metadata,
  ): Promise<catalogV1.CreateProductResponse> {
    return withGrpcContext(md, async (ctx) => {
      const status = statusFromProto(req.status);
      const view = await this.createProductUc.execute(ctx, {
        title: req.title,
        description: req.description,
        brand: req.brand,
        categoryId: assertId('category_id', req.categoryId),
        skus: skuInputs(req.skus),
        ...(status ? { status } : {}),
      });
      return { product: productToProto(view) };
    });
  }

  updateProduct(
    req: catalogV1.UpdateProductRequest,
    md?: Metadata,
  ): Promise<catalogV1.UpdateProductResponse> {
    return withGrpcContext(md, async (ctx) => {
      const status = statusFromProto(req.status);
      const view = await this.updateProductUc.execute(ctx, assertId('id', req.id), {
        ...(req.title !== undefined ? { title: req.title } : {}),
        ...(req.description !== undefined ? { description: req.description } : {}),
        ...(req.brand !== undefined ? { brand: req.brand } : {}),
        ...(req.categoryId !== undefined
          ? { categoryId: assertId('category_id', req.categoryId) }
          : {}),
        ...(status ? { status } : {}),
        upsertSkus: skuInputs(req.upsertSkus),
        ...(req.expectedVersion ? { expectedVersion: req.expectedVersion } : {}),
      });
      return { product: productToProto(view) };
    });
  }

  getProduct(
    req: catalogV1.GetProductRequest,
    md?: Metadata,
  ): Promise<catalogV1.GetProductResponse> {
    return withGrpcContext(md, async (ctx) => ({
      product: productToProto(await this.products.get(ctx, assertId('id', req.id))),
    }));
  }

  listProducts(
    req: catalogV1.ListProductsRequest,
    md?: Metadata,
  ): Promise<catalogV1.ListProductsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const categoryId = optionalId('category_id', req.categoryId);
      const afterId = after(req.pageToken);
      const statuses = (req.statuses ?? []).map((st) => {
        const status = statusFromProto(st);
        if (!status) throw invalid('PRODUCT_STATUS_INVALID', `unknown product status ${st}`);
        return status;
      });
      const page = await this.products.list(ctx, {
        ...(statuses.length ? { statuses } : {}),
        // up to 500 so a full reindex needs few calls (see ListProductsRequest)
        limit: pageSize(req.pageSize, 20, 500),
        ...(categoryId ? { categoryId } : {}),
        ...(afterId ? { afterId } : {}),
      });
      return {
        products: page.items.map(productToProto),
        nextPageToken: nextToken(page.nextAfterId),
      };
    });
  }

  adjustStock(
    req: catalogV1.AdjustStockRequest,
    md?: Metadata,
  ): Promise<catalogV1.AdjustStockResponse> {
    return withGrpcContext(md, async (ctx) => {
      const level = await this.adjustStockUc.execute(ctx, assertId('sku_id', req.skuId), {
        warehouseCode: req.warehouseCode,
        delta: req.delta,
        reason: req.reason,
      });
      return { level: stockLevelToProto(level) };
    });
  }

  getStock(req: catalogV1.GetStockRequest, md?: Metadata): Promise<catalogV1.GetStockResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.stock.levels(ctx, assertId('sku_id', req.skuId));
      return {
        levels: r.levels.map(stockLevelToProto),
        totalOnHand: r.total,
        totalAvailable: r.totalAvailable,
      };
    });
  }

  getSkus(req: catalogV1.GetSkusRequest, md?: Metadata): Promise<catalogV1.GetSkusResponse> {
    return withGrpcContext(md, async (ctx) => ({
      skus: (await this.reservations.skus(ctx, req.skuIds)).map((f) => ({
        skuId: f.skuId,
        code: f.code,
        productId: f.productId,
        title: f.title,
        categoryPathIds: f.categoryPathIds,
        price: { amountMinor: f.priceMinor, currency: f.currency },
        orderable: f.orderable,
        available: f.available,
        stock: f.stock,
      })),
    }));
  }

  reserveStock(
    req: catalogV1.ReserveStockRequest,
    md?: Metadata,
  ): Promise<catalogV1.ReserveStockResponse> {
    return withGrpcContext(md, async (ctx) => ({
      reservation: reservationToProto(
        await this.reservations.reserve(ctx, {
          id: req.reservationId,
          lines: req.lines.map((l) => ({
            skuId: l.skuId,
            quantity: Number(l.quantity),
            warehouseCode: l.warehouseCode,
          })),
          ttlSeconds: req.ttlSeconds,
        }),
      ),
    }));
  }

  commitReservation(
    req: catalogV1.CommitReservationRequest,
    md?: Metadata,
  ): Promise<catalogV1.CommitReservationResponse> {
    return withGrpcContext(md, async (ctx) => ({
      reservation: reservationToProto(
        await this.reservations.commit(ctx, assertId('reservation_id', req.reservationId)),
      ),
    }));
  }

  releaseReservation(
    req: catalogV1.ReleaseReservationRequest,
    md?: Metadata,
  ): Promise<catalogV1.ReleaseReservationResponse> {
    return withGrpcContext(md, async (ctx) => ({
      reservation: reservationToProto(
        await this.reservations.release(
          ctx,
          assertId('reservation_id', req.reservationId),
          req.reason,
        ),
      ),
    }));
  }

  getReservation(
    req: catalogV1.GetReservationRequest,
    md?: Metadata,
  ): Promise<catalogV1.GetReservationResponse> {
    return withGrpcContext(md, async (ctx) => ({
      reservation: reservationToProto(
        await this.reservations.get(ctx, assertId('reservation_id', req.reservationId)),
      ),
    }));
  }

  upsertWarehouse(
    req: catalogV1.UpsertWarehouseRequest,
    md?: Metadata,
  ): Promise<catalogV1.UpsertWarehouseResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.warehouses.upsert(ctx, {
        code: req.code,
        name: req.name,
        country: req.country,
        province: req.province,
        city: req.city,
        ...(req.shippingCost
          ? {
              shippingCost: {
                amountMinor: req.shippingCost.amountMinor,
                currency: req.shippingCost.currency,
              },
            }
          : {}),
        ...(req.active !== undefined ? { active: req.active } : {}),
      });
      return { warehouse: warehouseToProto(r.warehouse), created: r.created };
    });
  }

  listWarehouses(
    req: catalogV1.ListWarehousesRequest,
    md?: Metadata,
  ): Promise<catalogV1.ListWarehousesResponse> {
    return withGrpcContext(md, async (ctx) => {
      const code = afterCode(req.pageToken);
      const page = await this.warehouses.list(ctx, {
        activeOnly: req.activeOnly,
        limit: pageSize(req.pageSize, 100, 500),
        ...(code ? { afterCode: code } : {}),
      });
      return {
        warehouses: page.items.map(warehouseToProto),
        nextPageToken: page.nextAfterId ? encodeCursor({ w: page.nextAfterId }) : '',
      };
    });
  }

  // Issue 18 placeholders, replaced by the helpers before the merge (none may remain).
  // --- issue 18: catalog-stock (low-stock thresholds, scheduled listing) ---

  setStockThreshold(
    req: catalogV1.SetStockThresholdRequest,
    md?: Metadata,
  ): Promise<catalogV1.SetStockThresholdResponse> {
    return withGrpcContext(md, async (ctx) => {
      const t = await this.stockThresholds.set(ctx, assertId('sku_id', req.skuId), {
        warehouseCode: req.warehouseCode,
        threshold: Number(req.threshold),
      });
      // removed (0): the threshold as asked, not low
      return {
        threshold: t
          ? stockThresholdToProto(t)
          : {
              skuId: req.skuId.toLowerCase(),
              warehouseCode: req.warehouseCode.toUpperCase(),
              threshold: 0,
              low: false,
              lowSince: '',
              updatedAt: '',
            },
      };
    });
  }

  listStockThresholds(
    req: catalogV1.ListStockThresholdsRequest,
    md?: Metadata,
  ): Promise<catalogV1.ListStockThresholdsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      thresholds: (await this.stockThresholds.list(ctx, optionalId('sku_id', req.skuId))).map(
        stockThresholdToProto,
      ),
    }));
  }

  listLowStock(
    req: catalogV1.ListLowStockRequest,
    md?: Metadata,
  ): Promise<catalogV1.ListLowStockResponse> {
    return withGrpcContext(md, async (ctx) => {
      const after = req.pageToken
        ? lowStockCursor(decodeCursor(req.pageToken, isLowCursor))
        : undefined;
      const page = await this.lowStock.list(ctx, {
        ...(req.warehouseCode ? { warehouseCode: req.warehouseCode } : {}),
        ...(after ? { after } : {}),
        limit: pageSize(req.pageSize, 50, 500),
      });
      return {
        items: page.items.map(lowStockItemToProto),
        nextPageToken: page.next
          ? encodeCursor({
              t: page.next.lowSince.toISOString(),
              s: page.next.skuId,
              w: page.next.warehouseCode,
            })
          : '',
      };
    });
  }

  scheduleListing(
    req: catalogV1.ScheduleListingRequest,
    md?: Metadata,
  ): Promise<catalogV1.ScheduleListingResponse> {
    return withGrpcContext(md, async (ctx) => ({
      product: productToProto(
        await this.listingSchedule.schedule(ctx, assertId('product_id', req.productId), {
          publishAt: req.publishAt,
          unpublishAt: req.unpublishAt,
          ...(req.expectedVersion ? { expectedVersion: Number(req.expectedVersion) } : {}),
        }),
      ),
    }));
  }

  // --- issue 18 (catalog-merch): tags and compliance review ---

  setProductTags(
    req: catalogV1.SetProductTagsRequest,
    md?: Metadata,
  ): Promise<catalogV1.SetProductTagsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      product: productToProto(
        await this.tags.setManualTags(
          ctx,
          assertId('product_id', req.productId),
          req.tags ?? [],
          req.expectedVersion ? Number(req.expectedVersion) : undefined,
        ),
      ),
    }));
  }

  listTagRules(
    _req: catalogV1.ListTagRulesRequest,
    md?: Metadata,
  ): Promise<catalogV1.ListTagRulesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      rules: (await this.tags.listRules(ctx)).map(tagRuleToProto),
    }));
  }

  replaceTagRules(
    req: catalogV1.ReplaceTagRulesRequest,
    md?: Metadata,
  ): Promise<catalogV1.ReplaceTagRulesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      rules: (await this.tags.replaceRules(ctx, (req.rules ?? []).map(tagRuleFromProto))).map(
        tagRuleToProto,
      ),
    }));
  }

  submitComplianceReview(
    req: catalogV1.SubmitComplianceReviewRequest,
    md?: Metadata,
  ): Promise<catalogV1.SubmitComplianceReviewResponse> {
    return withGrpcContext(md, async (ctx) => ({
      review: reviewToProto(
        await this.compliance.submit(ctx, {
          productId: assertId('product_id', req.productId),
          qualityReportRef: req.qualityReportRef ?? '',
          submittedBy: req.submittedBy ?? '',
        }),
      ),
    }));
  }

  decideComplianceReview(
    req: catalogV1.DecideComplianceReviewRequest,
    md?: Metadata,
  ): Promise<catalogV1.DecideComplianceReviewResponse> {
    return withGrpcContext(md, async (ctx) => ({
      review: reviewToProto(
        await this.compliance.decide(ctx, {
          reviewId: assertId('review_id', req.reviewId),
          operatorId: req.operatorId ?? '',
          approve: !!req.approve,
          reason: req.reason ?? '',
        }),
      ),
    }));
  }

  listComplianceReviews(
    req: catalogV1.ListComplianceReviewsRequest,
    md?: Metadata,
  ): Promise<catalogV1.ListComplianceReviewsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const status = reviewStatusFromProto(req.status);
      if (status === 'NONE') return { reviews: [], nextPageToken: '' }; // no review has that status
      const afterId = after(req.pageToken);
      const page = await this.compliance.list(ctx, {
        limit: pageSize(req.pageSize, 50, 500),
        ...(status ? { status } : {}),
        ...(afterId ? { afterId } : {}),
      });
      return {
        reviews: page.items.map(reviewToProto),
        nextPageToken: nextToken(page.nextAfterId),
      };
    });
  }

  getComplianceAudit(
    req: catalogV1.GetComplianceAuditRequest,
    md?: Metadata,
  ): Promise<catalogV1.GetComplianceAuditResponse> {
    return withGrpcContext(md, async (ctx) => ({
      entries: (await this.compliance.auditTrail(ctx, assertId('product_id', req.productId))).map(
        auditToProto,
      ),
    }));
  }

  getComplianceRules(
    _req: catalogV1.GetComplianceRulesRequest,
    md?: Metadata,
  ): Promise<catalogV1.GetComplianceRulesResponse> {
    return withGrpcContext(md, async (ctx) => this.compliance.rules(ctx));
  }

  replaceComplianceRules(
    req: catalogV1.ReplaceComplianceRulesRequest,
    md?: Metadata,
  ): Promise<catalogV1.ReplaceComplianceRulesResponse> {
    return withGrpcContext(md, async (ctx) =>
      this.compliance.replaceRules(ctx, {
        bannedWords: req.bannedWords ?? [],
        blacklistedBrands: req.blacklistedBrands ?? [],
      }),
    );
  }
}

function reservationToProto(r: Reservation): catalogV1.Reservation {
  return {
    id: r.id,
    status: r.status,
    lines: r.lines.map(({ skuId, warehouseCode, quantity }) => ({
      skuId,
      warehouseCode,
      quantity,
    })),
    expiresAt: r.expiresAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
