import { invalid } from './review-error';

export const MAX_PHOTOS = 9;
const MAX_URL_LENGTH = 2048;

/** Whether an IPv4 literal is loopback, private, link-local, unspecified or CGNAT. */
function privateIpv4(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}

/** Whether an IPv6 literal (without brackets) is loopback, unspecified, ULA, link-local or mapped private. */
function privateIpv6(host: string): boolean {
  const h = host.toLowerCase();
  if (h === '::1' || h === '::') return true;
  if (/^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h)) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped ? privateIpv4(mapped[1]) : false;
}

/**
 * Photo URLs as the shared definitions fix them: https, at most 2048 characters, no credentials,
 * the host not `localhost` nor a loopback/private IP literal; at most 9. Stored as given, never
 * fetched by the server.
 */
export function validatePhotoUrls(urls: readonly string[], field = 'photo_urls'): string[] {
  if (urls.length > MAX_PHOTOS)
    throw invalid('PHOTO_URL_INVALID', `at most ${MAX_PHOTOS} photos`, field);
  return urls.map((raw, i) => {
    const bad = (why: string) =>
      invalid('PHOTO_URL_INVALID', `${field}[${i}] ${why}`, `${field}.${i}`);
    if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH)
      throw bad(`must be 1..${MAX_URL_LENGTH} characters`);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw bad('is not a URL');
    }
    if (url.protocol !== 'https:') throw bad('must be https');
    if (url.username || url.password) throw bad('must not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (!host || host === 'localhost' || host.endsWith('.localhost'))
      throw bad('must not point at localhost');
    if (privateIpv4(host) || (host.includes(':') && privateIpv6(host)))
      throw bad('must not point at a private address');
    return raw;
  });
}
