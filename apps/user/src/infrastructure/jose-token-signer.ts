import { createPrivateKey, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type { IssuedAccessToken, TokenSigner } from '../application/ports';
import type { Account } from '../domain/account';

export interface JwtSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
}

interface KeyRow {
  kid: string;
  private_jwk: JWK;
  public_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
}

const ALG = 'ES256';

/** The current signing key, imported once: its KeyObject and its JWS header, encoded. */
interface SigningKey {
  kid: string;
  key: KeyObject;
  header: string;
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');

/**
 * ES256 access tokens. Keys live in the user database so every replica signs with the same
 * current key; a rotation retires the current key, which stays in the JWKS until every token
 * it signed has expired. The current key is cached for a few seconds, imported once (a KeyObject)
 * and used on the calling thread (jose's WebCrypto signing queued each token on the libuv pool,
 * behind the argon2 hashes).
 */
export class JoseTokenSigner implements TokenSigner {
  private cache: { at: number; signing: SigningKey } | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly settings: JwtSettings,
    private readonly cacheMs = 5000,
  ) {}

  /** Makes sure a signing key exists (first start). Safe when replicas race. */
  async ensureKey(now: Date): Promise<void> {
    await this.ds.transaction(async (m) => {
      const sql = new Sql(m);
      await sql.run(`SELECT pg_advisory_xact_lock(hashtext('user.signing-keys'))`);
      const [{ n }] = await sql.rows<{ n: number }>(
        `SELECT count(*)::int AS n FROM signing_keys WHERE retired_at IS NULL`,
      );
      if (n === 0) await this.insertKey(sql, now);
    });
  }

  async rotate(now: Date): Promise<string> {
    const kid = await this.ds.transaction(async (m) => {
      const sql = new Sql(m);
      await sql.run(`SELECT pg_advisory_xact_lock(hashtext('user.signing-keys'))`);
      await sql.run(`UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL`, [now]);
      return this.insertKey(sql, now);
    });
    this.cache = undefined;
    return kid;
  }

  /**
   * `iat` keeps the milliseconds as a fraction (an RFC 7519 NumericDate may be non-integer): the
   * gateway refuses tokens issued at or before a revocation, and one issued in the same second
   * after it (a fresh sign-in after unfreezing) must still work. `sid` names the session;
   * `mfa_at` (whole epoch seconds) is when a second factor was last proved in it, absent when never.
   */
  async signAccess(
    account: Account,
    now: Date,
    sessionId: string,
    mfaAt?: Date | null,
  ): Promise<IssuedAccessToken> {
    const { key, header } = await this.signingKey();
    const iat = now.getTime() / 1000;
    const exp = Math.floor(iat) + this.settings.accessTtlSeconds;
    // JWS compact serialization (RFC 7515) with ES256 (RFC 7518 §3.4: r || s, 64 bytes), signed
    // on this thread with the imported key: the claims jose's SignJWT wrote, in its order.
    const payload = b64url(
      JSON.stringify({
        roles: account.roles,
        sid: sessionId,
        sub: account.id,
        iss: this.settings.issuer,
        aud: this.settings.audience,
        iat,
        exp,
        jti: randomUUID(),
        ...(mfaAt ? { mfa_at: Math.floor(mfaAt.getTime() / 1000) } : {}),
      }),
    );
    const input = `${header}.${payload}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return {
      token: `${input}.${signature.toString('base64url')}`,
      expiresAt: new Date(exp * 1000),
    };
  }

  /** Public keys still needed to verify live tokens. */
  async jwks(now: Date): Promise<{ keys: object[] }> {
    const graceMs = (this.settings.accessTtlSeconds + 300) * 1000;
    const rows = await new Sql(this.ds).rows<KeyRow>(
      `SELECT kid, public_jwk, created_at, retired_at FROM signing_keys ORDER BY created_at DESC`,
    );
    const live = rows.filter(
      (r) => !r.retired_at || r.retired_at.getTime() + graceMs > now.getTime(),
    );
    return { keys: live.map((r) => ({ ...r.public_jwk, kid: r.kid, alg: ALG, use: 'sig' })) };
  }

  private async signingKey(): Promise<SigningKey> {
    if (this.cache && Date.now() - this.cache.at < this.cacheMs) return this.cache.signing;
    const rows = await new Sql(this.ds).rows<KeyRow>(
      `SELECT kid, private_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1`,
    );
    if (!rows[0]) throw new Error('no signing key: ensureKey() was not called');
    const { kid, private_jwk: jwk } = rows[0];
    const signing: SigningKey = {
      kid,
      key: createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }),
      header: b64url(JSON.stringify({ alg: ALG, kid, typ: 'at+jwt' })),
    };
    this.cache = { at: Date.now(), signing };
    return signing;
  }

  private async insertKey(sql: Sql, now: Date): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = `${now.toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    await sql.run(
      `INSERT INTO signing_keys (kid, algorithm, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [
        kid,
        ALG,
        JSON.stringify(await exportJWK(privateKey)),
        JSON.stringify(await exportJWK(publicKey)),
        now,
      ],
    );
    return kid;
  }
}
