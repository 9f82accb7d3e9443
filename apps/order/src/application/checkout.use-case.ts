import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger, type RequestContext } from '@emporia/platform';
import { UUID_RE } from '@emporia/domain';
import { validateShippingAddress } from '../domain/address';
import { decideRetry } from '../domain/checkout-attempt';
import { CheckoutAttemptsUseCase } from './checkout-attempts.use-case';
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
 * Idempotent by checkout key: a retry returns the same order or the same refusal. One attempt at
 * a time owns the key's record, with a lease its heartbeat renews; a retry that finds the lease
 * alive is told the checkout is still running (ABORTED), one that finds it run out (the attempt
 * died, or could not compensate) takes the checkout over: it releases the stock the previous
 * attempt may hold and runs the saga again (marketing gives the same order the same coupons).
 * Any failure releases the reservation (idempotent in the catalog); a checkout nobody retries
 * is compensated by the sweep once silent for `checkoutAbandonAfterMs`.
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
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly attempts: CheckoutAttemptsUseCase,
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
    const attemptId = this.ids.newId();
    const start = await this.uow.run(ctx, async (tx) => {
      const { record, created } = await tx.checkouts.begin({
        key,
        accountId: input.accountId,
        // the order id is the checkout key: one checkout, one order
        orderId: key,
        reservationId: this.ids.newId(),
        requestHash: fingerprint,
        status: 'STARTED',
        errorCode: null,
        errorMessage: null,
        couponCodes,
        createdAt: now,
        attemptId,
        heartbeatAt: now,
      });
      if (created) return { kind: 'RUN' as const, record };
      const decision = decideRetry(
        record,
        { accountId: input.accountId, requestHash: fingerprint },
        now,
        this.settings.checkoutLeaseMs,
      );
      switch (decision.kind) {
        case 'REUSED':
          throw new OrderError(
            'ALREADY_EXISTS',
            'CHECKOUT_KEY_REUSED',
            'this checkout key was used for a different checkout',
          );
        case 'PLACED':
          return { kind: 'PLACED' as const, orderId: record.orderId };
        case 'FAILED':
          throw new OrderError('FAILED_PRECONDITION', decision.code, decision.message);
        case 'IN_PROGRESS':
          throw new OrderError(
            'ABORTED',
            'CHECKOUT_IN_PROGRESS',
            'this checkout is still running; retry with the same key in a moment',
            { retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) },
          );
        case 'TAKE_OVER':
          // the previous attempt may have died holding stock: released first (idempotent), under
          // the record's lock, so no other retry takes over meanwhile; then this attempt reserves
          // afresh under its own reservation id
          await this.catalog.release(ctx, record.reservationId, 'CHECKOUT_RETRIED');
          if (record.status === 'STARTED')
            this.logger.warn(
              { checkoutKey: key, attempts: record.attempts, since: record.heartbeatAt },
              'taking over a checkout whose attempt went silent',
            );
          return {
            kind: 'RUN' as const,
            record: await tx.checkouts.takeOver(key, {
              attemptId,
              reservationId: this.ids.newId(),
              now,
            }),
          };
      }
    });
    if (start.kind === 'PLACED') {
      const order = await this.uow.run(ctx, (tx) => tx.orders.find(start.orderId));
      if (!order)
        throw new OrderError('NOT_FOUND', 'ORDER_NOT_FOUND', `order ${start.orderId} not found`);
      return order;
    }
    const heartbeat = this.attempts.heartbeat(ctx, key, attemptId);
    try {
      return await this.run(ctx, start.record, attemptId, input, address, couponCodes, promotion);
    } catch (e) {
      // the lease stays alive while compensating (which holds the record's lock meanwhile)
      await this.attempts.compensate(ctx, start.record, attemptId, e, heartbeat);
      throw e;
    } finally {
      await heartbeat.stop();
    }
  }

  private async run(
    ctx: RequestContext,
    record: CheckoutRecord,
    attemptId: string,
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
      // an attempt that went silent (no database) may have been taken over or swept meanwhile:
      // then another attempt owns the checkout, and this one places nothing
      const current = await tx.checkouts.lock(record.key);
      if (current?.status !== 'STARTED' || current.attemptId !== attemptId)
        throw new OrderError(
          'ABORTED',
          'CHECKOUT_ABANDONED',
          'this attempt was taken over; retry with the same key',
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
}
