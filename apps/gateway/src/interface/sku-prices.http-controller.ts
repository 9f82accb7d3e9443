import { Body, Controller, Get, Inject, Param, Put, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { CATALOG_BACKEND, type CatalogBackend, type Principal } from '../application/ports';
import { ApiProblems } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  PriceHistoryQuery,
  PriceHistoryView,
  SetSkuPriceDto,
  SkuPriceSetView,
} from './dto/prices-reminders.dto';
import { Idempotent, idempotencyKey } from './idempotency.interceptor';
import { priceChangeView, productAdminView } from './mappers';
import { Ctx } from './request-context';
import { uuidParam } from './uuid-param';

/**
 * A UUID (version 5 layout) derived from the parts: the same caller, SKU and Idempotency-Key
 * always give the same request id, so catalog changes the price once however often it is sent.
 */
export function derivedUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\n')).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * Operators' SKU prices on the catalog: a price change (with the displayed original price) kept
 * in the SKU's price history with who and why; the history and the 30-day lowest price that
 * bounds an original price.
 */
@ApiTags('products')
@Auth('operator')
@Controller('v1/admin/skus')
export class SkuPricesHttpController {
  constructor(@Inject(CATALOG_BACKEND) private readonly catalog: CatalogBackend) {}

  @Put(':skuId/price')
  @Idempotent({ required: true })
  @ApiOkResponse({
    type: SkuPriceSetView,
    description: 'the product with the new price, and the change as the history keeps it',
  })
  @ApiProblems(404, 422)
  async setPrice(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('skuId', uuidParam) skuId: string,
    @Body() body: SetSkuPriceDto,
    @Req() req: FastifyRequest,
  ): Promise<SkuPriceSetView> {
    const key = idempotencyKey(req, true)!;
    const r = await this.catalog.setSkuPrice(ctx, {
      skuId,
      price: { amountMinor: body.price.amountMinor, currency: body.price.currency },
      originalPrice: body.originalPrice
        ? { amountMinor: body.originalPrice.amountMinor, currency: body.originalPrice.currency }
        : undefined,
      reason: body.reason,
      reference: '',
      actorId: me.accountId,
      requestId: derivedUuid('set-sku-price', me.accountId, skuId, key),
    });
    return { product: productAdminView(r.product!), change: priceChangeView(r.change!) };
  }

  @Get(':skuId/price-history')
  @ApiOkResponse({ type: PriceHistoryView })
  @ApiProblems(404)
  async history(
    @Ctx() ctx: RequestContext,
    @Param('skuId', uuidParam) skuId: string,
    @Query() q: PriceHistoryQuery,
  ): Promise<PriceHistoryView> {
    const r = await this.catalog.getSkuPriceHistory(ctx, { skuId, limit: q.limit ?? 50 });
    return {
      items: r.changes.map(priceChangeView),
      lowestPrice30d: r.lowestPrice30d
        ? { amountMinor: Number(r.lowestPrice30d.amountMinor), currency: r.lowestPrice30d.currency }
        : null,
    };
  }
}
