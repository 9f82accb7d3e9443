import { Inject, Injectable } from '@nestjs/common';
import {
  assertPasskeyChallengeOpen,
  type ChallengeExpectation,
  nextSignCount,
  PASSKEY_CHALLENGE_TTL_MS,
  passkeyResponseInvalid,
  type Passkey,
  type PasskeyCeremony,
  type PasskeyChallenge,
} from '../domain/passkey';
import type { UserError } from '../domain/user-error';
import {
  type CeremonyOptions,
  type CredentialDescriptor,
  WEBAUTHN,
  type WebAuthnAnswer,
  type WebAuthnPort,
} from './passkey.ports';
import {
  ID_GENERATOR,
  type IdGenerator,
  TOKEN_SECRETS,
  type TokenSecrets,
  type UserTx,
} from './ports';

/** Why an assertion was refused (the error the caller throws, or the `false` it answers). */
export type AssertionRefusal =
  | { reason: 'CHALLENGE'; error: UserError }
  | { reason: 'UNKNOWN_CREDENTIAL' }
  | { reason: 'NOT_VERIFIED'; why: string };

export type AssertionOutcome = { ok: true; passkey: Passkey } | ({ ok: false } & AssertionRefusal);

/** A passkey's descriptor for allowCredentials / excludeCredentials. */
export const descriptorOf = (p: Passkey): CredentialDescriptor => ({
  id: p.id,
  transports: p.transports,
});

/**
 * The steps every passkey ceremony shares, inside the caller's transaction: issuing a challenge
 * (stored by hash, bound to what it is for) and checking an assertion against one (the challenge
 * is used up whatever the outcome, the counter must go up, the passkey's use is recorded). The
 * use cases decide what a refusal means (an error, a failed attempt, `false`).
 */
@Injectable()
export class PasskeyCeremonies {
  constructor(
    @Inject(WEBAUTHN) readonly webauthn: WebAuthnPort,
    @Inject(TOKEN_SECRETS) private readonly secrets: TokenSecrets,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /** Reads a browser's answer; INVALID_ARGUMENT PASSKEY_RESPONSE_INVALID when it is not one. */
  read(json: string, kind: 'create' | 'get'): WebAuthnAnswer {
    if (!json) throw passkeyResponseInvalid('the response is empty');
    const answer = this.webauthn.read(json, kind);
    if (!answer)
      throw passkeyResponseInvalid(
        kind === 'create'
          ? 'expected the RegistrationResponseJSON of navigator.credentials.create'
          : 'expected the AuthenticationResponseJSON of navigator.credentials.get',
      );
    return answer;
  }

  /** Stores the challenge of `options`, bound as `bound` says, for 5 minutes. */
  async issue(
    tx: UserTx,
    ceremony: PasskeyCeremony,
    bound: { accountId?: string; sessionId?: string; mfaChallengeId?: string },
    options: CeremonyOptions,
    now: Date,
  ): Promise<PasskeyChallenge> {
    const challenge: PasskeyChallenge = {
      id: this.ids.newId(),
      ceremony,
      accountId: bound.accountId ?? null,
      sessionId: bound.sessionId ?? null,
      mfaChallengeId: bound.mfaChallengeId ?? null,
      expiresAt: new Date(now.getTime() + PASSKEY_CHALLENGE_TTL_MS),
      usedAt: null,
    };
    await tx.passkeys.insertChallenge(challenge, this.secrets.hash(options.challenge));
    return challenge;
  }

  /** Request options allowing `passkeys` (none: any discoverable passkey), with a challenge. */
  async assertionOptions(
    tx: UserTx,
    ceremony: Exclude<PasskeyCeremony, 'REGISTRATION'>,
    bound: { accountId?: string; mfaChallengeId?: string },
    passkeys: Passkey[],
    now: Date,
  ): Promise<CeremonyOptions> {
    const options = await this.webauthn.authenticationOptions({
      allow: passkeys.map(descriptorOf),
      // a second factor after the password proves possession; without a password, the
      // authenticator's user verification is the second factor (required when checked)
      userVerification: ceremony === 'SECOND_FACTOR' ? 'discouraged' : 'preferred',
    });
    await this.issue(tx, ceremony, bound, options, now);
    return options;
  }

  /**
   * Uses up the challenge `answer` echoes (it must be open and issued as `expected` says) and
   * returns it; a challenge that is not is a refusal (nothing used).
   */
  async takeChallenge(
    tx: UserTx,
    answer: WebAuthnAnswer,
    expected: ChallengeExpectation,
    now: Date,
  ): Promise<{ ok: true; challenge: PasskeyChallenge } | { ok: false; error: UserError }> {
    const found = await tx.passkeys.findChallengeForUpdate(this.secrets.hash(answer.challenge));
    try {
      const challenge = assertPasskeyChallengeOpen(found, expected, now);
      await tx.passkeys.useChallenge(challenge.id, now);
      return { ok: true, challenge };
    } catch (e) {
      return { ok: false, error: e as UserError };
    }
  }

  /**
   * Checks an assertion (AuthenticationResponseJSON, read) against the challenge it echoes and
   * the passkey it names: the challenge must be open and issued as `expected` says (it is used
   * up, whatever comes next), the passkey registered (to `expected.accountId` when given), the
   * signature, origin and relying party right, the counter higher than before (a clone is
   * refused), and the user verified when `requireUserVerification`. On success the passkey's
   * counter, backup state and last use are saved.
   */
  async checkAssertion(
    tx: UserTx,
    answer: WebAuthnAnswer,
    expected: ChallengeExpectation,
    requireUserVerification: boolean,
    now: Date,
  ): Promise<AssertionOutcome> {
    const taken = await this.takeChallenge(tx, answer, expected, now);
    if (!taken.ok) return { ok: false, reason: 'CHALLENGE', error: taken.error };
    const passkey = await tx.passkeys.find(answer.credentialId, true);
    const owner = taken.challenge.accountId;
    if (!passkey || (owner !== null && passkey.accountId !== owner))
      return { ok: false, reason: 'UNKNOWN_CREDENTIAL' };
    // a discoverable credential names its user: it must be the passkey's account
    if (answer.userHandle && answer.userHandle !== passkey.accountId)
      return { ok: false, reason: 'NOT_VERIFIED', why: 'the user handle is not the passkey’s' };
    const verified = await this.webauthn.verifyAssertion(
      answer,
      answer.challenge,
      passkey,
      requireUserVerification,
    );
    if ('failed' in verified) return { ok: false, reason: 'NOT_VERIFIED', why: verified.failed };
    const counter = nextSignCount(passkey.counter, verified.counter);
    if (counter === null)
      return {
        ok: false,
        reason: 'NOT_VERIFIED',
        why: `the signature counter went from ${passkey.counter} to ${verified.counter}: a cloned authenticator?`,
      };
    await tx.passkeys.recordUse(passkey.id, counter, verified.backedUp, now);
    return {
      ok: true,
      passkey: { ...passkey, counter, backedUp: verified.backedUp, lastUsedAt: now },
    };
  }
}
