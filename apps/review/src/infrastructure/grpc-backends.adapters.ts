import { status } from '@grpc/grpc-js';
import type { orderV1, riskV1, userV1 } from '@emporia/contracts';
import {
  fromGrpcError,
  RemoteCallError,
  type Logger,
  type RequestContext,
} from '@emporia/platform';
import type {
  AccountsPort,
  AuthorFacts,
  OrdersPort,
  ReviewRiskInput,
  RiskPort,
} from '../application/ports';
import type { OrderFacts } from '../domain/delivered-line';
import { ReviewError } from '../domain/review-error';

type Rpc<Q, R> = (ctx: RequestContext, req: Q) => Promise<R>;

export interface OrderRpcs {
  getOrder: Rpc<orderV1.GetOrderRequest, orderV1.GetOrderResponse>;
  listOrders: Rpc<orderV1.ListOrdersRequest, orderV1.ListOrdersResponse>;
  listShipments: Rpc<orderV1.ListShipmentsRequest, orderV1.ListShipmentsResponse>;
}

/**
 * Order's refusal in review's terms: not found (another account's order too) is ORDER_NOT_FOUND,
 * a malformed request keeps its code, anything else (down, slow, failing) is UNAVAILABLE
 * ORDER_UNAVAILABLE — nothing is written then.
 */
function orderFailure(e: unknown): never {
  const remote = e instanceof RemoteCallError ? e.remote : fromGrpcError(e);
  if (remote.status === status.NOT_FOUND || remote.status === status.PERMISSION_DENIED)
    throw new ReviewError('NOT_FOUND', 'ORDER_NOT_FOUND', 'no such order of yours', {
      field: 'order_id',
    });
  if (remote.status === status.INVALID_ARGUMENT)
    throw new ReviewError('INVALID_ARGUMENT', remote.code, remote.message, remote.details);
  throw new ReviewError(
    'UNAVAILABLE',
    'ORDER_UNAVAILABLE',
    'the order service did not answer; try again',
  );
}

const when = (s: string | undefined): Date | null => {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
};

/** When a shipment was delivered: its DELIVERED tracking event, else its last update. */
export function shipmentDeliveredAt(s: orderV1.Shipment): Date | null {
  if (s.status !== 'DELIVERED') return null;
  const event = (s.events ?? []).find((e) => e.status === 'DELIVERED');
  return when(event?.occurredAt) ?? when(s.updatedAt);
}

/** The caller's orders from the order service (it refuses other accounts' orders). */
export class GrpcOrders implements OrdersPort {
  constructor(private readonly rpc: OrderRpcs) {}

  async order(ctx: RequestContext, accountId: string, orderId: string): Promise<OrderFacts> {
    const [{ shipments }, { order }] = await Promise.all([
      this.rpc.listShipments(ctx, { orderId, accountId }),
      this.rpc.getOrder(ctx, { orderId, accountId }),
    ]).catch(orderFailure);
    if (!order || order.accountId !== accountId) return orderFailure({ code: status.NOT_FOUND });
    const a = order.address;
    return {
      orderId: order.id,
      status: order.status,
      lines: (order.lines ?? []).map((l) => ({
        skuId: l.skuId,
        productId: l.productId,
        title: l.title,
      })),
      shipments: (shipments ?? []).map((s) => ({
        status: s.status,
        skuIds: (s.lines ?? []).map((l) => l.skuId),
        deliveredAt: shipmentDeliveredAt(s),
      })),
      address: a
        ? {
            country: a.country ?? '',
            province: a.province ?? '',
            city: a.city ?? '',
            district: a.district ?? '',
            line1: a.line1 ?? '',
            line2: a.line2 ?? '',
          }
        : null,
    };
  }

  async deliveredOrderIds(ctx: RequestContext, accountId: string, max: number): Promise<string[]> {
    const { orders } = await this.rpc
      .listOrders(ctx, { accountId, pageSize: max, pageToken: '', allAccounts: false, status: '' })
      .catch(orderFailure);
    return (orders ?? [])
      .filter((o) => o.status === 'DELIVERED' || o.status === 'COMPLETED')
      .map((o) => o.id);
  }
}

/**
 * The author's display name, locale and account age from the user service. Not essential: when
 * user does not answer the review is written with an unknown age (risk decides) and a masked
 * default name.
 */
export class GrpcAccounts implements AccountsPort {
  constructor(
    private readonly getAccount: Rpc<userV1.GetAccountRequest, userV1.GetAccountResponse>,
    private readonly logger: Logger,
  ) {}

  async author(ctx: RequestContext, accountId: string): Promise<AuthorFacts | null> {
    try {
      const { details } = await this.getAccount(ctx, { accountId });
      const account = details?.account;
      const email = account?.email ?? '';
      return {
        name: details?.profile?.displayName || email.split('@')[0] || '',
        locale: details?.profile?.locale ?? '',
        createdAt: when(account?.createdAt),
      };
    } catch (err) {
      this.logger.warn({ err, accountId }, 'user did not answer: the author is unknown');
      return null;
    }
  }
}

type ScoreReview = Rpc<riskV1.ScoreReviewRequest, riskV1.ScoreReviewResponse>;

/**
 * Risk's ScoreReview with its short deadline (RISK_DEADLINE_MS, on the client). ALLOW publishes;
 * REVIEW or REJECT hold the review with `RISK_<DECISION>` and risk's reasons; no answer in time
 * (or one that makes no sense) holds it with RISK_UNAVAILABLE: never lost, never published
 * unchecked.
 */
export class GrpcRisk implements RiskPort {
  constructor(
    private readonly scoreReviewRpc: ScoreReview,
    private readonly logger: Logger,
  ) {}

  async scoreReview(
    ctx: RequestContext,
    input: ReviewRiskInput,
  ): Promise<{ allow: boolean; reasons: string[] }> {
    try {
      const res = await this.scoreReviewRpc(ctx, {
        reviewId: input.reviewId,
        accountId: input.accountId,
        deviceId: input.deviceId,
        ip: input.ip,
        addressFingerprint: input.addressFingerprint,
        productId: input.productId,
        deliveredAt: input.deliveredAt?.toISOString() ?? '',
        accountCreatedAt: input.accountCreatedAt?.toISOString() ?? '',
        rating: input.rating,
        photoCount: input.photoCount,
      });
      const decision = String(res.decision);
      if (decision === 'DECISION_ALLOW') return { allow: true, reasons: [] };
      if (decision === 'DECISION_REVIEW' || decision === 'DECISION_REJECT')
        return {
          allow: false,
          reasons: [`RISK_${decision.slice('DECISION_'.length)}`, ...(res.reasons ?? [])],
        };
      throw new Error(`unknown decision ${decision}`);
    } catch (err) {
      this.logger.warn(
        { err, reviewId: input.reviewId },
        'risk did not answer: the review is held for an operator',
      );
      return { allow: false, reasons: ['RISK_UNAVAILABLE'] };
    }
  }
}
