import {
  applyDecorators,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  counter,
  histogram,
  LOGGER,
  ThrottledWarning,
  withTimeout,
  type Logger,
} from '@emporia/platform';
import {
  ACCESS_TOKEN_VERIFIER,
  type AccessTokenVerifier,
  type Principal,
  type Role,
  TOKEN_REVOCATION_LIST,
  type TokenRevocationList,
} from '../application/ports';
import { unauthorized } from '../infrastructure/jwks-token-verifier';
import { ApiProblems } from './api-problems';
import { ProblemError } from './problem';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The route (pattern) whose authentication a fast route already did for this request. */
    authenticatedFor?: string;
  }
}

const AUTH_KEY = 'emporia:auth';
export type Requirement = { role: Role | null; optional?: boolean };

/**
 * The route needs a signed-in caller; with a role, one holding it. `admin` holds every role,
 * `operator` also holds `agent` and `customer`, `agent` holds `customer`. Routes without it are
 * public.
 */
export const Auth = (role: Role | null = null) =>
  applyDecorators(
    SetMetadata(AUTH_KEY, { role } satisfies Requirement),
    ApiBearerAuth(),
    ApiProblems(401, ...(role ? [403] : [])),
  );

/** Signed-in callers are recognised (and a bad token refused); anonymous ones pass too. */
export const OptionalAuth = () =>
  applyDecorators(
    SetMetadata(AUTH_KEY, { role: null, optional: true } satisfies Requirement),
    ApiBearerAuth(),
    ApiProblems(401),
  );

/** What a handler's `@Auth` / `@OptionalAuth` asks for (undefined: a public route). */
export const authRequirementOf = (handler: object): Requirement | undefined =>
  Reflect.getMetadata(AUTH_KEY, handler) as Requirement | undefined;

// A support agent also acts as a customer; operators (supervisors) also work tickets as agents.
const RANK: Record<Role, number> = { customer: 0, agent: 1, operator: 2, admin: 3 };

/** How long a request waits for the revocation list by default (`TOKEN_REVOCATION_TIMEOUT_MS`). */
export const REVOCATION_CHECK_TIMEOUT_MS = 100;
export const REVOCATION_SETTINGS = Symbol('REVOCATION_SETTINGS');
export interface RevocationSettings {
  timeoutMs: number;
}

