import { UUID_RE } from '@emporia/domain';
import { CatalogError, invalid } from './catalog-error';

export type ReservationStatus = 'ACTIVE' | 'COMMITTED' | 'RELEASED' | 'EXPIRED';

export interface ReservedLine {
  skuId: string;
  warehouseCode: string;
  quantity: number;
  /** The SKU's product, when read with the reservation (its commit then asks for it no more). */
  productId?: string;
}

export interface Reservation {
  id: string;
  status: ReservationStatus;
  lines: ReservedLine[];
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface RequestedLine {
  skuId: string;
  quantity: number;
  /** Empty: any warehouse. */
  warehouseCode: string;
}

/** Stock of one SKU in one warehouse, as reservations see it. */
export interface Availability {
  skuId: string;
  warehouseCode: string;
  onHand: number;
  reserved: number;
}

export const MAX_RESERVATION_LINES = 100;
export const DEFAULT_RESERVATION_TTL_SECONDS = 900;
/** A week: orders held for risk review keep their stock while an operator decides. */
export const MAX_RESERVATION_TTL_SECONDS = 7 * 86_400;

/**
 * Validates a reservation request: an id, 1–100 lines of positive whole quantities. Lines of
 * the same SKU and warehouse are merged, so a cart listing a SKU twice reserves the sum.
 */
export function validateReservationRequest(input: {
  id: string;
  lines: RequestedLine[];
  ttlSeconds: number;
}): { id: string; lines: RequestedLine[]; ttlSeconds: number } {
  if (!UUID_RE.test(input.id ?? ''))
    throw invalid('RESERVATION_ID_INVALID', 'reservation_id must be a UUID');
  if (!input.lines?.length || input.lines.length > MAX_RESERVATION_LINES)
    throw invalid(
      'RESERVATION_LINES_INVALID',
      `a reservation has 1 to ${MAX_RESERVATION_LINES} lines`,
    );
  const ttl = input.ttlSeconds || DEFAULT_RESERVATION_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_RESERVATION_TTL_SECONDS)
    throw invalid('RESERVATION_TTL_INVALID', `ttl_seconds is 1 to ${MAX_RESERVATION_TTL_SECONDS}`);
  const merged = new Map<string, RequestedLine>();
  for (const l of input.lines) {
    if (!UUID_RE.test(l.skuId ?? '')) throw invalid('ID_INVALID', 'sku_id must be a UUID');
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > 1_000_000)
      throw invalid('QUANTITY_INVALID', `quantity of SKU ${l.skuId} must be a whole number from 1`);
    const warehouseCode = (l.warehouseCode ?? '').toUpperCase();
    const key = `${l.skuId.toLowerCase()}|${warehouseCode}`;
    const prev = merged.get(key);
    merged.set(key, {
      skuId: l.skuId.toLowerCase(),
      warehouseCode,
      quantity: (prev?.quantity ?? 0) + l.quantity,
    });
  }
  return {
    id: input.id.toLowerCase(),
    lines: [...merged.values()].sort((a, b) =>
      (a.skuId + a.warehouseCode).localeCompare(b.skuId + b.warehouseCode),
    ),
    ttlSeconds: ttl,
  };
}

/**
 * Chooses where each line's units come from: the named warehouse, or for "any" the warehouses
 * with the most available first (fewest splits), after the lines naming a warehouse took theirs.
 * All lines or none: any shortfall is STOCK_INSUFFICIENT naming the SKU, and nothing is
 * allocated. Units of one SKU taken from one warehouse by two lines (an "any" line and one
 * naming that warehouse) are one reserved line.
 */
export function allocate(
  lines: readonly RequestedLine[],
  stock: readonly Availability[],
): ReservedLine[] {
  const free = new Map(stock.map((s) => [`${s.skuId}|${s.warehouseCode}`, s.onHand - s.reserved]));
  const out = new Map<string, ReservedLine>();
  // lines naming a warehouse take from it first: an "any" line then takes what they leave
  const ordered = [
    ...lines.filter((l) => l.warehouseCode),
    ...lines.filter((l) => !l.warehouseCode),
  ];
  for (const line of ordered) {
    const candidates = stock
      .filter(
        (s) =>
          s.skuId === line.skuId && (!line.warehouseCode || s.warehouseCode === line.warehouseCode),
      )
      .map((s) => s.warehouseCode)
      .sort(
        (a, b) =>
          free.get(`${line.skuId}|${b}`)! - free.get(`${line.skuId}|${a}`)! || a.localeCompare(b),
      );
    let need = line.quantity;
    for (const wh of candidates) {
      if (need === 0) break;
      const key = `${line.skuId}|${wh}`;
      const take = Math.min(need, free.get(key)!);
      if (take <= 0) continue;
      free.set(key, free.get(key)! - take);
      need -= take;
      const taken = out.get(key);
      if (taken) taken.quantity += take;
      else out.set(key, { skuId: line.skuId, warehouseCode: wh, quantity: take });
    }
    if (need > 0) {
      const available = line.quantity - need;
      throw new CatalogError(
        'FAILED_PRECONDITION',
        'STOCK_INSUFFICIENT',
        `SKU ${line.skuId} has ${available} available${line.warehouseCode ? ` in ${line.warehouseCode}` : ''}; ${line.quantity} requested`,
        { skuId: line.skuId, requested: line.quantity, available },
      );
    }
  }
  return [...out.values()];
}

