import type { AccessTokenVerifier, Principal } from '../application/ports';
import { CachingTokenVerifier, verifyingIssuedTokens } from './verified-token-cache';

describe('CachingTokenVerifier', () => {
  let now = 1_000_000;
  const principal = (token: string): Principal => ({
    accountId: token,
    roles: ['customer'],
    expiresAt: (now + 60_000) / 1000,
  });
  const inner = () => {
    const verify = jest.fn(async (token: string) => {
      if (token === 'bad') throw new Error('TOKEN_INVALID');
      return token === 'no-exp' ? { accountId: token, roles: [] } : principal(token);
    });
    return { verify } satisfies AccessTokenVerifier;
  };

  it('verifies a token once until its exp, then again', async () => {
    const v = inner();
    const cache = new CachingTokenVerifier(v, 10, () => now);
    expect((await cache.verify('t')).accountId).toBe('t');
    await cache.verify('t');
    expect(v.verify).toHaveBeenCalledTimes(1);
    now += 60_000; // at exp
    await cache.verify('t');
    expect(v.verify).toHaveBeenCalledTimes(2);
  });

  it('never caches a refusal or a token without exp, and holds at most its size', async () => {
    const v = inner();
    const cache = new CachingTokenVerifier(v, 2, () => now);
    await expect(cache.verify('bad')).rejects.toThrow('TOKEN_INVALID');
    await expect(cache.verify('bad')).rejects.toThrow('TOKEN_INVALID');
    await cache.verify('no-exp');
    await cache.verify('no-exp');
    expect(v.verify).toHaveBeenCalledTimes(4);
    await cache.verify('a');
    await cache.verify('b');
    await cache.verify('a'); // a is now the most recently used
    await cache.verify('c'); // b goes
    v.verify.mockClear();
    await cache.verify('a');
    await cache.verify('b');
    expect(v.verify.mock.calls.map(([t]) => t)).toEqual(['b']);
  });

  it('verifies the access tokens the user service hands out through the replica, in the background', async () => {
    const v = inner();
    const cache = new CachingTokenVerifier(v, 10, () => now);
    const users = {
      login: async (_: object) => ({ mfaRequired: false, tokens: { accessToken: 'signed-in' } }),
      stepUp: async () => ({ accessToken: 'stepped-up' }),
      refresh: async () => ({ tokens: { accessToken: 'bad' } }),
      getAccount: async () => ({ account: { id: 'a' } }),
      failing: async () => {
        throw new Error('UNAVAILABLE');
      },
      name: 'user',
    };
    const api = verifyingIssuedTokens(users, cache);
    // answers as they came
    expect(await api.login({})).toEqual({
      mfaRequired: false,
      tokens: { accessToken: 'signed-in' },
    });
    expect(await api.stepUp()).toEqual({ accessToken: 'stepped-up' });
    expect(await api.refresh()).toEqual({ tokens: { accessToken: 'bad' } });
    expect(await api.getAccount()).toEqual({ account: { id: 'a' } });
    await expect(api.failing()).rejects.toThrow('UNAVAILABLE');
    expect(api.name).toBe('user');
    await new Promise((r) => setImmediate(r));
    // both good tokens verified once and kept; the refused one not kept
    expect(v.verify.mock.calls.map(([t]) => t).sort()).toEqual(['bad', 'signed-in', 'stepped-up']);
    expect(cache.cached('signed-in')?.accountId).toBe('signed-in');
    expect(cache.cached('stepped-up')?.accountId).toBe('stepped-up');
    expect(cache.cached('bad')).toBeUndefined();
    // one wrapper per method, used again on every call
    expect(api.stepUp).toBe(api.stepUp);
    users.stepUp = async () => ({ accessToken: 'again' });
    await api.stepUp();
    await new Promise((r) => setImmediate(r));
    expect(cache.cached('again')?.accountId).toBe('again'); // a method replaced: its own wrapper
  });
});
