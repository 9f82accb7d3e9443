import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { reservationAction } from '../domain/group-buy';
import { paymentOverdue, type Order } from '../domain/order';
import { transition } from '../domain/order-change';
import { OrderError } from '../domain/order-error';
import { ShipmentsUseCase } from './shipments.use-case';
import {
  CATALOG,
  type CatalogPort,
  CHECKOUT_SETTINGS,
  type CheckoutSettings,
  CLOCK,
  type Clock,
  UNIT_OF_WORK,
  type UnitOfWork,
  type OrderTx,
  type OrderCursor,
  type OrderListFilter,
} from './ports';

export const orderNotFound = (id: string) =>
  new OrderError('NOT_FOUND', 'ORDER_NOT_FOUND', `order ${id} does not exist`);

/**
 * Reading orders, and the moves that end an unpaid order (customer cancel, review decision,
 * payment deadline) with their compensation: the stock reservation is released and coupons
 * are returned through `OrderCancelled`.
 */
@Injectable()
export class OrderLifecycleUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CATALOG) private readonly catalog: CatalogPort,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CHECKOUT_SETTINGS) private readonly settings: CheckoutSettings,
    private readonly shipments: ShipmentsUseCase,
  ) {}

  /** An order; with `accountId`, only that account's (another's is NOT_FOUND). */
  async get(
    ctx: RequestContext,
    id: string,
    accountId?: string,
  ): Promise<{ order: Order; explanation: string[] }> {
    return this.uow.run(ctx, async (tx) => {
      const order = await tx.orders.find(id);
      if (!order || (accountId && order.accountId !== accountId)) throw orderNotFound(id);
      return { order, explanation: await tx.orders.explanation(id) };
    });
  }

  /**
   * Orders newest first: an account's (a customer's own: the caller names the account), or with
   * `accountId` null every account's (operators); of one status or any.
   */
  list(
    ctx: RequestContext,
    filter: OrderListFilter,
    limit: number,
    after: OrderCursor | null,
  ): Promise<Order[]> {
    return this.uow.read(ctx, (tx) => tx.orders.list(filter, limit, after));
  }

  /**
   * Ends an unpaid order (CANCEL, REJECT: `OrderCancelled` with its coupons) or approves a held
   * one (a fresh payment window); a cancelled order's reservation is released after the commit.
   */
  private async end(
    ctx: RequestContext,
    id: string,
    event: 'CANCEL' | 'REJECT' | 'APPROVE',
    reason: string,
    check: (order: Order) => void = () => undefined,
  ): Promise<Order> {
    const order = await this.uow.run(ctx, async (tx) => {
      const current = await tx.orders.findForUpdate(id);
      if (!current) throw orderNotFound(id);
      check(current);
      const now = this.clock.now();
      const change =
        event === 'APPROVE'
          ? transition(
              current,
              event,
              { paymentDeadline: new Date(now.getTime() + this.settings.paymentTtlMs) },
              now,
            )
          : transition(
              current,
              event,
              { cancelReason: reason, couponCodes: await this.coupons(tx, current) },
              now,
            );
      await tx.orders.save(change);
      return change.order;
    });
    if (order.status === 'CANCELLED')
      await this.syncReservation(ctx, order.id, order.reservationId, 'RELEASE');
    return order;
  }

  private async coupons(tx: OrderTx, order: Order): Promise<string[]> {
    return (await tx.checkouts.lock(order.id))?.couponCodes ?? [];
  }

  cancelByCustomer(
    ctx: RequestContext,
    id: string,
    accountId: string,
    reason: string,
  ): Promise<Order> {
    return this.end(ctx, id, 'CANCEL', reason.trim() || 'CUSTOMER_CANCELLED', (o) => {
      if (o.accountId !== accountId) throw orderNotFound(id);
    });
  }

  /** Operator decision on a held order: approval opens a fresh payment window. */
  review(ctx: RequestContext, id: string, approve: boolean, note: string): Promise<Order> {
    return this.end(
      ctx,
      id,
      approve ? 'APPROVE' : 'REJECT',
      note.trim() ? `RISK_REJECTED: ${note.trim()}` : 'RISK_REJECTED',
    );
  }

  /** Cancels unpaid orders past their deadline, in a bounded batch. */
  async expireOverdue(ctx: RequestContext, limit = 100): Promise<number> {
    const ids = await this.uow.run(ctx, (tx) => tx.orders.overdue(this.clock.now(), limit));
    let done = 0;
    for (const id of ids) {
      try {
        await this.end(ctx, id, 'CANCEL', 'PAYMENT_TIMEOUT', (o) => {
          if (!paymentOverdue(o, this.clock.now()))
            throw new OrderError('ABORTED', 'NOT_OVERDUE', 'paid meanwhile');
        });
        done++;
      } catch (e) {
        if (!(e instanceof OrderError) || e.kind !== 'ABORTED') throw e;
      }
    }
    return done;
  }

  /**
   * Tells the catalog what became of an order's reservation (commit when paid, release when
   * cancelled or its group failed). Idempotent; a failure leaves it to `syncReservations` to
   * retry. A commit is re-checked against the order: one waiting for its group is never
   * committed (false).
   */
  async syncReservation(
    ctx: RequestContext,
    orderId: string,
    reservationId: string,
    action: 'COMMIT' | 'RELEASE',
    reason = 'ORDER_CANCELLED',
    /** The order as the caller's committed transaction left it (not read again). */
    known?: Order,
  ): Promise<boolean> {
    if (action === 'COMMIT') {
      const order = known ?? (await this.uow.read(ctx, (tx) => tx.orders.find(orderId)));
      if (!order || reservationAction(order) !== 'COMMIT') return false;
    }
    let committed: { skuId: string; warehouseCode: string; quantity: number }[];
    try {
      if (action === 'COMMIT') committed = await this.catalog.commit(ctx, reservationId);
      else {
        await this.catalog.release(ctx, reservationId, reason);
        committed = [];
      }
    } catch {
      return false;
    }
    if (action === 'COMMIT') {
      // a paid order's units are committed: the sync is recorded and its shipments planned from
      // the committed lines in one transaction; when that fails the sync is only recorded (the
      // shipment sweep plans it), and when that fails too the reservation sweep commits again
      // (idempotent)
      const planned = await this.shipments
        .plan(ctx, orderId, {
          reserved: committed,
          markSynced: true,
        })
        .then(
          () => true,
          () => false,
        );
      if (planned) return true;
    }
    await this.uow.run(ctx, (tx) => tx.orders.markReservationSynced(orderId));
    return true;
  }

  /** Retries reservation commits and releases that did not reach the catalog. */
  async syncReservations(ctx: RequestContext, limit = 100): Promise<number> {
    const due = await this.uow.run(ctx, (tx) => tx.orders.reservationsToSync(limit));
    let done = 0;
    for (const d of due)
      if (await this.syncReservation(ctx, d.orderId, d.reservationId, d.action)) done++;
    return done;
  }
}
