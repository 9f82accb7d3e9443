import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Client } from '@grpc/grpc-js';
import { createLogger } from '@emporia/platform';
import { openApiDocument } from './gateway.app';
import { GatewayModule, type GatewayBackends } from './gateway.module';

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, unknown>;
  security?: Record<string, string[]>[];
};

/**
 * The OpenAPI document built from the controllers, without backends: the rules the server
 * enforces on every route must be in it (the fuzzing run in e2e/api-fuzz.int-spec.ts relies on it).
 */
describe('the OpenAPI contract', () => {
  let doc: OpenAPIObject;
  const operations: [string, string, Operation][] = [];

  beforeAll(async () => {
    // every method of a backend fails (none is called); not a thenable nor a lifecycle hook,
    // which Nest would await or call
    const unused = new Proxy(
      {},
      {
        get: (_t, key) =>
          typeof key !== 'string' || key === 'then' || /^(on|before)[A-Z]/.test(key)
            ? undefined
            : () => Promise.reject(new Error('no backend')),
      },
    );
    const client = { close: () => undefined } as unknown as Client;
    const backend = { api: unused, client };
    const backends = {
      catalog: backend,
      search: backend,
      user: backend,
      order: backend,
      marketing: backend,
      risk: backend,
      analytics: backend,
      support: backend,
      review: backend,
      verifier: { verify: () => Promise.reject(new Error('no verifier')) },
      revocations: { list: unused, timeoutMs: 100 },
      idempotency: unused,
      rateLimits: {
        store: unused,
        policies: {
          sale: { perIp: { limit: 1, windowMs: 1000 }, onStoreFailure: 'allow' },
          register: { perIp: { limit: 1, windowMs: 1000 }, onStoreFailure: 'refuse' },
          events: { perIp: { limit: 1, windowMs: 1000 }, onStoreFailure: 'allow' },
          support: { perAccount: { limit: 1, windowMs: 1000 }, onStoreFailure: 'allow' },
          reviews: { perAccount: { limit: 1, windowMs: 1000 }, onStoreFailure: 'allow' },
        },
      },
    } as unknown as GatewayBackends;
    const logger = createLogger('gateway', 'silent');
    const app = await NestFactory.create<NestFastifyApplication>(
      GatewayModule.forRoot(backends, logger),
      new FastifyAdapter(),
      { logger: false },
    );
    doc = openApiDocument(app, { currencies: ['CNY', 'HKD'] });
    await app.close();
    for (const [path, item] of Object.entries(doc.paths))
      for (const [verb, op] of Object.entries(item)) operations.push([verb, path, op as Operation]);
  });

  const schemas = () => doc.components!.schemas as Record<string, Record<string, unknown>>;

  it('answers 400, 503 and 504 on every route, 413 and 415 where there is a body', () => {
    for (const [verb, path, op] of operations) {
      const statuses = Object.keys(op.responses);
      expect({ route: `${verb} ${path}`, has: statuses }).toEqual({
        route: `${verb} ${path}`,
        has: expect.arrayContaining([
          '400',
          '503',
          '504',
          ...(op.requestBody ? ['413', '415'] : []),
        ]),
      });
    }
  });

  it('gives every path parameter a schema of what it accepts', () => {
    for (const [verb, path, op] of operations)
      for (const p of (op.parameters ?? []).filter((p) => p.in === 'path'))
        expect({ route: `${verb} ${path}`, [p.name]: p.schema }).toEqual({
          route: `${verb} ${path}`,
          [p.name]: expect.objectContaining({ type: 'string' }),
        });
    const byId = (id: string) => operations.find(([, , op]) => op.operationId === id)![2];
    expect(byId('ProductsHttpController_get').parameters).toContainEqual(
      expect.objectContaining({ name: 'id', schema: { type: 'string', format: 'uuid' } }),
    );
  });

  it('marks public routes public, optional sign-in optional, and sign-in routes with 401', () => {
    const op = (verb: string, path: string) => doc.paths[path][verb as 'get'] as Operation;
    expect(op('get', '/v1/products').security).toEqual([{ bearer: [] }, {}]);
    expect(op('get', '/v1/categories').security).toBeUndefined();
    expect(op('post', '/v1/checkout').security).toEqual([{ bearer: [] }]);
    expect(Object.keys(op('post', '/v1/checkout').responses)).toContain('401');
    expect(Object.keys(op('post', '/v1/categories').responses)).toEqual(
      expect.arrayContaining(['401', '403']),
    );
    expect(Object.keys(op('get', '/v1/categories').responses)).not.toContain('401');
  });

  it('refuses unknown properties in every body schema, and requires the body', () => {
    for (const [verb, path, op] of operations) {
      if (!op.requestBody) continue;
      expect({ route: `${verb} ${path}`, required: op.requestBody.required }).toEqual({
        route: `${verb} ${path}`,
        required: true,
      });
      const ref = op.requestBody.content['application/json']?.schema.$ref;
      if (!ref) continue;
      const name = ref.replace('#/components/schemas/', '');
      expect({ name, additionalProperties: schemas()[name].additionalProperties }).toEqual({
        name,
        additionalProperties: false,
      });
    }
  });

  it('states what the validators check: integers, lengths, patterns, "exactly one of"', () => {
    const products = doc.paths['/v1/products'].get as Operation;
    expect(products.parameters!.find((p) => p.name === 'limit')!.schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 100,
    });
    expect(schemas().CreateCategoryDto.properties).toMatchObject({
      name: { type: 'string', minLength: 1, maxLength: 100 },
    });
    expect(schemas().ClaimCouponDto).toMatchObject({
      oneOf: [{ required: ['code'] }, { required: ['templateId'] }],
    });
  });

  it('takes only the configured currencies, in bodies and queries', () => {
    expect((schemas().MoneyDto.properties as Record<string, unknown>).currency).toMatchObject({
      enum: ['CNY', 'HKD'],
    });
    const search = doc.paths['/v1/search/products'].get as Operation;
    expect(search.parameters!.find((p) => p.name === 'currency')!.schema).toMatchObject({
      enum: ['CNY', 'HKD'],
    });
  });

  it('refuses control characters in text, and line breaks outside free text', () => {
    const category = schemas().CreateCategoryDto.properties as Record<string, { not?: object }>;
    expect(category.name.not).toEqual({ pattern: expect.stringContaining('\\u0000-\\u001F') });
    const product = schemas().CreateProductDto.properties as Record<string, { not?: object }>;
    // a description may have line breaks, no other control character
    expect(product.description.not).toEqual({
      pattern: expect.stringContaining('\\u000B\\u000C\\u000E-\\u001F'),
    });
    const search = doc.paths['/v1/search/products'].get as Operation;
    expect(search.parameters!.find((p) => p.name === 'q')!.schema).toHaveProperty('not');
  });

  it('says "or null" the OpenAPI 3.1 way', () => {
    expect(JSON.stringify(doc)).not.toContain('"nullable"');
    expect((schemas().MoveCategoryDto.properties as Record<string, unknown>).newParentId).toEqual(
      expect.objectContaining({ type: ['string', 'null'] }),
    );
  });
});

