import type { catalogV1 } from '@emporia/contracts';
import { newContext } from '@emporia/platform';
import { type CatalogRpcs, GrpcCatalogAdapter } from './grpc-catalog.adapter';

const warehouse = (code: string): catalogV1.Warehouse =>
  ({
    code,
    name: code,
    country: 'CN',
    province: '上海市',
    city: '上海市',
    shippingCost: { amountMinor: 600, currency: 'CNY' },
    active: true,
  }) as catalogV1.Warehouse;

/** A catalog whose warehouse list is `codes`, counting the questions. */
function catalog(codes: string[]) {
  const asked = { count: 0, fail: false };
  const rpc = {
    listWarehouses: async () => {
      asked.count++;
      if (asked.fail) throw new Error('catalog down');
      return { warehouses: codes.map(warehouse), nextPageToken: '' };
    },
  } as unknown as CatalogRpcs;
  return { rpc, asked };
}

describe('GrpcCatalogAdapter.warehouses: the list is kept for warehousesTtlMs', () => {
  const ctx = newContext();

  it('answers from the kept list within the bound and asks again once it has passed', async () => {
    const codes = ['SH-1'];
    const { rpc, asked } = catalog(codes);
    let now = 1_000_000;
    const adapter = new GrpcCatalogAdapter(rpc, { warehousesTtlMs: 10_000, now: () => now });
    expect((await adapter.warehouses(ctx)).map((w) => w.code)).toEqual(['SH-1']);
    codes.push('BJ-1'); // registered at the catalog meanwhile
    now += 9_999;
    expect((await adapter.warehouses(ctx)).map((w) => w.code)).toEqual(['SH-1']);
    expect(asked.count).toBe(1);
    now += 1; // the bound: never older than 10 s
    expect((await adapter.warehouses(ctx)).map((w) => w.code)).toEqual(['SH-1', 'BJ-1']);
    expect(asked.count).toBe(2);
  });

  it('asks once for concurrent checkouts, keeps no failure, and 0 asks every time', async () => {
    const { rpc, asked } = catalog(['SH-1']);
    const adapter = new GrpcCatalogAdapter(rpc, { warehousesTtlMs: 10_000, now: () => 0 });
    asked.fail = true;
    await expect(adapter.warehouses(ctx)).rejects.toThrow();
    asked.fail = false;
    await Promise.all([adapter.warehouses(ctx), adapter.warehouses(ctx)]);
    expect(asked.count).toBe(2);

    const uncached = new GrpcCatalogAdapter(catalog(['SH-1']).rpc);
    const second = catalog(['SH-1']);
    const off = new GrpcCatalogAdapter(second.rpc, { warehousesTtlMs: 0 });
    await off.warehouses(ctx);
    await off.warehouses(ctx);
    expect(second.asked.count).toBe(2);
    expect(await uncached.warehouses(ctx)).toHaveLength(1);
  });
});
