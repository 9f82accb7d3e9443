import { invalid } from './support-error';

export const MAX_ATTACHMENTS = 9;
const MAX_URL_LENGTH = 2048;

/** Loopback, private, link-local, CGNAT, unspecified (IPv4) and their IPv6 counterparts. */
function isPrivateIpv4(host: string): boolean {
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

function isPrivateIpv6(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (!h.includes(':')) return false;
  if (h === '::' || h === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped) return isPrivateIpv4(mapped[1]);
  // fc00::/7 unique local, fe80::/10 link-local
  return /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || h.startsWith('::ffff:');
}

/**
 * Attachment URLs as the shared definitions say: https only, ≤ 2048 characters, at most 9, no
 * credentials, host neither `localhost` nor an IP literal of a private or loopback range. They
 * are stored as given and never fetched.
 */
export function validateAttachmentUrls(urls: readonly string[], field = 'attachment_urls') {
  if (urls.length > MAX_ATTACHMENTS)
    throw invalid('ATTACHMENT_URL_INVALID', `at most ${MAX_ATTACHMENTS} attachments`, field);
  urls.forEach((raw, i) => {
    const bad = (why: string) =>
      invalid('ATTACHMENT_URL_INVALID', `${field}[${i}]: ${why}`, `${field}.${i}`);
    if (raw.length > MAX_URL_LENGTH) throw bad(`longer than ${MAX_URL_LENGTH} characters`);
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw bad('not a URL');
    }
    if (u.protocol !== 'https:') throw bad('must be https');
    if (u.username || u.password) throw bad('must not carry credentials');
    const host = u.hostname.toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost')) throw bad('localhost is refused');
    if (isPrivateIpv4(host) || isPrivateIpv6(host)) throw bad('a private or loopback address');
  });
  return [...urls];
}
