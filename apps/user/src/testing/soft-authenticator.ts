import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A WebAuthn authenticator in Node for tests: ES256 keys from node:crypto, attestation "none",
 * assertions signed as a real authenticator signs them (authenticator data ‖ SHA-256 of the
 * client data), so the service verifies them with its real WebAuthn adapter. It answers the
 * options the service hands out, on `origin`, and can be told to misbehave: another origin, a
 * counter that does not go up (a clone), no user verification, another challenge.
 */

interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string };
  excludeCredentials?: { id: string }[];
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

interface SoftCredential {
  id: string;
  privateKey: KeyObject;
  userHandle: string;
  rpId: string;
  counter: number;
}

const b64url = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;

export interface SoftAuthenticatorOptions {
  origin: string;
  /** Whether it verifies the user (a PIN, a fingerprint); true unless said. */
  userVerified?: boolean;
  /** A synced passkey (backup eligible and backed up). */
  backedUp?: boolean;
  /** Keeps no signature counter (always 0), as synced passkeys do. */
  noCounter?: boolean;
}

export class SoftAuthenticator {
  readonly credentials = new Map<string, SoftCredential>();

  constructor(private readonly opts: SoftAuthenticatorOptions) {}

  private flags(extra: number, userVerified = this.opts.userVerified ?? true): number {
    return UP | extra | (userVerified ? UV : 0) | (this.opts.backedUp ? BE | BS : 0);
  }

  /** navigator.credentials.create: the RegistrationResponseJSON for `options`. */
  create(
    options: string | CreationOptions,
    override: { origin?: string; challenge?: string; credentialId?: string } = {},
  ): string {
    const o: CreationOptions = typeof options === 'string' ? JSON.parse(options) : options;
    const rpId = o.rp.id ?? new URL(this.opts.origin).hostname;
    const id = override.credentialId ?? b64url(randomBytes(16));
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
    const credentialId = Buffer.from(id, 'base64url');
    const counter = 0; // registration: the counter starts at 0
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([this.flags(AT)]),
      u32(counter),
      Buffer.alloc(16), // AAGUID: none
      Buffer.from([credentialId.length >> 8, credentialId.length & 0xff]),
      credentialId,
      Buffer.from(cose),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    const clientData = this.clientData(
      'webauthn.create',
      override.challenge ?? o.challenge,
      override.origin,
    );
    this.credentials.set(id, { id, privateKey, userHandle: o.user.id, rpId, counter });
    return JSON.stringify({
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    });
  }

  /**
   * navigator.credentials.get: the AuthenticationResponseJSON for `options`, with the first of
   * its own credentials the options allow (or `credentialId`). The counter goes up by one
   * (unless `counter` says what to report, or the authenticator keeps none).
   */
  get(
    options: string | RequestOptions,
    override: {
      origin?: string;
      challenge?: string;
      credentialId?: string;
      counter?: number;
      userVerified?: boolean;
      rpId?: string;
    } = {},
  ): string {
    const o: RequestOptions = typeof options === 'string' ? JSON.parse(options) : options;
    const allowed = o.allowCredentials?.map((c) => c.id);
    const credential =
      this.credentials.get(override.credentialId ?? '') ??
      [...this.credentials.values()].find((c) => !allowed?.length || allowed.includes(c.id));
    if (!credential) throw new Error('the soft authenticator has no credential the options allow');
    const counter = this.opts.noCounter ? 0 : (override.counter ?? credential.counter + 1);
    credential.counter = Math.max(credential.counter, counter);
    const authData = Buffer.concat([
      sha256(override.rpId ?? o.rpId ?? credential.rpId),
      Buffer.from([this.flags(0, override.userVerified)]),
      u32(counter),
    ]);
    const clientData = this.clientData(
      'webauthn.get',
      override.challenge ?? o.challenge,
      override.origin,
    );
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientData)]),
      credential.privateKey,
    );
    return JSON.stringify({
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    });
  }

  private clientData(type: string, challenge: string, origin = this.opts.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
