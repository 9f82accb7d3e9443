import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Logger } from '@emporia/platform';
import type { AccessTokenVerifier, Principal, TokenRevocationList } from '../application/ports';
import { Auth, AuthGuard, OptionalAuth } from './auth.guard';

class Routes {
  @Auth()
  mine(): void {}
  @OptionalAuth()
  maybe(): void {}
  @Auth('operator')
  ops(): void {}
  @Auth('admin')
  admin(): void {}
}

const ctx = (handler: () => void, token?: string) => {
  const req: { headers: Record<string, string>; principal?: Principal } = {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  };
  return {
    req,
    context: {
      getHandler: () => handler,
      getClass: () => Routes,
      switchToHttp: () => ({ getRequest: () => req }),
    } as unknown as ExecutionContext,
  };
};

/** Tokens are the principal's JSON, so each test says who it is. */
const verifier: AccessTokenVerifier = {
  verify: async (token) => JSON.parse(token) as Principal,
};
const token = (p: Principal) => JSON.stringify(p);
const admin = token({ accountId: 'a', roles: ['admin'], sessionId: 's1', issuedAt: 1000.5 });
const customer = token({ accountId: 'c', roles: ['customer'], issuedAt: 1000 });

describe('AuthGuard: the revocation list', () => {
  const setup = (list: TokenRevocationList, timeoutMs = 50) => {
    const logger = { warn: jest.fn() };
    const guard = new AuthGuard(
      new Reflector(),
      verifier,
      list,
      { timeoutMs },
      logger as unknown as Logger,
    );
    return { guard, logger };
  };

  it('refuses a revoked token with 401 TOKEN_REVOKED before looking at its roles', async () => {
    const seen: Principal[] = [];
    const { guard } = setup({
      isRevoked: async (p) => (seen.push(p), p.accountId === 'a'),
    });
    for (const handler of [Routes.prototype.admin, Routes.prototype.mine, Routes.prototype.maybe])
      await expect(guard.canActivate(ctx(handler, admin).context)).rejects.toMatchObject({
        status: 401,
        code: 'TOKEN_REVOKED',
        headers: { 'www-authenticate': expect.stringContaining('invalid_token') },
      });
    expect(seen[0]).toEqual({
      accountId: 'a',
      roles: ['admin'],
      sessionId: 's1',
      issuedAt: 1000.5,
    });
    const ok = ctx(Routes.prototype.mine, customer);
    expect(await guard.canActivate(ok.context)).toBe(true);
    expect(ok.req.principal?.accountId).toBe('c');
    // an anonymous caller of an optional route is not looked up
    expect(await guard.canActivate(ctx(Routes.prototype.maybe).context)).toBe(true);
    expect(seen).toHaveLength(4);
  });

  it('when the list cannot be read: customer routes accept the token, operator and admin routes answer 503', async () => {
    const { guard, logger } = setup({ isRevoked: () => Promise.reject(new Error('ECONNREFUSED')) });
    expect(await guard.canActivate(ctx(Routes.prototype.mine, admin).context)).toBe(true);
    expect(await guard.canActivate(ctx(Routes.prototype.maybe, customer).context)).toBe(true);
    for (const handler of [Routes.prototype.ops, Routes.prototype.admin])
      await expect(guard.canActivate(ctx(handler, admin).context)).rejects.toMatchObject({
        status: 503,
        code: 'REVOCATION_LIST_UNAVAILABLE',
        headers: { 'retry-after': '5' },
      });
    // once per interval, not once per request
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('waits for the list no longer than its timeout', async () => {
    const { guard } = setup({ isRevoked: () => new Promise<never>(() => undefined) }, 30);
    const t0 = Date.now();
    expect(await guard.canActivate(ctx(Routes.prototype.mine, customer).context)).toBe(true);
    await expect(
      guard.canActivate(ctx(Routes.prototype.admin, admin).context),
    ).rejects.toMatchObject({ status: 503 });
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
