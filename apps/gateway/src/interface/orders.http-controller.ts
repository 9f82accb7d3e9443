import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { ORDER_BACKEND, type OrderBackend, type Principal } from '../application/ports';
import { ApiProblemCodes, ApiProblems } from './api-problems';
import { Auth, Caller, MaybeCaller, OptionalAuth } from './auth.guard';
import {
  AdminOrderPage,
  AdminOrdersQuery,
  AdminOrderView,
  CallbackView,
  ImportResultView,
  GuestTokenView,
  CancelOrderDto,
  CartLineDto,
  CartView,
  CheckoutDto,
  MergeCartDto,
  OrderPage,
  OrderView,
  PaymentCallbackDto,
  PaymentView,
  ReviewOrderDto,
  RequestReturnDto,
  ReturnList,
  ReturnView,
  ReceiveReturnDto,
  ReviewReturnDto,
  SandboxPaymentView,
  ShipDto,
  ShipmentList,
  ShipmentView,
  TrackingEventDto,
  TrackingResultView,
  SandboxPayDto,
  StartPaymentDto,
} from './dto/order.dto';
import { PageQuery } from './dto/query.dto';
import { Idempotent, idempotencyKey } from './idempotency.interceptor';
import { adminOrderView, cartView, orderView, returnView, shipmentView } from './order-mappers';
import { ProblemError } from './problem';
import { RawBody } from './raw-body';
import { Ctx } from './request-context';
import { cursorOf } from './mappers';
import { uuidParam } from './uuid-param';
import { nameParam, patternParam } from './path-params';
import { NeedsStepUp } from './step-up';

/** Carrier names in any case (the order service compares them in lower case). */
const carrierParam = patternParam(
  'carrier',
  /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
  "1-64 letters, digits, '-' or '_', starting with a letter or digit",
);

const header = (req: FastifyRequest, name: string): string | undefined => {
  const raw = req.headers[name];
  return (Array.isArray(raw) ? raw[0] : raw) || undefined;
};

/** The token's `mfa_at` (epoch seconds) as RFC 3339, or '' when it has none. */
export const secondFactorAtOf = (me: Principal): string =>
  me.secondFactorAt === undefined ? '' : new Date(me.secondFactorAt * 1000).toISOString();

const GUEST_TOKEN_HEADER = {
  name: 'X-Guest-Token',
  required: false,
  description:
    'a guest cart: a token from POST /v1/cart/guest-token (any other is 401 GUEST_TOKEN_UNKNOWN); ignored when signed in',
};

/** Fields of RecordTrackingEventRequest that are no longer read (the signed body carries them). */
const UNUSED_TRACKING_FIELDS = {
  trackingNumber: '',
  eventId: '',
  status: '',
  description: '',
  occurredAt: '',
  signature: '',
};

@ApiTags('orders')
@Controller('v1')
export class OrdersHttpController {
  constructor(@Inject(ORDER_BACKEND) private readonly orders: OrderBackend) {}

  private owner(me: Principal | undefined, req: FastifyRequest) {
    if (me) return { accountId: me.accountId, guestToken: '' };
    const token = header(req, 'x-guest-token');
    if (!token)
      throw new ProblemError(
        401,
        'AUTHENTICATION_REQUIRED',
        'sign in, or send an X-Guest-Token header for a guest cart',
      );
    return { accountId: '', guestToken: token };
  }

  @Post('cart/guest-token')
  @Header('cache-control', 'no-store')
  @ApiCreatedResponse({
    type: GuestTokenView,
    description:
      "a new guest token for the X-Guest-Token header (256 random bits); it expires after 30 days unused (the order service's GUEST_CART_TTL_SECONDS, a day if it never gets a cart) and is used up by POST /v1/cart/merge",
  })
  @ApiProblems()
  async issueGuestToken(@Ctx() ctx: RequestContext): Promise<GuestTokenView> {
    return { guestToken: (await this.orders.issueGuestToken(ctx, {})).guestToken };
  }

