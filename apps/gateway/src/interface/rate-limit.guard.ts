import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { counter, LOGGER, ThrottledWarning, withTimeout, type Logger } from '@emporia/platform';
import {
  RATE_LIMIT_POLICIES,
  RATE_LIMIT_STORE,
  type RateLimitBucket,
  type RateLimitPolicies,
  type RateLimitPolicy,
  type RateLimitStore,
  type WindowCount,
} from '../application/ports';
import { ProblemError } from './problem';

const RATE_LIMIT_KEY = 'emporia:rate-limit';
const RATE_LIMIT_WEIGHT_KEY = 'emporia:rate-limit-weight';

/**
 * What one request costs under its policy: `cost` hits on the per-account, per-address and
 * global counters, and per anonymous visitor id the hits on that visitor's counter. It reads
 * the request before validation, so it must take any body.
 */
export type RateLimitWeigher = (req: FastifyRequest) => {
  cost: number;
  visitors?: ReadonlyMap<string, number>;
};

/** How long a request waits for the counters before the policy's store-failure choice applies. */
export const RATE_LIMIT_STORE_TIMEOUT_MS = 250;
/** One warning per this interval while the store is failing, not one per request. */
const WARN_INTERVAL_MS = 10_000;

const decisions = counter(
  'emporia_rate_limit_decisions_total',
  'Rate-limited routes: requests allowed, limited, or, because the store failed, let through (fail_open) or refused with 503 (fail_closed)',
  ['policy', 'outcome'],
);

const SCOPES = {
  sale: 'per account or per client address',
  register: 'per client address or for all clients together',
  events: 'in events per client address or per anonymous visitor id',
  support: 'per account (tickets opened or reopened, messages)',
  reviews: 'per account (reviews, follow-ups, helpful votes)',
  unsubscribe: 'per client address (unsubscribe links)',
  receipts: 'per client address (delivery receipts)',
  sms: 'per client address or per account (SMS codes sent); the user service also answers 429 SMS_CODE_COOLDOWN (a code was sent moments ago) or SMS_SEND_LIMITED (too many codes to this number, account or address), with Retry-After',
  passkey: 'per client address (passkey sign-in options and answers)',
} satisfies Record<keyof RateLimitPolicies, string>;

/**
 * Opts a route into a rate-limit policy: fixed windows per signed-in account (routes with
 * `@Auth`), per client address (`req.ip`: X-Forwarded-For with TRUST_PROXY) and for every caller
 * together, as the policy has them. Routes with the same policy share its budget. Over any
 * limit: 429 problem+json `RATE_LIMITED` with `Retry-After` in seconds. Runs after the auth
 * guard and before validation, so malformed requests count too.
 */
export const RateLimit = (
  policy: keyof RateLimitPolicies,
  options: { weigh?: RateLimitWeigher } = {},
) =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_KEY, policy),
    SetMetadata(RATE_LIMIT_WEIGHT_KEY, options.weigh),
    UseGuards(RateLimitGuard),
    ApiResponse({
      status: 429,
      description: `RFC 9457 problem details, code RATE_LIMITED: over the '${policy}' limit ${SCOPES[policy]}`,
      headers: {
        'Retry-After': {
          description: 'seconds until the window resets',
          schema: { type: 'integer' },
        },
      },
      content: {
        'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemView' } },
      },
    }),
  );

const WHO = {
  account: 'this account',
  ip: 'this address',
  visitor: 'this visitor',
  global: 'all clients together',
} as const;

/**
 * Counts each request of a rate-limited route in the store (every counter of the policy in one
 * round trip when the store can: `hitAll`) and refuses it over a limit. When the store fails or
 * is slow, the policy decides (logged and counted either way): `allow` lets the request through
 * (a sale must not stop because its limiter's store did), `refuse` answers 503
 * `RATE_LIMIT_UNAVAILABLE` (sign-ups: each costs an argon2 hash, and sign-in needs Redis too).
 * Used by the RateLimitGuard (Nest routes) and by fast routes (fast-route.ts).
 */
