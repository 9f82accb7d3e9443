import type { orderV1 } from '@emporia/contracts';
import { encodeCursor } from '@emporia/platform';
import { anOrder, checkoutHarness } from '../testing';
import type { OrderStatus } from '../domain/order-state-machine';
import { OrderGrpcController } from './order.grpc-controller';

const ALICE = '0190a000-0000-7000-8000-0000000000a1';
const BOB = '0190a000-0000-7000-8000-0000000000b0';

/**
 * ListOrders at the gRPC boundary over the in-memory store: a customer's listing names the
 * customer's account and shows nothing else; operators (`all_accounts`) see every account's
 * orders, narrowed by account and status (PENDING_REVIEW: held for review), newest first, in
 * pages that neither repeat nor skip an order.
 */
describe('ListOrders', () => {
  const setup = () => {
    const h = checkoutHarness();
    const unused = undefined as never;
    const grpc = new OrderGrpcController(
      unused,
      unused,
      h.lifecycle,
      unused,
      unused,
      unused,
      unused,
    );
    let n = 0;
    const place = (accountId: string, status: OrderStatus = 'PENDING_PAYMENT') => {
      n++;
      const order = anOrder()
        .withId(`0190b000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`)
        .of(accountId)
        .placedAt(new Date(Date.UTC(2026, 10, 1, 0, n)))
        .with({ status })
        .build();
      h.store.orders.set(order.id, { order, explanation: [], reservationSynced: true });
      return order.id;
    };
    const list = (over: Partial<orderV1.ListOrdersRequest>) =>
      grpc.listOrders({
        accountId: '',
        pageSize: 0,
        pageToken: '',
        allAccounts: false,
        status: '',
        ...over,
      });
    const ids = async (over: Partial<orderV1.ListOrdersRequest>) =>
      (await list(over)).orders.map((o) => o.id);
    return { place, list, ids };
  };

  it("shows a customer only the customer's own orders, whatever else the request says", async () => {
    const { place, ids } = setup();
    const a1 = place(ALICE);
    place(BOB);
    const a2 = place(ALICE, 'PENDING_REVIEW');
    place(BOB, 'PENDING_REVIEW');
    expect(await ids({ accountId: ALICE })).toEqual([a2, a1]);
    expect(await ids({ accountId: ALICE, status: 'PENDING_REVIEW' })).toEqual([a2]);
    expect(await ids({ accountId: BOB.toUpperCase(), status: 'PAID' })).toEqual([]);
  });

  it('refuses a listing without an account unless every account is asked for', async () => {
    const { place, list } = setup();
    place(ALICE);
    await expect(list({})).rejects.toMatchObject({ code: 'ID_INVALID' });
    await expect(list({ accountId: 'not-a-uuid' })).rejects.toMatchObject({ code: 'ID_INVALID' });
    await expect(list({ allAccounts: true, accountId: 'nope' })).rejects.toMatchObject({
      code: 'ID_INVALID',
    });
  });

  it("lists every account's orders for operators, by account and status, newest first", async () => {
    const { place, ids } = setup();
    const a1 = place(ALICE);
    const b1 = place(BOB, 'PENDING_REVIEW');
    const a2 = place(ALICE, 'PENDING_REVIEW');
    const b2 = place(BOB, 'PAID');
    expect(await ids({ allAccounts: true })).toEqual([b2, a2, b1, a1]);
    expect(await ids({ allAccounts: true, status: 'PENDING_REVIEW' })).toEqual([a2, b1]);
    expect(await ids({ allAccounts: true, accountId: BOB })).toEqual([b2, b1]);
    expect(await ids({ allAccounts: true, accountId: BOB, status: 'PAID' })).toEqual([b2]);
    expect(await ids({ allAccounts: true, status: 'REFUNDED' })).toEqual([]);
  });

  it('refuses a status the order service does not have', async () => {
    const { list } = setup();
    for (const status of ['pending_review', 'HELD', 'PAID ']) {
      await expect(list({ allAccounts: true, status })).rejects.toMatchObject({
        kind: 'INVALID_ARGUMENT',
        code: 'ORDER_STATUS_INVALID',
      });
    }
  });

  it('pages with an opaque cursor: every order once, the last page without a cursor', async () => {
    const { place, list } = setup();
    const placed = Array.from({ length: 7 }, (_, i) =>
      place(i % 2 ? ALICE : BOB, i % 3 ? 'PENDING_REVIEW' : 'PAID'),
    );
    const held = placed.filter((_, i) => i % 3).reverse();
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const r = await list({
        allAccounts: true,
        status: 'PENDING_REVIEW',
        pageSize: 2,
        pageToken: token,
      });
      seen.push(...r.orders.map((o) => o.id));
      token = r.nextPageToken;
      pages++;
    } while (token);
    expect(seen).toEqual(held);
    expect(pages).toBe(Math.ceil(held.length / 2));
  });

  it('refuses a cursor that does not hold a time and an order id', async () => {
    const { place, list } = setup();
    place(ALICE);
    for (const pageToken of [
      'not base64 json',
      encodeCursor({ c: 'yesterday', i: ALICE }),
      encodeCursor({ c: '2026-11-01T00:00:00Z', i: "1' OR '1'='1" }),
    ])
      await expect(list({ allAccounts: true, pageToken })).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
      });
  });
});
