import type { orderV1 } from '@emporia/contracts';
import type {
  AdminOrderView,
  CartView,
  OrderView,
  ReturnView,
  ShipmentView,
} from './dto/order.dto';

const money = (m: { amountMinor: number; currency: string } | undefined) => ({
  amountMinor: Number(m?.amountMinor ?? 0),
  currency: m?.currency ?? '',
});

export const cartView = (c: orderV1.Cart | undefined): CartView => ({
  lines: (c?.lines ?? []).map((l) => ({ skuId: l.skuId, quantity: Number(l.quantity) })),
  updatedAt: c?.updatedAt ?? '',
});

export const orderView = (o: orderV1.Order): OrderView => ({
  id: o.id,
  status: o.status,
  lines: o.lines.map((l) => ({
    skuId: l.skuId,
    productId: l.productId,
    title: l.title,
    quantity: Number(l.quantity),
    unitPrice: money(l.unitPrice),
    discount: money(l.discount),
    total: money(l.total),
  })),
  subtotal: money(o.subtotal),
  discount: money(o.discount),
  shipping: money(o.shipping),
  total: money(o.total),
  address: {
    recipient: o.address?.recipient ?? '',
    phone: o.address?.phone ?? '',
    country: o.address?.country ?? '',
    province: o.address?.province ?? '',
    city: o.address?.city ?? '',
    district: o.address?.district ?? '',
    line1: o.address?.line1 ?? '',
    line2: o.address?.line2 ?? '',
    postalCode: o.address?.postalCode ?? '',
    provinceCode: o.address?.provinceCode ?? '',
    cityCode: o.address?.cityCode ?? '',
    districtCode: o.address?.districtCode ?? '',
  },
  priceExplanation: o.priceExplanation,
  paymentDeadline: o.paymentDeadline,
  cancelReason: o.cancelReason || null,
  paidAt: o.paidAt || null,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
  version: Number(o.version),
  groupId: o.groupId || null,
  groupStatus: o.groupStatus || null,
});

export const adminOrderView = (o: orderV1.Order): AdminOrderView => ({
  ...orderView(o),
  accountId: o.accountId,
  riskDecision: o.riskDecision,
  riskReasons: o.riskReasons,
});

export const shipmentView = (s: orderV1.Shipment): ShipmentView => ({
  id: s.id,
  warehouseCode: s.warehouseCode,
  lines: s.lines.map((l) => ({ skuId: l.skuId, quantity: Number(l.quantity) })),
  status: s.status,
  carrier: s.carrier || null,
  trackingNumber: s.trackingNumber || null,
  returnId: s.returnId || null,
  events: s.events.map((e) => ({
    eventId: e.eventId,
    status: e.status,
    description: e.description,
    occurredAt: e.occurredAt,
  })),
});

export const returnView = (r: orderV1.Return): ReturnView => ({
  id: r.id,
  orderId: r.orderId,
  lines: r.lines.map((l) => ({ skuId: l.skuId, quantity: Number(l.quantity) })),
  reason: r.reason,
  kind: r.kind,
  status: r.status,
  refund: r.refund ? money(r.refund) : null,
  note: r.note || null,
  restocked: r.restocked,
  itemsMismatch: r.itemsMismatch,
  createdAt: r.createdAt,
});