export class RateLimiter {
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly store: RateLimitStore,
    private readonly policies: RateLimitPolicies,
    logger: Logger,
  ) {
    this.warning = new ThrottledWarning(logger, WARN_INTERVAL_MS);
  }

  /** Counts the request under the policy `name`; throws 429 (or 503) when it must be refused. */
  async check(
    name: keyof RateLimitPolicies,
    req: FastifyRequest,
    weigh?: RateLimitWeigher,
  ): Promise<void> {
    const policy = this.policies[name];
    const counters = countersOf(name, policy, req, weigh);
    let counts: WindowCount[];
    try {
      const hits = counters.map((c) => ({ key: c.key, windowMs: c.bucket.windowMs, cost: c.cost }));
      counts = await withTimeout(
        this.store.hitAll
          ? this.store.hitAll(hits)
          : Promise.all(hits.map((h) => this.store.hit(h.key, h.windowMs, h.cost))),
        RATE_LIMIT_STORE_TIMEOUT_MS,
      );
    } catch (err) {
      this.storeFailed(name, policy, err);
      return;
    }
    decide(name, counters, counts);
  }

  /**
   * `check` on a store that counts synchronously (`hitAllNow`: the per-replica memory store of
   * answers from memory), without a promise; throws 429 when it must be refused.
   */
  checkNow(name: keyof RateLimitPolicies, req: FastifyRequest, weigh?: RateLimitWeigher): void {
    const hitAllNow = this.store.hitAllNow;
    if (!hitAllNow) throw new Error('checkNow needs a store with hitAllNow');
    const counters = countersOf(name, this.policies[name], req, weigh);
    const hits = counters.map((c) => ({ key: c.key, windowMs: c.bucket.windowMs, cost: c.cost }));
    decide(name, counters, hitAllNow.call(this.store, hits));
  }

  private storeFailed(name: string, policy: RateLimitPolicy, err: unknown): void {
    if (policy.onStoreFailure === 'allow') {
      decisions.inc({ policy: name, outcome: 'fail_open' });
      this.warning.warn(
        { err, policy: name },
        'rate limiter store unavailable: letting requests through (fail open)',
      );
      return;
    }
    decisions.inc({ policy: name, outcome: 'fail_closed' });
    this.warning.warn(
      { err, policy: name },
      'rate limiter store unavailable: refusing requests (fail closed)',
    );
    throw new ProblemError(
      503,
      'RATE_LIMIT_UNAVAILABLE',
      'this request cannot be counted against its rate limit right now; retry shortly',
      undefined,
      { 'retry-after': '5' },
    );
  }
}

interface Counted {
  scope: keyof typeof WHO;
  key: string;
  bucket: RateLimitBucket;
  cost: number;
}

/** The counters a request hits under a policy, and how many hits each. */
function countersOf(
  name: keyof RateLimitPolicies,
  policy: RateLimitPolicy,
  req: FastifyRequest,
  weigh?: RateLimitWeigher,
): Counted[] {
  const { cost, visitors } = weigh ? weigh(req) : { cost: 1, visitors: undefined };
  const counters: Counted[] = [];
  if (policy.perAccount && req.principal)
    counters.push({
      scope: 'account',
      key: `${name}:account:${req.principal.accountId}`,
      bucket: policy.perAccount,
      cost,
    });
  if (policy.perIp)
    counters.push({
      scope: 'ip',
      key: `${name}:ip:${req.ip || 'unknown'}`,
      bucket: policy.perIp,
      cost,
    });
  if (policy.perVisitor)
    for (const [visitor, hits] of visitors ?? [])
      counters.push({
        scope: 'visitor',
        key: `${name}:visitor:${visitor}`,
        bucket: policy.perVisitor,
        cost: hits,
      });
  if (policy.global)
    counters.push({ scope: 'global', key: `${name}:global`, bucket: policy.global, cost });
  return counters;
}

/** Allowed, or the 429 of the first counter over its limit (Retry-After: the longest wait). */
function decide(name: string, counters: Counted[], counts: WindowCount[]): void {
  let over: Counted | undefined;
  let retryAfter = 0;
  for (let i = 0; i < counters.length; i++) {
    if (counts[i].count <= counters[i].bucket.limit) continue;
    over ??= counters[i];
    retryAfter = Math.max(retryAfter, Math.max(1, Math.ceil(counts[i].resetInMs / 1000)));
  }
  if (!over) {
    decisions.inc({ policy: name, outcome: 'allowed' });
    return;
  }
  decisions.inc({ policy: name, outcome: 'limited' });
  throw new ProblemError(
    429,
    'RATE_LIMITED',
    `too many requests from ${WHO[over.scope]}: at most ${over.bucket.limit} per ${over.bucket.windowMs} ms; retry after ${retryAfter} s`,
    undefined,
    { 'retry-after': String(retryAfter) },
  );
}

/** The `@RateLimit` routes' guard (see RateLimiter). */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMIT_STORE) store: RateLimitStore,
    @Inject(RATE_LIMIT_POLICIES) policies: RateLimitPolicies,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.limiter = new RateLimiter(store, policies, logger);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = this.reflector.getAllAndOverride<keyof RateLimitPolicies | undefined>(
      RATE_LIMIT_KEY,
      [context.getHandler(), context.getClass()],
    );
    if (!name) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (req.rateLimitedFor !== undefined && req.rateLimitedFor === req.routeOptions.url)
      return true;
    const weigh = this.reflector.get<RateLimitWeigher | undefined>(
      RATE_LIMIT_WEIGHT_KEY,
      context.getHandler(),
    );
    await this.limiter.check(name, req, weigh);
    return true;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The route (pattern) whose rate limit a fast route already counted for this request. */
    rateLimitedFor?: string;
  }
}
