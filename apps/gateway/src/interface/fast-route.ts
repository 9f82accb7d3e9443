import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  preHandlerAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import fastJson from 'fast-json-stringify';
import type { RequestContext } from '@emporia/platform';
import type { Principal, RateLimitPolicies } from '../application/ports';
import type { Authenticator, Requirement } from './auth.guard';
import type { RateLimiter, RateLimitWeigher } from './rate-limit.guard';
import { ProblemError, toProblem } from './problem';
import { CannedProblem, sendCannedProblem, sendProblem } from './problem.filter';
import { requestContext } from './request-context';

/**
 * The fast-route kit: the hottest routes answered straight from Fastify, without Nest's
 * per-request pipeline (guards, interceptors, pipes, the router's execution context), keeping
 * the contract of the Nest route they speed up.
 *
 * How: the Nest controller method stays (it documents the route: the OpenAPI document is
 * unchanged, and it answers whatever the fast handler leaves to it). The kit adds a route-level
 * `preHandler` hook to Nest's own Fastify route (matched by method and URL pattern when Nest
 * registers it), so every global hook still runs first exactly as before: request context and
 * `traceparent`, security headers (helmet), drain, URI length, media type, input checks, the
 * duration histogram and no-store. The hook then does, in Nest's order:
 *
 *   1. Fastify's compiled JSON-schema validation (`schema`, `attachValidation`): a request that
 *      fails it is left to the Nest route, which answers the very problem it always did;
 *   2. authentication (`auth`: the Authenticator of the AuthGuard: verified-token cache,
 *      revocation list, role) — its problems (401, 403, 503) are thrown as from the guard;
 *   3. the rate-limit policy (`rateLimit`: the RateLimiter of the RateLimitGuard, every counter
 *      sent at once, with the revocation check once the token is verified: one Redis round
 *      trip for both; a 429 comes after the authentication's problems, as before; a request whose
 *      token turns out revoked is counted too);
 *   4. `handle`: the answer (status `status`, JSON serialized by fast-json-stringify from
 *      `response` when given) or `PASS` to leave the request to Nest (authentication and rate
 *      limit already done are not repeated there).
 *
 * A ProblemError thrown is answered here as the ProblemFilter answers it (`sendProblem`: the same
 * problem+json body and headers as the Nest route); other errors go to the error handler Nest
 * installed on Fastify, i.e. the ProblemFilter. Constraints: a `schema` must not
 * declare defaults, coercions it relies on or `additionalProperties: false` (Fastify's Ajv would
 * change the request before Nest sees it when the fast route passes); Idempotency-Key routes
 * must call the IdempotencyStore themselves in `handle`.
 */
export const PASS: unique symbol = Symbol('fast-route: leave the request to the Nest route');

export interface FastRouteCall<Params = Record<string, string>> {
  req: FastifyRequest;
  reply: FastifyReply;
  params: Params;
  /** The signed-in caller (undefined on an optional route without a token). */
  principal: Principal | undefined;
  ctx: RequestContext;
}

export interface FastRoute<Params = Record<string, string>> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The URL pattern as Nest registers it, e.g. '/v1/products/:id'. */
  url: string;
  /** What the controller's `@Auth(role)` / `@OptionalAuth()` asks (absent: a public route). */
  auth?: Requirement;
  /** The controller's `@RateLimit` policy and weigher, if it has one. */
  rateLimit?: { policy: keyof RateLimitPolicies; weigh?: RateLimitWeigher };
  /** JSON schemas checked by Fastify; a request failing them is answered by the Nest route. */
  schema?: Pick<FastifySchema, 'params' | 'querystring' | 'body' | 'headers'>;
  /** The success status (200 unless said). */
  status?: number;
  /** A JSON schema of the success body, compiled by fast-json-stringify. */
  response?: object;
  /**
   * The success body (an object, or a string already serialized as JSON), a CannedProblem to
   * answer (as if thrown, without building an error), or PASS.
   */
  handle(call: FastRouteCall<Params>): Promise<unknown>;
}

/** Registers fast routes on the gateway's Fastify instance before Nest adds its routes. */
export class FastRoutes {
  private readonly routes = new Map<string, FastRoute<never>>();

  constructor(
    fastify: FastifyInstance,
    private readonly deps: { authenticator: Authenticator; rateLimiter: RateLimiter },
  ) {
    fastify.addHook('onRoute', (options) => this.attach(options));
  }

  add<Params>(route: FastRoute<Params>): this {
    this.routes.set(`${route.method} ${route.url}`, route as FastRoute<never>);
    return this;
  }

  /** The routes Nest registered that a fast route speeds up (a missing one is a mistake). */
  readonly attached = new Set<string>();

  private attach(options: RouteOptions): void {
    if (Array.isArray(options.method)) return;
    const key = `${options.method} ${options.url}`;
    const route = this.routes.get(key);
    if (!route) return;
    this.attached.add(key);
    if (route.schema) {
      options.schema = { ...options.schema, ...route.schema };
      options.attachValidation = true;
    }
    const hook = this.hook(route);
    const existing = options.preHandler;
    options.preHandler = existing
      ? [...(Array.isArray(existing) ? existing : [existing]), hook]
      : [hook];
  }

  private hook(route: FastRoute<never>): preHandlerAsyncHookHandler {
    const serialize = route.response ? fastJson(route.response) : JSON.stringify;
    const status = route.status ?? 200;
    const run = this.run(route, serialize, status);
    return async (req, reply) => {
      if (req.validationError) return; // the Nest route answers its own validation problem
      try {
        return await run(req, reply);
      } catch (e) {
        // the ProblemFilter's very answer, without Fastify's error handler and Nest's filter
        if (!(e instanceof ProblemError)) throw e;
        const { problem, headers } = toProblem(e);
        return sendProblem(req, reply, problem, headers);
      }
    };
  }

  private run(
    route: FastRoute<never>,
    serialize: (body: unknown) => string,
    status: number,
  ): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
    const { authenticator, rateLimiter } = this.deps;
    return async (req, reply) => {
      const limit = route.rateLimit;
      const count = limit ? () => rateLimiter.check(limit.policy, req, limit.weigh) : undefined;
      let principal: Principal | undefined;
      if (route.auth) principal = await authenticator.authenticate(req, route.auth, count);
      else await count?.();
      req.authenticatedFor = route.url;
      if (limit) req.rateLimitedFor = route.url;
      const body = await route.handle({
        req,
        reply,
        params: req.params as never,
        principal,
        ctx: requestContext(req),
      });
      if (body === PASS) return undefined;
      if (body instanceof CannedProblem) return sendCannedProblem(req, reply, body);
      return reply
        .status(status)
        .header('content-type', 'application/json; charset=utf-8')
        .send(typeof body === 'string' ? body : serialize(body));
    };
  }
}
