import type { AccessTokenVerifier, Principal } from '../application/ports';
import { CachingTokenVerifier } from './verified-token-cache';

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
});