  @Get('cart')
  @OptionalAuth()
  @ApiHeader(GUEST_TOKEN_HEADER)
  @ApiOkResponse({ type: CartView })
  async cart(
    @Ctx() ctx: RequestContext,
    @MaybeCaller() me: Principal | undefined,
    @Req() req: FastifyRequest,
  ): Promise<CartView> {
    return cartView((await this.orders.getCart(ctx, { owner: this.owner(me, req) })).cart);
  }

  @Put('cart/lines/:skuId')
  @OptionalAuth()
  @ApiHeader(GUEST_TOKEN_HEADER)
  @ApiOkResponse({ type: CartView })
  @ApiProblems(404, 422)
  async setLine(
    @Ctx() ctx: RequestContext,
    @MaybeCaller() me: Principal | undefined,
    @Req() req: FastifyRequest,
    @Param('skuId', uuidParam) skuId: string,
    @Body() body: CartLineDto,
  ): Promise<CartView> {
    return cartView(
      (
        await this.orders.setCartLine(ctx, {
          owner: this.owner(me, req),
          skuId,
          quantity: body.quantity,
        })
      ).cart,
    );
  }

  @Post('cart/merge')
  @Auth()
  @HttpCode(200)
  @ApiOkResponse({
    type: CartView,
    description:
      "the guest cart's lines move into the account's cart; the guest token is used up (a token that was not issued, expired or was used is 401 GUEST_TOKEN_UNKNOWN)",
  })
  async merge(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: MergeCartDto,
  ): Promise<CartView> {
    return cartView(
      (await this.orders.mergeCarts(ctx, { accountId: me.accountId, guestToken: body.guestToken }))
        .cart,
    );
  }

