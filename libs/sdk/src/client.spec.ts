import { createEmporiaClient, memorySessionStore, ok, type Tokens } from './client';
import { isProblem, ProblemError } from './problem';

const BASE = 'http://gateway.test';

function tokens(n: number, expiresInMs = 15 * 60_000): Tokens {
  return {
    accessToken: `access-${n}`,
    accessExpiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    refreshToken: `refresh-${n}`,
    refreshExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    tokenType: 'Bearer',
  };
}

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
const problem = (status: number, code: string, headers: Record<string, string> = {}) =>
  new Response(
    JSON.stringify({ type: 'about:blank', title: 'x', status, detail: `${code} detail`, code }),
    { status, headers: { 'content-type': 'application/problem+json', ...headers } },
  );

const account = {
  id: '0199a1b2-0000-7000-8000-000000000001',
  email: 'li.lei@example.cn',
  phone: null,
  roles: ['customer'],
  status: 'active',
  createdAt: '2026-12-01T00:00:00.000Z',
};

/** A stand-in for the gateway: each request recorded, answered by `answer`. */
function gateway(answer: (request: Request, seen: Request[]) => Response | Promise<Response>) {
  const seen: Request[] = [];
  return {
    seen,
    fetch: async (request: Request) => {
      seen.push(request.clone());
      return answer(request, seen);
    },
  };
}

