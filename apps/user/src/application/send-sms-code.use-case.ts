import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertCanLogIn, assertNotDeleted, normalisePhone, type Account } from '../domain/account';
import { assertChallengeOpen } from '../domain/mfa';
import { isLive } from '../domain/refresh-token-family';
import {
  maskPhone,
  newCodeDigits,
  newSmsCode,
  SMS_CODE_PURPOSES,
  SMS_CODE_TTL_MS,
  type SmsCodePurpose,
} from '../domain/sms-code';
import { UserError } from '../domain/user-error';
import {
  AUTH_SETTINGS,
  type AuthSettings,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  TOKEN_SECRETS,
  type TokenSecrets,
  UNIT_OF_WORK,
  type UnitOfWork,
  type UserTx,
} from './ports';
import { secondFactorsOf } from './second-factor';
import {
  ONE_TIME_CODE_HASHER,
  ONE_TIME_CODE_SENDER,
  type OneTimeCodeHasher,
  type OneTimeCodeSender,
  SMS_SEND_LIMITER,
  type SmsSendLimiter,
} from './security.ports';
import { assertRecentStepUp } from './step-up';

export interface SendSmsCodeInput {
  purpose: string;
  mfaChallenge?: string;
  accountId?: string;
  sessionId?: string;
  /** PHONE_CHANGE: the new phone. */
  phone?: string;
  ip?: string;
}

export interface SentSmsCode {
  maskedPhone: string;
  expiresAt: Date;
  resendAfter: Date;
}

/** Where a code goes and what it is bound to. */
interface Target {
  account: Account;
  subject: string;
  phone: string;
  /** Empty when the number is not the account's yet. */
  accountIdForNotice: string;
  locale: string;
}

export const smsUnavailable = (why = 'SMS codes cannot be sent now; try another method') =>
  new UserError('UNAVAILABLE', 'SMS_UNAVAILABLE', why);

export const sessionEnded = () =>
  new UserError('UNAUTHENTICATED', 'SESSION_ENDED', 'this session has ended; sign in again');

/** The live session `sessionId` of the account, or SESSION_ENDED. */
export async function liveSession(
  tx: UserTx,
  accountId: string,
  sessionId: string,
  now: Date,
  forUpdate = false,
) {
  const session = sessionId ? await tx.families.findById(sessionId, forUpdate) : null;
  if (!session || session.userId !== accountId || !isLive(session, now)) throw sessionEnded();
  return session;
}

const purposeOf = (purpose: string): SmsCodePurpose => {
  const p = (purpose ?? '').replace(/^SMS_CODE_PURPOSE_/, '');
  if ((SMS_CODE_PURPOSES as readonly string[]).includes(p)) return p as SmsCodePurpose;
  throw new UserError(
    'INVALID_ARGUMENT',
    'SMS_PURPOSE_INVALID',
    `purpose must be one of ${SMS_CODE_PURPOSES.join(', ')}`,
  );
};

/**
 * SendSmsCode: a 6-digit code by SMS (notification's SendOneTimeCode), stored hashed, bound to
 * its purpose and subject, limited per number, account and address with a resend cooldown.
 */
