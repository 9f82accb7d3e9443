import { status } from '@grpc/grpc-js';
import type { catalogV1 } from '@emporia/contracts';
import { Money } from '@emporia/money';
import { newContext, RemoteCallError, type GrpcApi } from '@emporia/platform';
import { GrpcCatalogPrices } from './pricing-catalog.adapter';

type Catalog = GrpcApi<catalogV1.CatalogServiceController>;
const req = {
  skuId: 'sku',
  price: Money.of(8000, 'CNY'),
  reason: 'price-suggestion',
  reference: 'ref',
  actorId: 'op',
  requestId: 'req',
};
const failing = (remoteStatus: status, code: string) =>
  ({
    setSkuPrice: () =>
      Promise.reject(
        new RemoteCallError('catalog', {
          status: remoteStatus,
          code,
          message: 'm',
          details: { field: 'x' },
        }),
      ),
  }) as unknown as Catalog;

describe('catalog SetSkuPrice adapter', () => {
  it('without CATALOG_GRPC_URL every approval is UNAVAILABLE', async () => {
    await expect(
      new GrpcCatalogPrices(undefined).setSkuPrice(newContext(), req),
    ).rejects.toMatchObject({
      kind: 'UNAVAILABLE',
      code: 'CATALOG_UNAVAILABLE',
    });
  });

  it('sends the request as given (no original price) and passes refusals through with their code', async () => {
    const sent: unknown[] = [];
    const ok = {
      setSkuPrice: async (_c: unknown, r: unknown) => void sent.push(r),
    } as unknown as Catalog;
    await new GrpcCatalogPrices(ok).setSkuPrice(newContext(), req);
    expect(sent).toEqual([
      {
        skuId: 'sku',
        price: { amountMinor: 8000, currency: 'CNY' },
        originalPrice: undefined,
        reason: 'price-suggestion',
        reference: 'ref',
        actorId: 'op',
        requestId: 'req',
      },
    ]);
    await expect(
      new GrpcCatalogPrices(
        failing(status.FAILED_PRECONDITION, 'ORIGINAL_PRICE_TOO_HIGH'),
      ).setSkuPrice(newContext(), req),
    ).rejects.toMatchObject({
      kind: 'FAILED_PRECONDITION',
      code: 'ORIGINAL_PRICE_TOO_HIGH',
      details: { field: 'x' },
    });
    await expect(
      new GrpcCatalogPrices(failing(status.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED')).setSkuPrice(
        newContext(),
        req,
      ),
    ).rejects.toMatchObject({ kind: 'UNAVAILABLE', code: 'CATALOG_UNAVAILABLE' });
  });
});
