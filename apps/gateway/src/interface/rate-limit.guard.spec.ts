import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Logger } from '@emporia/platform';
import type {
  Principal,
  RateLimitPolicies,
  RateLimitStore,
  WindowCount,
} from '../application/ports';
import { weighEvents } from './analytics-mappers';
import { RateLimit, RateLimitGuard } from './rate-limit.guard';

class Routes {
  @RateLimit('sale')
  limited(): void {}
  @RateLimit('register')
  signUp(): void {}
  free(): void {}
  @RateLimit('sms')
  smsCode(): void {}
  @RateLimit('events', {
    weigh: (req) => weighEvents(req.body, 100),
  })
  events(): void {}
}

/** Counts in memory; every window has `resetInMs` left. */
class MemoryStore implements RateLimitStore {
  readonly counts = new Map<string, number>();
  resetInMs = 800;
  async hit(key: string, _windowMs: number, cost = 1): Promise<WindowCount> {
    const count = (this.counts.get(key) ?? 0) + cost;
    this.counts.set(key, count);
    return { count, resetInMs: this.resetInMs };
  }
}

const policies: RateLimitPolicies = {
  sale: {
    perAccount: { limit: 2, windowMs: 1000 },
    perIp: { limit: 4, windowMs: 1000 },
    onStoreFailure: 'allow',
  },
  register: {
    perIp: { limit: 3, windowMs: 600_000 },
    global: { limit: 5, windowMs: 1000 },
    onStoreFailure: 'refuse',
  },
  events: {
    perIp: { limit: 10, windowMs: 60_000 },
    perVisitor: { limit: 4, windowMs: 60_000 },
    onStoreFailure: 'allow',
  },
  support: { perAccount: { limit: 3, windowMs: 60_000 }, onStoreFailure: 'allow' },
  reviews: { perAccount: { limit: 2, windowMs: 3_600_000 }, onStoreFailure: 'allow' },
  unsubscribe: { perIp: { limit: 2, windowMs: 60_000 }, onStoreFailure: 'allow' },
  receipts: { perIp: { limit: 2, windowMs: 60_000 }, onStoreFailure: 'allow' },
  sms: {
    perIp: { limit: 2, windowMs: 60_000 },
    perAccount: { limit: 1, windowMs: 60_000 },
    onStoreFailure: 'refuse',
  },
  passkey: { perIp: { limit: 2, windowMs: 60_000 }, onStoreFailure: 'refuse' },
};
const ctx = (handler: () => void, req: { ip: string; principal?: Principal; body?: unknown }) =>
  ({
    getHandler: () => handler,
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req }),
  }) as unknown as ExecutionContext;
const caller = (accountId: string): Principal => ({ accountId, roles: ['customer'] });

