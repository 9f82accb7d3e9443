import type { Passkey, PasskeyChallenge, PasskeyDeviceType } from '../domain/passkey';

/**
 * Ports of passkeys (WebAuthn): the credentials and ceremony challenges (in the user database,
 * `UserTx.passkeys`) and the WebAuthn ceremonies themselves (options and verification for the
 * configured relying party).
 */

/** Passkeys and the challenges of their ceremonies. */
export interface PasskeyRepository {
  /** The account's passkeys, newest first. */
  list(accountId: string): Promise<Passkey[]>;
  count(accountId: string): Promise<number>;
  /** A passkey by credential id (any account), row-locked with `forUpdate`; null if none. */
  find(id: string, forUpdate?: boolean): Promise<Passkey | null>;
  /** Stores a new passkey; false (nothing stored) when its credential id is already registered. */
  insert(passkey: Passkey): Promise<boolean>;
  /** Renames the account's passkey; null when it has none with this id. */
  rename(accountId: string, id: string, name: string): Promise<Passkey | null>;
  /** Removes the account's passkey; false when it has none with this id. */
  remove(accountId: string, id: string): Promise<boolean>;
  /** After an assertion: the counter seen, whether it is backed up now, when. */
  recordUse(id: string, counter: number, backedUp: boolean, at: Date): Promise<void>;
  /** Stores a ceremony's challenge by the hash of the WebAuthn challenge. */
  insertChallenge(challenge: PasskeyChallenge, challengeHash: string): Promise<void>;
  /** The challenge with this hash, row-locked; null if none. */
  findChallengeForUpdate(challengeHash: string): Promise<PasskeyChallenge | null>;
  /** Marks a challenge used (it never works again). */
  useChallenge(id: string, at: Date): Promise<void>;
  /** Deletes up to `limit` challenges that expired before `before`; how many went. */
  deleteExpiredChallenges(before: Date, limit: number): Promise<number>;
}

/** A credential descriptor of WebAuthn options (allowCredentials, excludeCredentials). */
export interface CredentialDescriptor {
  id: string;
  transports: string[];
}

/** A ceremony's options (the WebAuthn JSON for the browser) and the challenge they carry. */
export interface CeremonyOptions {
  /** PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON. */
  options: Record<string, unknown>;
  /** The WebAuthn challenge (base64url) the client data must echo. */
  challenge: string;
}

/** A browser's answer, read but not yet verified. */
export interface WebAuthnAnswer {
  /** The credential id (base64url). */
  credentialId: string;
  /** The challenge the client data echoes (base64url). */
  challenge: string;
  /**
   * An assertion's user handle as the account id it was registered with, '' when the
   * authenticator sent none, or a value no account has.
   */
  userHandle: string;
  /** The parsed JSON, for verification. */
  response: unknown;
}

/** What a verified registration proves about the new credential. */
export interface VerifiedRegistration {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  backedUp: boolean;
  deviceType: PasskeyDeviceType;
  userVerified: boolean;
}

/** What a verified assertion says now. */
export interface VerifiedAssertion {
  counter: number;
  backedUp: boolean;
  userVerified: boolean;
}

/** A verification that failed, and why (for the log and the error's message). */
export interface Unverified {
  failed: string;
}

/**
 * The WebAuthn ceremonies for the relying party of the configuration (id, name, origins). Never
 * throws for a bad answer: `read` answers null, the verifications `{ failed }`.
 */
export interface WebAuthnPort {
  /** Creation options: user verification and a resident key preferred, `exclude` excluded. */
  registrationOptions(input: {
    /** The account id: the user handle (16 bytes) the authenticator stores. */
    accountId: string;
    userName: string;
    userDisplayName: string;
    exclude: CredentialDescriptor[];
  }): Promise<CeremonyOptions>;
  /** Request options; no `allow`: any discoverable credential of the relying party. */
  authenticationOptions(input: {
    allow: CredentialDescriptor[];
    userVerification: 'required' | 'preferred' | 'discouraged';
  }): Promise<CeremonyOptions>;
  /**
   * Reads a RegistrationResponseJSON (`create`) or AuthenticationResponseJSON (`get`): null when
   * it is not one (not JSON, fields missing or of the wrong type, client data unreadable).
   */
  read(json: string, kind: 'create' | 'get'): WebAuthnAnswer | null;
  /** Verifies a registration (origin, relying party, challenge, attestation, user presence). */
  verifyRegistration(
    answer: WebAuthnAnswer,
    expectedChallenge: string,
  ): Promise<VerifiedRegistration | Unverified>;
  /**
   * Verifies an assertion of `passkey` (origin, relying party, challenge, signature, a counter
   * that went up, user presence, and user verification when `requireUserVerification`).
   */
  verifyAssertion(
    answer: WebAuthnAnswer,
    expectedChallenge: string,
    passkey: Passkey,
    requireUserVerification: boolean,
  ): Promise<VerifiedAssertion | Unverified>;
}

export const WEBAUTHN = Symbol('WEBAUTHN');
