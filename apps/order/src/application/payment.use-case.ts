import { Inject, Injectable } from '@nestjs/common';
import type { Logger, RequestContext } from '@emporia/platform';
import { LOGGER } from '@emporia/platform';
import { Money } from '@emporia/money';
import { reservationAction } from '../domain/group-buy';
import type { Order } from '../domain/order';
import { transition } from '../domain/order-change';
import { OrderError } from '../domain/order-error';
import {
  type CallbackOutcome,
  checkCallbackFields,
  checkCallbackFreshness,
  decideCallback,
  type PaymentCallback,
  SANDBOX_PROVIDER,
} from '../domain/payment';
import { OrderLifecycleUseCase, orderNotFound } from './order-lifecycle.use-case';
import { countOrderPaid } from './order.metrics';
import {
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  type OrderTx,
  PAYMENT_PROVIDERS,
  type PaymentProvider,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

const sandboxDisabled = () =>
  new OrderError(
    'FAILED_PRECONDITION',
    'PAYMENT_PROVIDER_DISABLED',
    'the sandbox payment provider is off here (PAYMENT_SANDBOX_ENABLED)',
  );

/**
 * Payments: starting one with a provider, and the provider's signed callback. A callback is
 * checked (signature, age, amount), recorded once per provider transaction (a replay changes
 * nothing), pays the order at most once, and money that arrives for an order that can no
 * longer take it is refunded.
 */
@Injectable()
export class PaymentUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(PAYMENT_PROVIDERS) private readonly providers: Map<string, PaymentProvider>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly lifecycle: OrderLifecycleUseCase,
  ) {}

  private provider(name: string): PaymentProvider {
    const p = this.providers.get(name || SANDBOX_PROVIDER);
    if (!p && (name || SANDBOX_PROVIDER) === SANDBOX_PROVIDER) throw sandboxDisabled();
    if (!p)
      throw new OrderError(
        'INVALID_ARGUMENT',
        'PAYMENT_PROVIDER_UNKNOWN',
        `no payment provider '${name}'`,
        {
          known: [...this.providers.keys()],
        },
      );
    return p;
  }

  /**
   * Starts paying an order with a provider — idempotently, whatever the gateway remembers: an
   * order has at most one open attempt per provider (a unique index, so concurrent calls make
   * one), and asking again while it is open answers that attempt (same id, same page). A caller's
   * idempotency key is remembered with the answer, so replaying it answers the same even once
   * the order is paid; without one, a paid (or cancelled) order is `ORDER_NOT_PAYABLE` and no
   * payment is made. An attempt the provider reported failed is closed: the next call opens a
   * new one.
   */
  async start(
    ctx: RequestContext,
    input: { orderId: string; accountId: string; provider: string; idempotencyKey?: string },
  ): Promise<{ paymentId: string; provider: string; redirectUrl: string; amount: Money }> {
    const provider = this.provider(input.provider);
    const requestKey = input.idempotencyKey?.trim() || undefined;
    const payment = await this.uow.run(ctx, async (tx) => {
      const now = this.clock.now();
      const id = this.ids.newId();
      // without an idempotency key the order is read by the statement that makes the attempt,
      // which makes it only when the order passes the checks below (otherwise they throw, and
      // nothing is made); with one, the key's answer is looked up between the two checks
      const { order: o, made } = requestKey
        ? { order: await tx.orders.find(input.orderId), made: null }
        : await tx.payments.openAttemptOnOrder({
            id,
            orderId: input.orderId,
            accountId: input.accountId,
            provider: provider.name,
            createdAt: now,
          });
      if (!o || o.accountId !== input.accountId) throw orderNotFound(input.orderId);
      if (requestKey) {
        const answered = await tx.payments.findByRequestKey(o.id, requestKey);
        if (answered && answered.provider !== provider.name)
          throw new OrderError(
            'FAILED_PRECONDITION',
            'IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key was used with a different request',
          );
        if (answered) return answered;
      }
      if (o.status !== 'PENDING_PAYMENT')
        throw new OrderError(
          'FAILED_PRECONDITION',
          'ORDER_NOT_PAYABLE',
          `an order that is ${o.status} cannot be paid`,
          { status: o.status },
        );
      // a page made in this process is written with the attempt (one transaction, no second
      // write); a provider over the network is asked after the commit, below
      const page = provider.startsInProcess
        ? await provider.startPayment({ paymentId: id, orderId: o.id, amount: o.total })
        : undefined;
      if (made) {
        // made above without its page: the page is written with the commit
        if (page) await tx.payments.recordPage(made.id, page.redirectUrl);
        return { ...made, redirectUrl: page?.redirectUrl ?? null };
      }
      const attempt = await tx.payments.openAttempt({
        id,
        orderId: o.id,
        provider: provider.name,
        providerTxnId: null,
        amount: o.total,
        status: 'STARTED',
        createdAt: now,
        redirectUrl: page?.redirectUrl ?? null,
      });
      if (requestKey) await tx.payments.rememberRequestKey(o.id, requestKey, attempt.id, now);
      return attempt;
    });
    // a provider over the network is asked once per attempt, after the attempt committed; asked
    // again only when its page was not recorded (it is idempotent per payment id)
    let redirectUrl = payment.redirectUrl;
    if (!redirectUrl) {
      const page = await provider.startPayment({
        paymentId: payment.id,
        orderId: payment.orderId,
        amount: payment.amount,
      });
      redirectUrl = await this.uow.run(ctx, (tx) =>
        tx.payments.setRedirect(payment.id, page.redirectUrl),
      );
    }
    return { paymentId: payment.id, provider: provider.name, redirectUrl, amount: payment.amount };
  }

  async callback(
    ctx: RequestContext,
    callback: PaymentCallback,
    signature: string,
  ): Promise<CallbackOutcome> {
    const checked = this.checkCallback(callback, signature);
    const result = await this.uow.run(ctx, async (tx) => {
      const order = await tx.orders.findForUpdate(callback.orderId);
      if (!order) throw orderNotFound(callback.orderId);
      return this.settle(tx, callback, checked, order);
    });
    return this.afterSettled(ctx, callback, checked.provider, result);
  }

  /**
   * The sandbox's hosted page: the payment's owner's choice becomes a callback signed by the
   * sandbox and handled exactly like a real provider's (signature, age, amount, replay). A
   * payment of another account is not found, exactly like one that does not exist.
   */
  async completeSandbox(
    ctx: RequestContext,
    input: { paymentId: string; accountId: string; succeed: boolean },
  ): Promise<{ outcome: CallbackOutcome; orderId: string }> {
    const provider = this.providers.get(SANDBOX_PROVIDER);
    const sign = provider?.signAsProvider?.bind(provider);
    if (!provider || !sign) throw sandboxDisabled();
    const { callback, checked, result } = await this.uow.run(ctx, async (tx) => {
      // the payment and its order in one statement, the order locked as the callback locks it
      // (another account's payment answers nothing and locks nothing)
      const found = await tx.payments.findWithOrderForUpdate(input.paymentId, input.accountId);
      const payment = found?.order.accountId === input.accountId ? found.payment : null;
      if (!found || !payment || payment.provider !== provider.name || payment.status !== 'STARTED')
        throw new OrderError(
          'NOT_FOUND',
          'PAYMENT_NOT_FOUND',
          `no open sandbox payment ${input.paymentId}`,
        );
      const callback: PaymentCallback = {
        provider: provider.name,
        providerTxnId: `sbx-${payment.id}`,
        orderId: payment.orderId,
        amountMinor: payment.amount.amountMinor,
        currency: payment.amount.currency,
        status: input.succeed ? 'SUCCEEDED' : 'FAILED',
        timestamp: Math.floor(this.clock.now().getTime() / 1000),
      };
      // checked exactly as a provider's callback is, then settled on the order locked above
      const checked = this.checkCallback(callback, sign(callback));
      return { callback, checked, result: await this.settle(tx, callback, checked, found.order) };
    });
    const outcome = await this.afterSettled(ctx, callback, checked.provider, result);
    return { outcome, orderId: callback.orderId };
  }

  /**
   * What a callback must pass before it settles anything: its provider, fields, signature, age,
   * transaction id and amount (a provider's own callback: before the order is read). Returns the
   * provider, the amount paid and the time it is handled.
   */
  private checkCallback(
    callback: PaymentCallback,
    signature: string,
  ): { provider: PaymentProvider; paidAmount: Money; now: Date } {
    const provider = this.provider(callback.provider);
    checkCallbackFields(callback);
    if (!provider.verify(callback, signature ?? ''))
      throw new OrderError(
        'UNAUTHENTICATED',
        'PAYMENT_SIGNATURE_INVALID',
        'the callback signature does not verify',
      );
    const now = this.clock.now();
    checkCallbackFreshness(callback, now);
    if (!callback.providerTxnId)
      throw new OrderError(
        'INVALID_ARGUMENT',
        'PAYMENT_TXN_REQUIRED',
        'provider_txn_id is required',
      );
    let paidAmount: Money;
    try {
      paidAmount = Money.of(callback.amountMinor, callback.currency);
    } catch {
      throw new OrderError(
        'INVALID_ARGUMENT',
        'PAYMENT_AMOUNT_INVALID',
        'amount_minor and currency do not form an amount',
      );
    }
    return { provider, paidAmount, now };
  }

  /**
   * In the callback's transaction, on the order read under its row lock: records the provider
   * transaction once (a replay is DUPLICATE), closes a failed attempt, pays a payable order.
   */
  private async settle(
    tx: OrderTx,
    callback: PaymentCallback,
    checked: { provider: PaymentProvider; paidAmount: Money; now: Date },
    order: Order,
  ): Promise<{ outcome: CallbackOutcome; order: Order }> {
    const { provider, paidAmount, now } = checked;
    const outcome = decideCallback(callback, order);
    const fresh = await tx.payments.recordTxn({
      id: this.ids.newId(),
      orderId: order.id,
      provider: provider.name,
      providerTxnId: callback.providerTxnId,
      amount: paidAmount,
      status:
        outcome === 'FAILED' ? 'FAILED' : outcome === 'AMOUNT_MISMATCH' ? 'MISMATCH' : 'SUCCEEDED',
      createdAt: now,
    });
    if (!fresh) return { outcome: 'DUPLICATE' as const, order };
    // a failed attempt is over: paying again opens a new one
    if (outcome === 'FAILED') await tx.payments.closeAttempts(order.id, provider.name);
    if (outcome === 'PAID') {
      const paid = transition(order, 'PAY', { paidAt: now }, now);
      await tx.orders.save(paid);
      return { outcome, order: paid.order };
    }
    return { outcome, order };
  }

  /** What follows a settled callback once its transaction committed. */
  private async afterSettled(
    ctx: RequestContext,
    callback: PaymentCallback,
    provider: PaymentProvider,
    result: { outcome: CallbackOutcome; order: Order },
  ): Promise<CallbackOutcome> {
    // committed: counted once per order (a replayed callback is DUPLICATE, a second transaction
    // for a paid order REFUND_LATE_PAYMENT)
    if (result.outcome === 'PAID') countOrderPaid(result.order.total);
    // a group-buy order waiting for its group keeps its hold until the group is decided
    if (result.outcome === 'PAID' && reservationAction(result.order) === 'COMMIT')
      await this.lifecycle.syncReservation(
        ctx,
        result.order.id,
        result.order.reservationId,
        'COMMIT',
        undefined,
        result.order,
      );
    if (result.outcome === 'REFUND_LATE_PAYMENT') await this.refundLate(ctx, callback);
    if (result.outcome === 'AMOUNT_MISMATCH')
      this.logger.warn(
        { orderId: callback.orderId, provider: provider.name, txn: callback.providerTxnId },
        'payment amount differs from the order: not paid, recorded for investigation',
      );
    return result.outcome;
  }

  private async refundLate(ctx: RequestContext, callback: PaymentCallback): Promise<void> {
    const provider = this.provider(callback.provider);
    const record = await this.uow.run(ctx, (tx) =>
      tx.payments.findByProviderTxn(provider.name, callback.providerTxnId),
    );
    if (!record) return;
    try {
      await provider.refund({
        providerTxnId: callback.providerTxnId,
        amount: record.amount,
        reason: 'ORDER_NOT_PAYABLE',
        refundId: `late-${record.id}`,
      });
      await this.uow.run(ctx, (tx) => tx.payments.setStatus(record.id, 'REFUNDED'));
    } catch (err) {
      this.logger.error(
        { err, txn: callback.providerTxnId },
        'refund of a late payment failed; it stays SUCCEEDED for follow-up',
      );
    }
  }
}