describe('the typed client', () => {
  it('throws a typed problem for a refused request, with its code, detail and Retry-After', async () => {
    const gw = gateway(() => problem(429, 'RATE_LIMITED', { 'retry-after': '7' }));
    const client = createEmporiaClient({ baseUrl: BASE, fetch: gw.fetch });
    const error = await client.api.GET('/v1/categories').catch((e: unknown) => e);
    expect(isProblem(error, 'RATE_LIMITED')).toBe(true);
    expect(error).toMatchObject({
      status: 429,
      detail: 'RATE_LIMITED detail',
      retryAfterSeconds: 7,
    });
    expect((error as ProblemError).message).toBe(
      'GET /v1/categories: 429 RATE_LIMITED: RATE_LIMITED detail',
    );
  });

  it('makes a problem of an answer that is not problem+json (a proxy in between)', async () => {
    const gw = gateway(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    const client = createEmporiaClient({ baseUrl: BASE, fetch: gw.fetch });
    const error = await client.api.GET('/v1/categories').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'HTTP_502' });
  });

  it('sends a new Idempotency-Key on the routes that take one, and keeps a key it was given', async () => {
    const gw = gateway(() => json(201, { id: 'order-1' }));
    const client = createEmporiaClient({
      baseUrl: BASE,
      fetch: gw.fetch,
      store: memorySessionStore({ tokens: tokens(1), account: account as never }),
    });
    const body = { address: { recipient: 'x' } } as never;
    await client.api.POST('/v1/checkout', { body });
    await client.api.POST('/v1/checkout', { body });
    await client.api.POST('/v1/checkout', {
      body,
      params: { header: { 'Idempotency-Key': 'k-123456789' } },
    });
    await client.api.PUT('/v1/cart/lines/{skuId}', {
      params: { path: { skuId: 's' } },
      body: { quantity: 1 },
    });
    const keys = gw.seen.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('k-123456789');
    expect(keys[3]).toBeNull(); // a cart write takes none
    expect(gw.seen.every((r) => r.headers.get('authorization') === 'Bearer access-1')).toBe(true);
  });

  it('refreshes an expired access token once for calls in flight together, and sends each again', async () => {
    let refreshes = 0;
    const gw = gateway(async (request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/auth/refresh') {
        refreshes++;
        expect(await request.json()).toEqual({ refreshToken: 'refresh-1' });
        await new Promise((r) => setTimeout(r, 10));
        return json(200, tokens(2));
      }
      if (request.headers.get('authorization') !== 'Bearer access-2')
        return problem(401, 'TOKEN_EXPIRED');
      return json(200, { path: url.pathname, body: request.body ? await request.json() : null });
    });
    const store = memorySessionStore({ tokens: tokens(1), account: account as never });
    const client = createEmporiaClient({ baseUrl: BASE, fetch: gw.fetch, store });
    const [me, put] = await Promise.all([
      ok(client.api.GET('/v1/me')),
      ok(client.api.PUT('/v1/me/profile', { body: { displayName: 'Li' } as never })),
    ]);
    expect(refreshes).toBe(1);
    expect(me).toEqual({ path: '/v1/me', body: null });
    // the body was sent again with the new token
    expect(put).toEqual({ path: '/v1/me/profile', body: { displayName: 'Li' } });
    expect(store.load().tokens?.refreshToken).toBe('refresh-2');
  });

  it('refreshes ahead of expiry, before sending', async () => {
    const gw = gateway((request) =>
      new URL(request.url).pathname === '/v1/auth/refresh'
        ? json(200, tokens(2))
        : json(200, { auth: request.headers.get('authorization') }),
    );
    const client = createEmporiaClient({
      baseUrl: BASE,
      fetch: gw.fetch,
      store: memorySessionStore({ tokens: tokens(1, 10_000), account: account as never }),
    });
    expect(await ok(client.api.GET('/v1/me'))).toEqual({ auth: 'Bearer access-2' });
    expect(gw.seen.map((r) => new URL(r.url).pathname)).toEqual(['/v1/auth/refresh', '/v1/me']);
  });

  it('ends the session when the refresh is refused, tells the app, and throws the first 401', async () => {
    const ended: string[] = [];
    const gw = gateway((request) =>
      new URL(request.url).pathname === '/v1/auth/refresh'
        ? problem(401, 'REFRESH_TOKEN_INVALID')
        : problem(401, 'TOKEN_EXPIRED'),
    );
    const store = memorySessionStore({ tokens: tokens(1), guestToken: 'gt_keep' });
    const client = createEmporiaClient({
      baseUrl: BASE,
      fetch: gw.fetch,
      store,
      onSessionEnded: (reason) => ended.push(reason.code),
    });
    const error = await client.api.GET('/v1/me').catch((e: unknown) => e);
    expect(isProblem(error, 'TOKEN_EXPIRED')).toBe(true);
    expect(ended).toEqual(['REFRESH_TOKEN_INVALID']);
    expect(store.load()).toEqual({ guestToken: 'gt_keep' });
    expect(client.signedIn).toBe(false);
  });

  it('does not refresh on a 401 that a new token does not cure (revoked)', async () => {
    const gw = gateway(() => problem(401, 'TOKEN_REVOKED'));
    const client = createEmporiaClient({
      baseUrl: BASE,
      fetch: gw.fetch,
      store: memorySessionStore({ tokens: tokens(1) }),
    });
    await expect(client.api.GET('/v1/me')).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    expect(gw.seen).toHaveLength(1);
  });

  it('keeps a guest cart token, sends it on cart routes, and merges the cart at sign-in', async () => {
    const gw = gateway(async (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/v1/cart/guest-token') return json(201, { guestToken: 'gt_0123456789abcdef' });
      if (path === '/v1/auth/login')
        return json(200, { account, mfaRequired: false, tokens: tokens(1) });
      if (path === '/v1/cart/merge') return json(200, { merged: await request.json() });
      return json(200, { lines: [] });
    });
    const store = memorySessionStore();
    const client = createEmporiaClient({
      baseUrl: BASE,
      fetch: gw.fetch,
      store,
      deviceId: 'dev-1',
    });
    expect(await client.guestToken()).toBe('gt_0123456789abcdef');
    expect(await client.guestToken()).toBe('gt_0123456789abcdef'); // issued once
    await client.api.GET('/v1/cart');
    const signIn = await client.signIn('li.lei@example.cn', 'a long enough password');
    expect(signIn).toEqual({ status: 'signed-in', account, mergedGuestCart: true });
    await client.api.GET('/v1/cart');
    const [issue, guestCart, login, merge, ownCart] = gw.seen;
    expect(gw.seen).toHaveLength(5);
    expect(issue.headers.get('x-device-id')).toBe('dev-1');
    expect(guestCart.headers.get('x-guest-token')).toBe('gt_0123456789abcdef');
    expect(login.headers.get('authorization')).toBeNull();
    expect(login.headers.get('x-device-id')).toBe('dev-1');
    expect(await merge.json()).toEqual({ guestToken: 'gt_0123456789abcdef' });
    expect(merge.headers.get('authorization')).toBe('Bearer access-1');
    expect(ownCart.headers.get('x-guest-token')).toBeNull();
    expect(store.load().guestToken).toBeUndefined();
  });

  it('answers mfa-required with the challenge, and signs in with the second factor', async () => {
    const gw = gateway((request) =>
      new URL(request.url).pathname === '/v1/auth/login'
        ? json(200, {
            account,
            mfaRequired: true,
            mfaChallenge: 'ch-1',
            mfaChallengeExpiresAt: 'soon',
          })
        : json(200, { account, tokens: tokens(3), recoveryCodesLeft: 9 }),
    );
    const client = createEmporiaClient({ baseUrl: BASE, fetch: gw.fetch });
    expect(await client.signIn('li.lei@example.cn', 'pw')).toEqual({
      status: 'mfa-required',
      account,
      challenge: 'ch-1',
      expiresAt: 'soon',
    });
    expect(client.signedIn).toBe(false);
    expect(await client.completeMfa('ch-1', '123456')).toEqual({
      account,
      recoveryCodesLeft: 9,
      mergedGuestCart: false,
    });
    expect(client.session.tokens?.accessToken).toBe('access-3');
  });

  it('sends an SMS code with its method, and keeps the access token a step-up answers', async () => {
    const gw = gateway((request) => {
      const path = new URL(request.url).pathname;
      if (path === '/v1/auth/login/mfa') return json(200, { account, tokens: tokens(4) });
      return json(201, {
        accessToken: 'access-stepped-up',
        accessExpiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
        tokenType: 'Bearer',
        steppedUpAt: '2026-12-05T10:00:00.000Z',
        validUntil: '2026-12-05T10:05:00.000Z',
      });
    });
    const client = createEmporiaClient({ baseUrl: BASE, fetch: gw.fetch });
    await client.completeMfa('ch-2', '123456', 'SMS');
    expect(await gw.seen[0].json()).toEqual({ challenge: 'ch-2', code: '123456', method: 'SMS' });

    expect(await client.stepUp({ method: 'SMS', code: '654321' })).toEqual({
      steppedUpAt: '2026-12-05T10:00:00.000Z',
      validUntil: '2026-12-05T10:05:00.000Z',
    });
    // the step-up itself went with the session's token; the refresh token is the session's still
    expect(gw.seen[1].headers.get('authorization')).toBe('Bearer access-4');
    expect(client.session.tokens).toMatchObject({
      accessToken: 'access-stepped-up',
      refreshToken: 'refresh-4',
    });
  });

  it('signs out on the server and forgets the session, even when the server had ended it', async () => {
    const gw = gateway(() => problem(401, 'REFRESH_TOKEN_INVALID'));
    const client = createEmporiaClient({
      baseUrl: BASE,
      fetch: gw.fetch,
      store: memorySessionStore({ tokens: tokens(1) }),
    });
    await client.signOut();
    expect(client.signedIn).toBe(false);
    expect(await gw.seen[0].json()).toEqual({ refreshToken: 'refresh-1' });
  });
});
