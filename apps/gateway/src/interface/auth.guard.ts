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
  ACCESS_TOKEN_VERIFIER,
  type AccessTokenVerifier,
  type Principal,
  type Role,
} from '../application/ports';
import { unauthorized } from '../infrastructure/jwks-token-verifier';
import { ApiProblems } from './api-problems';
import { ProblemError } from './problem';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const AUTH_KEY = 'emporia:auth';
type Requirement = { role: Role | null; optional?: boolean };

/**
 * The route needs a signed-in caller; with a role, one holding it. `admin` holds every role,
 * `operator` also holds `customer`. Routes without it are public.
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

const RANK: Record<Role, number> = { customer: 0, operator: 1, admin: 2 };

export function holdsRole(principal: Principal, role: Role): boolean {
  return principal.roles.some((r) => RANK[r] >= RANK[role]);
}

/** Checks the bearer token of routes marked with `@Auth`, and their role. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ACCESS_TOKEN_VERIFIER) private readonly verifier: AccessTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const need = this.reflector.getAllAndOverride<Requirement | undefined>(AUTH_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!need) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!header && need.optional) return true;
    if (!match)
      throw unauthorized(
        'AUTHENTICATION_REQUIRED',
        'sign in: send an access token as Authorization: Bearer <token>',
        'invalid_request',
      );
    const principal = await this.verifier.verify(match[1]);
    if (need.role && !holdsRole(principal, need.role))
      throw new ProblemError(403, 'ROLE_REQUIRED', `this needs the ${need.role} role`);
    req.principal = principal;
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
