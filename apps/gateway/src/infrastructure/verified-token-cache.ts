import type { AccessTokenVerifier, Principal } from '../application/ports';

/**
 * Verified access tokens kept by default (each entry: the token string and its principal, about
 * 1 KiB): above the buyers of a large flash sale (the benchmark's 20,000) with room to spare.
 */
export const VERIFIED_TOKEN_CACHE_SIZE = 50_000;

/**
 * Remembers the tokens `inner` accepted, by the token string, until the token's own `exp`: a
 * signed token's claims cannot change, so re-verifying its ES256 signature on every request buys
 * nothing. Only acceptances are cached (a refused or unverifiable token is checked again each
 * time), never past `exp`, and at most `size` tokens (the least recently used dropped first,
 * roughly: see `cached`). The revocation list is still read per request by the caller. A signing key withdrawn from the JWKS
 * stops being trusted for tokens not yet cached once the JWKS cache refreshes; tokens already
 * cached keep working until their `exp` (at most the access-token lifetime).
 */
export class CachingTokenVerifier implements AccessTokenVerifier {
  /** Insertion order is use order, roughly: the first entry is dropped first. */
  private readonly entries = new Map<string, { principal: Principal; seq: number }>();
  /** Entries (re)inserted so far. */
  private seq = 0;

  constructor(
    private readonly inner: AccessTokenVerifier,
    private readonly size = VERIFIED_TOKEN_CACHE_SIZE,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<Principal> {
    const hit = this.cached(token);
    if (hit !== undefined) return hit;
    if (this.size === 0) return this.inner.verify(token);
    const principal = await this.inner.verify(token);
    if (principal.expiresAt !== undefined && principal.expiresAt * 1000 > this.now()) {
      this.entries.set(token, { principal, seq: ++this.seq });
      if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
    }
    return principal;
  }

  /**
   * The principal of a token accepted before and not expired, without a promise; else undefined.
   * A hit moves the token to the back of the eviction order (a Map keeps insertion order) when
   * half the cache was inserted since it last moved: a token used within the last `size / 2`
   * insertions is never dropped, and a hot token is not re-inserted on every request.
   */
  cached(token: string): Principal | undefined {
    if (this.size === 0) return undefined;
    const hit = this.entries.get(token);
    if (hit === undefined) return undefined;
    const { principal } = hit;
    if (principal.expiresAt === undefined || principal.expiresAt * 1000 <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    if (this.seq - hit.seq >= this.size >> 1) {
      this.entries.delete(token);
      hit.seq = ++this.seq;
      this.entries.set(token, hit);
    }
    return principal;
  }
}

/**
 * The user service's API, with every access token it hands out through this replica (a
 * sign-in, a refresh, a second factor, a step-up: any answer with `accessToken` or
 * `tokens.accessToken`) verified at once into `cache`, in the background: the shopper's next
 * requests to this replica find the token verified instead of paying the ES256 check on the
 * first of them, which in a flash sale is the attempt itself, in the busiest second. The answer
 * is returned as it came, at once; a verification that fails is simply not kept (the token is
 * then checked on use, as any other).
 */
export function verifyingIssuedTokens<T extends object>(
  api: T,
  cache: Pick<CachingTokenVerifier, 'verify'>,
): T {
  const keep = (token: unknown) => {
    if (typeof token === 'string' && token.length > 0) cache.verify(token).catch(() => undefined);
  };
  const issued = (answer: unknown) => {
    if (typeof answer !== 'object' || answer === null) return;
    const a = answer as { accessToken?: unknown; tokens?: { accessToken?: unknown } };
    keep(a.accessToken);
    keep(a.tokens?.accessToken);
  };
  // one wrapper per method, made on first use (not a new closure on every call)
  const wrapped = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      let method = wrapped.get(fn);
      if (!method) {
        method = (...args: unknown[]) => {
          const answer = fn.apply(target, args);
          if (answer instanceof Promise) answer.then(issued, () => undefined);
          return answer;
        };
        wrapped.set(fn, method);
      }
      return method;
    },
  });
}
