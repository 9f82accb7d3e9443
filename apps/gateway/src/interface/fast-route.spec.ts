import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '@emporia/platform';
import type { Principal, RateLimitPolicies, WindowCount } from '../application/ports';
import { Authenticator } from './auth.guard';
import { FastRoutes, PASS } from './fast-route';
import { RateLimiter } from './rate-limit.guard';
import { toProblem } from './problem';

const logger = { warn: jest.fn(), error: jest.fn() } as unknown as Logger;
/** Tokens are the principal's JSON. */
const token = (p: Principal) => `Bearer ${JSON.stringify(p)}`;
const policies = {
  sale: { perAccount: { limit: 2, windowMs: 1000 }, onStoreFailure: 'allow' },
} as unknown as RateLimitPolicies;

/** A Fastify app with a "Nest" route (the fallback) sped up by a fast route. */
async function app(revoked = new Set<string>()) {
  const counts = new Map<string, number>();
  const redisTrips: string[] = [];
  const fastify: FastifyInstance = Fastify();
  const routes = new FastRoutes(fastify, {
    authenticator: new Authenticator(
      { verify: async (t) => JSON.parse(t) as Principal },
      {
        isRevoked: async (p) => (redisTrips.push('mget'), revoked.has(p.accountId)),
      },
      { timeoutMs: 100 },
      logger,
    ),
    rateLimiter: new RateLimiter(
      {
        hit: async (key: string): Promise<WindowCount> => {
          redisTrips.push('hit');
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return { count: counts.get(key)!, resetInMs: 500 };
        },
      },
      policies,
      logger,
    ),
  });
  routes.add<{ id: string }>({
    method: 'POST',
    url: '/things/:id',
    auth: { role: 'customer' },
    rateLimit: { policy: 'sale' },
    schema: {
      params: {
        type: 'object',
        properties: { id: { type: 'string', pattern: '^[a-z]+$' } },
        required: ['id'],
      },
    },
    status: 201,
    response: { type: 'object', properties: { id: { type: 'string' } } },
    handle: async ({ params, principal }) =>
      params.id === 'nest' ? PASS : { id: `${params.id}:${principal?.accountId}`, secret: 'x' },
  });
  fastify.setErrorHandler((err, _req, reply) => {
    const { problem, headers } = toProblem(err);
    void reply
      .status(problem.status)
      .headers(headers ?? {})
      .send(problem);
  });
  // the Nest route: answers whatever the fast route leaves to it
  fastify.post('/things/:id', async (req) => ({
    nest: true,
    authenticatedFor: req.authenticatedFor ?? null,
    rateLimitedFor: req.rateLimitedFor ?? null,
  }));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = fastify.server.address() as { port: number };
  /** A request over HTTP (Fastify's inject needs an ES module jest cannot load). */
  const post = async (url: string, authorization?: string) => {
    const r = await fetch(`http://127.0.0.1:${address.port}${url}`, {
      method: 'POST',
      headers: authorization ? { authorization } : {},
    });
    return {
      status: r.status,
      headers: r.headers,
      body: (await r.json()) as Record<string, unknown>,
    };
  };
  opened.push(fastify);
  return { post, routes, redisTrips };
}

const opened: FastifyInstance[] = [];
afterEach(async () => {
  for (const f of opened.splice(0)) await f.close();
});

describe('fast routes', () => {
  const alice = token({ accountId: 'alice', roles: ['customer'] });

  it('answers on the Nest route with its status and compiled serializer', async () => {
    const { post, routes } = await app();
    expect(routes.attached).toEqual(new Set(['POST /things/:id']));
    const r = await post('/things/abc', alice);
    expect([r.status, r.body]).toEqual([201, { id: 'abc:alice' }]);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('leaves invalid input and PASS to the Nest route, without authenticating or counting twice', async () => {
    const { post, redisTrips } = await app();
    const invalid = await post('/things/ABC');
    expect(invalid.body).toEqual({ nest: true, authenticatedFor: null, rateLimitedFor: null });
    expect(redisTrips).toEqual([]);
    const passed = await post('/things/nest', alice);
    expect(passed.body).toEqual({
      nest: true,
      authenticatedFor: '/things/:id',
      rateLimitedFor: '/things/:id',
    });
    expect(redisTrips.sort()).toEqual(['hit', 'mget']);
  });

  it('keeps the guards order of problems: 401, then 403, then 429', async () => {
    const { post: send } = await app(new Set(['mallory']));
    const post = (authorization?: string) => send('/things/abc', authorization);
    expect((await post()).body.code).toBe('AUTHENTICATION_REQUIRED');
    // revoked and without the role: the revocation wins
    expect((await post(token({ accountId: 'mallory', roles: [] }))).body.code).toBe(
      'TOKEN_REVOKED',
    );
    expect((await post(token({ accountId: 'bob', roles: [] }))).body.code).toBe('ROLE_REQUIRED');
    expect((await post(alice)).status).toBe(201);
    expect((await post(alice)).status).toBe(201);
    const limited = await post(alice);
    expect([limited.status, limited.body.code, limited.headers.get('retry-after')]).toEqual([
      429,
      'RATE_LIMITED',
      '1',
    ]);
  });
});
