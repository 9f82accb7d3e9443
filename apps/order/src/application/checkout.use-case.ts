import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger, type RequestContext } from '@emporia/platform';
import { UUID_RE } from '@emporia/domain';
import { Money } from '@emporia/money';
import { checkShippingAddress } from '../domain/address';
import { deriveCheckoutKey } from './checkout-key';
import { announceCart } from './cart-events';
import { decideRetry } from '../domain/checkout-attempt';
import { CheckoutAttemptsUseCase, type CheckoutUndoGuard } from './checkout-attempts.use-case';
import { createStep, Saga } from './saga';
import {
  checkoutPromotion,
  type CheckoutPromotion,
  promotionFingerprint,
} from '../domain/checkout-promotion';
import { checkGroupAnswer, reservationHoldMs, settleAtPlacement } from '../domain/group-buy';
import { type AddressSource, assertStepUp } from '../domain/step-up';
import {
  checkPricing,
  placeOrder,
  type Order,
  type PricedCart,
  type RiskVerdict,
  type ShippingAddress,
} from '../domain/order';
import { placed } from '../domain/order-change';
import { countOrderPlaced } from './order.metrics';
import { OrderError } from '../domain/order-error';
import { type Cart, setLine } from '../domain/cart';
import type { RoutePlan, RoutingStrategy } from '../domain/routing';
import {
  ACCOUNTS,
  type AccountsPort,
  type AddressBookEntry,
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

/** One attempt's saga state: what it was asked, and what each step found. */
export interface CheckoutRun {
  ctx: RequestContext;
  record: CheckoutRecord;
  attemptId: string;
  input: CheckoutInput;
  address: ShippingAddress;
  /** Typed in, or an address-book entry saved when (the large-order step-up rule). */
  addressSource: AddressSource;
  /** What checkout doubted about the address (found with the check that accepted it), for risk. */
  addressIssues: string[];
  couponCodes: string[];
  promotion: CheckoutPromotion;
  cart?: Cart;
  lines?: { sku: SkuInfo; quantity: number }[];
  priced?: PricedCart;
  verdict?: RiskVerdict;
  order?: Order;
}

export interface CheckoutInput {
  accountId: string;
  /** The checkout's key (a UUID); empty: derived from the account and `idempotencyKey`. */
  checkoutKey: string;
  /** The caller's Idempotency-Key, when the checkout key is to be derived from it. */
  idempotencyKey?: string;
  /** The address itself; without it, `addressId` names an entry of the account's address book. */
  address: Partial<Record<keyof ShippingAddress, unknown>> | undefined;
  addressId?: string;
  couponCodes: string[];
  ip: string;
  deviceId: string;
  channel: string;
  /** A flash-sale winner's purchase token. */
  flashToken?: string;
  /** Group buying: the deal, and the group to join (empty opens a new one). */
  groupDealId?: string;
  groupId?: string;
  /**
   * When the calling session last proved a second factor (the access token's `mfa_at`, from the
   * gateway); null or absent: never. Large orders to new addresses need a recent one.
   */
  secondFactorAt?: Date | null;
}

/** What a checkout answers: its order and the order's price explanation (marketing's lines). */
export interface CheckoutResult {
  order: Order;
  explanation: string[];
}

/**
 * The checkout saga, orchestrated here: price (marketing) → risk score → reserve stock
 * (catalog, all lines or none) → order PENDING_PAYMENT (or PENDING_REVIEW) with `OrderPlaced`.
 * Idempotent by checkout key: a retry returns the same order or the same refusal. One attempt at
 * a time owns the key's record, with a lease its heartbeat renews; a retry that finds the lease
 * alive is told the checkout is still running (ABORTED), one that finds it run out (the attempt
 * died, or could not compensate) takes the checkout over: it releases the stock the previous
 * attempt may hold and runs the saga again (marketing gives the same order the same coupons).
 * The saga is steps (`saga` below), each with its own compensation: a failure undoes the steps
 * that started (idempotent calls); a checkout nobody retries is compensated by the sweep once
 * silent for `checkoutAbandonAfterMs`.
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
    @Inject(ACCOUNTS) private readonly accounts: AccountsPort,
  ) {}

  async execute(ctx: RequestContext, input: CheckoutInput): Promise<CheckoutResult> {
    const checkoutKey =
      input.checkoutKey ||
      (input.idempotencyKey ? deriveCheckoutKey(input.accountId, input.idempotencyKey) : '');
    if (!UUID_RE.test(checkoutKey))
      throw new OrderError(
        'INVALID_ARGUMENT',
        'CHECKOUT_KEY_INVALID',
        'checkout_key must be a UUID',
      );
    // who may check out, and with which address, is decided here (the gateway is an edge); both
    // questions go to the user service at once, and a frozen account is refused first
    const entry = !input.address && input.addressId ? this.addressBookEntry(ctx, input) : undefined;
    entry?.catch(() => undefined); // awaited below, unless the account is refused first
    if (await this.accounts.isFrozen(ctx, input.accountId))
      throw new OrderError(
        'PERMISSION_DENIED',
        'ACCOUNT_FROZEN',
        'this account is frozen; contact support',
      );
    const book = entry ? await entry : undefined;
    const { address, doubts } = checkShippingAddress(input.address ?? book?.address);
    const addressSource: AddressSource = book
      ? { kind: 'BOOK', createdAt: book.createdAt }
      : { kind: 'TYPED' };
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
    const key = checkoutKey.toLowerCase();
    const attemptId = this.ids.newId();
    // a new key's record is one statement, atomic by itself, outside a transaction (no BEGIN or
    // COMMIT round trip): it comes back with the account's cart (the saga's CART step checks it)
    const made = await this.uow.statement(ctx, (tx) =>
      tx.checkouts.create({
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
      }),
    );
    // a key with a record: the retry is decided in a transaction, under the record's row lock;
    // its cart is read once the retry is decided
    const start = made
      ? { kind: 'RUN' as const, record: made.record, cart: made.cart }
      : await this.retryStart(ctx, input, { key, fingerprint, attemptId, now });
    if (start.kind === 'PLACED') {
      // a replay: the order placed before, with the explanation stored with it
      const placedBefore = await this.uow.read(ctx, async (tx) => {
        const order = await tx.orders.find(start.orderId);
        return order && { order, explanation: await tx.orders.explanation(order.id) };
      });
      if (!placedBefore)
        throw new OrderError('NOT_FOUND', 'ORDER_NOT_FOUND', `order ${start.orderId} not found`);
      return placedBefore;
    }
    const heartbeat = this.attempts.heartbeat(ctx, key, attemptId);
    try {
      const run = await this.saga.run(
        {
          ctx,
          record: start.record,
          attemptId,
          input,
          address,
          addressSource,
          addressIssues: doubts,
          couponCodes,
          promotion,
          cart: start.cart ?? undefined,
        },
        // the lease stays alive while compensating (which holds the record's lock meanwhile)
        (e, undo) => this.attempts.compensate(ctx, start.record, attemptId, e, heartbeat, undo),
      );
      // the explanation stored with the order (`place`): no read back
      return { order: run.order!, explanation: run.priced!.explanation };
    } finally {
      await heartbeat.stop();
    }
  }

  /**
   * A checkout key that has a record already: the retry decided under the record's row lock (a
   * transaction), as `decideRetry` says — refused, the order placed before, or taken over (the
   * previous attempt's stock released first) and run again with the account's cart.
   */
  private retryStart(
    ctx: RequestContext,
    input: CheckoutInput,
    a: { key: string; fingerprint: string; attemptId: string; now: Date },
  ): Promise<
    { kind: 'RUN'; record: CheckoutRecord; cart: Cart | null } | { kind: 'PLACED'; orderId: string }
  > {
    const { key, fingerprint, attemptId, now } = a;
    return this.uow.run(ctx, async (tx) => {
      // the key's record exists (records are never deleted): read now under its lock
      const record = (await tx.checkouts.lock(key))!;
      const cart = () => tx.carts.find({ accountId: input.accountId });
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
            cart: await cart(),
          };
      }
    });
  }

  /** The account's address-book entry; another account's or an unknown one is not found. */
  private async addressBookEntry(
    ctx: RequestContext,
    input: CheckoutInput,
  ): Promise<AddressBookEntry> {
    const found = await this.accounts.address(ctx, input.accountId, input.addressId!);
    if (!found)
      throw new OrderError(
        'NOT_FOUND',
        'ADDRESS_NOT_FOUND',
        `address ${input.addressId} does not exist`,
      );
    return found;
  }

  /**
   * The saga's steps, in order, each with what undoes it (CONVENTIONS 12). A failing step's
   * started steps are undone under the checkout record's lock (`CheckoutAttemptsUseCase
   * .compensate`), which then records how the checkout ended:
   *
   * - CART: checks the cart (read with the checkout record) and its SKUs (orderable, one
   *   currency). Nothing to undo.
   * - STEP_UP: goods of a large value (the cart at catalog prices) to a new address need a recent
   *   second factor (domain `step-up.ts`): refused with STEP_UP_REQUIRED before anything is
   *   priced, reserved or placed (a refusal a retry may pass: the record ends ABANDONED). Nothing
   *   to undo.
   * - PRICE: marketing prices the cart, reserving coupons, a flash purchase or a group seat under
   *   the order id. Undo: the coupons (and holds) go back — only while this attempt still owns
   *   the checkout (a take-over reuses the order id, so they are the new attempt's then).
   * - SCORE: risk scores the order; REJECT refuses it. Nothing to undo.
   * - RESERVE: holds the stock where routing ships it from (group orders until their group
   *   closes, held orders through review). Undo: the reservation is released — unless the
   *   record says the order was placed with it (a commit whose answer was lost).
   * - PLACE: in one transaction, under the record's lock: the order with `OrderPlaced`, the cart
   *   emptied of what was ordered, the record PLACED. Undone by its own rollback.
   */
  readonly saga = new Saga<CheckoutRun, CheckoutUndoGuard>([
    createStep('CART', (r) => this.readCart(r)),
    createStep('STEP_UP', async (r) => this.checkStepUp(r)),
    createStep(
      'PRICE',
      (r) => this.price(r),
      async (r, guard) => {
        if (guard.owned)
          await this.pricing.releaseCoupons(r.ctx, r.record.orderId, 'CHECKOUT_FAILED');
      },
    ),
    createStep('SCORE', (r) => this.score(r)),
    createStep(
      'RESERVE',
      (r) => this.reserve(r),
      async (r, guard) => {
        if (!guard.placedWithIt)
          await this.catalog.release(r.ctx, r.record.reservationId, 'CHECKOUT_FAILED');
      },
    ),
    createStep('PLACE', (r) => this.place(r)),
  ]);

  private async readCart(r: CheckoutRun): Promise<void> {
    const cart =
      r.cart ??
      (await this.uow.run(r.ctx, (tx) => tx.carts.find({ accountId: r.input.accountId })));
    if (!cart || cart.lines.length === 0)
      throw new OrderError('FAILED_PRECONDITION', 'CART_EMPTY', 'the cart is empty');
    const skus = await this.catalog.skus(
      r.ctx,
      cart.lines.map((l) => l.skuId),
    );
    const lines = cart.lines.map((l) => {
      const sku = skus.get(l.skuId);
      if (!sku || !sku.orderable)
        throw new OrderError(
          'FAILED_PRECONDITION',
          'SKU_UNAVAILABLE',
          `SKU ${l.skuId} cannot be ordered now`,
          { skuId: l.skuId },
        );
      return { sku, quantity: l.quantity };
    });
    if (new Set(lines.map((l) => l.sku.unitPrice.currency)).size > 1)
      throw new OrderError(
        'FAILED_PRECONDITION',
        'CART_MIXED_CURRENCY',
        'a cart is paid in one currency',
      );
    r.cart = cart;
    r.lines = lines;
  }

  /**
   * The large-order step-up rule, on the goods' value at catalog prices: the payable total is
   * known only once marketing prices the cart, which already takes a flash-sale win and reserves
   * coupons, and a refusal must take nothing from the buyer. Discounts and shipping do not count.
   */
  private checkStepUp(r: CheckoutRun): void {
    const lines = r.lines!;
    assertStepUp(
      {
        value: Money.sum(
          lines.map((l) => l.sku.unitPrice.times(l.quantity)),
          lines[0].sku.unitPrice.currency,
        ),
        address: r.addressSource,
        secondFactorAt: r.input.secondFactorAt ?? null,
        now: this.clock.now(),
      },
      this.settings.stepUp,
    );
  }

  private async price(r: CheckoutRun): Promise<void> {
    const priced = await this.pricing.price(r.ctx, {
      orderId: r.record.orderId,
      accountId: r.input.accountId,
      lines: r.lines!,
      couponCodes: r.couponCodes,
      channel: r.input.channel ?? '',
      ...r.promotion,
    });
    checkPricing(priced);
    checkGroupAnswer(r.promotion.groupDealId !== '', priced);
    r.priced = priced;
    this.faults.after('PRICED');
  }

  private async score(r: CheckoutRun): Promise<void> {
    const verdict = await this.risk.scoreOrder(r.ctx, {
      orderId: r.record.orderId,
      accountId: r.input.accountId,
      ip: r.input.ip ?? '',
      deviceId: r.input.deviceId ?? '',
      address: r.address,
      addressIssues: r.addressIssues,
      total: r.priced!.total,
      lineCount: r.priced!.lines.length,
      couponCodes: r.couponCodes,
    });
    if (verdict.decision === 'REJECT')
      throw new OrderError('PERMISSION_DENIED', 'ORDER_REJECTED', 'this order cannot be placed', {
        reasons: verdict.reasons,
      });
    r.verdict = verdict;
    this.faults.after('SCORED');
  }

  /** How long an order waits for payment: held orders wait for review first. */
  private paymentTtlMs(r: CheckoutRun): number {
    return (
      this.settings.paymentTtlMs +
      (r.verdict!.decision === 'REVIEW' ? this.settings.reviewTtlMs : 0)
    );
  }

  private async reserve(r: CheckoutRun): Promise<void> {
    // a group-buy order's stock is held until its group closes, paid or not
    const holdMs = reservationHoldMs({
      paymentTtlMs: this.paymentTtlMs(r),
      marginMs: RESERVATION_MARGIN_MS,
      now: this.clock.now(),
      groupDeadline: r.priced!.groupDeadline,
    });
    await this.reserveRouted(
      r.ctx,
      r.record.reservationId,
      r.cart!.lines,
      r.lines!,
      r.address,
      r.priced!.currency,
      holdMs,
    );
    this.faults.after('RESERVED');
  }

  private async place(r: CheckoutRun): Promise<void> {
    const { record, input, cart } = r;
    r.order = await this.uow.run(r.ctx, async (tx) => {
      const now = this.clock.now();
      // an attempt that went silent (no database) may have been taken over or swept meanwhile:
      // then another attempt owns the checkout, and this one places nothing (no cart touched,
      // the transaction rolled back). The record is marked PLACED first, under its row lock, and
      // the account's cart locked after it, in one statement: the rest of this transaction
      // commits with them. The cart comes back as it is now, for the ordered quantities to leave
      let latest = await tx.checkouts.markPlacedAndLockCart(record.key, r.attemptId, {
        accountId: input.accountId,
        newId: cart!.id,
        now,
      });
      if (!latest)
        throw new OrderError(
          'ABORTED',
          'CHECKOUT_ABANDONED',
          'this attempt was taken over; retry with the same key',
        );
      const fresh = placeOrder({
        id: record.orderId,
        accountId: input.accountId,
        priced: r.priced!,
        risk: r.verdict!,
        reservationId: record.reservationId,
        address: r.address,
        now,
        paymentTtlMs: this.paymentTtlMs(r),
        channel: input.channel ?? '',
      });
      // marketing may have decided the group while this checkout ran (the joining checkout that
      // fills a group confirms it at once); the checkout lock above orders us after that decision
      const order = fresh.groupId
        ? settleAtPlacement(fresh, await tx.groups.find(fresh.id))
        : fresh;
      await tx.orders.add(placed(order, r.couponCodes), r.priced!.explanation);
      // the ordered quantities leave the cart; anything added meanwhile stays
      for (const l of cart!.lines) {
        const left = (latest.lines.find((x) => x.skuId === l.skuId)?.quantity ?? 0) - l.quantity;
        latest = setLine(latest, l.skuId, Math.max(0, left), now);
      }
      await tx.carts.save(latest);
      const known = new Map(r.lines!.map((l) => [l.sku.skuId, l.sku]));
      await announceCart(this.catalog, r.ctx, tx, latest, 'checkout', known);
      this.faults.after('PLACED');
      return order;
    });
    // committed: counted once (a replay finds the checkout PLACED and places nothing; an attempt
    // taken over cannot mark it placed)
    if (r.order.risk.decision !== 'REJECT') countOrderPlaced(r.order.risk.decision);
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
