import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { validateShippingAddress } from '../domain/address';
import {
  checkoutPromotion,
  type CheckoutPromotion,
  promotionFingerprint,
} from '../domain/checkout-promotion';
import { checkGroupAnswer, reservationHoldMs, settleAtPlacement } from '../domain/group-buy';
import { checkPricing, placeOrder, type Order, type ShippingAddress } from '../domain/order';
import { OrderError } from '../domain/order-error';
import { setLine } from '../domain/cart';
import type { RoutePlan, RoutingStrategy } from '../domain/routing';
import {
  CATALOG,
  type CatalogPort,
  CHECKOUT_SETTINGS,
  type CheckoutRecord,
  type CheckoutSettings,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  PRICING,
  type PricingPort,
  ROUTING,
  type SkuInfo,
  RISK,
  type RiskPort,
  SAGA_FAULTS,
  type SagaFaults,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A checkout still STARTED after this long was interrupted; the sweep compensates it. */
export const CHECKOUT_STALE_MS = 2 * 60_000;
/** Reservations outlive the payment deadline by this margin, so a last-second payment commits. */
const RESERVATION_MARGIN_MS = 5 * 60_000;

export interface CheckoutInput {
  accountId: string;
  checkoutKey: string;
  address: Partial<Record<keyof ShippingAddress, unknown>> | undefined;
  couponCodes: string[];
  ip: string;
  deviceId: string;
  channel: string;
  /** A flash-sale winner's purchase token. */
  flashToken?: string;
  /** Group buying: the deal, and the group to join (empty opens a new one). */
  groupDealId?: string;
  groupId?: string;
}

/**
 * The checkout saga, orchestrated here: price (marketing) → risk score → reserve stock
 * (catalog, all lines or none) → order PENDING_PAYMENT (or PENDING_REVIEW) with `OrderPlaced`.
 * Idempotent by checkout key: a retry returns the same order or the same failure. Any failure
 * releases the reservation (idempotent in the catalog); a crash mid-saga leaves the record
 * STARTED and the sweep compensates it.
 */
@Injectable()
export class CheckoutUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CATALOG) private readonly catalog: CatalogPort,
    @Inject(PRICING) private readonly pricing: PricingPort,
    @Inject(RISK) private readonly risk: RiskPort,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(CHECKOUT_SETTINGS) private readonly settings: CheckoutSettings,
    @Inject(SAGA_FAULTS) private readonly faults: SagaFaults,
    @Inject(ROUTING) private readonly routing: RoutingStrategy,
  ) {}

  async execute(ctx: RequestContext, input: CheckoutInput): Promise<Order> {
    if (!UUID_RE.test(input.checkoutKey ?? ''))
      throw new OrderError(
        'INVALID_ARGUMENT',
        'CHECKOUT_KEY_INVALID',
        'checkout_key must be a UUID',
      );
    const address = validateShippingAddress(input.address);
    const couponCodes = [
      ...new Set((input.couponCodes ?? []).map((c) => c.trim()).filter(Boolean)),
    ].sort();
    const promotion = checkoutPromotion(input);
    // reusing the key with another flash token or group deal is another checkout
    const fingerprint = JSON.stringify({
      address,
      couponCodes,
      channel: input.channel ?? '',
      ...promotionFingerprint(promotion),
    });
    const now = this.clock.now();
    const key = input.checkoutKey.toLowerCase();
    const { record, created } = await this.uow.run(ctx, (tx) =>
      tx.checkouts.begin({
        key,
        accountId: input.accountId,
        // the order id is the checkout key: one checkout, one order, one reservation
        orderId: key,
        reservationId: this.ids.newId(),
        requestHash: fingerprint,
        status: 'STARTED',
        errorCode: null,
        errorMessage: null,
        couponCodes,
        createdAt: now,
      }),
    );
    if (!created) return this.replay(ctx, record, input.accountId, fingerprint);
    try {
      return await this.run(ctx, record, input, address, couponCodes, promotion);
    } catch (e) {
      await this.compensate(ctx, record, e);
      throw e;
    }
  }

  /** A repeated checkout key: the first outcome again, never a second order. */
  private async replay(
    ctx: RequestContext,
    record: CheckoutRecord,
    accountId: string,
    fingerprint: string,
  ): Promise<Order> {
    if (record.accountId !== accountId || record.requestHash !== fingerprint)
      throw new OrderError(
        'ALREADY_EXISTS',
        'CHECKOUT_KEY_REUSED',
        'this checkout key was used for a different checkout',
      );
    if (record.status === 'PLACED') {
      const order = await this.uow.run(ctx, (tx) => tx.orders.find(record.orderId));
      if (order) return order;
    }
    if (record.status === 'FAILED')
      throw new OrderError(
        'FAILED_PRECONDITION',
        record.errorCode ?? 'CHECKOUT_FAILED',
        record.errorMessage ?? 'this checkout failed',
      );
    throw new OrderError(
      'FAILED_PRECONDITION',
      'CHECKOUT_IN_PROGRESS',
      'this checkout is still running',
    );
  }

  private async run(
    ctx: RequestContext,
    record: CheckoutRecord,
    input: CheckoutInput,
    address: ShippingAddress,
    couponCodes: string[],
    promotion: CheckoutPromotion,
  ): Promise<Order> {
    const cart = await this.uow.run(ctx, (tx) => tx.carts.find({ accountId: input.accountId }));
    if (!cart || cart.lines.length === 0)
      throw new OrderError('FAILED_PRECONDITION', 'CART_EMPTY', 'the cart is empty');
    const skus = await this.catalog.skus(
      ctx,
      cart.lines.map((l) => l.skuId),
    );
    const lines = cart.lines.map((l) => {
      const sku = skus.get(l.skuId);
      if (!sku || !sku.orderable)
        throw new OrderError(
          'FAILED_PRECONDITION',
          'SKU_UNAVAILABLE',
          `SKU ${l.skuId} cannot be ordered now`,
          {
            skuId: l.skuId,
          },
        );
      return { sku, quantity: l.quantity };
    });
    if (new Set(lines.map((l) => l.sku.unitPrice.currency)).size > 1)
      throw new OrderError(
        'FAILED_PRECONDITION',
        'CART_MIXED_CURRENCY',
        'a cart is paid in one currency',
      );

    const priced = await this.pricing.price(ctx, {
      orderId: record.orderId,
      accountId: input.accountId,
      lines,
      couponCodes,
      channel: input.channel ?? '',
      ...promotion,
    });
    checkPricing(priced);
    checkGroupAnswer(promotion.groupDealId !== '', priced);
    this.faults.after('PRICED');

    const verdict = await this.risk.scoreOrder(ctx, {
      orderId: record.orderId,
      accountId: input.accountId,
      ip: input.ip ?? '',
      deviceId: input.deviceId ?? '',
      address,
      total: priced.total,
      lineCount: priced.lines.length,
      couponCodes,
    });
    if (verdict.decision === 'REJECT')
      throw new OrderError('PERMISSION_DENIED', 'ORDER_REJECTED', 'this order cannot be placed', {
        reasons: verdict.reasons,
      });
    this.faults.after('SCORED');

    // a group-buy order's stock is held until its group closes, paid or not
    const holdMs = reservationHoldMs({
      paymentTtlMs:
        this.settings.paymentTtlMs +
        (verdict.decision === 'REVIEW' ? this.settings.reviewTtlMs : 0),
      marginMs: RESERVATION_MARGIN_MS,
      now: this.clock.now(),
      groupDeadline: priced.groupDeadline,
    });
    await this.reserveRouted(
      ctx,
      record.reservationId,
      cart.lines,
      lines,
      address,
      priced.currency,
      holdMs,
    );
    this.faults.after('RESERVED');

    return this.uow.run(ctx, async (tx) => {
      // the sweep may have given up on a checkout this slow: then its stock is gone
      const current = await tx.checkouts.lock(record.key);
      if (current?.status !== 'STARTED')
        throw new OrderError(
          'ABORTED',
          'CHECKOUT_ABANDONED',
          'the checkout took too long; try again',
        );
      const now = this.clock.now();
      const placed = placeOrder({
        id: record.orderId,
        accountId: input.accountId,
        priced,
        risk: verdict,
        reservationId: record.reservationId,
        address,
        now,
        paymentTtlMs:
          this.settings.paymentTtlMs +
          (verdict.decision === 'REVIEW' ? this.settings.reviewTtlMs : 0),
      });
      // marketing may have decided the group while this checkout ran (the joining checkout that
      // fills a group confirms it at once); the checkout lock above orders us after that decision
      const order = placed.groupId
        ? settleAtPlacement(placed, await tx.groups.find(placed.id))
        : placed;
      await tx.orders.insert(order, priced.explanation);
      tx.events.placed(order, couponCodes);
      // the ordered quantities leave the cart; anything added meanwhile stays
      let latest = await tx.carts.lock({ accountId: input.accountId }, cart.id, now);
      for (const l of cart.lines) {
        const left = (latest.lines.find((x) => x.skuId === l.skuId)?.quantity ?? 0) - l.quantity;
        latest = setLine(latest, l.skuId, Math.max(0, left), now);
      }
      await tx.carts.save(latest);
      await tx.checkouts.finish(record.key, 'PLACED');
      this.faults.after('PLACED');
      return order;
    });
  }

  /**
   * Holds the stock where the routing strategy ships it from (nearest, cheapest, fewest
   * shipments). Stock moves between routing and reserving: if the routed hold fails, the
   * catalog may take the units wherever it still has them, all lines or none.
   */
  private async reserveRouted(
    ctx: RequestContext,
    reservationId: string,
    cartLines: { skuId: string; quantity: number }[],
    skus: { sku: SkuInfo; quantity: number }[],
    address: ShippingAddress,
    currency: string,
    holdMs: number,
  ): Promise<void> {
    const ttl = Math.ceil(holdMs / 1000);
    let plan: RoutePlan | undefined;
    try {
      plan = this.routing.route({
        lines: cartLines,
        address,
        warehouses: await this.catalog.warehouses(ctx),
        availability: skus.flatMap((l) =>
          l.sku.stock.map((w) => ({
            skuId: l.sku.skuId,
            warehouseCode: w.warehouseCode,
            available: w.available,
          })),
        ),
        currency,
      });
    } catch (e) {
      // nothing routable: let the catalog decide (and refuse with a precise STOCK_INSUFFICIENT)
      if (!(e instanceof OrderError) || e.code !== 'STOCK_INSUFFICIENT') throw e;
    }
    if (plan) {
      try {
        await this.catalog.reserve(ctx, reservationId, plan.lines, ttl);
        return;
      } catch (e) {
        if (!(e instanceof OrderError) || e.code !== 'STOCK_INSUFFICIENT') throw e;
      }
    }
    await this.catalog.reserve(ctx, reservationId, cartLines, ttl);
  }

  /** Undoes what the saga did: the reservation goes, the record says why the checkout failed. */
  private async compensate(ctx: RequestContext, record: CheckoutRecord, e: unknown): Promise<void> {
    await this.catalog.release(ctx, record.reservationId, 'CHECKOUT_FAILED');
    await this.pricing.releaseCoupons(ctx, record.orderId, 'CHECKOUT_FAILED');
    const code = e instanceof OrderError ? e.code : 'CHECKOUT_FAILED';
    const message = e instanceof OrderError ? e.message : 'the checkout failed; try again';
    // transient failures are not remembered: the same key may be retried
    const transient = !(e instanceof OrderError) || e.kind === 'UNAVAILABLE';
    await this.uow.run(ctx, async (tx) => {
      const current = await tx.checkouts.lock(record.key);
      if (current?.status !== 'STARTED') return;
      if (transient) await tx.checkouts.forget(record.key);
      else await tx.checkouts.finish(record.key, 'FAILED', { code, message });
    });
  }

  /** Compensates checkouts interrupted mid-saga (a crash): marks them failed, releases stock. */
  async sweepStale(ctx: RequestContext, limit = 100): Promise<number> {
    const olderThan = new Date(this.clock.now().getTime() - CHECKOUT_STALE_MS);
    const stale = await this.uow.run(ctx, (tx) => tx.checkouts.stale(olderThan, limit));
    for (const r of stale) {
      const claimed = await this.uow.run(ctx, async (tx) => {
        const current = await tx.checkouts.lock(r.key);
        if (current?.status !== 'STARTED') return false;
        await tx.checkouts.finish(r.key, 'FAILED', {
          code: 'CHECKOUT_ABANDONED',
          message: 'the checkout was interrupted; try again',
        });
        return true;
      });
      if (claimed) {
        await this.catalog.release(ctx, r.reservationId, 'CHECKOUT_ABANDONED');
        await this.pricing.releaseCoupons(ctx, r.orderId, 'CHECKOUT_ABANDONED');
      }
    }
    return stale.length;
  }
}
