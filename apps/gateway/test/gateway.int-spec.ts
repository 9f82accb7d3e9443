import type { RunningService } from '@emporia/platform';
import { testLogger } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor, type Sign } from './support/token-signer';

jest.setTimeout(60_000);

/**
 * The gateway's own HTTP behaviour, with its backends down (nothing listens on their ports):
 * what it must answer without them, and how it reports them missing.
 */
describe('gateway HTTP surface (backends unreachable)', () => {
  let gateway: RunningService;
  let tokens: { customer: string; operator: string; admin: string };
  let sign: Sign;

  beforeAll(async () => {
    const keys = await signer();
    sign = keys.sign;
    tokens = {
      customer: await sign(['customer']),
      operator: await sign(['customer', 'operator']),
      admin: await sign(['admin']),
    };
    const config = await testGatewayConfig('test');
    // The real verifier, fed this test's key set instead of the (absent) user service's.
    const verifier = verifierFor(keys.jwks);
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
  });

  afterAll(async () => gateway?.close());

  const req = (path: string, init: RequestInit = {}) => fetch(`${gateway.httpUrl}${path}`, init);
  /** As an operator: catalog changes need the role, and these tests are about what follows. */
  const asOperator = (path: string, init: RequestInit = {}) =>
    req(path, {
      ...init,
      headers: { ...(init.headers as object), authorization: `Bearer ${tokens.operator}` },
    });
  const problem = async (res: Response) => {
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await res.json()) as Record<string, unknown>;
  };

  it('serves OpenAPI 3.1 listing every route, and the docs UI', async () => {
    const doc = (await (await req('/docs/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, object>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/v1/categories',
        '/v1/categories/{id}',
        '/v1/categories/{id}/move',
        '/v1/products',
        '/v1/products/{id}',
        '/v1/search/products',
        '/v1/search/suggestions',
        '/v1/admin/search/synonyms',
        '/v1/admin/search/synonyms/{id}',
        '/v1/admin/search/queries',
        '/v1/admin/search/reindex',
        '/v1/admin/search/reindex/{id}',
        '/v1/skus/{skuId}/stock',
        '/v1/skus/{skuId}/stock-adjustments',
        '/v1/auth/register',
        '/v1/auth/login',
        '/v1/auth/login/mfa',
        '/v1/auth/login/mfa/sms',
        '/v1/auth/refresh',
        '/v1/auth/logout',
        '/v1/auth/jwks',
        '/v1/me',
        '/v1/me/profile',
        '/v1/me/consents',
        '/v1/me/membership',
        '/v1/me/addresses',
        '/v1/me/addresses/{id}',
        '/v1/me/mfa/enrolment',
        '/v1/me/mfa/enrolment/confirm',
        '/v1/me/mfa/disable',
        // account security (issue 23)
        '/v1/me/sessions',
        '/v1/me/sessions/{id}',
        '/v1/me/devices/{deviceId}',
        '/v1/me/step-up',
        '/v1/me/step-up/sms',
        '/v1/me/password',
        '/v1/me/email',
        '/v1/me/phone/code',
        '/v1/me/phone',
        '/v1/me/mfa/sms',
        '/v1/me/mfa/sms/code',
        '/v1/me/passkeys',
        '/v1/me/passkeys/registration-options',
        '/v1/me/passkeys/{id}',
        '/v1/auth/passkey',
        '/v1/auth/passkey/options',
        '/v1/me/export',
        '/v1/admin/accounts',
        '/v1/admin/accounts/{id}',
        '/v1/admin/accounts/{id}/membership',
        '/v1/admin/accounts/{id}/freeze',
        '/v1/admin/accounts/{id}/unfreeze',
        '/v1/admin/accounts/{id}/roles',
        '/v1/admin/tiers',
        '/v1/admin/signing-keys/rotate',
        '/v1/cart/guest-token',
        '/v1/cart',
        '/v1/cart/lines/{skuId}',
        '/v1/cart/merge',
        '/v1/checkout',
        '/v1/orders',
        '/v1/orders/{id}',
        '/v1/orders/{id}/cancel',
        '/v1/orders/{id}/payments',
        '/v1/payments/callbacks/{provider}',
        '/v1/payments/sandbox/pay/{paymentId}',
        '/v1/orders/{id}/shipments',
        '/v1/admin/shipments/{id}/ship',
        '/v1/shipments/tracking-events/{carrier}',
        '/v1/orders/{id}/returns',
        '/v1/admin/returns/{id}/review',
        '/v1/admin/returns/{id}/receive',
        '/v1/admin/orders',
        '/v1/admin/orders/import/{source}',
        '/v1/admin/orders/{id}',
        '/v1/admin/orders/{id}/shipments',
        '/v1/admin/orders/{id}/returns',
        '/v1/admin/orders/{id}/review',
        '/v1/admin/warehouses',
        '/v1/admin/warehouses/{code}',
        '/v1/admin/campaigns',
        '/v1/admin/campaigns/{id}',
        '/v1/admin/promotions',
        '/v1/admin/promotions/{id}',
        '/v1/admin/promotions/preview',
        '/v1/admin/coupon-templates',
        '/v1/admin/coupon-templates/{id}/issue',
        '/v1/admin/flash-sales',
        '/v1/admin/flash-sales/{id}',
        '/v1/admin/group-deals',
        '/v1/me/coupons',
        '/v1/flash-sales/{id}/attempts',
        '/v1/groups/{id}',
        '/v1/group-deals/{id}/groups',
        '/v1/admin/risk/rules',
        '/v1/admin/risk/rules/{id}',
        '/v1/admin/risk/lists/{kind}/entries',
        '/v1/admin/risk/lists/{kind}/export',
        '/v1/admin/risk/model',
        '/v1/admin/risk/decisions',
        '/v1/admin/skus/{skuId}/price',
        '/v1/admin/skus/{skuId}/price-history',
        '/v1/admin/marketing/cart-reminder',
        '/v1/admin/marketing/audience-grants',
        '/v1/events',
        '/v1/experiments/assignments',
        '/v1/products/{productId}/recommendations',
        ...[
          'kpis',
          'funnel',
          'retention',
          'lifecycle',
          'rfm',
          'audiences',
          'inventory',
          'attribution',
          'abandoned-carts',
          'experiments',
          'experiments/{key}',
          'experiments/{key}/results',
          'pricing-policies',
          'pricing-policies/{skuId}',
          'price-suggestions',
          'price-suggestions/run',
          'price-suggestions/{id}/approve',
          'price-suggestions/{id}/reject',
        ].map((p) => `/v1/admin/analytics/${p}`),
        // support and reviews (issue 17)
        '/v1/support/tickets',
        '/v1/support/tickets/{id}',
        '/v1/support/tickets/{id}/messages',
        '/v1/support/tickets/{id}/handoff',
        '/v1/support/tickets/{id}/survey',
        '/v1/support/tickets/{id}/reopen',
        '/v1/agent/queues/{queue}/tickets',
        '/v1/agent/tickets/{id}',
        '/v1/agent/tickets/{id}/claim',
        '/v1/agent/tickets/{id}/messages',
        '/v1/agent/tickets/{id}/resolve',
        '/v1/agent/tickets/{id}/escalate',
        '/v1/agent/tickets/{id}/suggested-replies',
        '/v1/agent/shift',
        '/v1/agent/agents',
        '/v1/admin/support/templates',
        '/v1/admin/support/templates/{id}',
        '/v1/admin/support/sla',
        '/v1/admin/support/kpis',
        '/v1/admin/support/insights',
        '/v1/reviews',
        '/v1/reviews/{id}/follow-up',
        '/v1/reviews/{id}/helpful',
        '/v1/me/reviews',
        '/v1/me/reviewable',
        '/v1/products/{id}/reviews',
        '/v1/products/{id}/rating',
        '/v1/admin/reviews',
        '/v1/admin/reviews/{id}/moderation',
        '/v1/admin/reviews/{id}/reply',
        '/v1/admin/reviews/banned-words',
        // notifications and the catalog's operations (issue 18)
        '/v1/me/notification-preferences',
        '/v1/me/push-devices',
        '/v1/me/push-devices/{token}',
        '/v1/me/notifications',
        '/v1/notifications/unsubscribe',
        '/v1/notifications/receipts/{provider}',
        '/v1/admin/notifications/deliveries',
        '/v1/admin/notifications/deliveries/{id}/retry',
        '/v1/admin/notification-templates',
        '/v1/admin/notification-templates/{key}/{channel}/{locale}',
        '/v1/admin/skus/{skuId}/stock-thresholds/{warehouseCode}',
        '/v1/admin/stock-thresholds',
        '/v1/admin/low-stock',
        '/v1/admin/products/{id}/listing-schedule',
        '/v1/admin/products/{id}/tags',
        '/v1/admin/tag-rules',
        '/v1/admin/products/{id}/compliance-reviews',
        '/v1/admin/compliance-reviews/{id}/decision',
        '/v1/admin/compliance-reviews',
        '/v1/admin/products/{id}/compliance-audit',
        '/v1/admin/compliance-rules',
      ].sort(),
    );
    expect((await req('/docs')).status).toBe(200);
  });

  it('is alive but not ready while its backends are down (risk, analytics, support, review and notification are not readiness checks)', async () => {
    expect((await fetch(`${gateway.opsUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.opsUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks).toEqual({
      catalog: expect.any(String),
      search: expect.any(String),
      user: expect.any(String),
      order: expect.any(String),
      marketing: expect.any(String),
      redis: expect.any(String),
    });
  });

  it('answers 503 on the notification routes while the notification service is down', async () => {
    const res = await req('/v1/me/notification-preferences', {
      headers: { authorization: `Bearer ${tokens.customer}` },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(await problem(res)).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    const link = await req('/v1/notifications/unsubscribe?token=abc.def');
    expect(link.status).toBe(503);
  });

  it('answers 503 problem+json when a backend is unavailable, continuing the caller trace', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await req('/v1/products/0190a000-0000-7000-8000-000000000001', {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(await problem(res)).toMatchObject({
      status: 503,
      code: 'BACKEND_UNAVAILABLE',
      traceId,
      instance: '/v1/products/0190a000-0000-7000-8000-000000000001',
    });
  });

  it.each<[string, RequestInit & { path: string }, number, string]>([
    [
      'a non-JSON body',
      {
        path: '/v1/categories',
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'name=x',
      },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a form body',
      {
        path: '/v1/categories',
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=x',
      },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body over 1 MiB',
      {
        path: '/v1/categories',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x'.repeat(1100000) }),
      },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'malformed JSON',
      {
        path: '/v1/categories',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":',
      },
      400,
      'MALFORMED_JSON',
    ],
    [
      'an unknown property',
      {
        path: '/v1/categories',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'A', slug: 'a', color: 'red' }),
      },
      400,
      'VALIDATION_FAILED',
    ],
    ['a path id that is not a UUID', { path: '/v1/products/42' }, 400, 'ID_INVALID'],
    ['a limit out of range', { path: '/v1/products?limit=0' }, 400, 'VALIDATION_FAILED'],
    ['an unknown route', { path: '/v1/nope' }, 404, 'NOT_FOUND'],
  ])('rejects %s before calling any backend', async (_label, init, status, code) => {
    const { path, ...rest } = init;
    const res = await asOperator(path, rest);
    expect(res.status).toBe(status);
    expect(await problem(res)).toMatchObject({
      status,
      code,
      type: expect.stringMatching(/^https:\/\/emporia\.dev\/problems\//),
      title: expect.any(String),
    });
  });

  it('lists field errors for invalid bodies', async () => {
    const res = await asOperator('/v1/products', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: '',
        skus: [{ code: 'A', price: { amountMinor: -1, currency: 'CNY' } }],
      }),
    });
    const body = await problem(res);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'title' }),
        expect.objectContaining({ field: 'categoryId' }),
        expect.objectContaining({
          field: 'skus.0.price.amountMinor',
          message: 'amountMinor must not be negative',
        }),
      ]),
    );
  });

  describe('authentication and roles', () => {
    const createCategory = (headers: Record<string, string> = {}) =>
      req('/v1/categories', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'Phones', slug: 'phones' }),
      });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

    it('asks for a token on protected routes, with WWW-Authenticate', async () => {
      for (const res of [
        await createCategory(),
        await req('/v1/me'),
        await req('/v1/admin/tiers'),
      ]) {
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="emporia"/);
        expect(await problem(res)).toMatchObject({ code: 'AUTHENTICATION_REQUIRED' });
      }
    });

    it('refuses expired, forged, foreign-audience and malformed tokens', async () => {
      const other = await signer();
      const cases: [string, string][] = [
        [await sign(['operator'], { expSeconds: -60 }), 'TOKEN_EXPIRED'],
        [await other.sign(['operator']), 'TOKEN_INVALID'],
        [await sign(['operator'], { audience: 'someone-else' }), 'TOKEN_INVALID'],
        ['not.a.jwt', 'TOKEN_INVALID'],
      ];
      for (const [token, code] of cases) {
        const res = await createCategory(bearer(token));
        expect(res.status).toBe(401);
        expect(await problem(res)).toMatchObject({ code });
      }
    });

    it('denies the operator surface and catalog changes to customers', async () => {
      const denied = [
        await createCategory(bearer(tokens.customer)),
        await req('/v1/admin/tiers', { headers: bearer(tokens.customer) }),
        await req('/v1/admin/accounts/0190a000-0000-7000-8000-000000000001/freeze', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(tokens.customer) },
          body: JSON.stringify({ reason: 'x' }),
        }),
        // admin-only routes are denied to operators
        await req('/v1/admin/signing-keys/rotate', {
          method: 'POST',
          headers: bearer(tokens.operator),
        }),
      ];
      for (const res of denied) {
        expect(res.status).toBe(403);
        expect(await problem(res)).toMatchObject({ code: 'ROLE_REQUIRED' });
      }
    });

    it('lets operators and admins through to the backend', async () => {
      // the backends are down here: 503 proves the request passed the guard
      expect((await createCategory(bearer(tokens.operator))).status).toBe(503);
      expect((await createCategory(bearer(tokens.admin))).status).toBe(503);
      expect((await req('/v1/me', { headers: bearer(tokens.customer) })).status).toBe(503);
    });

    it('keeps public reads public', async () => {
      expect((await req('/v1/products/0190a000-0000-7000-8000-000000000001')).status).toBe(503);
    });
  });

  describe('Idempotency-Key', () => {
    it('is required at checkout, checked for shape, and scoped before any backend call', async () => {
      const checkout = (headers: Record<string, string>) =>
        req('/v1/checkout', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${tokens.customer}`,
            ...headers,
          },
          body: JSON.stringify({ addressId: '0190a000-0000-7000-8000-000000000001' }),
        });
      const missing = await checkout({});
      expect([missing.status, (await problem(missing)).code]).toEqual([
        400,
        'IDEMPOTENCY_KEY_REQUIRED',
      ]);
      const bad = await checkout({ 'idempotency-key': 'no spaces allowed' });
      expect([bad.status, (await problem(bad)).code]).toEqual([400, 'IDEMPOTENCY_KEY_INVALID']);
      // an empty header is a malformed key, not a missing one
      const empty = await checkout({ 'idempotency-key': '' });
      expect([empty.status, (await problem(empty)).code]).toEqual([400, 'IDEMPOTENCY_KEY_INVALID']);
      // a failed request frees its key: the same key fails the same way again (backend down)
      const key = `k-${Date.now()}-retry`;
      expect((await checkout({ 'idempotency-key': key })).status).toBe(503);
      expect((await checkout({ 'idempotency-key': key })).status).toBe(503);
    });
  });

  describe('marketing routes', () => {
    const ID = '0190a000-0000-7000-8000-00000000f1a5';
    const send = (path: string, method: string, token?: string, body?: unknown) =>
      req(path, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    const groupDeal = {
      skuId: ID,
      price: { amountMinor: 9900, currency: 'CNY' },
      groupSize: 3,
      windowSeconds: 3600,
      startsAt: '2026-11-11T00:00:00+08:00',
      endsAt: '2026-11-12T00:00:00+08:00',
    };
    const operatorRoutes: [string, string, unknown?][] = [
      ['/v1/admin/campaigns', 'GET'],
      ['/v1/admin/promotions?inForceAt=2026-11-11T00:00:00Z', 'GET'],
      [
        `/v1/admin/campaigns/${ID}`,
        'PUT',
        {
          name: 'Double 11',
          startsAt: '2026-11-11T00:00:00Z',
          endsAt: '2026-11-12T00:00:00Z',
          active: true,
        },
      ],
      [`/v1/admin/coupon-templates/${ID}/issue`, 'POST', { count: 10 }],
      [`/v1/admin/flash-sales/${ID}`, 'GET'],
      ['/v1/admin/group-deals', 'POST', groupDeal],
    ];

    it('keeps the marketing administration for operators', async () => {
      for (const [path, method, body] of operatorRoutes) {
        const denied = await send(path, method, tokens.customer, body);
        expect([path, denied.status, (await problem(denied)).code]).toEqual([
          path,
          403,
          'ROLE_REQUIRED',
        ]);
        // marketing is down here: 503 proves the request passed the guard and validation
        const passed = await send(path, method, tokens.operator, body);
        expect([path, passed.status]).toEqual([path, 503]);
      }
    });

    it('needs a signed-in caller for coupons and attempts; groups are public', async () => {
      for (const [path, method] of [
        ['/v1/me/coupons', 'GET'],
        ['/v1/me/coupons', 'POST'],
        [`/v1/flash-sales/${ID}/attempts`, 'POST'],
      ]) {
        const res = await send(path, method, undefined, method === 'GET' ? undefined : {});
        expect([path, res.status]).toEqual([path, 401]);
      }
      expect((await send(`/v1/groups/${ID}`, 'GET')).status).toBe(503);
      expect((await send(`/v1/group-deals/${ID}/groups`, 'GET')).status).toBe(503);
      const coupons = await send('/v1/me/coupons', 'GET', tokens.customer);
      expect([coupons.status, (await problem(coupons)).code]).toEqual([503, 'BACKEND_UNAVAILABLE']);
    });

    it.each<[string, string, string, unknown, string]>([
      [
        'a claim with both a code and a template',
        'POST',
        '/v1/me/coupons',
        { code: 'ABCDE-FGH2K', templateId: ID },
        'templateId',
      ],
      ['a claim with neither', 'POST', '/v1/me/coupons', {}, 'code'],
      [
        'a claim naming an account',
        'POST',
        '/v1/me/coupons',
        { code: 'ABCDE-FGH2K', accountId: ID },
        'accountId',
      ],
      [
        'an attempt for 11 units',
        'POST',
        `/v1/flash-sales/${ID}/attempts`,
        { quantity: 11 },
        'quantity',
      ],
      [
        'an attempt for 1.5 units',
        'POST',
        `/v1/flash-sales/${ID}/attempts`,
        { quantity: 1.5 },
        'quantity',
      ],
      [
        'a promotion with a negative nested amount',
        'PUT',
        `/v1/admin/promotions/${ID}`,
        {
          name: 'x',
          scopeKind: 'CART',
          active: true,
          action: { kind: 'AMOUNT_OFF', amount: { amountMinor: -1, currency: 'CNY' } },
        },
        'action.amount.amountMinor',
      ],
      [
        'a promotion whose action is not an object',
        'PUT',
        `/v1/admin/promotions/${ID}`,
        { name: 'x', scopeKind: 'CART', active: true, action: 'AMOUNT_OFF' },
        'action',
      ],
      [
        'a campaign starting "tomorrow"',
        'PUT',
        `/v1/admin/campaigns/${ID}`,
        { name: 'x', startsAt: 'tomorrow', endsAt: '2026-11-12T00:00:00Z', active: true },
        'startsAt',
      ],
      [
        'a flash sale with a string price',
        'POST',
        '/v1/admin/flash-sales',
        {
          ...groupDeal,
          price: '99',
          stock: 10,
          perUserLimit: 1,
          groupSize: undefined,
          windowSeconds: undefined,
        },
        'price',
      ],
    ])('refuses %s (400) before calling marketing', async (_label, method, path, body, field) => {
      const res = await send(path, method, tokens.operator, body);
      expect(res.status).toBe(400);
      expect(await problem(res)).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    });

    it('takes flash and group fields at checkout, checked for shape', async () => {
      const res = await req('/v1/checkout', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${tokens.customer}`,
          'idempotency-key': `k-${Date.now()}-group`,
        },
        body: JSON.stringify({ addressId: ID, groupDealId: ID, groupId: 'not-a-uuid' }),
      });
      expect(res.status).toBe(400);
      expect((await problem(res)).errors).toEqual([expect.objectContaining({ field: 'groupId' })]);
    });
  });
  describe('risk routes', () => {
    const send = (path: string, method: string, token?: string, body?: unknown) =>
      req(path, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    const RULE_ID = '00000000-0000-4000-8000-000000000008';
    const routes: [string, string, unknown?][] = [
      ['/v1/admin/risk/rules', 'GET'],
      [
        `/v1/admin/risk/rules/${RULE_ID}`,
        'PUT',
        {
          name: 'brushing',
          kind: 'BRUSHING',
          appliesTo: 'ORDER',
          action: 'REVIEW',
          score: 60,
          active: true,
          amount: { amountMinor: 1000, currency: 'CNY' },
          windowSeconds: 3600,
          threshold: 5,
        },
      ],
      ['/v1/admin/risk/lists/IP/entries', 'POST', { entries: [{ value: '203.0.113.7' }] }],
      ['/v1/admin/risk/lists/ip/entries', 'DELETE', { values: ['203.0.113.7'] }],
      ['/v1/admin/risk/lists/ADDRESS/export', 'GET'],
      ['/v1/admin/risk/decisions?orderId=0190a000-0000-7000-8000-0000000000a1&limit=5', 'GET'],
    ];

    it('keeps them for operators; with risk down they answer 503 while the gateway stays up', async () => {
      for (const [path, method, body] of routes) {
        const denied = await send(path, method, tokens.customer, body);
        expect([path, denied.status, (await problem(denied)).code]).toEqual([
          path,
          403,
          'ROLE_REQUIRED',
        ]);
        // risk is down here: 503 proves the request passed the guard and validation
        const passed = await send(path, method, tokens.operator, body);
        expect([path, passed.status, (await problem(passed)).code]).toEqual([
          path,
          503,
          'BACKEND_UNAVAILABLE',
        ]);
      }
    });

    it.each<[string, string, string, unknown, string]>([
      [
        'an unknown list',
        'POST',
        '/v1/admin/risk/lists/EMAIL/entries',
        { entries: [{ value: 'x' }] },
        'LIST_KIND_INVALID',
      ],
      [
        'an unknown list to export',
        'GET',
        '/v1/admin/risk/lists/emails/export',
        undefined,
        'LIST_KIND_INVALID',
      ],
      [
        'an empty batch',
        'POST',
        '/v1/admin/risk/lists/IP/entries',
        { entries: [] },
        'VALIDATION_FAILED',
      ],
      [
        'a batch of bare strings',
        'POST',
        '/v1/admin/risk/lists/IP/entries',
        { entries: ['203.0.113.7'] },
        'VALIDATION_FAILED',
      ],
      [
        'an export of another list',
        'POST',
        '/v1/admin/risk/lists/IP/entries',
        { kind: 'DEVICE', entries: [{ value: 'd' }] },
        'LIST_KIND_MISMATCH',
      ],
      [
        'a removal without values',
        'DELETE',
        '/v1/admin/risk/lists/IP/entries',
        {},
        'VALIDATION_FAILED',
      ],
      [
        'a rule with an unknown kind',
        'PUT',
        `/v1/admin/risk/rules/${RULE_ID}`,
        { name: 'x', kind: 'GEO', appliesTo: 'ORDER', action: 'REVIEW', score: 1, active: true },
        'VALIDATION_FAILED',
      ],
      [
        'a rule id that is not a UUID',
        'PUT',
        '/v1/admin/risk/rules/brushing',
        { name: 'x', kind: 'AMOUNT', appliesTo: 'ORDER', action: 'REVIEW', score: 1, active: true },
        'ID_INVALID',
      ],
      [
        'a decision filter that is not a UUID',
        'GET',
        '/v1/admin/risk/decisions?subjectId=42',
        undefined,
        'VALIDATION_FAILED',
      ],
      [
        'conflicting decision filters',
        'GET',
        '/v1/admin/risk/decisions?subjectId=0190a000-0000-7000-8000-0000000000a1&orderId=0190a000-0000-7000-8000-0000000000a2',
        undefined,
        'FILTER_CONFLICT',
      ],
    ])('refuses %s (400) before calling risk', async (_label, method, path, body, code) => {
      const res = await send(path, method, tokens.operator, body);
      expect([res.status, (await problem(res)).code]).toEqual([400, code]);
    });
  });
});
