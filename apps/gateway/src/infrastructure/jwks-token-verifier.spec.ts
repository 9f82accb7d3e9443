import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { JwksTokenVerifier } from './jwks-token-verifier';

async function key(kid: string) {
  const pair = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256' };
  const sign = (roles: unknown = ['customer'], extra: Record<string, unknown> = {}) =>
    new SignJWT({ roles, ...extra })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('acc-1')
      .setIssuer('iss')
      .setAudience('aud')
      .setExpirationTime('5m')
      .sign(pair.privateKey);
  return { jwk, sign };
}

describe('JwksTokenVerifier', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('caches the key set, and refetches early for an unknown key id (rotation)', async () => {
    const k1 = await key('k1');
    const k2 = await key('k2');
    let published = [k1.jwk];
    const fetch = jest.fn(async () => ({ keys: published }));
    const v = new JwksTokenVerifier(
      fetch,
      { issuer: 'iss', audience: 'aud', cacheMs: 300_000, refetchCooldownMs: 10_000 },
      clock,
    );
    expect(await v.verify(await k1.sign(['customer', 'operator', 'root']))).toEqual({
      accountId: 'acc-1',
      roles: ['customer', 'operator'],
      expiresAt: expect.any(Number),
    });
    // support agents (issue 17)
    expect((await v.verify(await k1.sign(['customer', 'agent']))).roles).toEqual([
      'customer',
      'agent',
    ]);
    await v.verify(await k1.sign());
    expect(fetch).toHaveBeenCalledTimes(1);

    published = [k1.jwk, k2.jwk];
    // within the cool-down an unknown kid is refused without hammering the user service
    await expect(v.verify(await k2.sign())).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect(fetch).toHaveBeenCalledTimes(1);
    now += 10_000;
    expect((await v.verify(await k2.sign())).accountId).toBe('acc-1');
    expect(fetch).toHaveBeenCalledTimes(2);

    now += 300_000;
    await v.verify(await k1.sign());
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('fails closed when the key set cannot be fetched', async () => {
    const k1 = await key('k1');
    const down = new Error('user service unavailable');
    const v = new JwksTokenVerifier(
      async () => {
        throw down;
      },
      { issuer: 'iss', audience: 'aud', cacheMs: 1000 },
      clock,
    );
    await expect(v.verify(await k1.sign())).rejects.toBe(down);
  });

  it('shares one fetch between concurrent verifications', async () => {
    const k1 = await key('k1');
    const fetch = jest.fn(async () => ({ keys: [k1.jwk] }));
    const v = new JwksTokenVerifier(
      fetch,
      { issuer: 'iss', audience: 'aud', cacheMs: 1000 },
      clock,
    );
    const token = await k1.sign();
    await Promise.all(Array.from({ length: 20 }, () => v.verify(token)));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('reads the session id and the issue time to the millisecond, for the revocation list', async () => {
    const k1 = await key('k1');
    const v = new JwksTokenVerifier(async () => ({ keys: [k1.jwk] }), {
      issuer: 'iss',
      audience: 'aud',
      cacheMs: 1000,
    });
    const iat = Date.now() / 1000;
    expect(
      await v.verify(
        await k1.sign(['customer'], { sid: '0190a000-0000-7000-8000-000000000001', iat }),
      ),
    ).toEqual({
      accountId: 'acc-1',
      roles: ['customer'],
      sessionId: '0190a000-0000-7000-8000-000000000001',
      issuedAt: iat,
      expiresAt: expect.any(Number),
    });
  });

  it('reads mfa_at as secondFactorAt (epoch seconds), and ignores a claim that is not a time', async () => {
    const k1 = await key('k1');
    const v = new JwksTokenVerifier(async () => ({ keys: [k1.jwk] }), {
      issuer: 'iss',
      audience: 'aud',
      cacheMs: 1000,
    });
    const mfaAt = Math.floor(Date.now() / 1000) - 30;
    expect(await v.verify(await k1.sign(['customer'], { mfa_at: mfaAt }))).toEqual({
      accountId: 'acc-1',
      roles: ['customer'],
      expiresAt: expect.any(Number),
      secondFactorAt: mfaAt,
    });
    for (const bad of ['2026-01-01T00:00:00Z', 0, -5, 1e300, null, true, { at: mfaAt }])
      expect(await v.verify(await k1.sign(['customer'], { mfa_at: bad }))).not.toHaveProperty(
        'secondFactorAt',
      );
    expect(await v.verify(await k1.sign())).not.toHaveProperty('secondFactorAt');
  });
});
