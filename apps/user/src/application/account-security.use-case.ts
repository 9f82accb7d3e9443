import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import {
  assertCanLogIn,
  assertNotDeleted,
  normaliseEmail,
  normalisePhone,
  type Account,
} from '../domain/account';
import { checkPasswordPolicy } from '../domain/password-policy';
import { maskEmail, maskPhone, smsCodeExpired, smsCodeInvalid } from '../domain/sms-code';
import { UserError } from '../domain/user-error';
import { badCredentials } from './login.use-case';
import {
  AUTH_SETTINGS,
  type AuthSettings,
  CLOCK,
  type Clock,
  LOGIN_THROTTLE,
  type LoginThrottle,
  PASSWORD_HASHER,
  type PasswordHasher,
  UNIT_OF_WORK,
  type UnitOfWork,
  type UserTx,
} from './ports';
import { ONE_TIME_CODE_HASHER, type OneTimeCodeHasher } from './security.ports';
import { endSession } from './sessions';
import { useSmsCode, type SmsCodeUse } from './sms-codes';
import { assertRecentStepUp } from './step-up';

interface InSession {
  accountId: string;
  sessionId: string;
  /** The client's address, for the notice; may be empty. */
  ip?: string;
}

/** A wrong or stale code: thrown after the transaction committed the attempt it cost. */
const codeRefusal = (r: Exclude<SmsCodeUse, { outcome: 'OK' }>) =>
  r.outcome === 'WRONG' ? smsCodeInvalid(r.attemptsLeft) : smsCodeExpired();

/**
 * Sensitive changes of the account, each allowed only after a recent step-up in the calling
 * session (`assertRecentStepUp`), each told to the owner (`SecurityChanged`): the password
 * (with the current one; every other session ends), the e-mail, the phone (proved by a code sent
 * to it) and SMS as a second factor.
 */