/**
 * Whether a repeated request asks for what the reservation already holds: the same quantity of
 * each SKU, and where a line named a warehouse, at least that much held there. How an "any
 * warehouse" line was split is the catalog's choice, so it does not count.
 */
export function sameRequest(r: Reservation, lines: readonly RequestedLine[]): boolean {
  const held = new Map<string, number>();
  const heldAt = new Map<string, number>();
  for (const l of r.lines) {
    held.set(l.skuId, (held.get(l.skuId) ?? 0) + l.quantity);
    heldAt.set(`${l.skuId}|${l.warehouseCode}`, l.quantity);
  }
  const asked = new Map<string, number>();
  for (const l of lines) asked.set(l.skuId, (asked.get(l.skuId) ?? 0) + l.quantity);
  return (
    held.size === asked.size &&
    [...asked].every(([sku, q]) => held.get(sku) === q) &&
    lines.every(
      (l) => !l.warehouseCode || (heldAt.get(`${l.skuId}|${l.warehouseCode}`) ?? 0) >= l.quantity,
    )
  );
}

/** An ACTIVE reservation whose time is up counts as expired. */
export function effectiveStatus(r: Reservation, now: Date): ReservationStatus {
  return r.status === 'ACTIVE' && r.expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : r.status;
}

export function notActive(r: Reservation, status: ReservationStatus): CatalogError {
  return new CatalogError(
    'FAILED_PRECONDITION',
    status === 'COMMITTED' ? 'RESERVATION_COMMITTED' : 'RESERVATION_NOT_ACTIVE',
    `reservation ${r.id} is ${status}`,
    { reservationId: r.id, status },
  );
}

/**
 * What a state change does to a reservation:
 * - `none`: it is already where the caller wants it (repeated calls are no-ops);
 * - `commit`: the held units leave on-hand stock, the reservation becomes COMMITTED;
 * - `free`: the hold is removed and the reservation becomes `status`; when `thenFail` is set the
 *   change is still saved, and the caller is answered with that error.
 */
export type ReservationStep =
  | { kind: 'none' }
  | { kind: 'commit' }
  | { kind: 'free'; status: 'RELEASED' | 'EXPIRED'; thenFail?: CatalogError };

/**
 * ACTIVE → COMMITTED. Committing again is a no-op; a released or expired reservation cannot be
 * committed (RESERVATION_NOT_ACTIVE), and one whose time ran out before the sweep saw it is
 * expired now, then refused the same way.
 */
export function planCommit(r: Reservation, now: Date): ReservationStep {
  const status = effectiveStatus(r, now);
  if (status === 'COMMITTED') return { kind: 'none' };
  if (status === 'ACTIVE') return { kind: 'commit' };
  if (r.status === 'ACTIVE')
    return { kind: 'free', status: 'EXPIRED', thenFail: notActive(r, status) };
  throw notActive(r, status);
}

/**
 * ACTIVE → RELEASED. Releasing a released or expired reservation is a no-op; an ACTIVE one whose
 * time ran out is recorded as EXPIRED; a committed one cannot be released
 * (RESERVATION_COMMITTED: the goods are sold, returns are another flow).
 */
export function planRelease(r: Reservation, now: Date): ReservationStep {
  const status = effectiveStatus(r, now);
  if (status === 'COMMITTED') throw notActive(r, status);
  if (status === 'ACTIVE') return { kind: 'free', status: 'RELEASED' };
  if (r.status === 'ACTIVE') return { kind: 'free', status: 'EXPIRED' };
  return { kind: 'none' };
}

/** ACTIVE past its expiry → EXPIRED (the sweep); anything else is left alone. */
export function planExpiry(r: Reservation, now: Date): ReservationStep {
  return r.status === 'ACTIVE' && effectiveStatus(r, now) === 'EXPIRED'
    ? { kind: 'free', status: 'EXPIRED' }
    : { kind: 'none' };
}
