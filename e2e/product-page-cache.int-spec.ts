import {
  apiClient,
  freePort,
  startPlatform,
  startServiceProcess,
  type Api,
  type Platform,
  type ServiceProcess,
} from '@emporia/testing';

jest.setTimeout(180_000);

/** The event path's bound in this test: catalog's outbox relay (100 ms here) and Kafka. */
const EVENT_BOUND_MS = 5_000;
/** The TTL of the gateway without a consumer (the hard bound when events do not arrive). */
const TTL_MS = 3_000;

/**
 * The gateway's product page cache (apps/gateway/README.md, "Product page cache"): a shopper sees
 * a product change through the gateway within the bound, by catalog's event while the gateway's
 * consumer runs, within PRODUCT_PAGE_CACHE_TTL_MS when it does not; an unlisted (404) product
 * published becomes visible the same way; operators are never served from the cache.
 */
describe('product page cache: staleness bound', () => {
  let platform: Platform;
  let operator: Record<string, string>;
  let shopper: Record<string, string>;
  let categoryId: string;
  let noEvents: ServiceProcess;
  let noEventsApi: Api;

  beforeAll(async () => {
    // a TTL far beyond the event bound: only the event can explain a change seen in time
    platform = await startPlatform({
      catalog: true,
      user: true,
      gatewayEnv: { PRODUCT_PAGE_CACHE_TTL_MS: '600000' },
    });
    operator = (
      await platform.signIn(`ops.${platform.suffix}@example.cn`, 'operator password 1', 'operator')
    ).auth;
    shopper = (await platform.signIn(`shop.${platform.suffix}@example.cn`, 'shopper password 1'))
      .auth;
    const cat = await platform.api(
      'POST',
      '/v1/categories',
      { name: 'Cache', slug: `cache-${platform.suffix}` },
      operator,
    );
    categoryId = cat.body.id;
    // a second gateway replica without Kafka: its pages live until their TTL
    const { env } = platform.processes.gateway;
    const [http, ops] = [await freePort(), await freePort()];
    noEvents = await startServiceProcess(
      'gateway',
      {
        ...env,
        GATEWAY_HTTP_PORT: String(http),
        GATEWAY_OPS_PORT: String(ops),
        KAFKA_BROKERS: '',
        PRODUCT_PAGE_CACHE_TTL_MS: String(TTL_MS),
      },
      `http://127.0.0.1:${ops}/healthz`,
    );
    noEventsApi = apiClient(`http://127.0.0.1:${http}`);
  });

  afterAll(async () => {
    await noEvents?.stop();
    await platform?.stop();
  });

  const createProduct = async (title: string, status?: 'draft') => {
    const r = await platform.api(
      'POST',
      '/v1/products',
      {
        title,
        categoryId,
        ...(status ? { status } : {}),
        skus: [
          {
            code: `C-${platform.suffix}-${title.replace(/\W/g, '')}`,
            price: { amountMinor: 500, currency: 'CNY' },
          },
        ],
      },
      operator,
    );
    expect(r.status).toBe(201);
    return r.body.id as string;
  };

  /** Reads `path` until `done` holds; the milliseconds it took (throws after `withinMs`). */
  const seenWithin = async (
    api: Api,
    path: string,
    done: (r: Awaited<ReturnType<Api>>) => boolean,
    withinMs: number,
    headers: Record<string, string> = {},
  ) => {
    const started = Date.now();
    for (;;) {
      const r = await api('GET', path, undefined, headers);
      if (done(r)) return Date.now() - started;
      if (Date.now() - started > withinMs)
        throw new Error(`not seen within ${withinMs} ms: ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };

  it('a change through the gateway reaches shoppers by its event, long before the TTL', async () => {
    const id = await createProduct('Original title');
    const path = `/v1/products/${id}`;
    await seenWithin(platform.api, path, (r) => r.body?.title === 'Original title', 10_000);
    // cached now; signed-in shoppers share the anonymous page
    const patch = await platform.api('PATCH', path, { title: 'Changed title' }, operator);
    expect(patch.status).toBe(200);
    // operators are never served from the shoppers' cache: they see it at once
    const admin = await platform.api('GET', path, undefined, operator);
    expect(admin.body.title).toBe('Changed title');
    await seenWithin(
      platform.api,
      path,
      (r) => r.body?.title === 'Changed title',
      EVENT_BOUND_MS,
      shopper,
    );
    await seenWithin(platform.api, path, (r) => r.body?.title === 'Changed title', 1_000);
  });

  it('a cached 404 of an unlisted product ends with its publication', async () => {
    const id = await createProduct('Hidden until published', 'draft');
    const path = `/v1/products/${id}`;
    const hidden = await platform.api('GET', path);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('PRODUCT_NOT_FOUND');
    expect((await platform.api('PATCH', path, { status: 'active' }, operator)).status).toBe(200);
    await seenWithin(platform.api, path, (r) => r.status === 200, EVENT_BOUND_MS);
  });

  it('without events, a page is served stale for at most the TTL', async () => {
    const id = await createProduct('Before the TTL');
    const path = `/v1/products/${id}`;
    await seenWithin(noEventsApi, path, (r) => r.body?.title === 'Before the TTL', 10_000);
    expect((await platform.api('PATCH', path, { title: 'After the TTL' }, operator)).status).toBe(
      200,
    );
    // the replica without a consumer keeps its page (the cache is real) …
    expect((await noEventsApi('GET', path)).body.title).toBe('Before the TTL');
    // … and drops it within its TTL (plus the polling's slack)
    await seenWithin(noEventsApi, path, (r) => r.body?.title === 'After the TTL', TTL_MS + 500);
  });
});
