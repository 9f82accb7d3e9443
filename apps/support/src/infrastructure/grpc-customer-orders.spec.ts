import { status } from '@grpc/grpc-js';
import type { orderV1 } from '@emporia/contracts';
import { DependencyUnavailableError } from '@emporia/messaging';
import { RemoteCallError, type GrpcApi } from '@emporia/platform';
import { GrpcCustomerOrders } from './grpc-customer-orders';

type Api = GrpcApi<orderV1.OrderServiceController>;
const ME = '0190b000-0000-7000-8000-0000000000aa';
const ORDER = '0190b000-0000-7000-8000-000000000001';

const refusal = (st: status) =>
  new RemoteCallError('order', { status: st, code: status[st], message: 'no', details: {} });

/**
 * The mapping and the error rules, against a stand-in for order's generated API (the calls on
 * the real service are in test/bot.int-spec.ts).
 */
describe('GrpcCustomerOrders', () => {
  const asked: { method: string; req: unknown }[] = [];
  const api = (answers: Partial<Record<keyof Api, (req: never) => unknown>>): Api =>
    new Proxy({} as Api, {
      get: (_t, method: string) => (_ctx: unknown, req: unknown) => {
        asked.push({ method, req });
        const answer = answers[method as keyof Api];
        if (!answer) return Promise.reject(new Error(`unexpected ${method}`));
        try {
          return Promise.resolve(answer(req as never));
        } catch (e) {
          return Promise.reject(e);
        }
      },
    });

  beforeEach(() => (asked.length = 0));

  it('asks with the account id and maps order, shipments (events oldest first) and returns', async () => {
    const orders = new GrpcCustomerOrders(
      api({
        getOrder: () => ({
          order: {
            id: ORDER,
            accountId: ME,
            status: 'SHIPPED',
            createdAt: '2026-11-20T02:30:00.000Z',
            paidAt: '2026-11-20T02:31:00.000Z',
            lines: [{ skuId: 'k', productId: 'p', title: 'T', quantity: '2' }],
          },
        }),
        listShipments: () => ({
          shipments: [
            {
              id: 's',
              orderId: ORDER,
              warehouseCode: 'SZ-1',
              lines: [{ skuId: 'k', quantity: 2 }],
              status: 'SHIPPED',
              carrier: 'sf',
              trackingNumber: 'SF1',
              events: [
                {
                  eventId: 'b',
                  status: 'OUT_FOR_DELIVERY',
                  description: '',
                  occurredAt: '2026-11-22T00:00:00Z',
                },
                {
                  eventId: 'a',
                  status: 'IN_TRANSIT',
                  description: 'x',
                  occurredAt: '2026-11-21T00:00:00Z',
                },
              ],
            },
          ],
        }),
        listReturns: () => ({
          returns: [
            { id: 'r', orderId: ORDER, status: 'REQUESTED', kind: 'REFUND', createdAt: 't' },
          ],
        }),
        listOrders: () => ({ orders: [], nextPageToken: '' }),
      }),
    );
    expect(await orders.order(ME, ORDER)).toEqual({
      orderId: ORDER,
      status: 'SHIPPED',
      createdAt: '2026-11-20T02:30:00.000Z',
      paidAt: '2026-11-20T02:31:00.000Z',
      lines: [{ skuId: 'k', productId: 'p', title: 'T', quantity: 2 }],
    });
    expect(await orders.shipments(ME, ORDER)).toEqual([
      {
        shipmentId: 's',
        orderId: ORDER,
        warehouseCode: 'SZ-1',
        status: 'SHIPPED',
        carrier: 'sf',
        trackingNumber: 'SF1',
        events: [
          { status: 'IN_TRANSIT', description: 'x', occurredAt: '2026-11-21T00:00:00Z' },
          { status: 'OUT_FOR_DELIVERY', description: '', occurredAt: '2026-11-22T00:00:00Z' },
        ],
        skuIds: ['k'],
      },
    ]);
    expect(await orders.returns(ME, ORDER)).toEqual([
      { returnId: 'r', orderId: ORDER, status: 'REQUESTED', kind: 'REFUND', createdAt: 't' },
    ]);
    expect(await orders.recentOrders(ME, 5)).toEqual([]);
    expect(asked).toEqual([
      { method: 'getOrder', req: { orderId: ORDER, accountId: ME } },
      { method: 'listShipments', req: { orderId: ORDER, accountId: ME } },
      { method: 'listReturns', req: { orderId: ORDER, accountId: ME } },
      // the customer's own orders, never every account's
      {
        method: 'listOrders',
        req: { accountId: ME, pageSize: 5, pageToken: '', allAccounts: false, status: '' },
      },
    ]);
  });

  it("answers nothing for another account's order (NOT_FOUND) or ids that are no UUIDs", async () => {
    const orders = new GrpcCustomerOrders(
      api({
        getOrder: () => {
          throw refusal(status.NOT_FOUND);
        },
        listShipments: () => {
          throw refusal(status.NOT_FOUND);
        },
        listReturns: () => {
          throw refusal(status.NOT_FOUND);
        },
      }),
    );
    expect(await orders.order(ME, ORDER)).toBeUndefined();
    expect(await orders.shipments(ME, ORDER)).toEqual([]);
    expect(await orders.returns(ME, ORDER)).toEqual([]);
    asked.length = 0;
    expect(await orders.order('', ORDER)).toBeUndefined();
    expect(await orders.shipments(ME, 'SF123')).toEqual([]);
    expect(await orders.recentOrders('not-an-account', 5)).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('never shows an order of another account, even if order answered one', async () => {
    const orders = new GrpcCustomerOrders(
      api({ getOrder: () => ({ order: { id: ORDER, accountId: 'someone-else', lines: [] } }) }),
    );
    expect(await orders.order(ME, ORDER)).toBeUndefined();
  });

  it.each([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED])(
    'turns gRPC %s into DependencyUnavailableError',
    async (st) => {
      const orders = new GrpcCustomerOrders(
        api({
          listOrders: () => {
            throw refusal(st);
          },
        }),
      );
      await expect(orders.recentOrders(ME, 5)).rejects.toBeInstanceOf(DependencyUnavailableError);
    },
  );

  it("passes order's other refusals on as they are", async () => {
    const invalid = refusal(status.INVALID_ARGUMENT);
    const orders = new GrpcCustomerOrders(
      api({
        getOrder: () => {
          throw invalid;
        },
      }),
    );
    await expect(orders.order(ME, ORDER)).rejects.toBe(invalid);
  });
});
