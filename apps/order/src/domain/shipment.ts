import { OrderError } from './order-error';

export type ShipmentStatus = 'PENDING' | 'SHIPPED' | 'DELIVERED' | 'EXCEPTION';
export type TrackingStatus = 'IN_TRANSIT' | 'OUT_FOR_DELIVERY' | 'DELIVERED' | 'EXCEPTION';
export const TRACKING_STATUSES: readonly TrackingStatus[] = [
  'IN_TRANSIT',
  'OUT_FOR_DELIVERY',
  'DELIVERED',
  'EXCEPTION',
];

export interface TrackingEvent {
  /** The carrier's id for the event: a repeated delivery of it changes nothing. */
  eventId: string;
  status: TrackingStatus;
  description: string;
  occurredAt: Date;
}

export interface Shipment {
  id: string;
  orderId: string;
  /** Set on a replacement shipment of an exchange; original shipments have none. */
  returnId: string | null;
  warehouseCode: string;
  lines: { skuId: string; quantity: number }[];
  status: ShipmentStatus;
  carrier: string | null;
  trackingNumber: string | null;
  events: TrackingEvent[];
  createdAt: Date;
  updatedAt: Date;
}

/** One shipment per warehouse the reservation drew from: a split order ships in parts. */
export function planShipments(
  orderId: string,
  reserved: readonly { skuId: string; warehouseCode: string; quantity: number }[],
  newId: () => string,
  now: Date,
  returnId: string | null = null,
): Shipment[] {
  const byWarehouse = new Map<string, { skuId: string; quantity: number }[]>();
  for (const l of reserved) {
    const lines = byWarehouse.get(l.warehouseCode) ?? [];
    const same = lines.find((x) => x.skuId === l.skuId);
    if (same) same.quantity += l.quantity;
    else lines.push({ skuId: l.skuId, quantity: l.quantity });
    byWarehouse.set(l.warehouseCode, lines);
  }
  return [...byWarehouse.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([warehouseCode, lines]) => ({
      id: newId(),
      orderId,
      returnId,
      warehouseCode,
      lines,
      status: 'PENDING' as const,
      carrier: null,
      trackingNumber: null,
      events: [],
      createdAt: now,
      updatedAt: now,
    }));
}

const CARRIER_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const TRACKING_RE = /^[A-Za-z0-9-]{4,64}$/;

/** Hands a pending shipment to a carrier. */
export function ship(s: Shipment, carrier: string, trackingNumber: string, now: Date): Shipment {
  const c = (carrier ?? '').trim().toLowerCase();
  const t = (trackingNumber ?? '').trim();
  if (!CARRIER_RE.test(c))
    throw new OrderError(
      'INVALID_ARGUMENT',
      'CARRIER_INVALID',
      'carrier is a short lower-case code such as sf or jd',
    );
  if (!TRACKING_RE.test(t))
    throw new OrderError(
      'INVALID_ARGUMENT',
      'TRACKING_NUMBER_INVALID',
      'a tracking number has 4 to 64 letters, digits or -',
    );
  if (s.status !== 'PENDING')
    throw new OrderError(
      'FAILED_PRECONDITION',
      'SHIPMENT_ALREADY_SHIPPED',
      `shipment ${s.id} is ${s.status}`,
    );
  return { ...s, status: 'SHIPPED', carrier: c, trackingNumber: t, updatedAt: now };
}

/**
 * Applies a carrier's tracking event. A repeated event id changes nothing; DELIVERED is final;
 * an exception can still be followed by delivery. Events before shipping are refused.
 */
export function applyTracking(
  s: Shipment,
  e: TrackingEvent,
  now: Date,
): { shipment: Shipment; changed: boolean } {
  if (s.events.some((x) => x.eventId === e.eventId)) return { shipment: s, changed: false };
  if (s.status === 'PENDING')
    throw new OrderError(
      'FAILED_PRECONDITION',
      'SHIPMENT_NOT_SHIPPED',
      `shipment ${s.id} has not been shipped`,
    );
  const status: ShipmentStatus =
    s.status === 'DELIVERED'
      ? 'DELIVERED'
      : e.status === 'DELIVERED'
        ? 'DELIVERED'
        : e.status === 'EXCEPTION'
          ? 'EXCEPTION'
          : 'SHIPPED';
  const events = [...s.events, e].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  return { shipment: { ...s, status, events, updatedAt: now }, changed: true };
}

/**
 * Where an order's shipments stand, for its own state. An exchange's replacement parcels
 * (`returnId`) are not the order's delivery: they never move the order (a DELIVERED order whose
 * replacement ships stays DELIVERED).
 */
export function shipmentProgress(
  all: readonly Shipment[],
): 'NONE_SHIPPED' | 'SOME_SHIPPED' | 'ALL_SHIPPED' | 'ALL_DELIVERED' {
  const shipments = all.filter((s) => !s.returnId);
  if (shipments.length > 0 && shipments.every((s) => s.status === 'DELIVERED'))
    return 'ALL_DELIVERED';
  const out = shipments.filter((s) => s.status !== 'PENDING').length;
  if (out === 0) return 'NONE_SHIPPED';
  return out === shipments.length ? 'ALL_SHIPPED' : 'SOME_SHIPPED';
}
