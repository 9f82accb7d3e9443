import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { JwksTokenVerifier } from '../../src/infrastructure/jwks-token-verifier';

type Key = Awaited<ReturnType<typeof generateKeyPair>>;

export type Sign = (
  roles: string[],
  opts?: {
    expSeconds?: number;
    audience?: string;
    sub?: string;
    with?: Key;
    /** Session id (`sid`) and issue time (`iat`, seconds with a fraction), as the user service signs. */
    sid?: string;
    iat?: number;
  },
) => Promise<string>;

/** Signs access tokens the way the user service does (ES256, iss, aud, sub, roles). */
export async function signer(): Promise<{ jwks: { keys: JWK[] }; sign: Sign }> {
  const key: Key = await generateKeyPair('ES256');
  const kid = `k${Math.random().toString(36).slice(2)}`;
  const jwk: JWK = { ...(await exportJWK(key.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const sign: Sign = (roles, opts = {}) =>
    new SignJWT({ roles, ...(opts.sid ? { sid: opts.sid } : {}) })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject(opts.sub ?? '0190a000-0000-7000-8000-0000000000aa')
      .setIssuer('emporia-user')
      .setAudience(opts.audience ?? 'emporia-api')
      .setIssuedAt(opts.iat)
      .setExpirationTime(Math.floor(Date.now() / 1000) + (opts.expSeconds ?? 600))
      .sign((opts.with ?? key).privateKey);
  return { jwks: { keys: [jwk] }, sign };
}

/** The gateway's real verifier, fed a test's key set instead of the user service's. */
export function verifierFor(jwks: { keys: JWK[] }): JwksTokenVerifier {
  return new JwksTokenVerifier(async () => jwks, {
    issuer: 'emporia-user',
    audience: 'emporia-api',
    cacheMs: 60_000,
  });
}
