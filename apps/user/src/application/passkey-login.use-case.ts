import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertCanLogIn, assertNotDeleted, type Account } from '../domain/account';
import { loginRiskOutcome } from '../domain/login-risk';
import { assertChallengeOpen } from '../domain/mfa';
import {
  passkeyChallengeInvalid,
  passkeyError,
  passkeyNotFound,
  passkeyVerificationFailed,
} from '../domain/passkey';
import type { UserError } from '../domain/user-error';
import { openSession } from './issue-tokens';
import { type AssertionOutcome, PasskeyCeremonies } from './passkey-ceremonies';
import {
  AUTH_SETTINGS,
  type AuthSettings,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  LOGIN_RISK,
  LOGIN_THROTTLE,
  type LoginRiskPort,
  type LoginThrottle,
  TOKEN_SECRETS,
  TOKEN_SIGNER,
  type TokenSecrets,
  type TokenSigner,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import { PLACE_LOOKUP, type PlaceLookup } from './security.ports';
import type { TokenPair } from './token-pair';

/** What a refused assertion is, to the client. */
function refusal(outcome: Exclude<AssertionOutcome, { ok: true }>): UserError {
  switch (outcome.reason) {
    case 'CHALLENGE':
      return outcome.error;
    case 'UNKNOWN_CREDENTIAL':
      return passkeyNotFound(
        'UNAUTHENTICATED',
        'this passkey is not registered here (it may have been removed); sign in another way',
      );
    case 'NOT_VERIFIED':
      return passkeyVerificationFailed('SIGN_IN', outcome.why);
  }
}

/**
 * Signing in with a passkey: without a password (a discoverable credential; the authenticator's
 * user verification is the second factor), or as the second step of a password login (only the
 * account's passkeys; CompleteMfaLogin takes the answer, checked by `SecondFactorCheck` with the
 * passkey challenge issued here for the MFA challenge).
 */
@Injectable()
export class PasskeyLoginUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    private readonly ceremonies: PasskeyCeremonies,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(LOGIN_RISK) private readonly risk: LoginRiskPort,
    @Inject(TOKEN_SIGNER) private readonly signer: TokenSigner,
    @Inject(TOKEN_SECRETS) private readonly secrets: TokenSecrets,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(PLACE_LOOKUP) private readonly places: PlaceLookup,
  ) {}

  /**
   * Request options for navigator.credentials.get. Without `mfaChallenge`: any discoverable
   * passkey of the relying party, and the challenge to give back to `finish`. With it (a
   * password login's open MFA challenge): only that account's passkeys, answered through
   * CompleteMfaLogin (no passkey challenge to give back).
   */
  begin(
    ctx: RequestContext,
    input: { mfaChallenge?: string },
  ): Promise<{ optionsJson: string; passkeyChallenge: string }> {
    const now = this.clock.now();
    return this.uow.run(ctx, async (tx) => {
      if (!input.mfaChallenge) {
        const options = await this.ceremonies.assertionOptions(tx, 'SIGN_IN', {}, [], now);
        return {
          optionsJson: JSON.stringify(options.options),
          passkeyChallenge: options.challenge,
        };
      }
      const mfa = assertChallengeOpen(
        await tx.mfa.findChallengeForUpdate(this.secrets.hash(input.mfaChallenge)),
        now,
      );
      const passkeys = await tx.passkeys.list(mfa.accountId);
      if (passkeys.length === 0)
        throw passkeyError('NOT_FOUND', 'PASSKEY_NOT_FOUND', 'this account has no passkey');
      const options = await this.ceremonies.assertionOptions(
        tx,
        'SECOND_FACTOR',
        { accountId: mfa.accountId, mfaChallengeId: mfa.id },
        passkeys,
        now,
      );
      return { optionsJson: JSON.stringify(options.options), passkeyChallenge: '' };
    });
  }

  /**
   * A sign-in without a password: the assertion must verify with user verification (it is both
   * factors), its challenge is used up whatever the outcome, and failures are counted per
   * passkey and per client address by the login throttle (as wrong passwords are: the same
   * LOGIN_THROTTLED and lock). Then as a password login: an erased account is not found, a
   * frozen one refused (ACCOUNT_FROZEN), risk scores it (REJECT: LOGIN_BLOCKED), and a session
   * opens, with a second factor proved now.
   */
  async finish(
    ctx: RequestContext,
    input: {
      passkeyChallenge: string;
      responseJson: string;
      ip: string;
      deviceId?: string;
      userAgent?: string;
    },
  ): Promise<{ account: Account; tokens: TokenPair }> {
    const answer = this.ceremonies.read(input.responseJson, 'get');
    const ip = input.ip || 'unknown';
    const deviceId = (input.deviceId ?? '').slice(0, 200);
    const key = `passkey:${answer.credentialId}`;
    const { accountFailures } = await this.throttle.check(key, ip);
    const now = this.clock.now();
    const verified = await this.uow.run(ctx, async (tx) => {
      // the challenge handed out with the options, and the one the authenticator signed
      if (!input.passkeyChallenge || input.passkeyChallenge !== answer.challenge)
        return { ok: false as const, error: passkeyChallengeInvalid('UNAUTHENTICATED') };
      const outcome = await this.ceremonies.checkAssertion(
        tx,
        answer,
        { ceremony: 'SIGN_IN' },
        true,
        now,
      );
      if (!outcome.ok) return { ok: false as const, error: refusal(outcome) };
      return { ok: true as const, account: await tx.accounts.findById(outcome.passkey.accountId) };
    });
    if (!verified.ok) {
      await this.throttle.recordFailure(key, ip);
      throw verified.error;
    }
    const account = assertNotDeleted(verified.account);
    assertCanLogIn(account);
    loginRiskOutcome(
      await this.risk.scoreLogin(ctx, { accountId: account.id, ip: input.ip ?? '', deviceId }),
      true,
    );
    const deps = {
      signer: this.signer,
      secrets: this.secrets,
      ids: this.ids,
      settings: this.settings,
      places: this.places,
    };
    const result = await this.uow.run(ctx, async (tx) => {
      // read again under the row lock: a freeze or erasure since the assertion wins
      const current = assertNotDeleted(await tx.accounts.lock(account.id), account.id);
      assertCanLogIn(current);
      return {
        account: current,
        tokens: await openSession(
          tx,
          deps,
          current,
          { deviceId, ip, userAgent: input.userAgent },
          now,
          // the authenticator verified the user: both factors, proved now
          { signedInWith: 'PASSKEY', secondFactor: true },
        ),
      };
    });
    if (accountFailures > 0) await this.throttle.recordSuccess(key);
    return result;
  }
}
