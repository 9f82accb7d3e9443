import { Inject, Injectable } from '@nestjs/common';
import { newContext, type RequestContext } from '@emporia/platform';
import { CatalogError } from '../domain/catalog-error';
import { touch } from '../domain/product';
import {
  allocate,
  effectiveStatus,
  notActive,
  type RequestedLine,
  type Reservation,
  sameRequest,
  validateReservationRequest,
} from '../domain/reservation';
import type { StockLevel } from '../domain/stock';
import {
  CLOCK,
  type Clock,
  type SkuFacts,
  UNIT_OF_WORK,
  type UnitOfWork,
  type CatalogTx,
} from './ports';
import { requireProduct } from './product-rules';
import { loadProductView } from './product-view';

const notFound = (id: string) =>
  new CatalogError('NOT_FOUND', 'RESERVATION_NOT_FOUND', `reservation ${id} does not exist`, {
    id,
  });

/**
 * Stock reservations for checkout. Reserving locks the SKUs' stock rows in a fixed order and
 * holds units where they are free, all lines or none; the database refuses to hold more than
 * is on hand, so concurrent checkouts of the last unit cannot both win. Committing turns held
 * units into a real stock movement; releasing or expiry frees them.
 */
@Injectable()
export class ReservationsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  skus(ctx: RequestContext, skuIds: string[]): Promise<SkuFacts[]> {
    const ids = [
      ...new Set(skuIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id)).map((id) => id.toLowerCase())),
    ];
    if (ids.length > 500)
      throw new CatalogError('INVALID_ARGUMENT', 'TOO_MANY_IDS', 'ask for at most 500 SKUs');
    return ids.length
      ? this.uow.run(ctx, (tx) => tx.reservations.skuFacts(ids))
      : Promise.resolve([]);
  }

  reserve(
    ctx: RequestContext,
    input: { id: string; lines: RequestedLine[]; ttlSeconds: number },
  ): Promise<Reservation> {
    const req = validateReservationRequest(input);
    return this.uow.run(ctx, async (tx) => {
      const existing = await tx.reservations.find(req.id, true);
      if (existing) {
        if (!sameRequest(existing, req.lines))
          throw new CatalogError(
            'ALREADY_EXISTS',
            'RESERVATION_CONFLICT',
            `reservation ${req.id} exists with other lines`,
          );
        return existing;
      }
      const skuIds = [...new Set(req.lines.map((l) => l.skuId))];
      const known = new Set((await tx.reservations.skuFacts(skuIds)).map((f) => f.skuId));
      const missing = skuIds.find((id) => !known.has(id));
      if (missing)
        throw new CatalogError('NOT_FOUND', 'SKU_NOT_FOUND', `Sku ${missing} does not exist`, {
          id: missing,
        });
      const now = this.clock.now();
      const lines = allocate(req.lines, await tx.reservations.lockAvailability(skuIds));
      for (const l of lines)
        await tx.reservations.changeReserved(l.skuId, l.warehouseCode, l.quantity, now);
      const reservation: Reservation = {
        id: req.id,
        status: 'ACTIVE',
        lines,
        expiresAt: new Date(now.getTime() + req.ttlSeconds * 1000),
        createdAt: now,
        updatedAt: now,
      };
      await tx.reservations.insert(reservation);
      return reservation;
    });
  }

  /** Held units leave on-hand stock (one movement per warehouse, one snapshot per product). */
  async commit(ctx: RequestContext, id: string): Promise<Reservation> {
    const outcome = await this.uow.run(ctx, async (tx) => {
      const r = await tx.reservations.find(id, true);
      if (!r) throw notFound(id);
      const now = this.clock.now();
      const status = effectiveStatus(r, now);
      if (status === 'COMMITTED') return { reservation: r };
      if (status === 'EXPIRED' && r.status === 'ACTIVE') {
        await this.free(tx, r, 'EXPIRED', 'expired before commit', now);
        return { failed: notActive(r, 'EXPIRED') };
      }
      if (status !== 'ACTIVE') return { failed: notActive(r, status) };
      const bySku = new Map<string, string>();
      for (const l of r.lines) {
        const productId = await tx.products.productIdOfSku(l.skuId);
        if (productId) bySku.set(l.skuId, productId);
      }
      const productIds = [...new Set(bySku.values())].sort();
      const products = new Map();
      for (const pid of productIds)
        products.set(pid, touch(await requireProduct(tx, pid, true), now));
      const last = new Map<string, StockLevel>();
      for (const l of r.lines) {
        const level = await tx.reservations.consumeReserved(
          l.skuId,
          l.warehouseCode,
          l.quantity,
          { reason: `order reservation ${r.id}`, traceId: ctx.traceId },
          now,
        );
        last.set(bySku.get(l.skuId)!, level);
      }
      for (const pid of productIds) {
        const product = products.get(pid);
        await tx.products.save(product);
        const qty = r.lines
          .filter((l) => bySku.get(l.skuId) === pid)
          .reduce((a, l) => a + l.quantity, 0);
        tx.events.stockChanged(
          await loadProductView(tx, product),
          last.get(pid)!,
          -qty,
          `order reservation ${r.id}`,
        );
      }
      await tx.reservations.setStatus(r.id, 'COMMITTED', null, now);
      return { reservation: { ...r, status: 'COMMITTED' as const, updatedAt: now } };
    });
    if ('failed' in outcome) throw outcome.failed;
    return outcome.reservation;
  }

  /** Frees held units; releasing twice, or an expired reservation, is fine. */
  release(ctx: RequestContext, id: string, reason: string): Promise<Reservation> {
    return this.uow.run(ctx, async (tx) => {
      const r = await tx.reservations.find(id, true);
      if (!r) throw notFound(id);
      if (r.status === 'COMMITTED') throw notActive(r, 'COMMITTED');
      if (r.status !== 'ACTIVE') return r;
      const now = this.clock.now();
      await this.free(tx, r, 'RELEASED', (reason ?? '').slice(0, 200) || null, now);
      return { ...r, status: 'RELEASED', updatedAt: now };
    });
  }

  get(ctx: RequestContext, id: string): Promise<Reservation> {
    return this.uow.run(ctx, async (tx) => {
      const r = await tx.reservations.find(id);
      if (!r) throw notFound(id);
      return { ...r, status: effectiveStatus(r, this.clock.now()) };
    });
  }

  /** Frees reservations past their expiry, in a bounded batch. */
  async expireDue(ctx: RequestContext = newContext(), limit = 200): Promise<number> {
    const ids = await this.uow.run(ctx, (tx) =>
      tx.reservations.dueToExpire(this.clock.now(), limit),
    );
    for (const id of ids) {
      await this.uow.run(ctx, async (tx) => {
        const r = await tx.reservations.find(id, true);
        const now = this.clock.now();
        if (r && effectiveStatus(r, now) === 'EXPIRED' && r.status === 'ACTIVE')
          await this.free(tx, r, 'EXPIRED', null, now);
      });
    }
    return ids.length;
  }

  private async free(
    tx: CatalogTx,
    r: Reservation,
    status: 'RELEASED' | 'EXPIRED',
    reason: string | null,
    now: Date,
  ): Promise<void> {
    await tx.reservations.lockAvailability([...new Set(r.lines.map((l) => l.skuId))]);
    for (const l of r.lines)
      await tx.reservations.changeReserved(l.skuId, l.warehouseCode, -l.quantity, now);
    await tx.reservations.setStatus(r.id, status, reason, now);
  }
}
