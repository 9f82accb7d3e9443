import { status } from '@grpc/grpc-js';
import type { catalogV1 } from '@emporia/contracts';
import { Money } from '@emporia/money';
import { fromGrpcError, RemoteCallError, type RequestContext } from '@emporia/platform';
import type { CatalogPort, SkuInfo, WarehouseInfo } from '../application/ports';
import type { CartLine } from '../domain/cart';
import { OrderError } from '../domain/order-error';
import { rethrowRemote } from './remote-errors';

type Rpc<Q, R> = (ctx: RequestContext, req: Q) => Promise<R>;

export interface CatalogRpcs {
  getSkus: Rpc<catalogV1.GetSkusRequest, catalogV1.GetSkusResponse>;
  listWarehouses: Rpc<catalogV1.ListWarehousesRequest, catalogV1.ListWarehousesResponse>;
  reserveStock: Rpc<catalogV1.ReserveStockRequest, catalogV1.ReserveStockResponse>;
  commitReservation: Rpc<catalogV1.CommitReservationRequest, catalogV1.CommitReservationResponse>;
  adjustStock: Rpc<catalogV1.AdjustStockRequest, catalogV1.AdjustStockResponse>;
  getReservation: Rpc<catalogV1.GetReservationRequest, catalogV1.GetReservationResponse>;
  releaseReservation: Rpc<
    catalogV1.ReleaseReservationRequest,
    catalogV1.ReleaseReservationResponse
  >;
}

const linesOf = (r: catalogV1.Reservation | undefined) =>
  (r?.lines ?? []).map((l) => ({
    skuId: l.skuId,
    warehouseCode: l.warehouseCode,
    quantity: Number(l.quantity),
  }));

const remoteOf = (e: unknown) => (e instanceof RemoteCallError ? e.remote : fromGrpcError(e));
const translate = rethrowRemote('catalog');

/**
 * The catalog's SKUs and reservations over gRPC. The warehouse list (routing's input, not a stock
 * decision: the catalog holds the units) is kept for `warehousesTtlMs` (0: asked every time), so
 * a checkout does not ask it again: a warehouse added, moved or switched off reaches routing at
 * most that long after the catalog answers it. One question in flight at a time; a failed
 * question is not kept.
 */
export class GrpcCatalogAdapter implements CatalogPort {
  private warehouseList?: { at: number; list: Promise<WarehouseInfo[]> };

  constructor(
    private readonly rpc: CatalogRpcs,
    private readonly options: { warehousesTtlMs: number; now?: () => number } = {
      warehousesTtlMs: 0,
    },
  ) {}

  async skus(ctx: RequestContext, skuIds: string[]): Promise<Map<string, SkuInfo>> {
    const res = await this.rpc.getSkus(ctx, { skuIds: [...new Set(skuIds)] }).catch(translate);
    return new Map(
      res.skus.map((s) => [
        s.skuId,
        {
          skuId: s.skuId,
          productId: s.productId,
          title: s.title,
          categoryPathIds: s.categoryPathIds,
          unitPrice: Money.of(Number(s.price!.amountMinor), s.price!.currency),
          orderable: s.orderable,
          stock: s.stock.map((w) => ({
            warehouseCode: w.warehouseCode,
            available: Number(w.available),
          })),
        },
      ]),
    );
  }

  async reserve(
    ctx: RequestContext,
    reservationId: string,
    lines: (CartLine & { warehouseCode?: string })[],
    ttlSeconds: number,
  ): Promise<void> {
    const res = await this.rpc
      .reserveStock(ctx, {
        reservationId,
        lines: lines.map((l) => ({
          skuId: l.skuId,
          quantity: l.quantity,
          warehouseCode: l.warehouseCode ?? '',
        })),
        ttlSeconds,
      })
      .catch(translate);
    // a repeated id answers with the reservation as it is now: only an active one holds stock
    if (res.reservation?.status !== 'ACTIVE')
      throw new OrderError('UNAVAILABLE', 'RESERVATION_LOST', 'the stock hold was lost; try again');
  }

  async commit(ctx: RequestContext, reservationId: string) {
    const res = await this.rpc.commitReservation(ctx, { reservationId }).catch(translate);
    return linesOf(res.reservation);
  }

  async release(ctx: RequestContext, reservationId: string, reason: string): Promise<void> {
    await this.rpc.releaseReservation(ctx, { reservationId, reason }).catch((e: unknown) => {
      // a reservation that was never made (the saga failed before reserving) is released
      if (remoteOf(e).status === status.NOT_FOUND) return;
      translate(e);
    });
  }

  async reservationLines(ctx: RequestContext, reservationId: string) {
    const res = await this.rpc.getReservation(ctx, { reservationId }).catch(translate);
    return linesOf(res.reservation);
  }

  async restock(
    ctx: RequestContext,
    skuId: string,
    warehouseCode: string,
    quantity: number,
    reason: string,
  ) {
    await this.rpc
      .adjustStock(ctx, { skuId, warehouseCode, delta: quantity, reason })
      .catch(translate);
  }

  warehouses(ctx: RequestContext): Promise<WarehouseInfo[]> {
    const ttl = this.options.warehousesTtlMs;
    if (ttl <= 0) return this.listWarehouses(ctx);
    const now = (this.options.now ?? Date.now)();
    const kept = this.warehouseList;
    if (kept && now - kept.at < ttl) return kept.list;
    const list = this.listWarehouses(ctx);
    const entry = { at: now, list };
    this.warehouseList = entry;
    list.catch(() => {
      if (this.warehouseList === entry) this.warehouseList = undefined;
    });
    return list;
  }

  private async listWarehouses(ctx: RequestContext): Promise<WarehouseInfo[]> {
    const out: WarehouseInfo[] = [];
    let pageToken = '';
    for (let page = 0; page < 20; page++) {
      const res = await this.rpc
        .listWarehouses(ctx, { activeOnly: false, pageSize: 500, pageToken })
        .catch(translate);
      for (const w of res.warehouses)
        out.push({
          code: w.code,
          country: w.country,
          province: w.province,
          city: w.city,
          shippingCost: Money.of(
            Number(w.shippingCost?.amountMinor ?? 0),
            w.shippingCost?.currency || 'CNY',
          ),
          active: w.active,
        });
      if (!res.nextPageToken) break;
      pageToken = res.nextPageToken;
    }
    return out;
  }
}
