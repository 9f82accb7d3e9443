import { Inject, Injectable } from '@nestjs/common';
import type { Logger, RequestContext } from '@emporia/platform';
import { LOGGER } from '@emporia/platform';
import { note, transition } from '../domain/order-change';
import { OrderError } from '../domain/order-error';
import {
  fullyRefunded,
  markRestocked,
  moveReturn,
  pendingStep,
  receiveReturn,
  refundFor,
  refundInsteadOfExchange,
  requestReturn,
  reviewReturn,
  type ReturnLine,
  type ReturnRequest,
} from '../domain/returns';
import { planShipments } from '../domain/shipment';
import {
  CATALOG,
  type CatalogPort,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  PAYMENT_PROVIDERS,
  type PaymentProvider,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import { refundThroughProvider } from './provider-refund';

const returnNotFound = (id: string) =>
  new OrderError('NOT_FOUND', 'RETURN_NOT_FOUND', `return ${id} does not exist`);
const orderNotFound = (id: string) =>
  new OrderError('NOT_FOUND', 'ORDER_NOT_FOUND', `order ${id} does not exist`);

/** A restock claim older than this is taken over (its worker died). */
const RESTOCK_CLAIM_MS = 2 * 60_000;

/** Where returned units go when their shipment's warehouse is unknown. */
export const RETURNS_WAREHOUSE = 'RETURNS';

/**
 * Returns: the customer asks, an operator approves or rejects, the goods arrive (restocked to
 * the warehouse they shipped from) and the refund follows — the next units' exact shares of
 * what was paid, through the provider with the return id as its idempotency key, with
 * `OrderRefunded`; when every unit is refunded the order is REFUNDED. An operator may instead
 * refund without the goods (refund-only: no receipt, no restock), and a parcel holding other
 * items than those sold waits, DISPUTED, for an operator. Each step is a state of the return, so
 * an interrupted one is resumed by the sweep. `ReturnSettled` is recorded by the domain's moves
 * (receipt, mismatched receipt, refund-only approval: one per return) and saved with them.
 */
@Injectable()
export class ReturnsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CATALOG) private readonly catalog: CatalogPort,
    @Inject(PAYMENT_PROVIDERS) private readonly providers: Map<string, PaymentProvider>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  request(
    ctx: RequestContext,
    input: {
      orderId: string;
      accountId: string;
      lines: ReturnLine[];
      reason: string;
      exchange?: boolean;
    },
  ): Promise<ReturnRequest> {
    return this.uow.run(ctx, async (tx) => {
      const order = await tx.orders.findForUpdate(input.orderId);
      if (!order || order.accountId !== input.accountId) throw orderNotFound(input.orderId);
      const r = requestReturn(order, await tx.returns.byOrder(order.id), {
        id: this.ids.newId(),
        lines: input.lines,
        reason: input.reason,
        now: this.clock.now(),
        kind: input.exchange ? 'EXCHANGE' : 'REFUND',
      });
      await tx.returns.insert(r);
      return r;
    });
  }

  list(ctx: RequestContext, orderId: string, accountId?: string): Promise<ReturnRequest[]> {
    return this.uow.run(ctx, async (tx) => {
      const order = await tx.orders.find(orderId);
      if (!order || (accountId && order.accountId !== accountId)) throw orderNotFound(orderId);
      return tx.returns.byOrder(orderId);
    });
  }

  /**
   * An operator's decision on a REQUESTED return (approve, approve refund-only, reject) or a
   * DISPUTED one (approve, reject). A refund-only approval and an accepted dispute carry on at
   * once as a receipt does (refund-only: straight to the refund, nothing restocked).
   */
  async review(
    ctx: RequestContext,
    id: string,
    approve: boolean,
    note: string,
    options: { refundOnly?: boolean } = {},
  ): Promise<ReturnRequest> {
    const reviewed = await this.uow.run(ctx, async (tx) => {
      const r = await tx.returns.find(id, true);
      if (!r) throw returnNotFound(id);
      const change = reviewReturn(
        r,
        { approve, refundOnly: options.refundOnly, note },
        this.clock.now(),
      );
      await tx.returns.save(change);
      return change.request;
    });
    return reviewed.status === 'RECEIVED' ? this.finish(ctx, id) : reviewed;
  }

  /**
   * The goods arrived: restock, then refund or exchange. With `itemsMismatch` (other items than
   * those sold) the return is DISPUTED instead and waits for an operator's review.
   */
  async receive(
    ctx: RequestContext,
    id: string,
    receipt: { itemsMismatch?: boolean; note?: string } = {},
  ): Promise<ReturnRequest> {
    const received = await this.uow.run(ctx, async (tx) => {
      const r = await tx.returns.find(id, true);
      if (!r) throw returnNotFound(id);
      const change = receiveReturn(r, receipt, this.clock.now());
      await tx.returns.save(change);
      return change.request;
    });
    return received.status === 'RECEIVED' ? this.finish(ctx, id) : received;
  }

  /** Carries a received return through restock and refund (or exchange); safe to repeat. */
  async finish(ctx: RequestContext, id: string): Promise<ReturnRequest> {
    let r = await this.uow.run(ctx, (tx) => tx.returns.find(id));
    if (!r) throw returnNotFound(id);
    if (pendingStep(r) === 'RESTOCK') r = await this.restock(ctx, r);
    if (pendingStep(r) === 'REPLACE') r = await this.replace(ctx, r);
    if (pendingStep(r) === 'START_REFUND') r = await this.startRefund(ctx, r);
    if (pendingStep(r) === 'COMPLETE_REFUND') r = await this.completeRefund(ctx, r);
    return r;
  }

  private async restock(ctx: RequestContext, r: ReturnRequest): Promise<ReturnRequest> {
    const now = this.clock.now();
    const claimed = await this.uow.run(ctx, (tx) =>
      tx.returns.claimRestock(r.id, now, new Date(now.getTime() - RESTOCK_CLAIM_MS)),
    );
    if (!claimed) return r; // another worker is restocking it
    const shipments = await this.uow.run(ctx, (tx) => tx.shipments.byOrder(r.orderId));
    for (const l of r.lines) {
      const from =
        shipments.find((s) => s.lines.some((x) => x.skuId === l.skuId))?.warehouseCode ??
        RETURNS_WAREHOUSE;
      await this.catalog.restock(ctx, l.skuId, from, l.quantity, `return ${r.id}`);
    }
    return this.uow.run(ctx, async (tx) => {
      const change = markRestocked((await tx.returns.find(r.id, true))!, this.clock.now());
      await tx.returns.save(change);
      return change.request;
    });
  }

  /**
   * An exchange ships the same units again: held and taken in the catalog under the return's
   * id (idempotent), then a replacement shipment per warehouse. When the catalog cannot supply
   * them any more, the exchange becomes a refund.
   */
  private async replace(ctx: RequestContext, r: ReturnRequest): Promise<ReturnRequest> {
    try {
      await this.catalog.reserve(ctx, r.id, r.lines, 900);
    } catch (e) {
      if (!(e instanceof OrderError) || e.code !== 'STOCK_INSUFFICIENT') throw e;
      this.logger.warn({ returnId: r.id }, 'no stock to exchange: refunding instead');
      return this.uow.run(ctx, async (tx) => {
        const current = (await tx.returns.find(r.id, true))!;
        if (pendingStep(current) !== 'REPLACE') return current;
        const change = refundInsteadOfExchange(current, this.clock.now());
        await tx.returns.save(change);
        return change.request;
      });
    }
    await this.catalog.commit(ctx, r.id);
    const reserved = await this.catalog.reservationLines(ctx, r.id);
    return this.uow.run(ctx, async (tx) => {
      const current = (await tx.returns.find(r.id, true))!;
      if (pendingStep(current) !== 'REPLACE') return current;
      const now = this.clock.now();
      const existing = (await tx.shipments.byOrder(r.orderId)).filter((s) => s.returnId === r.id);
      if (existing.length === 0)
        await tx.shipments.insert(
          planShipments(r.orderId, reserved, () => this.ids.newId(), now, r.id),
        );
      const change = moveReturn(current, 'REPLACE', now);
      await tx.returns.save(change);
      return change.request;
    });
  }

  private startRefund(ctx: RequestContext, r: ReturnRequest): Promise<ReturnRequest> {
    return this.uow.run(ctx, async (tx) => {
      const order = (await tx.orders.findForUpdate(r.orderId))!;
      const current = (await tx.returns.find(r.id, true))!;
      if (pendingStep(current) !== 'START_REFUND') return current;
      const refund = refundFor(order, await tx.returns.byOrder(order.id), current);
      const change = moveReturn(current, 'START_REFUND', this.clock.now(), { refund });
      await tx.returns.save(change);
      return change.request;
    });
  }

  private async completeRefund(ctx: RequestContext, r: ReturnRequest): Promise<ReturnRequest> {
    const payment = (await this.uow.run(ctx, (tx) => tx.payments.succeededFor(r.orderId)))[0];
    await refundThroughProvider(this.providers, payment, r.refund, `return ${r.id}`, r.id);
    if (!payment) {
      this.logger.warn(
        { returnId: r.id, orderId: r.orderId },
        'no captured payment to refund against: recorded only',
      );
    }
    return this.uow.run(ctx, async (tx) => {
      const order = (await tx.orders.findForUpdate(r.orderId))!;
      const current = (await tx.returns.find(r.id, true))!;
      if (current.status !== 'REFUNDING') return current;
      const now = this.clock.now();
      const change = moveReturn(current, 'FINISH_REFUND', now);
      await tx.returns.save(change);
      const next = change.request;
      const full = fullyRefunded(order, await tx.returns.byOrder(order.id), next);
      await tx.orders.save(
        full
          ? transition(order, 'REFUND_ALL', { refundId: next.id, amount: next.refund! }, now)
          : note(order, { type: 'refunded', refundId: next.id, amount: next.refund!, full }),
      );
      return next;
    });
  }

  /** Resumes returns interrupted between receipt and refund. */
  async finishPending(ctx: RequestContext, limit = 50): Promise<number> {
    // only returns no request is working on right now
    const olderThan = new Date(this.clock.now().getTime() - 30_000);
    const ids = await this.uow.run(ctx, (tx) => tx.returns.unfinished(limit, olderThan));
    for (const id of ids) await this.finish(ctx, id);
    return ids.length;
  }
}
