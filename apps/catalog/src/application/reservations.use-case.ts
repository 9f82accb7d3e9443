import { Inject, Injectable } from '@nestjs/common';
import { newContext, type RequestContext } from '@emporia/platform';
import { CatalogError } from '../domain/catalog-error';
import { type Product, touch } from '../domain/product';
import {
  allocate,
  effectiveStatus,
  planCommit,
  planExpiry,
  planRelease,
  type RequestedLine,
  type Reservation,
  type ReservationStep,
  sameRequest,
  validateReservationRequest,
} from '../domain/reservation';
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
import { reevaluateThresholds } from './stock-threshold-watch';

/** The movement reason of units that left stock because a reservation was committed. */
export const ORDER_MOVEMENT_REASON = 'order';

const notFound = (id: string) =>
  new CatalogError('NOT_FOUND', 'RESERVATION_NOT_FOUND', `reservation ${id} does not exist`, {
    id,
  });

/**
 * Stock reservations for checkout. Reserving locks the SKUs' stock rows in a fixed order and
 * holds units where they are free, all lines or none; the database refuses to hold more than
 * is on hand, so concurrent checkouts of the last unit cannot both win. Committing turns held
 * units into a real stock movement; releasing or expiry frees them. Which change is legal is
 * the domain's decision (`planCommit`, `planRelease`, `planExpiry`).
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
      ? // one query: no transaction (the reservation checks the stock again under its locks)
        this.uow.read(ctx, (tx) => tx.reservations.skuFacts(ids))
      : Promise.resolve([]);
  }

  /**
   * Holds every line or none. The reservation id is claimed first (a concurrent call with the
   * same id waits for this one and then sees its result), so a retried call never holds twice.
   *
   * Round trips (issue 19; the stock rows stay locked from the first to the COMMIT): `BEGIN` with
   * the claim that locks and reads the stock rows (`claimAndLock`); the held stock updates and
   * lines with the thresholds' read (`reevaluateThresholds`), a statement of its own after the
   * locks so it sees a threshold committed while this one waited for them; the COMMIT with the
   * held threshold changes and outbox rows. A replay: the claim, `find`, the COMMIT.
   */
  reserve(
    ctx: RequestContext,
    input: { id: string; lines: RequestedLine[]; ttlSeconds: number },
  ): Promise<Reservation> {
    const req = validateReservationRequest(input);
    return this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const header = {
        id: req.id,
        status: 'ACTIVE' as const,
        expiresAt: new Date(now.getTime() + req.ttlSeconds * 1000),
        createdAt: now,
        updatedAt: now,
      };
      const skuIds = [...new Set(req.lines.map((l) => l.skuId))];
      // the claim and the stock rows' locks in one round trip (none taken for a replay)
      const availability = await tx.reservations.claimAndLock(header, skuIds);
      if (!availability) {
        const existing = await tx.reservations.find(req.id, true);
        if (!existing || !sameRequest(existing, req.lines))
          throw new CatalogError(
            'ALREADY_EXISTS',
            'RESERVATION_CONFLICT',
            `reservation ${req.id} exists with other lines`,
            { reservationId: req.id },
          );
        return { ...existing, status: effectiveStatus(existing, now) };
      }
      // a SKU with stock rows exists; only one without is looked up (unknown, or never stocked)
      const stocked = new Set(availability.map((a) => a.skuId));
      if (skuIds.some((id) => !stocked.has(id))) {
        const known = new Set(await tx.reservations.existingSkus(skuIds));
        const missing = skuIds.find((id) => !known.has(id));
        if (missing)
          throw new CatalogError('NOT_FOUND', 'SKU_NOT_FOUND', `Sku ${missing} does not exist`, {
            id: missing,
          });
      }
      const lines = allocate(req.lines, availability);
      for (const l of lines)
        await tx.reservations.changeReserved(l.skuId, l.warehouseCode, l.quantity, now);
      await tx.reservations.addLines(req.id, lines);
      // issue 18: holding units lowers available stock (StockLow when a threshold is crossed)
      await reevaluateThresholds(tx, lines, now);
      return { ...header, lines };
    });
  }

  /**
   * Held units leave on-hand stock (a movement per warehouse) and count as sold, then a
   * snapshot event per line. On hand and reserved drop together, so available stock does not
   * move and no low-stock threshold can be crossed (the hold already counted when reserving). Runs once per reservation: a repeated commit finds it COMMITTED
   * under its row lock and does nothing, so nothing is counted twice.
   */
  async commit(ctx: RequestContext, id: string): Promise<Reservation> {
    return this.change(ctx, id, planCommit, async (tx, r, now) => {
      // each line's product was read with the reservation (ReservationRepository.find)
      const productOf = new Map<string, string>();
      for (const l of r.lines) if (l.productId) productOf.set(l.skuId, l.productId);
      // products are locked in id order, as every writer of stock locks its product first
      const products = new Map<string, Product>();
      for (const pid of [...new Set(productOf.values())].sort())
        products.set(pid, touch(await requireProduct(tx, pid, true), now));
      // each line's units leave stock as sold (its SKU's units sold in the same statement)
      const consumed = [];
      for (const l of r.lines)
        consumed.push(
          await tx.reservations.consumeReserved(
            l.skuId,
            l.warehouseCode,
            l.quantity,
            { reason: ORDER_MOVEMENT_REASON, reference: r.id, traceId: ctx.traceId },
            now,
          ),
        );
      for (const product of products.values()) await tx.products.saveTouched(product);
      for (const [i, level] of consumed.entries()) {
        const product = products.get(productOf.get(level.skuId)!)!;
        tx.events.stockChanged(
          await loadProductView(tx, product),
          level,
          -r.lines[i].quantity,
          ORDER_MOVEMENT_REASON,
          r.id,
        );
      }
      await tx.reservations.setStatus(r.id, 'COMMITTED', null, now);
    });
  }

  /** Frees held units; releasing twice, or an expired reservation, is fine. */
  release(ctx: RequestContext, id: string, reason: string): Promise<Reservation> {
    const why = (reason ?? '').trim().slice(0, 200) || null;
    return this.change(ctx, id, planRelease, undefined, why);
  }

  get(ctx: RequestContext, id: string): Promise<Reservation> {
    return this.uow.run(ctx, async (tx) => {
      const r = await tx.reservations.find(id);
      if (!r) throw notFound(id);
      return { ...r, status: effectiveStatus(r, this.clock.now()) };
    });
  }

  /** Frees reservations past their expiry (never deleted), in a bounded batch, one transaction each. */
  async expireDue(ctx: RequestContext = newContext(), limit = 200): Promise<number> {
    const ids = await this.uow.run(ctx, (tx) =>
      tx.reservations.dueToExpire(this.clock.now(), limit),
    );
    for (const id of ids) await this.change(ctx, id, planExpiry);
    return ids.length;
  }

  /**
   * Locks the reservation, asks the domain what `plan` means for it now, and does it. A step
   * that frees the hold and then fails (commit after expiry) commits the freeing first.
   */
  private async change(
    ctx: RequestContext,
    id: string,
    plan: (r: Reservation, now: Date) => ReservationStep,
    commitWork?: (tx: CatalogTx, r: Reservation, now: Date) => Promise<void>,
    reason: string | null = null,
  ): Promise<Reservation> {
    const outcome = await this.uow.run(ctx, async (tx) => {
      const r = await tx.reservations.find(id, true);
      if (!r) throw notFound(id);
      const now = this.clock.now();
      const step = plan(r, now);
      switch (step.kind) {
        case 'none':
          return { reservation: { ...r, status: effectiveStatus(r, now) } };
        case 'commit':
          await commitWork!(tx, r, now);
          return { reservation: { ...r, status: 'COMMITTED' as const, updatedAt: now } };
        case 'free':
          await this.free(tx, r, step.status, reason, now);
          return {
            reservation: { ...r, status: step.status, updatedAt: now },
            ...(step.thenFail ? { failed: step.thenFail } : {}),
          };
      }
    });
    if ('failed' in outcome) throw outcome.failed;
    return outcome.reservation;
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
    // issue 18: freed units raise available stock (StockRecovered when a threshold is crossed)
    await reevaluateThresholds(tx, r.lines, now);
    await tx.reservations.setStatus(r.id, status, reason, now);
  }
}
