import { Client } from 'pg';
import { eventually, startPlatform, uniqueSuffix, type Api, type Platform } from '@emporia/testing';

jest.setTimeout(180_000);

/**
 * The platform as a user runs it: catalog, search, user and gateway as separate processes, over
 * real Postgres, Redis, Kafka and Elasticsearch, driven only through the gateway's HTTP API.
 */
describe('platform end to end: gateway → catalog → Kafka → search → Elasticsearch', () => {
  let platform: Platform;
  let suffix: string;
  let pg: Client;
  let api: Api;

  const counts = async () => {
    const r = await pg.query(
      `SELECT (SELECT count(*) FROM products)::int AS products, (SELECT count(*) FROM skus)::int AS skus, (SELECT count(*) FROM outbox)::int AS outbox`,
    );
    return r.rows[0] as { products: number; skus: number; outbox: number };
  };

  beforeAll(async () => {
    platform = await startPlatform({ catalog: true, search: true, user: true, order: true });
    suffix = platform.suffix;
    // catalog changes are an operator's job
    const operator = await platform.signIn(
      `ops.${suffix}@example.cn`,
      'operator password 1',
      'customer,operator',
    );
    api = (method, path, body, headers = {}) =>
      platform.api(method, path, body, { ...operator.auth, ...headers });
    pg = new Client({ connectionString: platform.databases.catalog });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await platform?.stop();
  });

  it('a product created through the gateway is found by search within a bounded wait', async () => {
    const cat = await api('POST', '/v1/categories', {
      name: 'Phone cases',
      slug: `phone-cases-${suffix}`,
    });
    expect(cat.status).toBe(201);
    const word = `zephyr${suffix}`;
    const created = await api('POST', '/v1/products', {
      title: `Aramid ${word} phone case`,
      brand: 'Emporia',
      categoryId: cat.body.id,
      skus: [
        {
          code: `CASE-${suffix}-BLK`,
          attributes: { color: 'black' },
          price: { amountMinor: 12900, currency: 'CNY' },
        },
        {
          code: `CASE-${suffix}-RED`,
          attributes: { color: 'red' },
          price: { amountMinor: 9900, currency: 'CNY' },
        },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/products/${created.body.id}`);
    const started = Date.now();
    const hit = await eventually(
      async () => {
        const r = await api('GET', `/v1/search/products?q=${word}`);
        return r.status === 200
          ? r.body.items.find(
              (i: { productId?: string; id?: string }) => (i.productId ?? i.id) === created.body.id,
            )
          : undefined;
      },
      { timeoutMs: 30000, intervalMs: 200, what: 'the new product to be searchable' },
    );
    expect(hit.minPrice).toEqual({ amountMinor: 9900, currency: 'CNY' });
    expect(hit.maxPrice).toEqual({ amountMinor: 12900, currency: 'CNY' });
    // price filter and category filter through the gateway
    const cheap = await api(
      'GET',
      `/v1/search/products?q=${word}&minPrice=10000&maxPrice=20000&currency=CNY&categoryId=${cat.body.id}`,
    );
    expect(
      cheap.body.items.map((i: { productId?: string; id?: string }) => i.productId ?? i.id),
    ).toEqual([created.body.id]);
    const tooCheap = await api('GET', `/v1/search/products?q=${word}&maxPrice=5000&currency=CNY`);
    expect(tooCheap.body.items).toEqual([]);
    // stock changes flow through as a new snapshot
    const sku = created.body.skus[0].id;
    expect(
      (
        await api('POST', `/v1/skus/${sku}/stock-adjustments`, {
          warehouseCode: 'SH-1',
          delta: 5,
          reason: 'receive',
        })
      ).status,
    ).toBe(200);
    await eventually(
      async () => {
        const r = await api('GET', `/v1/search/products?q=${word}`);
        return r.body.items[0]?.inStock === true ? true : undefined;
      },
      { timeoutMs: 30000, what: 'the stock change to reach search' },
    );
    process.stdout.write(`e2e: create → searchable in ${Date.now() - started} ms\n`);
  });

  it.each<[string, number, unknown]>([
    ['missing fields', 400, { title: 'No category, no SKUs' }],
    [
      'negative price',
      400,
      {
        title: 'Neg',
        categoryId: '00000000-0000-4000-8000-000000000000',
        skus: [{ code: 'NEG-1', price: { amountMinor: -100, currency: 'CNY' } }],
      },
    ],
    [
      'fractional price',
      400,
      {
        title: 'Float',
        categoryId: '00000000-0000-4000-8000-000000000000',
        skus: [{ code: 'FLT-1', price: { amountMinor: 12.5, currency: 'CNY' } }],
      },
    ],
    [
      'unknown category',
      422,
      {
        title: 'Orphan',
        categoryId: '00000000-0000-4000-8000-000000000000',
        skus: [{ code: `ORPH-${Date.now()}`, price: { amountMinor: 100, currency: 'CNY' } }],
      },
    ],
    ['malformed JSON', 400, '{"title": "broken", '],
    [
      'a currency that is not one (BTC)',
      400,
      {
        title: 'Crypto',
        categoryId: '00000000-0000-4000-8000-000000000000',
        skus: [{ code: 'BTC-1', price: { amountMinor: 100, currency: 'BTC' } }],
      },
    ],
    [
      'the "no currency" code XXX',
      400,
      {
        title: 'Nothing',
        categoryId: '00000000-0000-4000-8000-000000000000',
        skus: [{ code: 'XXX-1', price: { amountMinor: 100, currency: 'XXX' } }],
      },
    ],
    [
      'a NUL in a SKU attribute',
      400,
      {
        title: 'Nul',
        categoryId: '00000000-0000-4000-8000-000000000000',
        skus: [
          {
            code: 'NUL-1',
            attributes: { color: 'bl\u0000ack' },
            price: { amountMinor: 100, currency: 'CNY' },
          },
        ],
      },
    ],
  ])('bad input (%s) gets %i problem+json and writes nothing', async (_label, expected, body) => {
    const before = await counts();
    const res = await api('POST', '/v1/products', body);
    expect(res.status).toBe(expected);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: expected,
      title: expect.any(String),
      type: expect.any(String),
    });
    expect(await counts()).toEqual(before);
  });

  it('catalog changes are refused to customers and to anonymous callers, writing nothing', async () => {
    const customer = await platform.signIn(`cust.${suffix}@example.cn`, 'customer password 1');
    const before = await counts();
    const body = { name: 'Sneaky', slug: `sneaky-${suffix}` };
    const anonymous = await platform.api('POST', '/v1/categories', body);
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'AUTHENTICATION_REQUIRED']);
    const denied = await platform.api('POST', '/v1/categories', body, customer.auth);
    expect([denied.status, denied.body.code]).toEqual([403, 'ROLE_REQUIRED']);
    expect(await counts()).toEqual(before);
    // reading stays public
    expect((await platform.api('GET', '/v1/categories')).status).toBe(200);
  });

  it('shoppers see listed products only; operators also see drafts', async () => {
    const customer = await platform.signIn(`shop.${suffix}@example.cn`, 'customer password 1');
    const cat = await api('POST', '/v1/categories', { name: 'Drafts', slug: `drafts-${suffix}` });
    const draft = await api('POST', '/v1/products', {
      title: 'Not yet on sale',
      categoryId: cat.body.id,
      status: 'draft',
      skus: [{ code: `DRAFT-${suffix}`, price: { amountMinor: 100, currency: 'CNY' } }],
    });
    const listed = await api('POST', '/v1/products', {
      title: 'On sale',
      categoryId: cat.body.id,
      skus: [{ code: `LISTED-${suffix}`, price: { amountMinor: 100, currency: 'CNY' } }],
    });
    expect([draft.status, listed.status]).toEqual([201, 201]);
    const ids = (r: { body: { items: { id: string }[] } }) => r.body.items.map((p) => p.id);
    const path = `/v1/products?categoryId=${cat.body.id}`;
    for (const headers of [undefined, customer.auth]) {
      expect(ids(await platform.api('GET', path, undefined, headers))).toEqual([listed.body.id]);
      const hidden = await platform.api('GET', `/v1/products/${draft.body.id}`, undefined, headers);
      expect([hidden.status, hidden.body.code]).toEqual([404, 'PRODUCT_NOT_FOUND']);
    }
    expect(ids(await api('GET', path)).sort()).toEqual([draft.body.id, listed.body.id].sort());
    expect((await api('GET', `/v1/products/${draft.body.id}`)).body.status).toBe('draft');
  });

  it('an unknown category is reported with its stable code', async () => {
    const res = await api('POST', '/v1/products', {
      title: 'Orphan',
      categoryId: '00000000-0000-4000-8000-000000000000',
      skus: [{ code: `ORPH-${uniqueSuffix()}`, price: { amountMinor: 100, currency: 'CNY' } }],
    });
    expect(res.body.code).toBe('CATEGORY_NOT_FOUND');
  });

  it('refuses a NUL at sign-up and sign-in with a 400 naming the field (was 502), writing nothing', async () => {
    const user = new Client({ connectionString: platform.databases.user });
    await user.connect();
    try {
      const accounts = async () =>
        (await user.query('SELECT count(*)::int AS n FROM accounts')).rows[0].n as number;
      const before = await accounts();
      const register = await platform.api('POST', '/v1/auth/register', {
        email: `nul\u0000${suffix}@example.cn`,
        password: 'a long password 1',
      });
      expect([register.status, register.body.code, register.body.errors]).toEqual([
        400,
        'VALIDATION_FAILED',
        [expect.objectContaining({ field: 'email' })],
      ]);
      const login = await platform.api('POST', '/v1/auth/login', {
        identifier: `nul\u0000${suffix}@example.cn`,
        password: 'a long password 1',
      });
      expect([login.status, login.body.errors?.[0]?.field]).toEqual([400, 'identifier']);
      expect(await accounts()).toBe(before);
    } finally {
      await user.end();
    }
  });

  it('answers tokens with Cache-Control: no-store, and security headers', async () => {
    const email = `nostore.${suffix}@example.cn`;
    expect(
      (await platform.api('POST', '/v1/auth/register', { email, password: 'a long password 1' }))
        .status,
    ).toBe(201);
    const login = await platform.api('POST', '/v1/auth/login', {
      identifier: email,
      password: 'a long password 1',
    });
    expect(login.status).toBe(200);
    expect(login.body.tokens.accessToken).toEqual(expect.any(String));
    expect([login.headers.get('cache-control'), login.headers.get('pragma')]).toEqual([
      'no-store',
      'no-cache',
    ]);
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
    const refresh = await platform.api('POST', '/v1/auth/refresh', {
      refreshToken: login.body.tokens.refreshToken,
    });
    expect([refresh.status, refresh.headers.get('cache-control')]).toEqual([200, 'no-store']);
  });

  it("serves the gateway's metrics and readiness on its ops port, not on the API", async () => {
    const metrics = await fetch(`${platform.gatewayOpsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/emporia_http_request_duration_seconds_count\{/);
    expect((await fetch(`${platform.gatewayOpsUrl}/healthz`)).status).toBe(200);
    // marketing is not started here: the gateway is alive but says which backend it misses
    const ready = await fetch(`${platform.gatewayOpsUrl}/readyz`);
    expect(await ready.json()).toMatchObject({ checks: { catalog: 'ok', user: 'ok' } });
    for (const path of ['/metrics', '/readyz', '/healthz']) {
      const res = await platform.api('GET', path);
      expect([path, res.status, res.type]).toEqual([
        path,
        404,
        expect.stringMatching(/^application\/problem\+json/),
      ]);
    }
  });

  it('every service shuts down gracefully on SIGTERM', async () => {
    const codes: (number | null)[] = [];
    for (const s of platform.services.splice(0).reverse()) codes.push(await s.stop(15000));
    expect(codes).toEqual([0, 0, 0, 0, 0]);
  });
});
