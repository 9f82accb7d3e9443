import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import type { SecretBox } from '../application/ports';
import type { OneTimeCodeHasher } from '../application/security.ports';
import type { Hmac } from '../domain/totp';

/** HMAC for TOTP from node:crypto. */
export const nodeHmac: Hmac = (algorithm, key, message) =>
  new Uint8Array(createHmac(algorithm.toLowerCase(), key).update(message).digest());

/**
 * AES-256-GCM: `v1.<iv>.<ciphertext>.<tag>` in base64url. A tampered value or a wrong key fails
 * to open instead of yielding garbage.
 */
export class AesGcmSecretBox implements SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the MFA encryption key must be 32 bytes');
    this.key = key;
  }

  /** A key from configuration: 32 bytes in base64, or any passphrase (hashed to 32 bytes). */
  static fromConfig(value: string): AesGcmSecretBox {
    const raw = Buffer.from(value, 'base64');
    return new AesGcmSecretBox(
      raw.length === 32 ? raw : createHash('sha256').update(value, 'utf8').digest(),
    );
  }

  seal(plain: Uint8Array): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return ['v1', iv, body, cipher.getAuthTag()]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): Uint8Array {
    const [v, iv, body, tag] = sealed.split('.');
    if (v !== 'v1' || !iv || !body || !tag) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return new Uint8Array(
      Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]),
    );
  }
}

/**
 * One-time codes as HMAC-SHA-256 of `<code id>:<digits>` under a key derived (HKDF) from the MFA
 * encryption key: a leaked table reveals no code, and the million candidates of a 6-digit code
 * cannot be tried without the key. The id makes equal codes hash apart.
 */
export class HmacOneTimeCodeHasher implements OneTimeCodeHasher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.from(secret, 'utf8'),
        Buffer.alloc(0),
        'emporia user one-time codes',
        32,
      ),
    );
  }

  hash(codeId: string, digits: string): string {
    return createHmac('sha256', this.key).update(`${codeId}:${digits}`).digest('base64url');
  }
}