  @Post('checkout')
  @Auth()
  @Idempotent({ required: true })
  @ApiCreatedResponse({
    type: OrderView,
    description:
      'PENDING_PAYMENT, or PENDING_REVIEW when held by risk. A large order (ORDER_STEP_UP_MIN_TOTAL) to an address typed in here or added to the address book moments ago (ORDER_STEP_UP_NEW_ADDRESS_MINUTES) needs a step-up within ORDER_STEP_UP_WINDOW_MINUTES: 403 STEP_UP_REQUIRED, before anything is reserved; step up and send the same request (the same Idempotency-Key works) with the new access token',
  })
  @NeedsStepUp(['ACCOUNT_FROZEN', 'ORDER_REJECTED'])
  @ApiProblems(403, 404, 422)
  async checkout(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: CheckoutDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderView> {
    // who may check out (frozen accounts), which address (the address book) and the checkout
    // key (from the account and the Idempotency-Key) are the order service's rules
    const address = body.address;
    const device = req.headers['x-device-id'];
    const { order } = await this.orders.checkout(ctx, {
      accountId: me.accountId,
      checkoutKey: '',
      idempotencyKey: idempotencyKey(req, true)!,
      address: address && {
        recipient: address.recipient,
        phone: address.phone,
        country: address.country,
        province: address.province,
        city: address.city,
        district: address.district ?? '',
        line1: address.line1,
        line2: address.line2 ?? '',
        postalCode: address.postalCode ?? '',
        // output only: the order service sets them from the names
        provinceCode: '',
        cityCode: '',
        districtCode: '',
      },
      addressId: address ? '' : (body.addressId ?? ''),
      couponCodes: body.couponCodes ?? [],
      ip: req.ip,
      deviceId: (Array.isArray(device) ? device[0] : (device ?? '')).slice(0, 200),
      channel: body.channel ?? '',
      flashToken: body.flashToken ?? '',
      groupDealId: body.groupDealId ?? '',
      groupId: body.groupId ?? '',
      // when this session last proved a second factor: the order service's large-order rule
      secondFactorAt: secondFactorAtOf(me),
    });
    void reply.status(201).header('location', `/v1/orders/${order!.id}`);
    return orderView(order!);
  }

  @Get('orders')
  @Auth()
  @ApiOkResponse({ type: OrderPage })
  async list(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Query() q: PageQuery,
  ): Promise<OrderPage> {
    // the token's account, never every account's (allAccounts is the operators' route's)
    const r = await this.orders.listOrders(ctx, {
      accountId: me.accountId,
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
      allAccounts: false,
      status: '',
    });
    return { items: r.orders.map(orderView), nextCursor: cursorOf(r.nextPageToken) };
  }

  @Get('orders/:id')
  @Auth()
  @ApiOkResponse({ type: OrderView })
  @ApiProblems(404)
  async get(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<OrderView> {
    return orderView(
      (await this.orders.getOrder(ctx, { orderId: id, accountId: me.accountId })).order!,
    );
  }

  @Post('orders/:id/cancel')
  @Auth()
  @Idempotent()
  @HttpCode(200)
  @ApiOkResponse({ type: OrderView, description: 'cancelled; stock and coupons are returned' })
  @ApiProblems(404, 422)
  async cancel(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: CancelOrderDto,
  ): Promise<OrderView> {
    return orderView(
      (
        await this.orders.cancelOrder(ctx, {
          orderId: id,
          accountId: me.accountId,
          reason: body.reason ?? '',
        })
      ).order!,
    );
  }

  @Post('orders/:id/payments')
  @Auth()
  @Idempotent()
  @ApiCreatedResponse({
    type: PaymentView,
    description:
      "the order's open payment with the provider: asking again (with any Idempotency-Key or none) answers the same payment until the provider reports it failed; replaying an Idempotency-Key answers its first payment even once the order is paid; a paid or cancelled order is 422 ORDER_NOT_PAYABLE",
  })
  @ApiProblems(404, 422)
  async pay(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: StartPaymentDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PaymentView> {
    const r = await this.orders.createPayment(ctx, {
      orderId: id,
      accountId: me.accountId,
      provider: body.provider ?? '',
      // the order service remembers its answer to the key too (a replay after this gateway lost
      // its record answers the same payment)
      idempotencyKey: idempotencyKey(req, false) ?? '',
    });
    void reply.status(201);
    return {
      paymentId: r.paymentId,
      provider: r.provider,
      redirectUrl: r.redirectUrl,
      amount: {
        amountMinor: Number(r.amount?.amountMinor ?? 0),
        currency: r.amount?.currency ?? '',
      },
    };
  }

  @Post('payments/callbacks/:provider')
  @HttpCode(200)
  @ApiOkResponse({ type: CallbackView, description: 'signature-checked; a replay changes nothing' })
  @ApiProblems(401, 404)
  async callback(
    @Ctx() ctx: RequestContext,
    @Param('provider', nameParam('provider')) provider: string,
    @Body() body: PaymentCallbackDto,
  ): Promise<CallbackView> {
    return this.orders.handlePaymentCallback(ctx, { provider, ...body });
  }

  @Post('payments/sandbox/pay/:paymentId')
  @Auth()
  @HttpCode(200)
  @ApiOkResponse({
    type: SandboxPaymentView,
    description:
      "the sandbox provider's hosted page (development and tests; 422 PAYMENT_PROVIDER_DISABLED unless the order service enables it): the payment's owner pays (or declines) it, then the sandbox's signed callback is handled like a real provider's; another account's payment is 404 like one that does not exist",
  })
  @ApiProblems(404, 422)
  async sandboxPay(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('paymentId', uuidParam) paymentId: string,
    @Body() body: SandboxPayDto,
  ): Promise<SandboxPaymentView> {
    return this.orders.completeSandboxPayment(ctx, {
      paymentId,
      accountId: me.accountId,
      succeed: body.succeed ?? true,
    });
  }

  @Get('orders/:id/shipments')
  @Auth()
  @ApiOkResponse({
    type: ShipmentList,
    description: 'one per warehouse; created once the order is paid',
  })
  @ApiProblems(404)
  async shipments(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<ShipmentList> {
    const r = await this.orders.listShipments(ctx, { orderId: id, accountId: me.accountId });
    return { items: r.shipments.map(shipmentView) };
  }

  @Post('admin/shipments/:id/ship')
  @Auth('operator')
  @HttpCode(200)
  @ApiOkResponse({
    type: ShipmentView,
    description: 'handed to the carrier; the customer is notified',
  })
  @ApiProblems(404, 409, 422)
  async ship(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: ShipDto,
  ): Promise<ShipmentView> {
    return shipmentView(
      (await this.orders.shipShipment(ctx, { shipmentId: id, ...body })).shipment!,
    );
  }

  @Post('shipments/tracking-events/:carrier')
  @RawBody()
  @HttpCode(200)
  @ApiHeader({
    name: 'Emporia-Signature',
    required: true,
    description:
      't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<carrier>.<body>"> with CARRIER_WEBHOOK_SECRET, over the exact body bytes; refused when older than 5 minutes (CARRIER_WEBHOOK_MAX_AGE_SECONDS) or more than 60 s ahead (401 WEBHOOK_STALE)',
  })
  @ApiOkResponse({ type: TrackingResultView, description: "a carrier's signed tracking webhook" })
  @ApiProblems(401, 404, 413, 422)
  async tracking(
    @Ctx() ctx: RequestContext,
    @Param('carrier', carrierParam) carrier: string,
    @Body() _event: TrackingEventDto,
    @Req() req: FastifyRequest,
  ): Promise<TrackingResultView> {
    // the order service reads the event from the bytes the signature covers
    const r = await this.orders.recordTrackingEvent(ctx, {
      ...UNUSED_TRACKING_FIELDS,
      carrier,
      payload: req.rawBody ?? Buffer.alloc(0),
      signatureHeader: header(req, 'emporia-signature') ?? '',
    });
    return { shipment: shipmentView(r.shipment!), applied: r.applied };
  }

  @Post('orders/:id/returns')
  @Auth()
  @Idempotent()
  @ApiCreatedResponse({ type: ReturnView, description: 'requested; an operator approves it' })
  @ApiProblems(404, 422)
  async requestReturn(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: RequestReturnDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReturnView> {
    const r = await this.orders.requestReturn(ctx, {
      orderId: id,
      accountId: me.accountId,
      lines: body.lines,
      reason: body.reason,
      exchange: body.exchange ?? false,
    });
    void reply.status(201);
    return returnView(r.return!);
  }

  @Get('orders/:id/returns')
  @Auth()
  @ApiOkResponse({ type: ReturnList })
  @ApiProblems(404)
  async returns(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<ReturnList> {
    return {
      items: (
        await this.orders.listReturns(ctx, { orderId: id, accountId: me.accountId })
      ).returns.map(returnView),
    };
  }

  @Post('admin/returns/:id/review')
  @Auth('operator')
  @HttpCode(200)
  @ApiOkResponse({
    type: ReturnView,
    description:
      'a REQUESTED return APPROVED or REJECTED (with refundOnly: refunded at once, kind REFUND_ONLY); a DISPUTED one restocked and refunded or exchanged, or REJECTED',
  })
  @ApiProblemCodes({
    400: ['RETURN_REFUND_ONLY_NEEDS_APPROVE'],
    404: ['RETURN_NOT_FOUND'],
    422: ['RETURN_TRANSITION_INVALID', 'RETURN_REFUND_ONLY_NOT_REQUESTED'],
  })
  async reviewReturn(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: ReviewReturnDto,
  ): Promise<ReturnView> {
    return returnView(
      (
        await this.orders.reviewReturn(ctx, {
          returnId: id,
          approve: body.approve,
          note: body.note ?? '',
          refundOnly: body.refundOnly ?? false,
        })
      ).return!,
    );
  }

  @Post('admin/returns/:id/receive')
  @Auth('operator')
  @HttpCode(200)
  @ApiOkResponse({
    type: ReturnView,
    description:
      'received: restocked and refunded (or the replacement shipped); with itemsMismatch: DISPUTED, nothing restocked or refunded until a review',
  })
  @ApiProblemCodes({ 404: ['RETURN_NOT_FOUND'], 422: ['RETURN_TRANSITION_INVALID'] })
  async receiveReturn(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: ReceiveReturnDto,
  ): Promise<ReturnView> {
    return returnView(
      (
        await this.orders.receiveReturn(ctx, {
          returnId: id,
          itemsMismatch: body.itemsMismatch ?? false,
          note: body.note ?? '',
        })
      ).return!,
    );
  }

  @Post('admin/orders/import/:source')
  @Auth('operator')
  @ApiBody({
    description: "a marketplace's order in the source's format (generic-json built in)",
    schema: { type: 'object' },
  })
  @ApiCreatedResponse({ type: ImportResultView, description: 'imported now' })
  @ApiOkResponse({ type: ImportResultView, description: 'imported before: the same order' })
  @ApiProblems(404, 422)
  async importOrder(
    @Ctx() ctx: RequestContext,
    @Param('source', nameParam('source')) source: string,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportResultView> {
    const r = await this.orders.importOrder(ctx, {
      source,
      payloadJson: JSON.stringify(body ?? {}),
    });
    void reply.status(r.created ? 201 : 200);
    return { order: adminOrderView(r.order!), created: r.created };
  }

  @Get('admin/orders')
  @Auth('operator')
  @ApiOkResponse({
    type: AdminOrderPage,
    description:
      "every account's orders (or one account's), newest first; ?status=PENDING_REVIEW lists those held for review",
  })
  @ApiProblemCodes({ 400: ['ORDER_STATUS_INVALID', 'INVALID_CURSOR'] })
  async adminList(
    @Ctx() ctx: RequestContext,
    @Query() q: AdminOrdersQuery,
  ): Promise<AdminOrderPage> {
    const r = await this.orders.listOrders(ctx, {
      accountId: q.accountId ?? '',
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
      allAccounts: true,
      status: q.status ?? '',
    });
    return { items: r.orders.map(adminOrderView), nextCursor: cursorOf(r.nextPageToken) };
  }

  @Get('admin/orders/:id/shipments')
  @Auth('operator')
  @ApiOkResponse({
    type: ShipmentList,
    description: "any account's order's shipments, for operators (one per warehouse, once paid)",
  })
  @ApiProblems(404)
  async adminShipments(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<ShipmentList> {
    // no account: the order service lists any account's order for operators
    const r = await this.orders.listShipments(ctx, { orderId: id, accountId: '' });
    return { items: r.shipments.map(shipmentView) };
  }

  @Get('admin/orders/:id/returns')
  @Auth('operator')
  @ApiOkResponse({ type: ReturnList, description: "any account's order's returns, for operators" })
  @ApiProblems(404)
  async adminReturns(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<ReturnList> {
    const r = await this.orders.listReturns(ctx, { orderId: id, accountId: '' });
    return { items: r.returns.map(returnView) };
  }

  @Get('admin/orders/:id')
  @Auth('operator')
  @ApiOkResponse({ type: AdminOrderView })
  @ApiProblems(404)
  async adminGet(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<AdminOrderView> {
    return adminOrderView((await this.orders.getOrder(ctx, { orderId: id, accountId: '' })).order!);
  }

  @Post('admin/orders/:id/review')
  @Auth('operator')
  @HttpCode(200)
  @ApiOkResponse({
    type: AdminOrderView,
    description: 'approved into payment, or rejected (stock released)',
  })
  @ApiProblems(404, 422)
  async review(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: ReviewOrderDto,
  ): Promise<AdminOrderView> {
    return adminOrderView(
      (
        await this.orders.reviewOrder(ctx, {
          orderId: id,
          approve: body.approve,
          note: body.note ?? '',
        })
      ).order!,
    );
  }
}