describe('RateLimitGuard', () => {
  const setup = (store: RateLimitStore = new MemoryStore()) => {
    const logger = { warn: jest.fn() };
    const guard = new RateLimitGuard(new Reflector(), store, policies, logger as unknown as Logger);
    return { guard, logger, store };
  };
  const limited = Routes.prototype.limited;

  it('lets routes without @RateLimit through without counting', async () => {
    const store = new MemoryStore();
    const { guard } = setup(store);
    for (let i = 0; i < 10; i++)
      expect(await guard.canActivate(ctx(Routes.prototype.free, { ip: '10.0.0.1' }))).toBe(true);
    expect(store.counts.size).toBe(0);
  });

  it('counts per account and per address, and refuses the (limit+1)th with Retry-After', async () => {
    const store = new MemoryStore();
    store.resetInMs = 1200;
    const { guard } = setup(store);
    const req = { ip: '10.0.0.1', principal: caller('a') };
    expect(await guard.canActivate(ctx(limited, req))).toBe(true);
    expect(await guard.canActivate(ctx(limited, req))).toBe(true);
    await expect(guard.canActivate(ctx(limited, req))).rejects.toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      message: expect.stringContaining('this account'),
      headers: { 'retry-after': '2' }, // 1.2 s, rounded up
    });
    expect(Object.fromEntries(store.counts)).toEqual({
      'sale:account:a': 3,
      'sale:ip:10.0.0.1': 3,
    });
    // another account from the same address: the address reaches its limit (4), not over it
    expect(await guard.canActivate(ctx(limited, { ip: '10.0.0.1', principal: caller('b') }))).toBe(
      true,
    );
  });

  it('counts events, not requests, per address and per visitor (events policy)', async () => {
    const store = new MemoryStore();
    const { guard } = setup(store);
    const batch = (visitor: string, n: number) => ({
      events: Array.from({ length: n }, () => ({ anonymousId: visitor })),
    });
    const events = Routes.prototype.events;
    // 4 events of visitor v1: at its limit (4), the address at 4 of 10
    expect(await guard.canActivate(ctx(events, { ip: '10.1.0.1', body: batch('v1', 4) }))).toBe(
      true,
    );
    await expect(
      guard.canActivate(ctx(events, { ip: '10.1.0.1', body: batch('v1', 1) })),
    ).rejects.toMatchObject({ status: 429, message: expect.stringContaining('this visitor') });
    // other visitors from the address: 5 + 4 + 1 = 10 events (its limit), then over it
    expect(await guard.canActivate(ctx(events, { ip: '10.1.0.1', body: batch('v2', 4) }))).toBe(
      true,
    );
    expect(await guard.canActivate(ctx(events, { ip: '10.1.0.1', body: batch('v3', 1) }))).toBe(
      true,
    );
    await expect(
      guard.canActivate(ctx(events, { ip: '10.1.0.1', body: batch('v4', 1) })),
    ).rejects.toMatchObject({ status: 429, message: expect.stringContaining('this address') });
    expect(store.counts.get('events:ip:10.1.0.1')).toBe(11);
    expect(store.counts.get('events:visitor:v1')).toBe(5);
  });

  it('trips the address limit across accounts, and counts anonymous callers by address', async () => {
    const { guard } = setup();
    for (const id of ['a', 'b', 'c', 'd'])
      expect(await guard.canActivate(ctx(limited, { ip: '10.0.0.2', principal: caller(id) }))).toBe(
        true,
      );
    await expect(
      guard.canActivate(ctx(limited, { ip: '10.0.0.2', principal: caller('e') })),
    ).rejects.toMatchObject({ status: 429, message: expect.stringContaining('this address') });
    await expect(guard.canActivate(ctx(limited, { ip: '10.0.0.2' }))).rejects.toMatchObject({
      status: 429,
    });
    expect(await guard.canActivate(ctx(limited, { ip: '10.0.0.3' }))).toBe(true);
  });

  it.each([
    [1, '1'],
    [0, '1'],
    [1000, '1'],
    [1001, '2'],
    [59_999, '60'],
  ])('answers Retry-After in whole seconds, at least 1 (%s ms left → %s)', async (ms, header) => {
    const store = new MemoryStore();
    store.resetInMs = ms;
    const { guard } = setup(store);
    const req = { ip: '10.0.0.4', principal: caller('a') };
    await guard.canActivate(ctx(limited, req));
    await guard.canActivate(ctx(limited, req));
    await expect(guard.canActivate(ctx(limited, req))).rejects.toMatchObject({
      headers: { 'retry-after': header },
    });
  });

  it('fails open when the store fails, warning once per interval rather than per request', async () => {
    const { guard, logger } = setup({
      hit: () => Promise.reject(new Error('ECONNREFUSED')),
    });
    for (let i = 0; i < 20; i++)
      expect(
        await guard.canActivate(ctx(limited, { ip: '10.0.0.5', principal: caller('a') })),
      ).toBe(true);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][1]).toMatch(/fail open/);
  });

  it('limits SMS codes per account and per address, and refuses them while the counters cannot be read', async () => {
    const store = new MemoryStore();
    const { guard } = setup(store);
    const smsCode = Routes.prototype.smsCode;
    // signed in: one code per account per window
    expect(await guard.canActivate(ctx(smsCode, { ip: '10.2.0.1', principal: caller('a') }))).toBe(
      true,
    );
    await expect(
      guard.canActivate(ctx(smsCode, { ip: '10.2.0.1', principal: caller('a') })),
    ).rejects.toMatchObject({ status: 429, message: expect.stringContaining('this account') });
    // the sign-in code (no account yet): by address only, two per window
    expect(await guard.canActivate(ctx(smsCode, { ip: '10.2.0.2' }))).toBe(true);
    expect(await guard.canActivate(ctx(smsCode, { ip: '10.2.0.2' }))).toBe(true);
    await expect(guard.canActivate(ctx(smsCode, { ip: '10.2.0.2' }))).rejects.toMatchObject({
      status: 429,
      message: expect.stringContaining('this address'),
    });
    const down = setup({ hit: () => Promise.reject(new Error('ECONNREFUSED')) });
    await expect(down.guard.canActivate(ctx(smsCode, { ip: '10.2.0.3' }))).rejects.toMatchObject({
      status: 503,
      code: 'RATE_LIMIT_UNAVAILABLE',
    });
  });

  it('limits sign-ups per address and for all clients together, with the scope in the detail', async () => {
    const store = new MemoryStore();
    const { guard } = setup(store);
    const signUp = Routes.prototype.signUp;
    for (let i = 0; i < 3; i++)
      expect(await guard.canActivate(ctx(signUp, { ip: '10.1.0.1' }))).toBe(true);
    await expect(guard.canActivate(ctx(signUp, { ip: '10.1.0.1' }))).rejects.toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      message: expect.stringContaining('this address'),
    });
    // the fifth sign-up of the window from anywhere is the global limit's last; the sixth is over
    expect(await guard.canActivate(ctx(signUp, { ip: '10.1.0.2' }))).toBe(true);
    await expect(guard.canActivate(ctx(signUp, { ip: '10.1.0.3' }))).rejects.toMatchObject({
      status: 429,
      message: expect.stringContaining('all clients together'),
      headers: { 'retry-after': '1' },
    });
    expect(store.counts.get('register:global')).toBe(6);
    // no per-account bucket for a policy without one, even for a signed-in caller
    await guard.canActivate(ctx(signUp, { ip: '10.1.0.4', principal: caller('a') })).catch(() => 0);
    expect([...store.counts.keys()].some((k) => k.includes('account'))).toBe(false);
  });

  it('fails closed for a policy that says so: 503 RATE_LIMIT_UNAVAILABLE with Retry-After', async () => {
    const { guard, logger } = setup({ hit: () => Promise.reject(new Error('ECONNREFUSED')) });
    for (let i = 0; i < 3; i++)
      await expect(
        guard.canActivate(ctx(Routes.prototype.signUp, { ip: '10.1.0.9' })),
      ).rejects.toMatchObject({
        status: 503,
        code: 'RATE_LIMIT_UNAVAILABLE',
        headers: { 'retry-after': '5' },
      });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][1]).toMatch(/fail closed/);
  });

  it('fails open when the store does not answer in time', async () => {
    const { guard, logger } = setup({ hit: () => new Promise<never>(() => undefined) });
    const t0 = Date.now();
    expect(await guard.canActivate(ctx(limited, { ip: '10.0.0.6' }))).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});
