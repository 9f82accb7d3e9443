import { ok, type components } from '@emporia/sdk';
import { api } from '../../sdk';

export type AdminOrder = components['schemas']['AdminOrderView'];
export type Shipment = components['schemas']['ShipmentView'];
export type Return = components['schemas']['ReturnView'];
export type Decision = components['schemas']['DecisionView'];
export type OrderStatus = AdminOrder['status'];

export const ORDER_STATUSES: OrderStatus[] = [
  'PENDING_REVIEW',
  'PENDING_PAYMENT',
  'PAID',
  'FULFILLING',
  'SHIPPED',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
  'REFUNDED',
];

/** Carrier codes the order service takes (short, lower case). */
export const CARRIERS = ['sf', 'jd', 'ems', 'zto', 'yto', 'sto', 'yunda'] as const;

export const orderKeys = {
  list: ['orders', 'list'] as const,
  order: (id: string) => ['orders', 'order', id] as const,
  shipments: (id: string) => ['orders', 'shipments', id] as const,
  returns: (id: string) => ['orders', 'returns', id] as const,
  decisions: (id: string) => ['orders', 'decisions', id] as const,
};

/*
 * An order's shipments and returns for operators: GET /v1/admin/orders/{id}/shipments and
 * …/returns, asked of the gateway (the customer's GET /v1/orders/{id}/… answer the caller's own
 * orders only). Until the typed client describes them they are called through the same client,
 * with the shapes of the customer's routes.
 */
type LooseGet = (
  path: string,
  init: {
    params: {
      path?: Record<string, string>;
      query?: Record<string, string | number | undefined>;
    };
  },
) => Promise<{ data?: unknown }>;
const looseGet = api.GET as unknown as LooseGet;

/** GET /v1/admin/orders: every account's orders (or one account's), newest first. */
export const listOrders = (query: {
  status?: OrderStatus;
  accountId?: string;
  cursor?: string;
  limit?: number;
}) => ok(api.GET('/v1/admin/orders', { params: { query } }));

/** An order's shipments for an operator (GET /v1/admin/orders/{id}/shipments). */
export async function orderShipments(id: string): Promise<Shipment[]> {
  const r = (await ok(
    looseGet('/v1/admin/orders/{id}/shipments', { params: { path: { id } } }),
  )) as { items: Shipment[] };
  return r.items;
}

/** An order's returns for an operator (GET /v1/admin/orders/{id}/returns). */
export async function orderReturns(id: string): Promise<Return[]> {
  const r = (await ok(looseGet('/v1/admin/orders/{id}/returns', { params: { path: { id } } }))) as {
    items: Return[];
  };
  return r.items;
}

export const getOrder = (id: string) =>
  ok(api.GET('/v1/admin/orders/{id}', { params: { path: { id } } }));

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
