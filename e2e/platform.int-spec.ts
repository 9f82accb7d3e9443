import { Client } from 'pg';
import {
  createTestDatabase,
  eventually,
  freePort,
  runServiceCommand,
  startServiceProcess,
  testEnv,
  uniqueSuffix,
  type ServiceProcess,
} from '@emporia/testing';

jest.setTimeout(180_000);

/**
 * The platform as a user runs it: catalog, search and gateway as separate processes, over real
 * Postgres, Kafka and Elasticsearch, driven only through the gateway's HTTP API.
 */
describe('platform end to end: gateway → catalog → Kafka → search → Elasticsearch', () => {
  const suffix = uniqueSuffix();
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;
  let gatewayUrl: string;
  const services: ServiceProcess[] = [];

  const api = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      headers: res.headers,
      body: text ? JSON.parse(text) : undefined,
    };
  };

  const counts = async () => {
    const r = await pg.query(
      `SELECT (SELECT count(*) FROM products)::int AS products, (SELECT count(*) FROM skus)::int AS skus, (SELECT count(*) FROM outbox)::int AS outbox`,
    );
    return r.rows[0] as { products: number; skus: number; outbox: number };
  };

  beforeAll(async () => {
    db = await createTestDatabase('e2e_catalog');
    const [catalogGrpc, catalogHttp, searchGrpc, searchHttp, gatewayHttp] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const common = {
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `e2e${suffix}.`,
      BIND_HOST: '127.0.0.1',
    };
    await runServiceCommand('catalog', { ...common, CATALOG_DATABASE_URL: db.url }, ['migrate']);
    const [catalog, search] = await Promise.all([
      startServiceProcess(
        'catalog',
        {
          ...common,
          CATALOG_DATABASE_URL: db.url,
          CATALOG_GRPC_PORT: String(catalogGrpc),
          CATALOG_HTTP_PORT: String(catalogHttp),
          OUTBOX_POLL_MS: '100',
        },
        `http://127.0.0.1:${catalogHttp}/readyz`,
      ),
      startServiceProcess(
        'search',
        {
          ...common,
          ELASTICSEARCH_URL: testEnv.elasticsearchUrl(),
          SEARCH_INDEX_PREFIX: `e2e${suffix}-`,
          SEARCH_CONSUMER_GROUP: `search-e2e${suffix}`,
          SEARCH_GRPC_PORT: String(searchGrpc),
          SEARCH_HTTP_PORT: String(searchHttp),
        },
        `http://127.0.0.1:${searchHttp}/readyz`,
      ),
    ]);
    services.push(catalog, search);
    const gateway = await startServiceProcess(
      'gateway',
      {
        BIND_HOST: '127.0.0.1',
        GATEWAY_HTTP_PORT: String(gatewayHttp),
        CATALOG_GRPC_URL: `127.0.0.1:${catalogGrpc}`,
        SEARCH_GRPC_URL: `127.0.0.1:${searchGrpc}`,
      },
      `http://127.0.0.1:${gatewayHttp}/readyz`,
    );
    services.push(gateway);
    gatewayUrl = `http://127.0.0.1:${gatewayHttp}`;
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    for (const s of services.reverse()) await s.stop();
    await fetch(`${testEnv.elasticsearchUrl()}/e2e${suffix}-*`, { method: 'DELETE' }).catch(
      () => undefined,
    );
    await db?.drop();
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

  it('an unknown category is reported with its stable code', async () => {
    const res = await api('POST', '/v1/products', {
      title: 'Orphan',
      categoryId: '00000000-0000-4000-8000-000000000000',
      skus: [{ code: `ORPH-${uniqueSuffix()}`, price: { amountMinor: 100, currency: 'CNY' } }],
    });
    expect(res.body.code).toBe('CATEGORY_NOT_FOUND');
  });

  it('every service shuts down gracefully on SIGTERM', async () => {
    const codes: (number | null)[] = [];
    for (const s of services.splice(0).reverse()) codes.push(await s.stop(15000));
    expect(codes).toEqual([0, 0, 0]);
  });
});
