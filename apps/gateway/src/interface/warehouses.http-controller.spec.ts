import type { FastifyReply } from 'fastify';
import type { catalogV1 } from '@emporia/contracts';
import { newContext } from '@emporia/platform';
import type { CatalogBackend } from '../application/ports';
import { UpsertWarehouseDto } from './dto/warehouse.dto';
import { validationPipe } from './validation';
import { warehouseCodeParam, WarehousesHttpController } from './warehouses.http-controller';

const warehouse: catalogV1.Warehouse = {
  code: 'SH-PD',
  name: 'Shanghai Pudong',
  country: 'CN',
  province: 'Shanghai',
  city: 'Shanghai',
  shippingCost: { amountMinor: 800, currency: 'CNY' },
  active: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const body = {
  name: 'Shanghai Pudong',
  country: 'CN',
  province: 'Shanghai',
  city: 'Shanghai',
  shippingCost: { amountMinor: 800, currency: 'CNY' },
};

describe('warehouses HTTP controller', () => {
  const setup = (created: boolean) => {
    const catalog = {
      upsertWarehouse: jest.fn().mockResolvedValue({ warehouse, created }),
      listWarehouses: jest.fn().mockResolvedValue({ warehouses: [warehouse], nextPageToken: '' }),
    };
    const reply = { status: jest.fn(), header: jest.fn() };
    reply.status.mockReturnValue(reply);
    reply.header.mockReturnValue(reply);
    return {
      catalog,
      reply,
      controller: new WarehousesHttpController(catalog as unknown as CatalogBackend),
    };
  };

  it('answers 201 with a location when the warehouse is new, 200 when replaced', async () => {
    const fresh = setup(true);
    const view = await fresh.controller.upsert(
      newContext(),
      'SH-PD',
      body as UpsertWarehouseDto,
      fresh.reply as unknown as FastifyReply,
    );
    expect(view).toEqual({ ...warehouse });
    expect(fresh.reply.status).toHaveBeenCalledWith(201);
    expect(fresh.reply.header).toHaveBeenCalledWith('location', '/v1/admin/warehouses/SH-PD');
    // `active` not given is not sent: the catalog keeps what the warehouse is
    expect(fresh.catalog.upsertWarehouse.mock.calls[0][1]).not.toHaveProperty('active');

    const replaced = setup(false);
    await replaced.controller.upsert(
      newContext(),
      'SH-PD',
      { ...body, active: false } as UpsertWarehouseDto,
      replaced.reply as unknown as FastifyReply,
    );
    expect(replaced.reply.status).not.toHaveBeenCalled();
    expect(replaced.catalog.upsertWarehouse.mock.calls[0][1]).toMatchObject({ active: false });
  });

  it('lists, passing the filter and the page through', async () => {
    const { controller, catalog } = setup(false);
    expect(await controller.list(newContext(), { activeOnly: 'true', limit: 5 })).toEqual({
      items: [warehouse],
      nextCursor: null,
    });
    expect(catalog.listWarehouses.mock.calls[0][1]).toEqual({
      activeOnly: true,
      pageSize: 5,
      pageToken: '',
    });
  });

  it('checks the code in the path before any backend call', () => {
    expect(warehouseCodeParam.transform('sh-pd', { type: 'param' })).toBe('SH-PD');
    for (const bad of ['', 'a b', '-x', 'W'.repeat(33)])
      expect(() => warehouseCodeParam.transform(bad, { type: 'param' })).toThrow(
        expect.objectContaining({ status: 400, code: 'WAREHOUSE_CODE_INVALID' }),
      );
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a negative cost',
      { shippingCost: { amountMinor: -1, currency: 'CNY' } },
      'shippingCost.amountMinor',
    ],
    [
      'a fractional cost',
      { shippingCost: { amountMinor: 1.5, currency: 'CNY' } },
      'shippingCost.amountMinor',
    ],
    ['no cost', { shippingCost: undefined }, 'shippingCost'],
    ['a three-letter country', { country: 'CHN' }, 'country'],
    ['an empty city', { city: '' }, 'city'],
    ['a string for active', { active: 'yes' }, 'active'],
    // left out keeps the warehouse as it is; null is not "false" (it was stored as false)
    ['null for active', { active: null }, 'active'],
    ['an unknown property', { code: 'SH-PD' }, 'code'],
  ])('refuses a body with %s (400)', async (_label, over, field) => {
    await expect(
      validationPipe.transform(
        { ...body, ...over },
        { type: 'body', metatype: UpsertWarehouseDto },
      ),
    ).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: expect.arrayContaining([expect.objectContaining({ field })]),
    });
  });
});
