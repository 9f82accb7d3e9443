import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { catalogV1 } from '@emporia/contracts';
import type { RequestContext } from '@emporia/platform';
import type { Principal } from '../application/ports';
import { CATALOG_BACKEND, type CatalogBackend } from '../application/ports';
import { ApiProblemCodes, ApiProblems } from './api-problems';
import { Auth, MaybeCaller, OptionalAuth } from './auth.guard';
import { CreateProductDto, StockAdjustmentDto, UpdateProductDto } from './dto/catalog.dto';
import { ListProductsQuery } from './dto/query.dto';
import {
  ProductAdminView,
  ProductPage,
  ProductView,
  StockLevelView,
  StockView,
} from './dto/views.dto';
import {
  cursorOf,
  productAdminView,
  productView,
  skuToProto,
  statusToProto,
  stockLevelView,
} from './mappers';
import { Ctx } from './request-context';
import { seesUnlisted, shopperProductView } from './product-detail.fast-route';
import { uuidParam } from './uuid-param';

@ApiTags('products')
@Controller('v1')
export class ProductsHttpController {
  constructor(@Inject(CATALOG_BACKEND) private readonly catalog: CatalogBackend) {}

  @Post('products')
  @Auth('operator')
  @ApiCreatedResponse({ type: ProductAdminView })
  @ApiProblems(409, 422)
  async create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateProductDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductAdminView> {
    const { product } = await this.catalog.createProduct(ctx, {
      title: body.title,
      description: body.description ?? '',
      brand: body.brand ?? '',
      categoryId: body.categoryId,
      status: statusToProto(body.status),
      skus: body.skus.map(skuToProto),
    });
    void reply.status(201).header('location', `/v1/products/${product!.id}`);
    return productAdminView(product!);
  }

  /** Shoppers see listed products only; operators also drafts and archived ones. */
  @Get('products')
  @OptionalAuth()
  @ApiOkResponse({ type: ProductPage })
  @ApiProblems(404)
  async list(
    @Ctx() ctx: RequestContext,
    @Query() q: ListProductsQuery,
    @MaybeCaller() caller: Principal | undefined,
  ): Promise<ProductPage> {
    const res = await this.catalog.listProducts(ctx, {
      categoryId: q.categoryId ?? '',
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
      statuses: seesUnlisted(caller) ? [] : [catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE],
    });
    const view = seesUnlisted(caller) ? productAdminView : productView;
    return { items: res.products.map(view), nextCursor: cursorOf(res.nextPageToken) };
  }

  @Get('products/:id')
  @OptionalAuth()
  @ApiOkResponse({
    type: ProductView,
    description:
      "an operator also gets ProductAdminView's manualTags, publishAt, unpublishAt and complianceStatus",
  })
  @ApiProblems(404)
  async get(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @MaybeCaller() caller: Principal | undefined,
  ): Promise<ProductView> {
    const product = (await this.catalog.getProduct(ctx, { id })).product!;
    return seesUnlisted(caller) ? productAdminView(product) : shopperProductView(product);
  }

  @Patch('products/:id')
  @Auth('operator')
  @ApiOkResponse({
    type: ProductAdminView,
    description:
      'publishing (status active) a product of a regulated category needs an approved compliance review: 422 COMPLIANCE_REVIEW_REQUIRED otherwise',
  })
  @ApiProblemCodes({
    400: ['BANNED_WORDS', 'BRAND_BLACKLISTED'],
    404: ['PRODUCT_NOT_FOUND'],
    409: ['PRODUCT_VERSION_CONFLICT'],
    422: ['COMPLIANCE_REVIEW_REQUIRED', 'CATEGORY_NOT_FOUND'],
  })
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: UpdateProductDto,
  ): Promise<ProductAdminView> {
    const { product } = await this.catalog.updateProduct(ctx, {
      id,
      ...(body.title !== undefined ? { title: body.title } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.brand !== undefined ? { brand: body.brand } : {}),
      ...(body.categoryId !== undefined ? { categoryId: body.categoryId } : {}),
      status: statusToProto(body.status),
      upsertSkus: (body.upsertSkus ?? []).map(skuToProto),
      expectedVersion: body.expectedVersion ?? 0,
    });
    return productAdminView(product!);
  }

  @Post('skus/:skuId/stock-adjustments')
  @Auth('operator')
  @HttpCode(200)
  @ApiOkResponse({ type: StockLevelView, description: 'the warehouse level after the adjustment' })
  @ApiProblems(404, 422)
  async adjustStock(
    @Ctx() ctx: RequestContext,
    @Param('skuId', uuidParam) skuId: string,
    @Body() body: StockAdjustmentDto,
  ): Promise<StockLevelView> {
    const { level } = await this.catalog.adjustStock(ctx, {
      skuId,
      warehouseCode: body.warehouseCode,
      delta: body.delta,
      reason: body.reason ?? '',
    });
    return stockLevelView(level!);
  }

  @Get('skus/:skuId/stock')
  @ApiOkResponse({ type: StockView })
  @ApiProblems(404)
  async stock(
    @Ctx() ctx: RequestContext,
    @Param('skuId', uuidParam) skuId: string,
  ): Promise<StockView> {
    const res = await this.catalog.getStock(ctx, { skuId });
    return { levels: res.levels.map(stockLevelView), totalOnHand: res.totalOnHand };
  }
}
