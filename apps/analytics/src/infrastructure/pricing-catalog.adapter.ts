import { status } from '@grpc/grpc-js';
import type { catalogV1 } from '@emporia/contracts';
import type { ErrorKind } from '@emporia/domain';
import {
  fromGrpcError,
  RemoteCallError,
  type GrpcApi,
  type RequestContext,
} from '@emporia/platform';
import type { CatalogPrices } from '../application/pricing.ports';
import { AnalyticsError } from '../domain/analytics-error';

/** Catalog's refusals keep their kind and code; anything else means catalog did not serve. */
const PASSED_THROUGH: Partial<Record<number, ErrorKind>> = {
  [status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [status.NOT_FOUND]: 'NOT_FOUND',
  [status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [status.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
  [status.ABORTED]: 'ABORTED',
  [status.PERMISSION_DENIED]: 'PERMISSION_DENIED',
};

const unavailable = (why: string) =>
  new AnalyticsError('UNAVAILABLE', 'CATALOG_UNAVAILABLE', `catalog ${why}; try again`);

/** SetSkuPrice over gRPC (CATALOG_GRPC_URL); without it every call is UNAVAILABLE. */
export class GrpcCatalogPrices implements CatalogPrices {
  constructor(private readonly catalog: GrpcApi<catalogV1.CatalogServiceController> | undefined) {}

  async setSkuPrice(
    ctx: RequestContext,
    req: Parameters<CatalogPrices['setSkuPrice']>[1],
  ): Promise<void> {
    if (!this.catalog) throw unavailable('is not configured (CATALOG_GRPC_URL)');
    try {
      await this.catalog.setSkuPrice(ctx, {
        skuId: req.skuId,
        price: { amountMinor: req.price.amountMinor, currency: req.price.currency },
        originalPrice: undefined,
        reason: req.reason,
        reference: req.reference,
        actorId: req.actorId,
        requestId: req.requestId,
      });
    } catch (e) {
      const remote = e instanceof RemoteCallError ? e.remote : fromGrpcError(e);
      const kind = PASSED_THROUGH[remote.status];
      if (!kind) throw unavailable(`did not answer (${remote.message})`);
      throw new AnalyticsError(kind, remote.code, `catalog: ${remote.message}`, remote.details);
    }
  }
}
