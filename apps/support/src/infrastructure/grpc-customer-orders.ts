import { status } from '@grpc/grpc-js';
import type { orderV1 } from '@emporia/contracts';
import { isUuid } from '@emporia/domain';
import { DependencyUnavailableError } from '@emporia/messaging';
import {
  currentContext,
  fromGrpcError,
  newContext,
  RemoteCallError,
  type GrpcApi,
  type RemoteError,
} from '@emporia/platform';
import type {
  CustomerOrders,
  OrderSummary,
  ReturnSummary,
  ShipmentSummary,
} from '../application/customer-orders.port';

/** order could not serve now: the caller (the bot) hands the ticket to a person. */
const UNAVAILABLE = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.RESOURCE_EXHAUSTED,
]);

const remoteOf = (e: unknown): RemoteError =>
  e instanceof RemoteCallError ? e.remote : fromGrpcError(e);

/**
 * NOT_FOUND (not this account's order, or none) → `absent`; an outage → DependencyUnavailableError.
 * Without valid ids order is not asked at all (it checks ownership only when an account id is set,
 * and no order has an id that is not a UUID).
 */
async function ask<T, A>(ids: string[], call: () => Promise<T>, absent: A): Promise<T | A> {
  if (!ids.every(isUuid)) return absent;
  try {
    return await call();
  } catch (e) {
    const remote = remoteOf(e);
    if (remote.status === status.NOT_FOUND) return absent;
    if (UNAVAILABLE.has(remote.status))
      throw new DependencyUnavailableError(`order did not answer: ${remote.message}`, { cause: e });
    throw e;
  }
}

const ctx = () => currentContext() ?? newContext();

function toOrder(o: orderV1.Order): OrderSummary {
  return {
    orderId: o.id,
    status: o.status,
    createdAt: o.createdAt,
    paidAt: o.paidAt,
    lines: (o.lines ?? []).map((l) => ({
      skuId: l.skuId,
      productId: l.productId,
      title: l.title,
      quantity: Number(l.quantity),
    })),
  };
}

function toShipment(s: orderV1.Shipment): ShipmentSummary {
  return {
    shipmentId: s.id,
    orderId: s.orderId,
    warehouseCode: s.warehouseCode,
    status: s.status,
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    events: [...(s.events ?? [])]
      .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt))
      .map((e) => ({ status: e.status, description: e.description, occurredAt: e.occurredAt })),
    skuIds: (s.lines ?? []).map((l) => l.skuId),
  };
}

function toReturn(r: orderV1.Return): ReturnSummary {
  return {
    returnId: r.id,
    orderId: r.orderId,
    status: r.status,
    kind: r.kind,
    createdAt: r.createdAt,
  };
}

/**
 * CustomerOrders over order's gRPC API (ORDER_GRPC_URL). Every call passes the customer's account
 * id, so order itself refuses another account's order (NOT_FOUND: undefined here, or nothing);
 * without valid ids nothing is asked.
 * UNAVAILABLE, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED become DependencyUnavailableError; any
 * other refusal is thrown as order's RemoteCallError.
 */
export class GrpcCustomerOrders implements CustomerOrders {
  constructor(private readonly api: GrpcApi<orderV1.OrderServiceController>) {}

  async recentOrders(accountId: string, limit: number): Promise<OrderSummary[]> {
    const pageSize = Number.isFinite(limit) ? Math.max(1, Math.min(100, Math.floor(limit))) : 10;
    const res = await ask(
      [accountId],
      () =>
        this.api.listOrders(ctx(), {
          accountId,
          pageSize,
          pageToken: '',
          allAccounts: false,
          status: '',
        }),
      { orders: [], nextPageToken: '' },
    );
    return res.orders.slice(0, pageSize).map(toOrder);
  }

  async order(accountId: string, orderId: string): Promise<OrderSummary | undefined> {
    const res = await ask(
      [accountId, orderId],
      () => this.api.getOrder(ctx(), { orderId, accountId }),
      undefined,
    );
    // order answers only the owner; checked again so a mistake there never shows another's order
    const mine = res?.order?.accountId.toLowerCase() === accountId.toLowerCase();
    return res?.order && mine ? toOrder(res.order) : undefined;
  }

  async shipments(accountId: string, orderId: string): Promise<ShipmentSummary[]> {
    const res = await ask(
      [accountId, orderId],
      () => this.api.listShipments(ctx(), { orderId, accountId }),
      { shipments: [] },
    );
    return res.shipments.map(toShipment);
  }

  async returns(accountId: string, orderId: string): Promise<ReturnSummary[]> {
    const res = await ask(
      [accountId, orderId],
      () => this.api.listReturns(ctx(), { orderId, accountId }),
      {
        returns: [],
      },
    );
    return res.returns.map(toReturn);
  }
}