describe('the OpenAPI contract of the analytics routes', () => {
  let doc: OpenAPIObject;

  beforeAll(async () => {
    const unused = new Proxy(
      {},
      {
        get: (_t, key) =>
          typeof key !== 'string' || key === 'then' || /^(on|before)[A-Z]/.test(key)
            ? undefined
            : () => Promise.reject(new Error('no backend')),
      },
    );
    const backend = { api: unused, client: { close: () => undefined } as unknown as Client };
    const policy = { perIp: { limit: 1, windowMs: 1000 }, onStoreFailure: 'allow' };
    const backends = {
      ...Object.fromEntries(
        [
          'catalog',
          'search',
          'user',
          'order',
          'marketing',
          'risk',
          'analytics',
          'support',
          'review',
        ].map((n) => [n, backend]),
      ),
      verifier: { verify: () => Promise.reject(new Error('no verifier')) },
      revocations: { list: unused, timeoutMs: 100 },
      idempotency: unused,
      rateLimits: {
        store: unused,
        policies: {
          sale: policy,
          register: policy,
          events: policy,
          support: policy,
          reviews: policy,
        },
      },
    } as unknown as GatewayBackends;
    const app = await NestFactory.create<NestFastifyApplication>(
      GatewayModule.forRoot(backends, createLogger('gateway', 'silent')),
      new FastifyAdapter(),
      { logger: false },
    );
    doc = openApiDocument(app, { currencies: ['CNY'] });
    await app.close();
  });

  const op = (verb: 'get' | 'post' | 'put', path: string) => doc.paths[path][verb] as Operation;

  it('documents POST /v1/events: optional sign-in, 202, the INVALID_EVENTS problem, 413 and 429', () => {
    const events = op('post', '/v1/events');
    expect(events.security).toEqual([{ bearer: [] }, {}]);
    expect(Object.keys(events.responses)).toEqual(
      expect.arrayContaining(['202', '400', '413', '429', '503']),
    );
    expect(JSON.stringify(events.responses['400'])).toContain('InvalidEventsProblemView');
    const schemas = doc.components!.schemas as Record<string, { properties?: object }>;
    expect(Object.keys(schemas.InvalidEventsProblemView.properties!)).toEqual(
      expect.arrayContaining(['code', 'accepted', 'errors']),
    );
    expect(schemas.IngestEventsDto.properties).toMatchObject({
      events: { type: 'array', minItems: 1, maxItems: 100 },
    });
  });

  it('states the query rules of the operator routes: days, months, enums', () => {
    const kpis = op('get', '/v1/admin/analytics/kpis');
    expect(kpis.security).toEqual([{ bearer: [] }]);
    expect(kpis.parameters!.find((p) => p.name === 'from')).toMatchObject({
      required: true,
      schema: { type: 'string', format: 'date' },
    });
    const retention = op('get', '/v1/admin/analytics/retention');
    expect(retention.parameters!.find((p) => p.name === 'fromMonth')!.schema).toMatchObject({
      pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
    });
    const funnel = op('get', '/v1/admin/analytics/funnel');
    expect(funnel.parameters!.find((p) => p.name === 'device')!.schema).toMatchObject({
      enum: ['mobile', 'desktop', 'tablet', 'app'],
    });
    const audiences = op('post', '/v1/admin/analytics/audiences');
    expect(audiences.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
    );
    expect(op('put', '/v1/admin/skus/{skuId}/price').parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', required: true }),
    );
    expect(op('get', '/v1/products/{productId}/recommendations').security).toBeUndefined();
    expect(
      op('put', '/v1/admin/analytics/experiments/{key}').parameters!.find((p) => p.name === 'key')!
        .schema,
    ).toMatchObject({ type: 'string', pattern: '^[a-z0-9_-]{1,64}$' });
  });
});