@Injectable()
export class AccountSecurityUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(ONE_TIME_CODE_HASHER) private readonly codeHasher: OneTimeCodeHasher,
  ) {}

  /** The account locked for the change, after the step-up rule. */
  private async steppedUp(tx: UserTx, input: InSession, now: Date, lock = true): Promise<Account> {
    const account = assertNotDeleted(
      lock ? await tx.accounts.lock(input.accountId) : await tx.accounts.findById(input.accountId),
      input.accountId,
    );
    assertCanLogIn(account);
    await assertRecentStepUp(tx, account.id, input.sessionId, now, this.settings.stepUpWindowMs);
    return account;
  }

  /**
   * A new password: the current one must be right (a wrong one counts as a failed sign-in), the
   * new one must pass the policy; every other session ends (this one stays signed in).
   */
  async changePassword(
    ctx: RequestContext,
    input: InSession & { currentPassword: string; newPassword: string },
  ): Promise<number> {
    const now = this.clock.now();
    const account = await this.uow.read(ctx, (tx) => this.steppedUp(tx, input, now, false));
    const throttleKey = account.email ?? account.phone ?? account.id;
    const ip = input.ip || 'unknown';
    const { accountFailures } = await this.throttle.check(throttleKey, ip);
    if (!(await this.hasher.verify(account.passwordHash, input.currentPassword ?? ''))) {
      const verdict = await this.throttle.recordFailure(throttleKey, ip);
      if (verdict.lockedUntil)
        await this.uow.run(ctx, async (tx) =>
          tx.events.accountLocked(account.id, verdict.lockedUntil!, verdict.failures),
        );
      throw badCredentials();
    }
    if (accountFailures > 0) await this.throttle.recordSuccess(throttleKey);
    if (input.newPassword === input.currentPassword)
      throw new UserError(
        'INVALID_ARGUMENT',
        'PASSWORD_UNCHANGED',
        'the new password is the current one',
      );
    checkPasswordPolicy(input.newPassword ?? '', [account.email ?? '', account.phone ?? '']);
    const hash = await this.hasher.hash(input.newPassword);
    return this.uow.run(ctx, async (tx) => {
      await this.steppedUp(tx, input, now);
      await tx.security.setPasswordHash(account.id, hash);
      const others = (await tx.families.listLive(account.id, now)).filter(
        (s) => s.id !== input.sessionId,
      );
      for (const s of others) await endSession(tx, s, 'PASSWORD_CHANGED', now);
      tx.events.securityChanged(account.id, 'PASSWORD', now, { ip: input.ip ?? '' });
      return others.length;
    });
  }

  /** A new e-mail address (EMAIL_TAKEN when another account has it). */
  changeEmail(ctx: RequestContext, input: InSession & { email: string }): Promise<Account> {
    const email = normaliseEmail(input.email ?? '');
    const now = this.clock.now();
    return this.uow.run(ctx, async (tx) => {
      const account = await this.steppedUp(tx, input, now);
      if (account.email === email) return account;
      await tx.security.setEmail(account.id, email);
      tx.events.securityChanged(account.id, 'EMAIL', now, {
        ip: input.ip ?? '',
        detail: maskEmail(email),
      });
      return { ...account, email };
    });
  }

  /** A new phone, proved by the PHONE_CHANGE code sent to it in this session. */
  async changePhone(
    ctx: RequestContext,
    input: InSession & { phone: string; code: string },
  ): Promise<Account> {
    const phone = normalisePhone(input.phone ?? '');
    const now = this.clock.now();
    const outcome = await this.uow.run(ctx, async (tx) => {
      const account = await this.steppedUp(tx, input, now);
      if (account.phone === phone) return { ok: true as const, account };
      if (await tx.accounts.findByPhone(phone))
        throw new UserError(
          'ALREADY_EXISTS',
          'PHONE_TAKEN',
          'another account has this phone number',
        );
      const used = await useSmsCode(
        tx,
        this.codeHasher,
        { accountId: account.id, purpose: 'PHONE_CHANGE', subject: input.sessionId, phone },
        input.code,
        now,
      );
      if (used.outcome !== 'OK') return { ok: false as const, used };
      await tx.security.setPhone(account.id, phone);
      tx.events.securityChanged(account.id, 'PHONE', now, {
        ip: input.ip ?? '',
        detail: maskPhone(phone),
      });
      return { ok: true as const, account: { ...account, phone } };
    });
    if (!outcome.ok) throw codeRefusal(outcome.used);
    return outcome.account;
  }

  /**
   * SMS codes as a second factor, to the account's phone: on needs the ENABLE_SMS_MFA code sent in
   * this session; off needs only the step-up. Answers whether it is on now.
   */
  async setSmsMfa(
    ctx: RequestContext,
    input: InSession & { enabled: boolean; code?: string },
  ): Promise<boolean> {
    const now = this.clock.now();
    const outcome = await this.uow.run(ctx, async (tx) => {
      const account = await this.steppedUp(tx, input, now);
      const on = (await tx.security.smsMfaEnabledAt(account.id)) !== null;
      if (on === input.enabled) return { ok: true as const };
      if (!input.enabled) {
        await tx.security.setSmsMfa(account.id, null);
        tx.events.securityChanged(account.id, 'SMS_MFA_OFF', now, { ip: input.ip ?? '' });
        return { ok: true as const };
      }
      if (!account.phone)
        throw new UserError('FAILED_PRECONDITION', 'PHONE_REQUIRED', 'add a phone number first');
      const used = await useSmsCode(
        tx,
        this.codeHasher,
        {
          accountId: account.id,
          purpose: 'ENABLE_SMS_MFA',
          subject: input.sessionId,
          phone: account.phone,
        },
        input.code ?? '',
        now,
      );
      if (used.outcome !== 'OK') return { ok: false as const, used };
      await tx.security.setSmsMfa(account.id, now);
      tx.events.securityChanged(account.id, 'SMS_MFA_ON', now, {
        ip: input.ip ?? '',
        detail: maskPhone(account.phone),
      });
      return { ok: true as const };
    });
    if (!outcome.ok) throw codeRefusal(outcome.used);
    return input.enabled;
  }
}
