/** The WebAuthn relying party: its id (a domain), the name browsers show, its origins. */
export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

/**
 * Checks a relying party at boot: the id is a domain (no scheme, port or path) and every origin
 * is https, or http on localhost, on that domain or a subdomain of it (WebAuthn's rule: the RP id
 * is a registrable suffix of the origin's host). Returns what is wrong, or null.
 */
export function relyingPartyProblem(rp: RelyingParty): string | null {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(rp.id))
    return `'${rp.id}' is not a domain name (no scheme, port or path)`;
  if (rp.origins.length === 0) return 'give at least one origin';
  for (const origin of rp.origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return `'${origin}' is not an origin such as https://shop.example.com`;
    }
    if (url.origin !== origin) return `'${origin}' is not an origin (no path or trailing slash)`;
    const local = url.hostname === 'localhost';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
      return `'${origin}' must be https (http only on localhost)`;
    if (url.hostname !== rp.id && !url.hostname.endsWith(`.${rp.id}`))
      return `the origin '${origin}' is not on the relying party id '${rp.id}' or a subdomain of it`;
  }
  return null;
}
