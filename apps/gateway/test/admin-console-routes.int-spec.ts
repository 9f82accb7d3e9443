import { status } from '@grpc/grpc-js';
import type { marketingV1, orderV1, userV1 } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import { grpcError, startFakeGrpc, testLogger, type FakeService } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor } from './support/token-signer';

jest.setTimeout(60_000);

const ALICE = '0190a000-0000-7000-8000-0000000000c1';
const BOB = '0190a000-0000-7000-8000-0000000000c2';
const OPERATOR = '0190a000-0000-7000-8000-0000000000e1';
const ORDER_A = '0190a000-0000-7000-8000-0000000000d1';
const ORDER_B = '0190a000-0000-7000-8000-0000000000d2';
const SALE = '0190a000-0000-7000-8000-0000000000f1';
const SKU = '0190a000-0000-7000-8000-0000000000b1';
const CAMPAIGN_404 = '0190a000-0000-7000-8000-00000000dead';

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const anOrder = (id: string, accountId: string, orderStatus: string) =>
  ({
    id,
    accountId,
    status: orderStatus,
    lines: [
      {
        skuId: SKU,
        productId: SKU,
        title: 'Teapot',
        quantity: 1,
        unitPrice: cny(32000),
        discount: cny(5000),
        total: cny(27000),
      },
    ],
    subtotal: cny(32000),
    discount: cny(5000),
    shipping: cny(0),
    total: cny(27000),
    riskDecision: orderStatus === 'PENDING_REVIEW' ? 'REVIEW' : 'ALLOW',
    riskReasons: orderStatus === 'PENDING_REVIEW' ? ['NEW_DEVICE'] : [],
    paymentDeadline: '2026-11-25T10:15:00.000Z',
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    version: 1,
  }) as Partial<orderV1.Order>;

/**
 * The operators' console routes through the real gateway (real Redis) against test doubles of
 * order, user and marketing at their gRPC boundary: what the gateway sends — a customer's order
 * listing always the token's account and never every account's; the operators' filters; the
 * draft and its sample cart — and how it answers: the neighbours' views, the services' codes as
 * problem+json, 401/403 before any call. The services' own suites test what they answer.
 */
