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
 * time), never past `exp`, and at most `size` tokens (least recently used dropped first). The
 * revocation list is still read per request by the caller. A signing key withdrawn from the JWKS
 * stops being trusted for tokens not yet cached once the JWKS cache refreshes; tokens already
 * cached keep working until their `exp` (at most the access-token lifetime).
 */
export class CachingTokenVerifier implements AccessTokenVerifier {
  private readonly entries = new Map<string, Principal>();

  constructor(
    private readonly inner: AccessTokenVerifier,
    private readonly size = VERIFIED_TOKEN_CACHE_SIZE,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<Principal> {
    if (this.size === 0) return this.inner.verify(token);
    const hit = this.entries.get(token);
    if (hit !== undefined) {
      if (hit.expiresAt !== undefined && hit.expiresAt * 1000 > this.now()) {
        // most recently used goes last: Map keeps insertion order
        this.entries.delete(token);
        this.entries.set(token, hit);
        return hit;
      }
      this.entries.delete(token);
    }
    const principal = await this.inner.verify(token);
    if (principal.expiresAt !== undefined && principal.expiresAt * 1000 > this.now()) {
      this.entries.set(token, principal);
      if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
    }
    return principal;
  }
}
