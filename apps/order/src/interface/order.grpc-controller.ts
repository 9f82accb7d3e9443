import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { orderV1 } from '@emporia/contracts';
import type { Money } from '@emporia/money';
import { decodeCursor, encodeCursor, pageSize, withGrpcContext } from '@emporia/platform';
import { UUID_RE } from '@emporia/domain';
import { CartUseCase, cartOwner } from '../application/cart.use-case';
import { CheckoutUseCase } from '../application/checkout.use-case';
import { OrderLifecycleUseCase } from '../application/order-lifecycle.use-case';
import { PaymentUseCase } from '../application/payment.use-case';
import { ShipmentsUseCase } from '../application/shipments.use-case';
import { ReturnsUseCase } from '../application/returns.use-case';
import { ImportOrdersUseCase } from '../application/import-orders.use-case';
import { NOTE_MAX, type ReturnRequest } from '../domain/returns';
import type { Shipment } from '../domain/shipment';
import type { Cart } from '../domain/cart';
import type { Order } from '../domain/order';
import { OrderError } from '../domain/order-error';
import { parseOrderStatus } from '../domain/order-state-machine';

const uuid = (field: string, v: string) => {
  if (!UUID_RE.test(v ?? ''))
    throw new OrderError('INVALID_ARGUMENT', 'ID_INVALID', `${field} must be a UUID`);
  return v.toLowerCase();
};
const optionalUuid = (field: string, v: string) => (v ? uuid(field, v) : undefined);

const money = (m: Money) => ({ amountMinor: m.amountMinor, currency: m.currency });

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** An optional RFC 3339 time ('' is none); anything else is INVALID_ARGUMENT naming the field. */
const optionalTime = (field: string, v: string): Date | null => {
  if (!v) return null;
  const at = RFC3339.test(v) ? new Date(v) : null;
  if (!at || Number.isNaN(at.getTime()))
    throw new OrderError('INVALID_ARGUMENT', 'TIME_INVALID', `${field} must be an RFC 3339 time`, {
      field,
    });
  return at;
};

const cartToProto = (c: Cart): orderV1.Cart => ({
  lines: c.lines.map((l) => ({ skuId: l.skuId, quantity: l.quantity })),
  updatedAt: c.updatedAt.toISOString(),
});

export const orderToProto = (o: Order, explanation: string[] = []): orderV1.Order => ({
  id: o.id,
  accountId: o.accountId,
  status: o.status,
  lines: o.lines.map((l) => ({
    skuId: l.skuId,
    productId: l.productId,
    title: l.title,
    quantity: l.quantity,
    unitPrice: money(l.unitPrice),
    discount: money(l.discount),
    total: money(l.total),
  })),
  subtotal: money(o.subtotal),
  discount: money(o.discount),
  shipping: money(o.shipping),
  total: money(o.total),
  address: {
    ...o.address,
    provinceCode: o.address.provinceCode ?? '',
    cityCode: o.address.cityCode ?? '',
    districtCode: o.address.districtCode ?? '',
  },
  riskDecision: o.risk.decision,
  riskReasons: o.risk.reasons,
  paymentDeadline: o.paymentDeadline.toISOString(),
  cancelReason: o.cancelReason ?? '',
  paidAt: o.paidAt?.toISOString() ?? '',
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
  version: o.version,
  priceExplanation: explanation,
  groupId: o.groupId ?? '',
  groupStatus: o.groupStatus ?? '',
});

const ownerOf = (o: orderV1.CartOwner | undefined) =>
  cartOwner({
    accountId: optionalUuid('owner.account_id', o?.accountId ?? ''),
    guestToken: o?.guestToken || undefined,
  });

