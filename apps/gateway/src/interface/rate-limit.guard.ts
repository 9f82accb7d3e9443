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
  type RateLimitPolicies,
  type RateLimitStore,
} from '../application/ports';
import { ProblemError } from './problem';

const RATE_LIMIT_KEY = 'emporia:rate-limit';

/** How long a request waits for the counters before the limiter gives up and lets it through. */
export const RATE_LIMIT_STORE_TIMEOUT_MS = 250;
/** One warning per this interval while the store is failing, not one per request. */
const WARN_INTERVAL_MS = 10_000;

const decisions = counter(
  'emporia_rate_limit_decisions_total',
  'Rate-limited routes: requests allowed, limited, or let through because the store failed',
  ['policy', 'outcome'],
);

/**
 * Opts a route into a rate-limit policy: a fixed window per signed-in account (routes with
 * `@Auth`) and per client address (`req.ip`: X-Forwarded-For with TRUST_PROXY). Routes with
 * the same policy share its budget. Over either limit: 429 problem+json `RATE_LIMITED` with
 * `Retry-After` in seconds. Runs after the auth guard and before validation, so malformed
 * requests count too.
 */
export const RateLimit = (policy: keyof RateLimitPolicies) =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_KEY, policy),
    UseGuards(RateLimitGuard),
    ApiResponse({
      status: 429,
      description: `RFC 9457 problem details, code RATE_LIMITED: over the '${policy}' limit per account or per client address`,
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

/**
 * Counts each request of a `@RateLimit` route in the store and refuses it over a limit. When
 * the store fails or is slow the request goes through (fail open, logged and counted): a sale
 * must not stop because its limiter's store did.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(RATE_LIMIT_POLICIES) private readonly policies: RateLimitPolicies,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.warning = new ThrottledWarning(logger, WARN_INTERVAL_MS);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = this.reflector.getAllAndOverride<keyof RateLimitPolicies | undefined>(
      RATE_LIMIT_KEY,
      [context.getHandler(), context.getClass()],
    );
    if (!name) return true;
    const policy = this.policies[name];
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const counters = [
      ...(req.principal
        ? [{ scope: 'account', id: req.principal.accountId, limit: policy.perAccount }]
        : []),
      { scope: 'ip', id: req.ip || 'unknown', limit: policy.perIp },
    ];
    let counts;
    try {
      counts = await withTimeout(
        Promise.all(
          counters.map((c) => this.store.hit(`${name}:${c.scope}:${c.id}`, policy.windowMs)),
        ),
        RATE_LIMIT_STORE_TIMEOUT_MS,
      );
    } catch (err) {
      decisions.inc({ policy: name, outcome: 'fail_open' });
      this.warn(name, err);
      return true;
    }
    const over = counters.map((c, i) => ({ ...c, ...counts[i] })).filter((c) => c.count > c.limit);
    if (over.length === 0) {
      decisions.inc({ policy: name, outcome: 'allowed' });
      return true;
    }
    decisions.inc({ policy: name, outcome: 'limited' });
    const retryAfter = Math.max(...over.map((c) => Math.max(1, Math.ceil(c.resetInMs / 1000))));
    const first = over[0];
    const who = first.scope === 'account' ? 'this account' : 'this address';
    throw new ProblemError(
      429,
      'RATE_LIMITED',
      `too many requests from ${who}: at most ${first.limit} per ${policy.windowMs} ms; retry after ${retryAfter} s`,
      undefined,
      { 'retry-after': String(retryAfter) },
    );
  }

  private warn(policy: string, err: unknown): void {
    this.warning.warn(
      { err, policy },
      'rate limiter store unavailable: letting requests through (fail open)',
    );
  }
}
