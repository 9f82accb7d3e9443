import { UserError } from './user-error';

/**
 * TOTP (RFC 6238) over HOTP (RFC 4226). Pure: the HMAC comes from the caller (a port), so the
 * algorithm is testable against the RFC vectors without I/O.
 */
export type HmacAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';
export type Hmac = (algorithm: HmacAlgorithm, key: Uint8Array, message: Uint8Array) => Uint8Array;

export interface TotpParams {
  algorithm: HmacAlgorithm;
  digits: 6 | 7 | 8;
  periodSeconds: number;
}

export const DEFAULT_TOTP: TotpParams = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 };

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const idx = BASE32.indexOf(ch);
    if (idx < 0)
      throw new UserError(
        'INVALID_ARGUMENT',
        'TOTP_SECRET_INVALID',
        `'${ch}' is not a base32 character`,
      );
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** HOTP value for a counter (RFC 4226 §5.3: dynamic truncation). */
export function hotp(
  hmac: Hmac,
  key: Uint8Array,
  counter: number,
  params: Pick<TotpParams, 'algorithm' | 'digits'>,
): string {
  const msg = new Uint8Array(8);
  let c = BigInt(counter);
  for (let i = 7; i >= 0; i--) {
    msg[i] = Number(c & 0xffn);
    c >>= 8n;
  }
  const mac = hmac(params.algorithm, key, msg);
  const offset = mac[mac.length - 1] & 0x0f;
  const binary =
    ((mac[offset] & 0x7f) << 24) |
    (mac[offset + 1] << 16) |
    (mac[offset + 2] << 8) |
    mac[offset + 3];
  return (binary % 10 ** params.digits).toString().padStart(params.digits, '0');
}

export function totpCounter(unixSeconds: number, periodSeconds: number): number {
  return Math.floor(unixSeconds / periodSeconds);
}

export function totp(
  hmac: Hmac,
  key: Uint8Array,
  unixSeconds: number,
  params: TotpParams = DEFAULT_TOTP,
): string {
  return hotp(hmac, key, totpCounter(unixSeconds, params.periodSeconds), params);
}

/**
 * Checks a code within ±`window` steps of now. Returns the matched counter, or null. A counter
 * at or below `lastUsedCounter` is refused, so a code cannot be replayed.
 */
export function verifyTotp(
  hmac: Hmac,
  key: Uint8Array,
  code: string,
  unixSeconds: number,
  opts: { params?: TotpParams; window?: number; lastUsedCounter?: number } = {},
): number | null {
  const params = opts.params ?? DEFAULT_TOTP;
  if (!new RegExp(`^\\d{${params.digits}}$`).test(code)) return null;
  const now = totpCounter(unixSeconds, params.periodSeconds);
  const window = opts.window ?? 1;
  let matched: number | null = null;
  for (let c = now - window; c <= now + window; c++) {
    // compare every candidate: the time taken does not reveal which step matched
    if (timingSafeEqualString(hotp(hmac, key, c, params), code) && matched === null) matched = c;
  }
  if (matched !== null && opts.lastUsedCounter !== undefined && matched <= opts.lastUsedCounter)
    return null;
  return matched;
}

function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The otpauth:// URI authenticator apps read from a QR code (Key Uri Format). */
export function otpauthUri(input: {
  issuer: string;
  account: string;
  secret: Uint8Array;
  params?: TotpParams;
}): string {
  const p = input.params ?? DEFAULT_TOTP;
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`;
  const query = new URLSearchParams({
    secret: base32Encode(input.secret),
    issuer: input.issuer,
    algorithm: p.algorithm,
    digits: String(p.digits),
    period: String(p.periodSeconds),
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}
