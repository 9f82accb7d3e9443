import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertCanLogIn, assertNotDeleted, type Account } from '../domain/account';
import {
  assertChallengeOpen,
  type MfaCredential,
  RECOVERY_CODE_COUNT,
  readSecondFactor,
  recoveryCodeFrom,
  normaliseRecoveryCode,
  requireActive,
  wrongMfaCode,
} from '../domain/mfa';
import { base32Encode, otpauthUri, verifyTotp } from '../domain/totp';
import { UserError } from '../domain/user-error';
import { openSession } from './issue-tokens';
import { endAllSessions } from './sessions';
import { badCredentials } from './login.use-case';
import {
  AUTH_SETTINGS,
  type AuthSettings,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  LOGIN_THROTTLE,
  type LoginThrottle,
  MFA_SETTINGS,
  type MfaSettings,
  PASSWORD_HASHER,
  type PasswordHasher,
  TOKEN_SECRETS,
  TOKEN_SIGNER,
  type TokenSecrets,
  type TokenSigner,
  UNIT_OF_WORK,
  type UnitOfWork,
  type UserTx,
} from './ports';
import { factorMethod, SecondFactorCheck, secondFactorsOf, SIGNED_IN_WITH } from './second-factor';
import { PLACE_LOOKUP, type PlaceLookup } from './security.ports';
import type { TokenPair } from './token-pair';

const SECRET_BYTES = 20; // 160 bits, as RFC 4226 recommends for SHA-1

