import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertNotDeleted, type Account } from '../domain/account';
import {
  assertMayAddPasskey,
  needsRecoveryCodes,
  type Passkey,
  passkeyError,
  passkeyName,
  passkeyNotFound,
  passkeyVerificationFailed,
  validPasskeyName,
} from '../domain/passkey';
import { descriptorOf, PasskeyCeremonies } from './passkey-ceremonies';
import {
  AUTH_SETTINGS,
  type AuthSettings,
  CLOCK,
  type Clock,
  TOKEN_SECRETS,
  type TokenSecrets,
  UNIT_OF_WORK,
  type UnitOfWork,
  type UserTx,
} from './ports';
import { issueRecoveryCodes } from './recovery-codes';
import { assertRecentStepUp } from './step-up';

/** A registered passkey and, for an account's first without recovery codes left, fresh codes. */
export interface RegisteredPasskey {
  passkey: Passkey;
  /** Shown once; empty unless this registration issued them. */
  recoveryCodes: string[];
}

/**
 * An account's passkeys: registration (WebAuthn attestation "none"), the list, renaming and
 * removal. Registering, renaming and removing are sensitive: each needs a recent step-up in the
 * calling session (`assertRecentStepUp`). A step-up with a passkey is StepUpUseCase's (through
 * PasskeyCeremonies and SecondFactorCheck).
 */
