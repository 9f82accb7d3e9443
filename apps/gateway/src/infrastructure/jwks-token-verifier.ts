import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet } from 'jose';
import type { AccessTokenVerifier, Principal, Role } from '../application/ports';
import { ProblemError } from '../interface/problem';

export interface JwksVerifierOptions {
  issuer: string;
  audience: string;
  /** How long a fetched key set is trusted before it is fetched again. */
  cacheMs: number;
  /** An unknown key id refetches the set, at most this often (a rotation appears quickly). */
  refetchCooldownMs?: number;
  /** Allowed clock difference between the user service and the gateway. */
  clockToleranceSeconds?: number;
}

const ROLES: readonly Role[] = ['customer', 'agent', 'operator', 'admin'];

const unauthorized = (code: string, detail: string, error = 'invalid_token') =>
  new ProblemError(401, code, detail, undefined, {
    'www-authenticate': `Bearer realm="emporia", error="${error}"`,
  });

/**
 * Verifies ES256 access tokens against the user service's JWKS, cached. The key set comes from
 * `fetchJwks` (the user service over gRPC); while it cannot be fetched and nothing is cached,
 * verification fails with the backend's error (503), never by letting a token through.
 */
export class JwksTokenVerifier implements AccessTokenVerifier {
  private keys: { set: ReturnType<typeof createLocalJWKSet>; at: number } | undefined;
  private inflight: Promise<ReturnType<typeof createLocalJWKSet>> | undefined;

  constructor(
    private readonly fetchJwks: () => Promise<JSONWebKeySet>,
    private readonly opts: JwksVerifierOptions,
    private readonly now: () => number = Date.now,
  ) {}

  private keySet(force: boolean): Promise<ReturnType<typeof createLocalJWKSet>> {
    const fresh = this.keys && this.now() - this.keys.at < this.opts.cacheMs;
    if (this.keys && fresh && !force) return Promise.resolve(this.keys.set);
    this.inflight ??= this.fetchJwks()
      .then((jwks) => {
        const set = createLocalJWKSet(jwks);
        this.keys = { set, at: this.now() };
        return set;
      })
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  async verify(token: string): Promise<Principal> {
    try {
      return await this.verifyWith(await this.keySet(false), token);
    } catch (e) {
      const cooldown = this.opts.refetchCooldownMs ?? 10_000;
      if (
        e instanceof joseErrors.JWKSNoMatchingKey &&
        this.keys &&
        this.now() - this.keys.at >= cooldown
      ) {
        return this.verifyWith(await this.keySet(true), token).catch((again: unknown) => {
          throw this.toProblem(again);
        });
      }
      throw this.toProblem(e);
    }
  }

  private async verifyWith(
    keys: ReturnType<typeof createLocalJWKSet>,
    token: string,
  ): Promise<Principal> {
    const { payload } = await jwtVerify(token, keys, {
      issuer: this.opts.issuer,
      audience: this.opts.audience,
      algorithms: ['ES256'],
      clockTolerance: this.opts.clockToleranceSeconds ?? 5,
      requiredClaims: ['sub', 'exp'],
    });
    const roles = Array.isArray(payload.roles)
      ? payload.roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r))
      : [];
    return {
      accountId: String(payload.sub),
      roles,
      ...(typeof payload.sid === 'string' ? { sessionId: payload.sid } : {}),
      ...(typeof payload.iat === 'number' ? { issuedAt: payload.iat } : {}),
      ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}),
      ...secondFactorOf(payload.mfa_at),
    };
  }

  private toProblem(e: unknown): unknown {
    if (e instanceof joseErrors.JWTExpired)
      return unauthorized('TOKEN_EXPIRED', 'the access token has expired; refresh it');
    if (e instanceof joseErrors.JOSEError)
      return unauthorized('TOKEN_INVALID', 'the access token is not valid');
    return e; // e.g. the user service is unreachable: 503, not 401
  }
}

/** A time a Date can hold as RFC 3339 with a four-digit year (9999-12-31). */
const MAX_EPOCH_SECONDS = 253_402_300_800;

/**
 * The `mfa_at` claim (epoch seconds: when a second factor was last proved in the token's session,
 * at sign-in or by a step-up) as `secondFactorAt`; anything but a positive finite number is no
 * claim (the step-up checks then ask for one).
 */
function secondFactorOf(claim: unknown): { secondFactorAt?: number } {
  return typeof claim === 'number' && claim > 0 && claim < MAX_EPOCH_SECONDS
    ? { secondFactorAt: claim }
    : {};
}

export { unauthorized };
