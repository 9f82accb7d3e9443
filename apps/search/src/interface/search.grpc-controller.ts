import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { searchV1 } from '@emporia/contracts';
import { decodeCursor, encodeCursor, withGrpcContext } from '@emporia/platform';
import { SearchProductsUseCase } from '../application/search-products.use-case';

const isAfter = (v: unknown): v is { s: unknown[] } =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as { s: unknown }).s) &&
  (v as { s: unknown[] }).s.length === 2 &&
  (v as { s: unknown[] }).s.every((x) => typeof x === 'number' || typeof x === 'string');

@Controller()
@searchV1.SearchServiceControllerMethods()
export class SearchGrpcController implements searchV1.SearchServiceController {
  constructor(private readonly searchProductsUc: SearchProductsUseCase) {}

  searchProducts(
    req: searchV1.SearchProductsRequest,
    md?: Metadata,
  ): Promise<searchV1.SearchProductsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const after = req.pageToken ? decodeCursor(req.pageToken, isAfter).s : undefined;
      const page = await this.searchProductsUc.execute(
        ctx,
        {
          query: req.query,
          categoryId: req.categoryId,
          currency: req.currency,
          pageSize: req.pageSize,
          ...(req.minPriceMinor !== undefined ? { minPriceMinor: req.minPriceMinor } : {}),
          ...(req.maxPriceMinor !== undefined ? { maxPriceMinor: req.maxPriceMinor } : {}),
        },
        after,
      );
      return {
        hits: page.hits.map(({ document: d, score }) => ({
          productId: d.product_id,
          title: d.title,
          brand: d.brand,
          categoryId: d.category_id,
          minPrice: { amountMinor: d.min_price, currency: d.currency },
          maxPrice: { amountMinor: d.max_price, currency: d.currency },
          inStock: d.in_stock,
          score,
          version: d.version,
        })),
        total: page.total,
        nextPageToken: page.after ? encodeCursor({ s: page.after }) : '',
      };
    });
  }
}