@Injectable()
export class SendSmsCodeUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(TOKEN_SECRETS) private readonly secrets: TokenSecrets,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(ONE_TIME_CODE_HASHER) private readonly hasher: OneTimeCodeHasher,
    @Inject(SMS_SEND_LIMITER) private readonly limiter: SmsSendLimiter,
    @Inject(ONE_TIME_CODE_SENDER) private readonly sender: OneTimeCodeSender,
  ) {}

  /**
   * Who gets the code: LOGIN the account of the open MFA challenge (SMS MFA on), STEP_UP the
   * account of a live session (SMS MFA on), ENABLE_SMS_MFA the account's own phone, PHONE_CHANGE
   * a new phone no account has (after a recent step-up: codes to numbers the account does not
   * own are what SMS pumping abuses).
   */
  private target(
    tx: UserTx,
    purpose: SmsCodePurpose,
    input: SendSmsCodeInput,
    now: Date,
  ): Promise<Target> {
    const locale = async (account: Account) =>
      (await tx.profiles.profile(account.id))?.locale ?? '';
    const forAccount = async (account: Account, subject: string, phone: string | null) => {
      if (!phone)
        throw new UserError(
          'FAILED_PRECONDITION',
          'PHONE_REQUIRED',
          'the account has no phone number',
        );
      return {
        account,
        subject,
        phone,
        accountIdForNotice: account.id,
        locale: await locale(account),
      };
    };
    const smsOn = async (account: Account) => {
      if (!(await secondFactorsOf(tx, account)).sms)
        throw new UserError(
          'FAILED_PRECONDITION',
          'MFA_METHOD_UNAVAILABLE',
          'SMS codes are not a second factor of this account',
        );
    };
    const live = async () => {
      const account = assertNotDeleted(
        await tx.accounts.findById(input.accountId ?? ''),
        input.accountId,
      );
      assertCanLogIn(account);
      const session = await liveSession(tx, account.id, input.sessionId ?? '', now);
      return { account, session };
    };
    switch (purpose) {
      case 'LOGIN':
        return (async () => {
          const challenge = assertChallengeOpen(
            await tx.mfa.findChallengeForUpdate(this.secrets.hash(input.mfaChallenge ?? '')),
            now,
          );
          const account = assertNotDeleted(await tx.accounts.findById(challenge.accountId));
          assertCanLogIn(account);
          await smsOn(account);
          return forAccount(account, challenge.id, account.phone);
        })();
      case 'STEP_UP':
        return (async () => {
          const { account, session } = await live();
          await smsOn(account);
          return forAccount(account, session.id, account.phone);
        })();
      case 'ENABLE_SMS_MFA':
        return (async () => {
          const { account, session } = await live();
          return forAccount(account, session.id, account.phone);
        })();
      case 'PHONE_CHANGE':
        return (async () => {
          const { account, session } = await live();
          await assertRecentStepUp(tx, account.id, session.id, now, this.settings.stepUpWindowMs);
          const phone = normalisePhone(input.phone ?? '');
          if (phone === account.phone)
            throw new UserError(
              'FAILED_PRECONDITION',
              'PHONE_UNCHANGED',
              'this is already the account’s phone',
            );
          if (await tx.accounts.findByPhone(phone))
            throw new UserError(
              'ALREADY_EXISTS',
              'PHONE_TAKEN',
              'another account has this phone number',
            );
          const t = await forAccount(account, session.id, phone);
          return { ...t, accountIdForNotice: '' };
        })();
    }
  }

  async execute(ctx: RequestContext, input: SendSmsCodeInput): Promise<SentSmsCode> {
    const purpose = purposeOf(input.purpose);
    // never pretend: without notification no code can reach a phone
    if (!this.sender.configured)
      throw smsUnavailable('SMS codes are not available: no notification service is configured');
    const now = this.clock.now();
    const target = await this.uow.read(ctx, (tx) => this.target(tx, purpose, input, now));
    const { resendAfter } = await this.limiter.reserve(
      { accountId: target.account.id, phone: target.phone, ip: input.ip ?? '' },
      now,
    );
    const digits = newCodeDigits((n) => this.secrets.randomBytes(n));
    const id = this.ids.newId();
    const code = newSmsCode({
      id,
      accountId: target.account.id,
      purpose,
      subject: target.subject,
      phone: target.phone,
      codeHash: this.hasher.hash(id, digits),
      now,
    });
    // stored before it is sent, so a code that arrives at once is already known
    await this.uow.run(ctx, (tx) => tx.smsCodes.insert(code));
    try {
      await this.sender.send(ctx, {
        accountId: target.accountIdForNotice,
        phone: target.phone,
        code: digits,
        purpose,
        locale: target.locale,
        validMinutes: SMS_CODE_TTL_MS / 60_000,
      });
    } catch (e) {
      // a code that never went out must not replace the one the phone may still have
      await this.uow.run(ctx, (tx) => tx.smsCodes.delete(id));
      throw e;
    }
    return { maskedPhone: maskPhone(target.phone), expiresAt: code.expiresAt, resendAfter };
  }

  /** Sweep: codes expired for a day go (bounded batches). */
  expireDue(ctx: RequestContext): Promise<number> {
    const before = new Date(this.clock.now().getTime() - 86_400_000);
    return this.uow.run(ctx, (tx) => tx.smsCodes.deleteExpired(before, 500));
  }
}