const revocationChecks = counter(
  'emporia_token_revocation_checks_total',
  'Access tokens checked against the revocation list: valid, revoked, or let through (fail_open, customer routes) / refused with 503 (fail_closed, operator and admin routes) because the list could not be read in time',
  ['outcome'],
);
const revocationSeconds = histogram(
  'emporia_token_revocation_check_seconds',
  'Time to read the revocation list for one request (one Redis MGET)',
  [],
  [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
);

const revocationOutcomes = new Map<string, ReturnType<typeof revocationChecks.labels>>();

/** Counts one revocation check by outcome (label sets bound once). */
export function countRevocationCheck(outcome: 'valid' | 'revoked'): void {
  let c = revocationOutcomes.get(outcome);
  if (!c) revocationOutcomes.set(outcome, (c = revocationChecks.labels({ outcome })));
  c.inc();
}

export function holdsRole(principal: Principal, role: Role): boolean {
  return principal.roles.some((r) => RANK[r] >= RANK[role]);
}

/**
 * Checks the bearer token of a request against a route's requirement (signature, expiry, issuer,
 * audience), then the revocation list (a frozen, erased or demoted account, an ended session:
 * `401 TOKEN_REVOKED`), then the role. Used by the AuthGuard (Nest routes) and by fast routes
 * (fast-route.ts), so both answer alike.
 *
 * When the list cannot be read within `timeoutMs`, customer routes let the token through (fail
 * open: a Redis outage must not sign every shopper out; the token still expires within its
 * lifetime) and operator and admin routes refuse with `503 REVOCATION_LIST_UNAVAILABLE` (fail
 * closed: a removed operator or admin must not act while the list is down). Both are counted in
 * `emporia_token_revocation_checks_total` and logged at most once per 10 s.
 */
export class Authenticator {
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: TokenRevocationList,
    private readonly settings: RevocationSettings,
    logger: Logger,
  ) {
    this.warning = new ThrottledWarning(logger, 10_000);
  }

  /**
   * The verified caller (undefined: anonymous on an optional route); throws the route's problem.
   * `alongside` (a fast route's rate-limit count) runs once the token is verified, at the same
   * time as the revocation check (one Redis round trip instead of two); its failure is thrown
   * after the authentication's own problems, as when it ran after the guard.
   */
  async authenticate(
    req: FastifyRequest,
    need: Requirement,
    alongside?: () => Promise<void>,
  ): Promise<Principal | undefined> {
    const header = req.headers.authorization ?? '';
    if (!header && need.optional) {
      await alongside?.();
      return undefined;
    }
    const match = BEARER.exec(header);
    if (!match)
      throw unauthorized(
        'AUTHENTICATION_REQUIRED',
        'sign in: send an access token as Authorization: Bearer <token>',
        'invalid_request',
      );
    const principal = await this.verifier.verify(match[1]);
    let also: Promise<void> | undefined;
    if (alongside) {
      // the per-account counter needs the caller; a refused request never reaches a handler
      req.principal = principal;
      also = alongside();
      also.catch(() => undefined);
    }
    await this.assertNotRevoked(principal, need.role);
    if (need.role && !holdsRole(principal, need.role))
      throw new ProblemError(403, 'ROLE_REQUIRED', `this needs the ${need.role} role`);
    await also;
    req.principal = principal;
    return principal;
  }

  private async assertNotRevoked(principal: Principal, role: Role | null): Promise<void> {
    const known = this.revocations.known?.(principal);
    if (known !== undefined) return this.verdict(known);
    const stop = revocationSeconds.startTimer();
    let revoked: boolean;
    try {
      revoked = await withTimeout(this.revocations.isRevoked(principal), this.settings.timeoutMs);
    } catch (err) {
      const closed = role !== null && role !== 'customer';
      revocationChecks.inc({ outcome: closed ? 'fail_closed' : 'fail_open' });
      this.warning.warn(
        { err, route: closed ? role : 'customer' },
        closed
          ? 'token revocation list unavailable: refusing operator and admin requests (fail closed)'
          : 'token revocation list unavailable: accepting customer tokens unchecked (fail open)',
      );
      if (closed)
        throw new ProblemError(
          503,
          'REVOCATION_LIST_UNAVAILABLE',
          'access tokens cannot be checked against the revocation list right now; retry shortly',
          undefined,
          { 'retry-after': '5' },
        );
      return;
    } finally {
      stop();
    }
    this.verdict(revoked);
  }

  private verdict(revoked: boolean): void {
    countRevocationCheck(revoked ? 'revoked' : 'valid');
    if (revoked)
      throw unauthorized(
        'TOKEN_REVOKED',
        'this access token was revoked (the account was frozen or erased, its roles changed, or the session ended); sign in again or refresh',
      );
  }
}

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Checks the bearer token of routes marked with `@Auth` / `@OptionalAuth` (see Authenticator).
 * A request a fast route already authenticated for this route (`authenticatedFor`) is not
 * checked twice.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly authenticator: Authenticator;

  constructor(
    private readonly reflector: Reflector,
    @Inject(ACCESS_TOKEN_VERIFIER) verifier: AccessTokenVerifier,
    @Inject(TOKEN_REVOCATION_LIST) revocations: TokenRevocationList,
    @Inject(REVOCATION_SETTINGS) settings: RevocationSettings,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.authenticator = new Authenticator(verifier, revocations, settings, logger);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const need = this.reflector.getAllAndOverride<Requirement | undefined>(AUTH_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!need) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (req.authenticatedFor !== undefined && req.authenticatedFor === req.routeOptions.url)
      return true;
    await this.authenticator.authenticate(req, need);
    return true;
  }
}

/** The verified caller of an `@OptionalAuth` route, if signed in. */
export const MaybeCaller = createParamDecorator(
  (_data: unknown, host: ExecutionContext): Principal | undefined =>
    host.switchToHttp().getRequest<FastifyRequest>().principal,
);

/** The verified caller of an `@Auth` route. */
export const Caller = createParamDecorator((_data: unknown, host: ExecutionContext): Principal => {
  const principal = host.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new Error('Caller used on a route without @Auth');
  return principal;
});
