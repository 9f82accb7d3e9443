import { Body, Controller, Get, Inject, Param, Put, Query, Res } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { catalogV1 } from '@emporia/contracts';
import type { RequestContext } from '@emporia/platform';
import { CATALOG_BACKEND, type CatalogBackend } from '../application/ports';
import { ApiProblems } from './api-problems';
import { Auth } from './auth.guard';
import {
  ListWarehousesQuery,
  UpsertWarehouseDto,
  WAREHOUSE_CODE_RE,
  WarehousePage,
  WarehouseView,
} from './dto/warehouse.dto';
import { cursorOf } from './mappers';
import { describedPipe } from './openapi-contract';
import { ProblemError } from './problem';
import { Ctx } from './request-context';

/** Warehouse codes in paths are checked before any backend call. */
export const warehouseCodeParam: PipeTransform<string, string> = describedPipe(
  {
    transform(value: string): string {
      if (!WAREHOUSE_CODE_RE.test(value ?? ''))
        throw new ProblemError(
          400,
          'WAREHOUSE_CODE_INVALID',
          "the warehouse code in the path must be 1-32 letters, digits, '_' or '-'",
        );
      return value.toUpperCase();
    },
  },
  { type: 'string', pattern: WAREHOUSE_CODE_RE.source, description: 'the code, any case' },
);

const warehouseView = (w: catalogV1.Warehouse): WarehouseView => ({
  code: w.code,
  name: w.name,
  country: w.country,
  province: w.province,
  city: w.city,
  shippingCost: {
    amountMinor: w.shippingCost?.amountMinor ?? 0,
    currency: w.shippingCost?.currency ?? '',
  },
  active: w.active,
  createdAt: w.createdAt,
  updatedAt: w.updatedAt,
});

/** Operators register warehouses (location, shipping cost) for order routing. */
@ApiTags('admin')
@Auth('operator')
@Controller('v1/admin/warehouses')
export class WarehousesHttpController {
  constructor(@Inject(CATALOG_BACKEND) private readonly catalog: CatalogBackend) {}

  @Get()
  @ApiOkResponse({ type: WarehousePage, description: 'registered warehouses by code' })
  @ApiProblems()
  async list(@Ctx() ctx: RequestContext, @Query() q: ListWarehousesQuery): Promise<WarehousePage> {
    const res = await this.catalog.listWarehouses(ctx, {
      activeOnly: q.activeOnly === 'true',
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
    });
    return { items: res.warehouses.map(warehouseView), nextCursor: cursorOf(res.nextPageToken) };
  }

  @Put(':code')
  @ApiCreatedResponse({ type: WarehouseView, description: 'registered' })
  @ApiOkResponse({ type: WarehouseView, description: 'replaced (or unchanged)' })
  @ApiProblems()
  async upsert(
    @Ctx() ctx: RequestContext,
    @Param('code', warehouseCodeParam) code: string,
    @Body() body: UpsertWarehouseDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WarehouseView> {
    const res = await this.catalog.upsertWarehouse(ctx, {
      code,
      name: body.name,
      country: body.country,
      province: body.province,
      city: body.city,
      shippingCost: {
        amountMinor: body.shippingCost.amountMinor,
        currency: body.shippingCost.currency,
      },
      ...(body.active !== undefined ? { active: body.active } : {}),
    });
    if (res.created)
      void reply.status(201).header('location', `/v1/admin/warehouses/${res.warehouse!.code}`);
    return warehouseView(res.warehouse!);
  }
}
