import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type {
  CeremonyOptions,
  CredentialDescriptor,
  Unverified,
  VerifiedAssertion,
  VerifiedRegistration,
  WebAuthnAnswer,
  WebAuthnPort,
} from '../application/passkey.ports';
import { PASSKEY_CHALLENGE_TTL_MS, type Passkey } from '../domain/passkey';
import type { RelyingParty } from './relying-party';

/** ES256, EdDSA and RS256 (Windows Hello): every authenticator in use signs with one of them. */
const ALGORITHMS = [-7, -8, -257];
const B64URL = /^[A-Za-z0-9_-]+$/;
const UUID_HEX = /^[0-9a-f]{32}$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isB64url = (v: unknown, max = 1_000_000): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max && B64URL.test(v);

const uuidBytes = (uuid: string) => new Uint8Array(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
const uuidOf = (bytes: Buffer) => {
  const hex = bytes.toString('hex');
  return UUID_HEX.test(hex)
    ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    : '';
};

const descriptors = (list: CredentialDescriptor[]) =>
  list.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransportFuture[] }));

const failure = (e: unknown): Unverified => ({
  failed: e instanceof Error ? e.message : String(e),
});

/**
 * The WebAuthn ceremonies with SimpleWebAuthn (@simplewebauthn/server): options for
 * navigator.credentials.create/get and their verification for one relying party. Attestation
 * "none" (the service trusts the key, not a vendor's certificate chain).
 */
export class SimpleWebAuthn implements WebAuthnPort {
  constructor(private readonly rp: RelyingParty) {}

  async registrationOptions(input: {
    accountId: string;
    userName: string;
    userDisplayName: string;
    exclude: CredentialDescriptor[];
  }): Promise<CeremonyOptions> {
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userID: uuidBytes(input.accountId),
      userName: input.userName,
      userDisplayName: input.userDisplayName,
      timeout: PASSKEY_CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: descriptors(input.exclude),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      supportedAlgorithmIDs: ALGORITHMS,
    });
    return { options: { ...options }, challenge: options.challenge };
  }

  async authenticationOptions(input: {
    allow: CredentialDescriptor[];
    userVerification: 'required' | 'preferred' | 'discouraged';
  }): Promise<CeremonyOptions> {
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      allowCredentials: descriptors(input.allow),
      userVerification: input.userVerification,
      timeout: PASSKEY_CHALLENGE_TTL_MS,
    });
    return { options: { ...options }, challenge: options.challenge };
  }

  read(json: string, kind: 'create' | 'get'): WebAuthnAnswer | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return null;
    }
    if (!isObject(parsed) || !isObject(parsed.response)) return null;
    const r = parsed.response;
    if (!isB64url(parsed.id, 1400) || !isB64url(parsed.rawId, 1400) || parsed.type !== 'public-key')
      return null;
    if (!isB64url(r.clientDataJSON, 100_000)) return null;
    const fields = kind === 'create' ? ['attestationObject'] : ['authenticatorData', 'signature'];
    if (fields.some((f) => !isB64url(r[f]))) return null;
    if (r.userHandle !== undefined && r.userHandle !== null && !isB64url(r.userHandle, 1400))
      return null;
    if (r.transports !== undefined && !isStringArray(r.transports)) return null;
    let clientData: unknown;
    try {
      clientData = JSON.parse(Buffer.from(r.clientDataJSON, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (!isObject(clientData) || !isB64url(clientData.challenge, 1000)) return null;
    const userHandle =
      typeof r.userHandle === 'string' ? uuidOf(Buffer.from(r.userHandle, 'base64url')) : '';
    return {
      credentialId: parsed.id,
      challenge: clientData.challenge,
      userHandle,
      response: {
        ...parsed,
        clientExtensionResults: isObject(parsed.clientExtensionResults)
          ? parsed.clientExtensionResults
          : {},
      },
    };
  }

  async verifyRegistration(
    answer: WebAuthnAnswer,
    expectedChallenge: string,
  ): Promise<VerifiedRegistration | Unverified> {
    try {
      const result = await verifyRegistrationResponse({
        response: answer.response as RegistrationResponseJSON,
        expectedChallenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.id,
        // user verification is preferred, not required: a security key without a PIN may
        // register (it then signs in as a second factor, not without a password)
        requireUserVerification: false,
        supportedAlgorithmIDs: ALGORITHMS,
      });
      if (!result.verified) return { failed: 'the registration did not verify' };
      const info = result.registrationInfo;
      return {
        credentialId: info.credential.id,
        publicKey: new Uint8Array(info.credential.publicKey),
        counter: info.credential.counter,
        transports: info.credential.transports ?? [],
        backedUp: info.credentialBackedUp,
        deviceType: info.credentialDeviceType,
        userVerified: info.userVerified,
      };
    } catch (e) {
      return failure(e);
    }
  }

  async verifyAssertion(
    answer: WebAuthnAnswer,
    expectedChallenge: string,
    passkey: Passkey,
    requireUserVerification: boolean,
  ): Promise<VerifiedAssertion | Unverified> {
    try {
      const result = await verifyAuthenticationResponse({
        response: answer.response as AuthenticationResponseJSON,
        expectedChallenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.id,
        credential: {
          id: passkey.id,
          publicKey: new Uint8Array(passkey.publicKey),
          counter: passkey.counter,
          transports: passkey.transports as AuthenticatorTransportFuture[],
        },
        requireUserVerification,
      });
      if (!result.verified) return { failed: 'the signature did not verify' };
      const info = result.authenticationInfo;
      return {
        counter: info.newCounter,
        backedUp: info.credentialBackedUp,
        userVerified: info.userVerified,
      };
    } catch (e) {
      return failure(e);
    }
  }
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.length <= 16 && v.every((s) => typeof s === 'string');
}
