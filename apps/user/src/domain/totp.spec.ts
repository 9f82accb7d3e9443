import { createHmac } from 'node:crypto';
import {
  base32Decode,
  base32Encode,
  hotp,
  otpauthUri,
  totp,
  verifyTotp,
  type Hmac,
  type TotpParams,
} from './totp';

const hmac: Hmac = (alg, key, msg) =>
  new Uint8Array(createHmac(alg.toLowerCase(), key).update(msg).digest());
const ascii = (s: string) => new TextEncoder().encode(s);

// RFC 6238 Appendix B: seeds are ASCII "12345678901234567890" repeated to the hash length.
const SEEDS = {
  SHA1: ascii('12345678901234567890'),
  SHA256: ascii('12345678901234567890123456789012'),
  SHA512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
};

describe('TOTP (RFC 6238)', () => {
  it.each<[number, string, 'SHA1' | 'SHA256' | 'SHA512']>([
    [59, '94287082', 'SHA1'],
    [59, '46119246', 'SHA256'],
    [59, '90693936', 'SHA512'],
    [1111111109, '07081804', 'SHA1'],
    [1111111109, '68084774', 'SHA256'],
    [1111111109, '25091201', 'SHA512'],
    [1111111111, '14050471', 'SHA1'],
    [1234567890, '89005924', 'SHA1'],
    [1234567890, '91819424', 'SHA256'],
    [2000000000, '69279037', 'SHA1'],
    [20000000000, '65353130', 'SHA1'],
    [20000000000, '77737706', 'SHA256'],
    [20000000000, '47863826', 'SHA512'],
  ])('at T=%i gives %s with %s', (t, expected, algorithm) => {
    const params: TotpParams = { algorithm, digits: 8, periodSeconds: 30 };
    expect(totp(hmac, SEEDS[algorithm], t, params)).toBe(expected);
  });

  it('matches the RFC 4226 HOTP vectors', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(
      expected.map((_, c) => hotp(hmac, SEEDS.SHA1, c, { algorithm: 'SHA1', digits: 6 })),
    ).toEqual(expected);
  });

  it('accepts one step of clock drift either way, not two', () => {
    const t = 1_700_000_000;
    const code = totp(hmac, SEEDS.SHA1, t);
    expect(verifyTotp(hmac, SEEDS.SHA1, code, t + 30)).toBe(Math.floor(t / 30));
    expect(verifyTotp(hmac, SEEDS.SHA1, code, t - 30)).toBe(Math.floor(t / 30));
    expect(verifyTotp(hmac, SEEDS.SHA1, code, t + 61)).toBeNull();
  });

  it('refuses a replayed code and malformed input', () => {
    const t = 1_700_000_000;
    const code = totp(hmac, SEEDS.SHA1, t);
    const used = verifyTotp(hmac, SEEDS.SHA1, code, t)!;
    expect(verifyTotp(hmac, SEEDS.SHA1, code, t, { lastUsedCounter: used })).toBeNull();
    expect(verifyTotp(hmac, SEEDS.SHA1, '12345', t)).toBeNull();
    expect(verifyTotp(hmac, SEEDS.SHA1, 'abcdef', t)).toBeNull();
  });

  it('round-trips base32 (RFC 4648 vectors) and builds an otpauth URI', () => {
    expect(base32Encode(ascii('foobar'))).toBe('MZXW6YTBOI');
    expect(new TextDecoder().decode(base32Decode('MZXW 6YTB OI=='))).toBe('foobar');
    expect(() => base32Decode('MZ1')).toThrow(
      expect.objectContaining({ code: 'TOTP_SECRET_INVALID' }),
    );
    expect(otpauthUri({ issuer: 'Emporia', account: 'a@b.cn', secret: ascii('foobar') })).toBe(
      'otpauth://totp/Emporia:a%40b.cn?secret=MZXW6YTBOI&issuer=Emporia&algorithm=SHA1&digits=6&period=30',
    );
  });
});