const shipmentToProto = (s: Shipment): orderV1.Shipment => ({
  id: s.id,
  orderId: s.orderId,
  returnId: s.returnId ?? '',
  warehouseCode: s.warehouseCode,
  lines: s.lines,
  status: s.status,
  carrier: s.carrier ?? '',
  trackingNumber: s.trackingNumber ?? '',
  events: s.events.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

/** A return's note (a review's, or what the warehouse found): at most NOTE_MAX characters. */
const returnNote = (v: string | undefined) => {
  const note = v ?? '';
  if ([...note].length > NOTE_MAX)
    throw new OrderError(
      'INVALID_ARGUMENT',
      'RETURN_NOTE_TOO_LONG',
      `note has at most ${NOTE_MAX} characters`,
      { field: 'note' },
    );
  return note;
};

const returnToProto = (r: ReturnRequest): orderV1.Return => ({
  id: r.id,
  orderId: r.orderId,
  lines: r.lines,
  reason: r.reason,
  kind: r.kind,
  status: r.status,
  refund: r.refund ? money(r.refund) : undefined,
  note: r.note ?? '',
  restocked: r.restocked,
  itemsMismatch: r.itemsMismatch,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

@Controller()
@orderV1.OrderServiceControllerMethods()
export class OrderGrpcController implements orderV1.OrderServiceController {
  constructor(
    private readonly carts: CartUseCase,
    private readonly checkoutUc: CheckoutUseCase,
    private readonly orders: OrderLifecycleUseCase,
    private readonly payments: PaymentUseCase,
    private readonly shipments: ShipmentsUseCase,
    private readonly returns: ReturnsUseCase,
    private readonly imports: ImportOrdersUseCase,
  ) {}

  issueGuestToken(
    _req: orderV1.IssueGuestTokenRequest,
    md?: Metadata,
  ): Promise<orderV1.IssueGuestTokenResponse> {
    return withGrpcContext(md, async (ctx) => ({
      guestToken: await this.carts.issueGuestToken(ctx),
    }));
  }

  getCart(req: orderV1.GetCartRequest, md?: Metadata): Promise<orderV1.GetCartResponse> {
    return withGrpcContext(md, async (ctx) => ({
      cart: cartToProto(await this.carts.get(ctx, ownerOf(req.owner))),
    }));
  }

  setCartLine(
    req: orderV1.SetCartLineRequest,
    md?: Metadata,
  ): Promise<orderV1.SetCartLineResponse> {
    return withGrpcContext(md, async (ctx) => ({
      cart: cartToProto(
        await this.carts.setLine(
          ctx,
          ownerOf(req.owner),
          uuid('sku_id', req.skuId),
          Number(req.quantity),
        ),
      ),
    }));
  }

  mergeCarts(req: orderV1.MergeCartsRequest, md?: Metadata): Promise<orderV1.MergeCartsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.carts.merge(ctx, uuid('account_id', req.accountId), req.guestToken);
      return { cart: cartToProto(r.cart), dropped: r.dropped };
    });
  }

  checkout(req: orderV1.CheckoutRequest, md?: Metadata): Promise<orderV1.CheckoutResponse> {
    return withGrpcContext(md, async (ctx) => {
      const { order, explanation } = await this.checkoutUc.execute(ctx, {
        accountId: uuid('account_id', req.accountId),
        checkoutKey: req.checkoutKey,
        idempotencyKey: req.idempotencyKey,
        address: req.address,
        addressId: req.addressId,
        couponCodes: req.couponCodes,
        ip: req.ip,
        deviceId: req.deviceId,
        channel: req.channel,
        flashToken: req.flashToken,
        groupDealId: req.groupDealId,
        groupId: req.groupId,
        secondFactorAt: optionalTime('second_factor_at', req.secondFactorAt),
      });
      return { order: orderToProto(order, explanation) };
    });
  }

  getOrder(req: orderV1.GetOrderRequest, md?: Metadata): Promise<orderV1.GetOrderResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.orders.get(
        ctx,
        uuid('order_id', req.orderId),
        optionalUuid('account_id', req.accountId),
      );
      return { order: orderToProto(r.order, r.explanation) };
    });
  }

  listOrders(req: orderV1.ListOrdersRequest, md?: Metadata): Promise<orderV1.ListOrdersResponse> {
    return withGrpcContext(md, async (ctx) => {
      const limit = pageSize(req.pageSize);
      // a cursor that does not hold a time and an order id is INVALID_CURSOR, never a query
      const after = req.pageToken
        ? decodeCursor(
            req.pageToken,
            (v): v is { c: string; i: string } =>
              typeof v === 'object' &&
              v !== null &&
              typeof (v as { c?: unknown }).c === 'string' &&
              !Number.isNaN(new Date((v as { c: string }).c).getTime()) &&
              UUID_RE.test(String((v as { i?: unknown }).i)),
          )
        : null;
      // a customer's listing names its account (required); only operators list every account's
      const filter = {
        accountId: req.allAccounts
          ? (optionalUuid('account_id', req.accountId) ?? null)
          : uuid('account_id', req.accountId),
        status: req.status ? parseOrderStatus(req.status) : null,
      };
      const orders = await this.orders.list(
        ctx,
        filter,
        limit + 1,
        after ? { createdAt: new Date(after.c), id: after.i } : null,
      );
      const page = orders.slice(0, limit);
      const last = page[page.length - 1];
      return {
        orders: page.map((o) => orderToProto(o)),
        nextPageToken:
          orders.length > limit && last
            ? encodeCursor({ c: last.createdAt.toISOString(), i: last.id })
            : '',
      };
    });
  }

  cancelOrder(
    req: orderV1.CancelOrderRequest,
    md?: Metadata,
  ): Promise<orderV1.CancelOrderResponse> {
    return withGrpcContext(md, async (ctx) => ({
      order: orderToProto(
        await this.orders.cancelByCustomer(
          ctx,
          uuid('order_id', req.orderId),
          uuid('account_id', req.accountId),
          req.reason ?? '',
        ),
      ),
    }));
  }

  reviewOrder(
    req: orderV1.ReviewOrderRequest,
    md?: Metadata,
  ): Promise<orderV1.ReviewOrderResponse> {
    return withGrpcContext(md, async (ctx) => ({
      order: orderToProto(
        await this.orders.review(ctx, uuid('order_id', req.orderId), req.approve, req.note ?? ''),
      ),
    }));
  }

  createPayment(
    req: orderV1.CreatePaymentRequest,
    md?: Metadata,
  ): Promise<orderV1.CreatePaymentResponse> {
    return withGrpcContext(md, async (ctx) => {
      if ((req.idempotencyKey ?? '').length > 200)
        throw new OrderError(
          'INVALID_ARGUMENT',
          'IDEMPOTENCY_KEY_INVALID',
          'idempotency_key has at most 200 characters',
          { field: 'idempotency_key' },
        );
      const r = await this.payments.start(ctx, {
        orderId: uuid('order_id', req.orderId),
        accountId: uuid('account_id', req.accountId),
        provider: req.provider,
        idempotencyKey: req.idempotencyKey ?? '',
      });
      return {
        paymentId: r.paymentId,
        provider: r.provider,
        redirectUrl: r.redirectUrl,
        amount: money(r.amount),
      };
    });
  }

  handlePaymentCallback(
    req: orderV1.HandlePaymentCallbackRequest,
    md?: Metadata,
  ): Promise<orderV1.HandlePaymentCallbackResponse> {
    return withGrpcContext(md, async (ctx) => {
      if (req.status !== 'SUCCEEDED' && req.status !== 'FAILED')
        throw new OrderError(
          'INVALID_ARGUMENT',
          'PAYMENT_STATUS_INVALID',
          'status is SUCCEEDED or FAILED',
        );
      const outcome = await this.payments.callback(
        ctx,
        {
          provider: req.provider,
          providerTxnId: req.providerTxnId,
          orderId: uuid('order_id', req.orderId),
          amountMinor: Number(req.amountMinor),
          currency: req.currency,
          status: req.status,
          timestamp: Number(req.timestamp),
        },
        req.signature,
      );
      return { outcome };
    });
  }

  completeSandboxPayment(
    req: orderV1.CompleteSandboxPaymentRequest,
    md?: Metadata,
  ): Promise<orderV1.CompleteSandboxPaymentResponse> {
    return withGrpcContext(md, async (ctx) =>
      this.payments.completeSandbox(ctx, {
        paymentId: uuid('payment_id', req.paymentId),
        accountId: uuid('account_id', req.accountId),
        succeed: req.succeed,
      }),
    );
  }

  listShipments(
    req: orderV1.ListShipmentsRequest,
    md?: Metadata,
  ): Promise<orderV1.ListShipmentsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      shipments: (
        await this.shipments.list(
          ctx,
          uuid('order_id', req.orderId),
          optionalUuid('account_id', req.accountId),
        )
      ).map(shipmentToProto),
    }));
  }

  shipShipment(
    req: orderV1.ShipShipmentRequest,
    md?: Metadata,
  ): Promise<orderV1.ShipShipmentResponse> {
    return withGrpcContext(md, async (ctx) => ({
      shipment: shipmentToProto(
        await this.shipments.ship(
          ctx,
          uuid('shipment_id', req.shipmentId),
          req.carrier,
          req.trackingNumber,
        ),
      ),
    }));
  }

  recordTrackingEvent(
    req: orderV1.RecordTrackingEventRequest,
    md?: Metadata,
  ): Promise<orderV1.RecordTrackingEventResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.shipments.track(ctx, {
        carrier: req.carrier,
        payload: req.payload,
        signatureHeader: req.signatureHeader,
      });
      return { shipment: shipmentToProto(r.shipment), applied: r.applied };
    });
  }

  requestReturn(
    req: orderV1.RequestReturnRequest,
    md?: Metadata,
  ): Promise<orderV1.RequestReturnResponse> {
    return withGrpcContext(md, async (ctx) => ({
      return: returnToProto(
        await this.returns.request(ctx, {
          orderId: uuid('order_id', req.orderId),
          accountId: uuid('account_id', req.accountId),
          lines: req.lines.map((l) => ({ skuId: l.skuId, quantity: Number(l.quantity) })),
          reason: req.reason,
          exchange: req.exchange,
        }),
      ),
    }));
  }

  listReturns(
    req: orderV1.ListReturnsRequest,
    md?: Metadata,
  ): Promise<orderV1.ListReturnsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      returns: (
        await this.returns.list(
          ctx,
          uuid('order_id', req.orderId),
          optionalUuid('account_id', req.accountId),
        )
      ).map(returnToProto),
    }));
  }

  reviewReturn(
    req: orderV1.ReviewReturnRequest,
    md?: Metadata,
  ): Promise<orderV1.ReviewReturnResponse> {
    return withGrpcContext(md, async (ctx) => ({
      return: returnToProto(
        await this.returns.review(
          ctx,
          uuid('return_id', req.returnId),
          req.approve,
          returnNote(req.note),
          { refundOnly: req.refundOnly ?? false },
        ),
      ),
    }));
  }

  receiveReturn(
    req: orderV1.ReceiveReturnRequest,
    md?: Metadata,
  ): Promise<orderV1.ReceiveReturnResponse> {
    return withGrpcContext(md, async (ctx) => ({
      return: returnToProto(
        await this.returns.receive(ctx, uuid('return_id', req.returnId), {
          itemsMismatch: req.itemsMismatch ?? false,
          note: returnNote(req.note),
        }),
      ),
    }));
  }

  importOrder(
    req: orderV1.ImportOrderRequest,
    md?: Metadata,
  ): Promise<orderV1.ImportOrderResponse> {
    return withGrpcContext(md, async (ctx) => {
      let payload: unknown;
      try {
        payload = JSON.parse(req.payloadJson);
      } catch {
        throw new OrderError('INVALID_ARGUMENT', 'IMPORT_INVALID', 'payload_json is not JSON');
      }
      const r = await this.imports.import(ctx, req.source, payload);
      return { order: orderToProto(r.order), created: r.created };
    });
  }
}