@Injectable()
export class PasskeyUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    private readonly ceremonies: PasskeyCeremonies,
    @Inject(TOKEN_SECRETS) private readonly secrets: TokenSecrets,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  /** The account row-locked, not erased, and stepped up recently in `sessionId`. */
  private async steppedUp(
    tx: UserTx,
    accountId: string,
    sessionId: string,
    now: Date,
  ): Promise<Account> {
    const account = assertNotDeleted(await tx.accounts.lock(accountId), accountId);
    await assertRecentStepUp(tx, accountId, sessionId, now, this.settings.stepUpWindowMs);
    return account;
  }

  /**
   * Creation options for navigator.credentials.create (PublicKeyCredentialCreationOptionsJSON):
   * user verification and a resident key preferred (so it can sign in without a password), the
   * account's passkeys excluded; the challenge is bound to the account and the session.
   */
  beginRegistration(
    ctx: RequestContext,
    input: { accountId: string; sessionId: string },
  ): Promise<string> {
    const now = this.clock.now();
    return this.uow.run(ctx, async (tx) => {
      const account = await this.steppedUp(tx, input.accountId, input.sessionId, now);
      const passkeys = await tx.passkeys.list(account.id);
      assertMayAddPasskey(passkeys.length);
      const userName = account.email ?? account.phone ?? account.id;
      const displayName = (await tx.profiles.profile(account.id))?.displayName || userName;
      const options = await this.ceremonies.webauthn.registrationOptions({
        accountId: account.id,
        userName,
        userDisplayName: displayName,
        exclude: passkeys.map(descriptorOf),
      });
      await this.ceremonies.issue(
        tx,
        'REGISTRATION',
        { accountId: account.id, sessionId: input.sessionId },
        options,
        now,
      );
      return JSON.stringify(options.options);
    });
  }

  /**
   * Verifies navigator.credentials.create's answer against the registration's challenge (used
   * up, whatever the outcome) and stores the passkey. The account's first passkey, when it has
   * no recovery codes left, comes with ten fresh ones: with the password they are the way in
   * when every passkey is lost.
   */
  async finishRegistration(
    ctx: RequestContext,
    input: { accountId: string; sessionId: string; responseJson: string; name?: string },
  ): Promise<RegisteredPasskey> {
    const answer = this.ceremonies.read(input.responseJson, 'create');
    if (input.name?.trim()) validPasskeyName(input.name);
    const now = this.clock.now();
    const outcome = await this.uow.run(ctx, async (tx) => {
      const account = await this.steppedUp(tx, input.accountId, input.sessionId, now);
      const taken = await this.ceremonies.takeChallenge(
        tx,
        answer,
        { ceremony: 'REGISTRATION', accountId: account.id, sessionId: input.sessionId },
        now,
      );
      if (!taken.ok) throw taken.error;
      const verified = await this.ceremonies.webauthn.verifyRegistration(answer, answer.challenge);
      // the challenge stays used: commit, then refuse
      if ('failed' in verified) return { kind: 'FAILED' as const, why: verified.failed };
      if (await tx.passkeys.find(verified.credentialId)) return { kind: 'DUPLICATE' as const };
      const before = await tx.passkeys.count(account.id);
      assertMayAddPasskey(before);
      const passkey: Passkey = {
        id: verified.credentialId,
        accountId: account.id,
        publicKey: verified.publicKey,
        counter: verified.counter,
        transports: verified.transports,
        backedUp: verified.backedUp,
        deviceType: verified.deviceType,
        name: passkeyName(input.name, before + 1),
        createdAt: now,
        lastUsedAt: null,
      };
      if (!(await tx.passkeys.insert(passkey))) return { kind: 'DUPLICATE' as const };
      const recoveryCodes = needsRecoveryCodes(before, await tx.mfa.recoveryCodesLeft(account.id))
        ? await issueRecoveryCodes(tx, this.secrets, account.id)
        : [];
      tx.events.securityChanged(account.id, 'PASSKEY_ADDED', now, { detail: passkey.name });
      return { kind: 'OK' as const, passkey, recoveryCodes };
    });
    if (outcome.kind === 'FAILED') throw passkeyVerificationFailed('REGISTRATION', outcome.why);
    if (outcome.kind === 'DUPLICATE')
      throw passkeyError(
        'ALREADY_EXISTS',
        'PASSKEY_ALREADY_REGISTERED',
        'this passkey is already registered',
      );
    return { passkey: outcome.passkey, recoveryCodes: outcome.recoveryCodes };
  }

  /** The account's passkeys, newest first. */
  list(ctx: RequestContext, accountId: string): Promise<Passkey[]> {
    return this.uow.read(ctx, async (tx) => {
      assertNotDeleted(await tx.accounts.findById(accountId), accountId);
      return tx.passkeys.list(accountId);
    });
  }

  /** Renames one of the account's passkeys (1 to 60 characters; names need not be unique). */
  async rename(
    ctx: RequestContext,
    input: { accountId: string; sessionId: string; passkeyId: string; name: string },
  ): Promise<Passkey> {
    const name = validPasskeyName(input.name);
    const now = this.clock.now();
    return this.uow.run(ctx, async (tx) => {
      await this.steppedUp(tx, input.accountId, input.sessionId, now);
      const renamed = await tx.passkeys.rename(input.accountId, input.passkeyId, name);
      if (!renamed) throw passkeyNotFound();
      return renamed;
    });
  }

  /** Removes one of the account's passkeys: it signs in no more. */
  remove(
    ctx: RequestContext,
    input: { accountId: string; sessionId: string; passkeyId: string },
  ): Promise<void> {
    const now = this.clock.now();
    return this.uow.run(ctx, async (tx) => {
      await this.steppedUp(tx, input.accountId, input.sessionId, now);
      const passkey = await tx.passkeys.find(input.passkeyId, true);
      if (passkey?.accountId !== input.accountId) throw passkeyNotFound();
      await tx.passkeys.remove(input.accountId, passkey.id);
      tx.events.securityChanged(input.accountId, 'PASSKEY_REMOVED', now, { detail: passkey.name });
    });
  }

  /** Deletes challenges that expired (a sweep): at most 500 a run; how many went. */
  deleteExpiredChallenges(ctx: RequestContext): Promise<number> {
    const now = this.clock.now();
    return this.uow.run(ctx, (tx) => tx.passkeys.deleteExpiredChallenges(now, 500));
  }
}