/** TOTP enrolment, the second login step, recovery codes and disabling with re-authentication. */
@Injectable()
export class MfaUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(TOKEN_SIGNER) private readonly signer: TokenSigner,
    @Inject(TOKEN_SECRETS) private readonly secrets: TokenSecrets,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(MFA_SETTINGS) private readonly mfa: MfaSettings,
    private readonly factors: SecondFactorCheck,
    @Inject(PLACE_LOOKUP) private readonly places: PlaceLookup,
  ) {}

  private async lockAccount(tx: UserTx, accountId: string): Promise<Account> {
    return assertNotDeleted(await tx.accounts.lock(accountId), accountId);
  }

  /** A new secret, pending until confirmed with a code; restarting replaces a pending one. */
  begin(ctx: RequestContext, accountId: string): Promise<{ uri: string; secret: string }> {
    return this.uow.run(ctx, async (tx) => {
      const account = await this.lockAccount(tx, accountId);
      if ((await tx.mfa.find(accountId))?.status === 'ACTIVE')
        throw new UserError(
          'FAILED_PRECONDITION',
          'MFA_ALREADY_ENABLED',
          'MFA is already enabled; disable it first to enrol a new authenticator',
        );
      const secret = this.secrets.randomBytes(SECRET_BYTES);
      await tx.mfa.save({
        accountId,
        status: 'PENDING',
        secret,
        lastUsedCounter: null,
        createdAt: this.clock.now(),
        confirmedAt: null,
      });
      return {
        uri: otpauthUri({
          issuer: this.mfa.issuer,
          account: account.email ?? account.phone ?? account.id,
          secret,
        }),
        secret: base32Encode(secret),
      };
    });
  }

  /** Turns MFA on when the code matches the pending secret; returns fresh recovery codes. */
  confirm(ctx: RequestContext, accountId: string, code: string): Promise<string[]> {
    return this.uow.run(ctx, async (tx) => {
      await this.lockAccount(tx, accountId);
      const credential = await tx.mfa.find(accountId);
      if (!credential)
        throw new UserError('FAILED_PRECONDITION', 'MFA_NOT_PENDING', 'start MFA enrolment first');
      if (credential.status === 'ACTIVE')
        throw new UserError('FAILED_PRECONDITION', 'MFA_ALREADY_ENABLED', 'MFA is already enabled');
      const now = this.clock.now();
      const counter = verifyTotp(
        this.mfa.hmac,
        credential.secret,
        (code ?? '').trim(),
        Math.floor(now.getTime() / 1000),
      );
      if (counter === null) throw wrongMfaCode();
      await tx.mfa.save({
        ...credential,
        status: 'ACTIVE',
        lastUsedCounter: counter,
        confirmedAt: now,
      });
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
        recoveryCodeFrom(this.secrets.randomBytes(10)),
      );
      await tx.mfa.replaceRecoveryCodes(
        accountId,
        codes.map((c) => this.secrets.hash(normaliseRecoveryCode(c)!)),
      );
      tx.events.mfaChanged(accountId, true, now);
      return codes;
    });
  }

  /**
   * Checks a second factor and consumes it (a TOTP step or a recovery code works once).
   * Returns false when it is wrong.
   */
  private async consumeSecondFactor(
    tx: UserTx,
    credential: MfaCredential,
    code: string,
    now: Date,
  ): Promise<boolean> {
    const factor = readSecondFactor(this.mfa.hmac, credential, code, now);
    if (!factor) return false;
    if (factor.kind === 'TOTP') {
      await tx.mfa.save({ ...credential, lastUsedCounter: factor.counter });
      return true;
    }
    return tx.mfa.useRecoveryCode(credential.accountId, this.secrets.hash(factor.normalised), now);
  }

  /** Turns MFA off: needs the password and a current code or a recovery code; sessions end. */
  async disable(
    ctx: RequestContext,
    input: { accountId: string; password: string; code: string },
  ): Promise<void> {
    const account = assertNotDeleted(
      await this.uow.run(ctx, (tx) => tx.accounts.findById(input.accountId)),
      input.accountId,
    );
    if (!(await this.hasher.verify(account.passwordHash, input.password ?? '')))
      throw badCredentials();
    const ok = await this.uow.run(ctx, async (tx) => {
      await this.lockAccount(tx, input.accountId);
      const credential = requireActive(await tx.mfa.find(input.accountId));
      const now = this.clock.now();
      if (!(await this.consumeSecondFactor(tx, credential, input.code, now))) return false;
      await tx.mfa.remove(input.accountId);
      await endAllSessions(tx, input.accountId, 'MFA_DISABLED', now);
      tx.events.mfaChanged(input.accountId, false, now);
      return true;
    });
    if (!ok) throw wrongMfaCode();
  }

  /**
   * The second login step, with any second factor the account has (`method`: TOTP, SMS with a
   * LOGIN code, PASSKEY with an assertion of BeginPasskeyLogin's options, RECOVERY_CODE; none
   * named: TOTP, or a recovery code by its shape). A wrong answer uses up one of the challenge's
   * attempts and counts as a failed login (so the account lock applies); the right one opens the
   * session once, its second factor proved now.
   */
  async completeLogin(
    ctx: RequestContext,
    input: { challenge: string; code: string; method?: string; passkeyResponseJson?: string },
  ): Promise<{ account: Account; tokens: TokenPair; recoveryCodesLeft: number | null }> {
    const now = this.clock.now();
    const method = factorMethod(input.method, input.code);
    const deps = {
      signer: this.signer,
      secrets: this.secrets,
      ids: this.ids,
      settings: this.settings,
      places: this.places,
    };
    const outcome = await this.uow.run(ctx, async (tx) => {
      const challenge = assertChallengeOpen(
        await tx.mfa.findChallengeForUpdate(this.secrets.hash(input.challenge ?? '')),
        now,
      );
      const account = assertNotDeleted(await tx.accounts.lock(challenge.accountId));
      assertCanLogIn(account);
      const factors = await secondFactorsOf(tx, account);
      const proved = await this.factors.prove(
        tx,
        account,
        factors,
        {
          method,
          code: input.code,
          passkeyResponseJson: input.passkeyResponseJson,
          sms: { purpose: 'LOGIN', subject: challenge.id },
          passkey: {
            ceremony: 'SECOND_FACTOR',
            accountId: account.id,
            mfaChallengeId: challenge.id,
          },
        },
        now,
      );
      if (!proved.ok) {
        await tx.mfa.saveChallenge({ ...challenge, attempts: challenge.attempts + 1 });
        return { kind: 'FAILED' as const, challenge, proved };
      }
      await tx.mfa.saveChallenge({ ...challenge, usedAt: now });
      const tokens = await openSession(
        tx,
        deps,
        account,
        { deviceId: challenge.deviceId, ip: challenge.ip, userAgent: challenge.userAgent },
        now,
        { signedInWith: SIGNED_IN_WITH[method], secondFactor: true },
      );
      return {
        kind: 'OK' as const,
        account,
        tokens,
        throttleKey: challenge.throttleKey,
        recoveryCodesLeft:
          method === 'RECOVERY_CODE' ? await tx.mfa.recoveryCodesLeft(account.id) : null,
      };
    });
    if (outcome.kind === 'FAILED') {
      const { throttleKey, ip, accountId } = outcome.challenge;
      if (outcome.proved.counts) {
        const verdict = await this.throttle.recordFailure(throttleKey, ip);
        if (verdict.lockedUntil) {
          await this.uow.run(ctx, async (tx) =>
            tx.events.accountLocked(accountId, verdict.lockedUntil!, verdict.failures),
          );
        }
      }
      throw outcome.proved.error;
    }
    await this.throttle.recordSuccess(outcome.throttleKey);
    return outcome;
  }
}