describe('gateway: the operator console routes (test doubles of order, user, marketing)', () => {
  let gateway: RunningService;
  let order: FakeService;
  let user: FakeService;
  let marketing: FakeService;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const keys = await signer();
    tokens.alice = await keys.sign(['customer'], { sub: ALICE });
    tokens.operator = await keys.sign(['customer', 'operator'], { sub: OPERATOR });
    const orders = [anOrder(ORDER_B, BOB, 'PENDING_REVIEW'), anOrder(ORDER_A, ALICE, 'PAID')];
    order = await startFakeGrpc('order', {
      listOrders: (req: orderV1.ListOrdersRequest) => {
        if (req.pageToken === 'bad')
          throw grpcError(status.INVALID_ARGUMENT, 'INVALID_CURSOR', 'page token is malformed');
        // as the order service: a customer's listing is the named account's
        const mine = orders.filter(
          (o) =>
            (req.allAccounts
              ? !req.accountId || o.accountId === req.accountId
              : o.accountId === req.accountId) &&
            (!req.status || o.status === req.status),
        );
        return { orders: mine, nextPageToken: req.pageSize === 1 ? 'page-2' : '' };
      },
      getOrder: (req: orderV1.GetOrderRequest) => ({
        order: orders.find((o) => o.id === req.orderId),
      }),
      // as the order service: no account is any account's order (operators); else the account's
      listShipments: (req: orderV1.ListShipmentsRequest) => {
        const o = orders.find((x) => x.id === req.orderId);
        if (!o || (req.accountId && o.accountId !== req.accountId))
          throw grpcError(status.NOT_FOUND, 'ORDER_NOT_FOUND', `order ${req.orderId} not found`);
        return { shipments: [] };
      },
      listReturns: (req: orderV1.ListReturnsRequest) => {
        const o = orders.find((x) => x.id === req.orderId);
        if (!o || (req.accountId && o.accountId !== req.accountId))
          throw grpcError(status.NOT_FOUND, 'ORDER_NOT_FOUND', `order ${req.orderId} not found`);
        return { returns: [] };
      },
    });
    user = await startFakeGrpc('user', {
      findAccount: (req: userV1.FindAccountRequest) => {
        if (req.identifier === 'han.mei@')
          throw grpcError(
            status.INVALID_ARGUMENT,
            'EMAIL_INVALID',
            "'han.mei@' is not an e-mail address",
          );
        const known = ['han.mei@example.cn', 'Han.Mei@Example.cn', '+8613800138000'];
        return {
          account: known.includes(req.identifier)
            ? {
                id: ALICE,
                email: 'han.mei@example.cn',
                phone: '+8613800138000',
                roles: ['customer'],
                status: 'ACCOUNT_STATUS_FROZEN',
                createdAt: '2026-01-01T00:00:00.000Z',
              }
            : undefined,
        };
      },
    });
    const sale: marketingV1.FlashSaleDetail = {
      sale: {
        id: SALE,
        skuId: SKU,
        price: cny(9900),
        stock: 10,
        perUserLimit: 2,
        startsAt: '2026-11-25T09:00:00.000Z',
        endsAt: '2026-11-25T12:00:00.000Z',
      },
      reconciliation: { redisRemaining: 7, held: 3, paid: 1, drift: 0 },
    };
    marketing = await startFakeGrpc('marketing', {
      listFlashSales: () => ({ sales: [sale], nextPageToken: 'more' }),
      getFlashSale: () => sale,
      previewPromotion: (req: marketingV1.PreviewPromotionRequest) => {
        const p = req.promotion!;
        if (p.campaignId === CAMPAIGN_404)
          throw grpcError(status.NOT_FOUND, 'CAMPAIGN_NOT_FOUND', 'no such campaign');
        if (p.action!.tiers.some((t) => t.off!.amountMinor > t.threshold!.amountMinor))
          throw grpcError(
            status.INVALID_ARGUMENT,
            'PROMOTION_INVALID',
            'draft: a tier takes off too much',
          );
        const subtotal = req.lines.reduce((s, l) => s + l.unitPrice!.amountMinor * l.quantity, 0);
        const off = subtotal >= 30000 ? 5000 : 0;
        return {
          lines: req.lines.map((l) => ({
            skuId: l.skuId,
            quantity: l.quantity,
            unitPrice: l.unitPrice,
            discount: cny(0),
            total: cny(l.unitPrice!.amountMinor * l.quantity),
          })),
          subtotal: cny(subtotal),
          discount: cny(off),
          total: cny(subtotal - off),
          applied: off
            ? [{ promotionName: p.name, discount: cny(off), explanation: `${p.name}: −50.00 CNY` }]
            : [],
          gifts: [],
          inForce: p.active,
        };
      },
    });
    const config = await testGatewayConfig('console', {
      ORDER_GRPC_URL: order.url,
      USER_GRPC_URL: user.url,
      MARKETING_GRPC_URL: marketing.url,
    });
    gateway = await startGateway(config, testLogger('gateway'), {
      verifier: verifierFor(keys.jwks),
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([order?.stop(), user?.stop(), marketing?.stop()]);
  });

  const call = async (method: string, path: string, who?: string, body?: unknown) => {
    const res = await fetch(`${gateway.httpUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes
      body: (text ? JSON.parse(text) : {}) as any,
    };
  };
  const calls = (fake: FakeService, method: string) => fake.calls.get(method)?.length ?? 0;

  describe('GET /v1/admin/orders', () => {
    it("a customer's listing is the token's account, and it cannot name another", async () => {
      const mine = await call('GET', '/v1/orders', 'alice');
      expect(mine.status).toBe(200);
      expect(mine.body.items.map((o: { id: string }) => o.id)).toEqual([ORDER_A]);
      expect(order.last('listOrders')).toMatchObject({
        accountId: ALICE,
        allAccounts: false,
        status: '',
      });
      const before = calls(order, 'listOrders');
      for (const q of [`accountId=${BOB}`, 'status=PENDING_REVIEW', 'allAccounts=true'])
        expect(await call('GET', `/v1/orders?${q}`, 'alice')).toMatchObject({
          status: 400,
          body: { code: 'VALIDATION_FAILED' },
        });
      expect(await call('GET', '/v1/admin/orders', 'alice')).toMatchObject({
        status: 403,
        body: { code: 'ROLE_REQUIRED' },
      });
      expect(await call('GET', `/v1/admin/orders?accountId=${BOB}`, 'alice')).toMatchObject({
        status: 403,
      });
      expect((await call('GET', '/v1/admin/orders')).status).toBe(401);
      expect(calls(order, 'listOrders')).toBe(before);
    });

    it("lists every account's orders for operators, with the order view of the single read", async () => {
      const all = await call('GET', '/v1/admin/orders', 'operator');
      expect(all.status).toBe(200);
      expect(order.last('listOrders')).toMatchObject({
        accountId: '',
        allAccounts: true,
        status: '',
        pageSize: 0,
        pageToken: '',
      });
      expect(all.body.items.map((o: { accountId: string }) => o.accountId)).toEqual([BOB, ALICE]);
      const one = await call('GET', `/v1/admin/orders/${ORDER_B}`, 'operator');
      expect(all.body.items[0]).toEqual(one.body);
      expect(all.body.items[0]).toMatchObject({
        status: 'PENDING_REVIEW',
        riskDecision: 'REVIEW',
        riskReasons: ['NEW_DEVICE'],
        total: cny(27000),
      });
      expect(all.body.nextCursor).toBeNull();
    });

    it('passes the filters and the cursor on, and answers the next cursor', async () => {
      const held = await call(
        'GET',
        `/v1/admin/orders?status=PENDING_REVIEW&accountId=${BOB}&limit=1&cursor=page-1`,
        'operator',
      );
      expect(order.last('listOrders')).toMatchObject({
        accountId: BOB,
        allAccounts: true,
        status: 'PENDING_REVIEW',
        pageSize: 1,
        pageToken: 'page-1',
      });
      expect(held).toMatchObject({ status: 200, body: { nextCursor: 'page-2' } });
      expect(held.body.items.map((o: { id: string }) => o.id)).toEqual([ORDER_B]);
    });

    it('refuses a bad filter at the edge and maps the service’s refusal', async () => {
      const before = calls(order, 'listOrders');
      for (const q of ['status=HELD', 'accountId=bob', 'limit=0', 'limit=101', 'page=2'])
        expect(await call('GET', `/v1/admin/orders?${q}`, 'operator')).toMatchObject({
          status: 400,
          body: { code: 'VALIDATION_FAILED' },
        });
      expect(calls(order, 'listOrders')).toBe(before);
      const bad = await call('GET', '/v1/admin/orders?cursor=bad', 'operator');
      expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_CURSOR' } });
      expect(bad.type).toMatch(/^application\/problem\+json/);
    });
  });

  describe('GET /v1/admin/orders/{id}/shipments and /returns', () => {
    it("answers any account's order to operators, and only their own to customers", async () => {
      for (const part of ['shipments', 'returns']) {
        const method = part === 'shipments' ? 'listShipments' : 'listReturns';
        const bobs = await call('GET', `/v1/admin/orders/${ORDER_B}/${part}`, 'operator');
        expect([part, bobs.status, bobs.body]).toEqual([part, 200, { items: [] }]);
        expect(order.last(method)).toMatchObject({ orderId: ORDER_B, accountId: '' });
        // a customer: the admin route is refused, and the own route does not reach Bob's order
        expect(await call('GET', `/v1/admin/orders/${ORDER_B}/${part}`, 'alice')).toMatchObject({
          status: 403,
          body: { code: 'ROLE_REQUIRED' },
        });
        expect(await call('GET', `/v1/orders/${ORDER_B}/${part}`, 'alice')).toMatchObject({
          status: 404,
          body: { code: 'ORDER_NOT_FOUND' },
        });
        expect(order.last(method)).toMatchObject({ orderId: ORDER_B, accountId: ALICE });
        expect((await call('GET', `/v1/admin/orders/not-an-id/${part}`, 'operator')).status).toBe(
          400,
        );
      }
    });
  });

  describe('GET /v1/admin/accounts', () => {
    it('finds the account by e-mail or phone as sent: one item, or none', async () => {
      const found = await call(
        'GET',
        '/v1/admin/accounts?identifier=Han.Mei%40Example.cn',
        'operator',
      );
      expect(found).toMatchObject({
        status: 200,
        body: {
          items: [
            {
              id: ALICE,
              email: 'han.mei@example.cn',
              phone: '+8613800138000',
              roles: ['customer'],
              status: 'frozen',
            },
          ],
        },
      });
      expect(user.last('findAccount')).toEqual({ identifier: 'Han.Mei@Example.cn' });
      const byPhone = await call(
        'GET',
        '/v1/admin/accounts?identifier=%2B8613800138000',
        'operator',
      );
      expect(byPhone.body.items).toHaveLength(1);
      expect(user.last('findAccount')).toEqual({ identifier: '+8613800138000' });
      expect(
        await call('GET', '/v1/admin/accounts?identifier=nobody%40example.cn', 'operator'),
      ).toEqual({
        status: 200,
        type: expect.stringMatching(/^application\/json/),
        body: { items: [] },
      });
    });

    it('refuses a missing identifier at the edge, and passes on the service’s code for a bad one', async () => {
      const before = calls(user, 'findAccount');
      for (const q of ['', '?identifier=', `?identifier=${'x'.repeat(255)}`, '?email=a%40b.cn'])
        expect(await call('GET', `/v1/admin/accounts${q}`, 'operator')).toMatchObject({
          status: 400,
          body: { code: 'VALIDATION_FAILED' },
        });
      expect(calls(user, 'findAccount')).toBe(before);
      const bad = await call('GET', '/v1/admin/accounts?identifier=han.mei%40', 'operator');
      expect(bad).toMatchObject({
        status: 400,
        body: { code: 'EMAIL_INVALID', detail: "'han.mei@' is not an e-mail address" },
      });
      expect(bad.type).toMatch(/^application\/problem\+json/);
      expect(await call('GET', '/v1/admin/accounts?identifier=a%40b.cn', 'alice')).toMatchObject({
        status: 403,
        body: { code: 'ROLE_REQUIRED' },
      });
    });
  });

  describe('GET /v1/admin/flash-sales', () => {
    it('lists sales with the single read’s view, passing the status and page on', async () => {
      const list = await call(
        'GET',
        '/v1/admin/flash-sales?status=LIVE&limit=5&cursor=p1',
        'operator',
      );
      expect(marketing.last('listFlashSales')).toEqual({
        status: 'LIVE',
        pageSize: 5,
        pageToken: 'p1',
      });
      const one = await call('GET', `/v1/admin/flash-sales/${SALE}`, 'operator');
      expect(list).toMatchObject({ status: 200, body: { items: [one.body], nextCursor: 'more' } });
      expect(one.body.reconciliation).toEqual({ redisRemaining: 7, held: 3, paid: 1, drift: 0 });
    });

    it('refuses another status, and customers', async () => {
      expect(await call('GET', '/v1/admin/flash-sales?status=SOLD_OUT', 'operator')).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
      expect((await call('GET', '/v1/admin/flash-sales', 'alice')).status).toBe(403);
    });
  });

  describe('POST /v1/admin/promotions/preview', () => {
    it('is its own path: another method there is 405 with Allow: POST, not the {id} route', async () => {
      for (const method of ['PUT', 'OPTIONS']) {
        const res = await fetch(`${gateway.httpUrl}/v1/admin/promotions/preview`, {
          method,
          headers: { authorization: `Bearer ${tokens.operator}` },
        });
        const body = (await res.json()) as { code: string };
        expect([method, res.status, res.headers.get('allow'), body.code]).toEqual([
          method,
          405,
          'POST',
          'METHOD_NOT_ALLOWED',
        ]);
      }
    });

    const draft = {
      name: '满300减50',
      scopeKind: 'CART',
      action: { kind: 'TIERED_REDUCTION', tiers: [{ threshold: cny(30000), off: cny(5000) }] },
      active: false,
    };
    const lines = [
      { skuId: SKU, unitPrice: cny(20000), quantity: 1 },
      { unitPrice: cny(6000), quantity: 2 },
    ];

    it('sends the draft and its sample cart, and answers the priced cart: 200, nothing else', async () => {
      const res = await call('POST', '/v1/admin/promotions/preview', 'operator', {
        ...draft,
        lines,
      });
      expect(marketing.last('previewPromotion')).toMatchObject({
        promotion: {
          id: '',
          name: '满300减50',
          scopeKind: 'CART',
          active: false,
          action: { kind: 'TIERED_REDUCTION', tiers: [{ threshold: cny(30000), off: cny(5000) }] },
        },
        lines: [
          { skuId: SKU, quantity: 1, unitPrice: cny(20000), categoryPathIds: [] },
          { skuId: '', quantity: 2, unitPrice: cny(6000), categoryPathIds: [] },
        ],
        memberTier: '',
        channel: '',
        at: '',
      });
      expect(res).toMatchObject({
        status: 200,
        body: {
          subtotal: cny(32000),
          discount: cny(5000),
          total: cny(27000),
          discounts: [{ promotionName: '满300减50', amount: cny(5000) }],
          inForce: false,
          lines: [
            { skuId: SKU, categoryId: null, quantity: 1 },
            { skuId: null, categoryId: null, quantity: 2 },
          ],
        },
      });
      const small = await call('POST', '/v1/admin/promotions/preview', 'operator', {
        ...draft,
        lines: [{ unitPrice: cny(28000), quantity: 1 }],
      });
      expect(small.body).toMatchObject({ discount: cny(0), total: cny(28000), discounts: [] });
    });

    it('refuses a bad shape at the edge, and maps the service’s codes as the PUT does', async () => {
      const before = calls(marketing, 'previewPromotion');
      for (const body of [
        { ...draft },
        { ...draft, lines: [] },
        { ...draft, lines, id: SKU },
        { ...draft, lines: [{ ...lines[0], quantity: 1.5 }] },
        { ...draft, name: undefined, lines },
      ])
        expect(await call('POST', '/v1/admin/promotions/preview', 'operator', body)).toMatchObject({
          status: 400,
          body: { code: 'VALIDATION_FAILED' },
        });
      expect(calls(marketing, 'previewPromotion')).toBe(before);
      const tooMuch = {
        ...draft,
        action: { kind: 'TIERED_REDUCTION', tiers: [{ threshold: cny(100), off: cny(200) }] },
        lines,
      };
      expect(await call('POST', '/v1/admin/promotions/preview', 'operator', tooMuch)).toMatchObject(
        {
          status: 400,
          body: { code: 'PROMOTION_INVALID', detail: 'draft: a tier takes off too much' },
        },
      );
      expect(
        await call('POST', '/v1/admin/promotions/preview', 'operator', {
          ...draft,
          campaignId: CAMPAIGN_404,
          lines,
        }),
      ).toMatchObject({ status: 404, body: { code: 'CAMPAIGN_NOT_FOUND' } });
      expect(
        await call('POST', '/v1/admin/promotions/preview', 'alice', { ...draft, lines }),
      ).toMatchObject({ status: 403, body: { code: 'ROLE_REQUIRED' } });
    });
  });
});
