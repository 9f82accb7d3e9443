/** The longest URL a customer may give us (attachments, review photos). */
export const MAX_PUBLIC_URL_LENGTH = 2048;

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
  if (host === '::1' || host === '::') return true;
  if (/^f[cd][0-9a-f]{0,2}:/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host)) return true;
  // an IPv4-mapped address, which URL parsing writes in hex (::ffff:10.0.0.1 → ::ffff:a00:1)
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (dotted) return privateIpv4(dotted[1]);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!hex) return false;
  const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return privateIpv4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
}

/**
 * What is wrong with a URL a customer gives us to show to others (a ticket's attachment, a
 * review's photo), or undefined when it is acceptable: https, 1..2048 characters, no
 * credentials, the host neither `localhost` nor a loopback/private IP literal. Such URLs are
 * stored as given and never fetched by a server.
 */
export function publicUrlProblem(raw: string): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_PUBLIC_URL_LENGTH)
    return `must be 1..${MAX_PUBLIC_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') return 'must be https';
  if (url.username || url.password) return 'must not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!host || host === 'localhost' || host.endsWith('.localhost'))
    return 'must not point at localhost';
  if (privateIpv4(host) || (host.includes(':') && privateIpv6(host)))
    return 'must not point at a private address';
  return undefined;
}
