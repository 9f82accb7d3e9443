import { status } from '@grpc/grpc-js';
import type { orderV1, riskV1 } from '@emporia/contracts';
import type { Logger, RequestContext } from '@emporia/platform';
import {
  GrpcOrders,
  GrpcRisk,
  shipmentDeliveredAt,
  type OrderRpcs,
} from './grpc-backends.adapters';

const ctx = {} as RequestContext;
const logger = { warn: () => undefined } as unknown as Logger;
const input = {
  reviewId: 'r',
  accountId: 'a',
  deviceId: 'd',
  ip: '1.2.3.4',
  addressFingerprint: 'cn|x',
  productId: 'p',
  deliveredAt: new Date('2026-11-20T00:00:00Z'),
  accountCreatedAt: null,
  rating: 5,
  photoCount: 0,
};
const answer = (decision: string, reasons: string[] = []) =>
  (async () => ({ decision, score: 50, reasons })) as unknown as (
    c: RequestContext,
    r: riskV1.ScoreReviewRequest,
  ) => Promise<riskV1.ScoreReviewResponse>;

describe('GrpcRisk', () => {
  it('allows on ALLOW, holds with the decision and reasons otherwise', async () => {
    expect(await new GrpcRisk(answer('DECISION_ALLOW'), logger).scoreReview(ctx, input)).toEqual({
      allow: true,
      reasons: [],
    });
    expect(
      await new GrpcRisk(answer('DECISION_REVIEW', ['NEW_ACCOUNT']), logger).scoreReview(
        ctx,
        input,
      ),
    ).toEqual({ allow: false, reasons: ['RISK_REVIEW', 'NEW_ACCOUNT'] });
    expect(
      await new GrpcRisk(answer('DECISION_REJECT', ['DEVICE_BURST']), logger).scoreReview(
        ctx,
        input,
      ),
    ).toEqual({ allow: false, reasons: ['RISK_REJECT', 'DEVICE_BURST'] });
  });

  it('holds with RISK_UNAVAILABLE when risk fails or answers nonsense', async () => {
    const down = (async () => {
      throw Object.assign(new Error('deadline'), { code: status.DEADLINE_EXCEEDED });
    }) as unknown as ReturnType<typeof answer>;
    for (const rpc of [down, answer('DECISION_UNSPECIFIED')])
      expect(await new GrpcRisk(rpc, logger).scoreReview(ctx, input)).toEqual({
        allow: false,
        reasons: ['RISK_UNAVAILABLE'],
      });
  });
});

describe('GrpcOrders', () => {
  const shipment = (over: Partial<orderV1.Shipment>): orderV1.Shipment =>
    ({
      id: 's',
      orderId: 'o',
      warehouseCode: 'SZ-1',
      lines: [{ skuId: 'k', quantity: 1 }],
      status: 'DELIVERED',
      carrier: 'sf',
      trackingNumber: 't',
      events: [],
      createdAt: '2026-11-18T00:00:00Z',
      updatedAt: '2026-11-21T00:00:00Z',
      returnId: '',
      ...over,
    }) as orderV1.Shipment;

  it('dates a delivery by its DELIVERED tracking event, else the shipment update', () => {
    expect(
      shipmentDeliveredAt(
        shipment({
          events: [
            {
              eventId: '1',
              status: 'IN_TRANSIT',
              description: '',
              occurredAt: '2026-11-19T00:00:00Z',
            },
            {
              eventId: '2',
              status: 'DELIVERED',
              description: '',
              occurredAt: '2026-11-20T08:00:00Z',
            },
          ],
        }),
      ),
    ).toEqual(new Date('2026-11-20T08:00:00Z'));
    expect(shipmentDeliveredAt(shipment({}))).toEqual(new Date('2026-11-21T00:00:00Z'));
    expect(shipmentDeliveredAt(shipment({ status: 'SHIPPED' }))).toBeNull();
  });

  it('maps order refusals: NOT_FOUND → ORDER_NOT_FOUND, an outage → ORDER_UNAVAILABLE', async () => {
    const failing = (code: number): OrderRpcs => {
      const fail = async () => {
        throw Object.assign(new Error('x'), { code });
      };
      return { getOrder: fail, listOrders: fail, listShipments: fail };
    };
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'NO_ERROR',
        (e: { kind: string; code: string }) => `${e.kind} ${e.code}`,
      );
    expect(await codeOf(new GrpcOrders(failing(status.NOT_FOUND)).order(ctx, 'a', 'o'))).toBe(
      'NOT_FOUND ORDER_NOT_FOUND',
    );
    expect(await codeOf(new GrpcOrders(failing(status.UNAVAILABLE)).order(ctx, 'a', 'o'))).toBe(
      'UNAVAILABLE ORDER_UNAVAILABLE',
    );
    expect(
      await codeOf(
        new GrpcOrders(failing(status.DEADLINE_EXCEEDED)).deliveredOrderIds(ctx, 'a', 20),
      ),
    ).toBe('UNAVAILABLE ORDER_UNAVAILABLE');
  });
});
