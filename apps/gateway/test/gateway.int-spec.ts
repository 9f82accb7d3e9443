import type { RunningService } from '@emporia/platform';
import { freePort, testLogger } from '@emporia/testing';
import { gatewayConfigSchema } from '../src/config';
import { startGateway } from '../src/gateway.app';

jest.setTimeout(60_000);

/**
 * The gateway's own HTTP behaviour, with its backends down (nothing listens on their ports):
 * what it must answer without them, and how it reports them missing.
 */
describe('gateway HTTP surface (backends unreachable)', () => {
  let gateway: RunningService;

  beforeAll(async () => {
    const config = gatewayConfigSchema.parse({
      GATEWAY_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      CATALOG_GRPC_URL: `127.0.0.1:${await freePort()}`,
      SEARCH_GRPC_URL: `127.0.0.1:${await freePort()}`,
      GRPC_DEADLINE_MS: '1500',
    });
    gateway = await startGateway(config, testLogger('gateway'));
  });

  afterAll(async () => gateway?.close());

  const req = (path: string, init: RequestInit = {}) => fetch(`${gateway.httpUrl}${path}`, init);
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
        '/v1/skus/{skuId}/stock',
        '/v1/skus/{skuId}/stock-adjustments',
      ].sort(),
    );
    expect((await req('/docs')).status).toBe(200);
  });

  it('is alive but not ready while its backends are down', async () => {
    expect((await req('/healthz')).status).toBe(200);
    const ready = await req('/readyz');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks).toEqual({
      catalog: expect.any(String),
      search: expect.any(String),
    });
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
    const res = await req(path, rest);
    expect(res.status).toBe(status);
    expect(await problem(res)).toMatchObject({
      status,
      code,
      type: expect.stringMatching(/^https:\/\/emporia\.dev\/problems\//),
      title: expect.any(String),
    });
  });

  it('lists field errors for invalid bodies', async () => {
    const res = await req('/v1/products', {
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
});
