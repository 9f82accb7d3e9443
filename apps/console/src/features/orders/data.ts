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

/** GET /v1/admin/orders: every account's orders (or one account's), newest first. */
export const listOrders = (query: {
  status?: OrderStatus;
  accountId?: string;
  cursor?: string;
  limit?: number;
}) => ok(api.GET('/v1/admin/orders', { params: { query } }));

/** An order's shipments for an operator (any account's order). */
export async function orderShipments(id: string): Promise<Shipment[]> {
  return (await ok(api.GET('/v1/admin/orders/{id}/shipments', { params: { path: { id } } }))).items;
}

/** An order's returns for an operator (any account's order). */
export async function orderReturns(id: string): Promise<Return[]> {
  return (await ok(api.GET('/v1/admin/orders/{id}/returns', { params: { path: { id } } }))).items;
}

export const getOrder = (id: string) =>
  ok(api.GET('/v1/admin/orders/{id}', { params: { path: { id } } }));

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
