import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertCanLogIn, assertNotDeleted, type Account } from '../domain/account';
import { steppedUp } from '../domain/refresh-token-family';
import { STEP_UP_WINDOW_MS } from '../domain/step-up';
import { UserError } from '../domain/user-error';
import { badCredentials } from './login.use-case';
import { PasskeyCeremonies } from './passkey-ceremonies';
import {
  AUTH_SETTINGS,
  type AuthSettings,
  CLOCK,
  type Clock,
  LOGIN_THROTTLE,
  type LoginThrottle,
  PASSWORD_HASHER,
  type PasswordHasher,
  TOKEN_SIGNER,
  type TokenSigner,
  UNIT_OF_WORK,
  type UnitOfWork,
  type UserTx,
} from './ports';
import {
  factorMethod,
  hasSecondFactor,
  maskedPhoneOf,
  methodsOf,
  SecondFactorCheck,
  secondFactorsOf,
  type FactorMethod,
} from './second-factor';
import { liveSession } from './send-sms-code.use-case';

export type StepUpMethod = FactorMethod | 'PASSWORD';

export interface StepUpOptions {
  methods: StepUpMethod[];
  /** PASSKEY: request options (JSON) for navigator.credentials.get. */
  passkeyOptionsJson: string;
  maskedPhone: string;
}

export interface StepUpInput {
  accountId: string;
  sessionId: string;
  method: string;
  code?: string;
  passkeyResponseJson?: string;
  password?: string;
  ip?: string;
}

export interface SteppedUp {
  accessToken: string;
  accessExpiresAt: Date;
  steppedUpAt: Date;
  validUntil: Date;
}

/** The key wrong codes count under: the identifier the account signs in with, as login counts. */
const throttleKeyOf = (a: Account) => a.email ?? a.phone ?? a.id;

/**
 * Step-up (GitHub's sudo mode): a second factor proved now in a session, which then allows
 * sensitive changes for STEP_UP_WINDOW. TOTP, a recovery code, an SMS code (purpose STEP_UP) or a
 * passkey; the password only for an account with no second factor at all. Wrong answers count
 * as failed sign-ins (throttle, account lock), as CompleteMfaLogin's do.
 */
@Injectable()
export class StepUpUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(TOKEN_SIGNER) private readonly signer: TokenSigner,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly factors: SecondFactorCheck,
    private readonly passkeys: PasskeyCeremonies,
  ) {}

  private get windowMs() {
    return this.settings.stepUpWindowMs ?? STEP_UP_WINDOW_MS;
  }

  private async liveAccount(tx: UserTx, accountId: string, lock = false): Promise<Account> {
    const account = assertNotDeleted(
      lock ? await tx.accounts.lock(accountId) : await tx.accounts.findById(accountId),
      accountId,
    );
    assertCanLogIn(account);
    return account;
  }

  /** What the account can step up with; a passkey's request options when it has passkeys. */
  begin(ctx: RequestContext, accountId: string, sessionId: string): Promise<StepUpOptions> {
    const now = this.clock.now();
    return this.uow.run(ctx, async (tx) => {
      const account = await this.liveAccount(tx, accountId);
      await liveSession(tx, accountId, sessionId, now);
      const factors = await secondFactorsOf(tx, account);
      if (!hasSecondFactor(factors))
        return { methods: ['PASSWORD'], passkeyOptionsJson: '', maskedPhone: '' };
      const methods = methodsOf(factors);
      const passkeyOptionsJson = methods.includes('PASSKEY')
        ? JSON.stringify(
            (
              await this.passkeys.assertionOptions(
                tx,
                'STEP_UP',
                { accountId },
                await tx.passkeys.list(accountId),
                now,
              )
            ).options,
          )
        : '';
      return { methods, passkeyOptionsJson, maskedPhone: maskedPhoneOf(factors) };
    });
  }

  async stepUp(ctx: RequestContext, input: StepUpInput): Promise<SteppedUp> {
    const now = this.clock.now();
    const ip = input.ip || 'unknown';
    const account = await this.uow.read(ctx, (tx) => this.liveAccount(tx, input.accountId));
    const throttleKey = throttleKeyOf(account);
    const { accountFailures } = await this.throttle.check(throttleKey, ip);
    const method = (input.method ?? '').trim().toUpperCase();
    let passwordOk = false;
    if (method === 'PASSWORD') {
      const factors = await this.uow.read(ctx, (tx) => secondFactorsOf(tx, account));
      if (hasSecondFactor(factors))
        throw new UserError(
          'FAILED_PRECONDITION',
          'MFA_METHOD_UNAVAILABLE',
          'this account has a second factor: step up with it, not the password',
        );
      passwordOk = await this.hasher.verify(account.passwordHash, input.password ?? '');
    }
    const outcome = await this.uow.run(ctx, async (tx) => {
      const current = await this.liveAccount(tx, input.accountId, true);
      const session = await liveSession(tx, current.id, input.sessionId, now, true);
      if (method === 'PASSWORD') {
        if (!passwordOk) return { ok: false as const, error: badCredentials(), counts: true };
      } else {
        const factors = await secondFactorsOf(tx, current);
        const proved = await this.factors.prove(
          tx,
          current,
          factors,
          {
            method: factorMethod(method, input.code),
            code: input.code,
            passkeyResponseJson: input.passkeyResponseJson,
            sms: { purpose: 'STEP_UP', subject: session.id },
            passkey: { ceremony: 'STEP_UP', accountId: current.id },
          },
          now,
        );
        if (!proved.ok) return proved;
      }
      await tx.families.save(steppedUp(session, now));
      const access = await this.signer.signAccess(current, now, session.id, now);
      return { ok: true as const, access };
    });
    if (!outcome.ok) {
      if (outcome.counts) {
        const verdict = await this.throttle.recordFailure(throttleKey, ip);
        if (verdict.lockedUntil)
          await this.uow.run(ctx, async (tx) =>
            tx.events.accountLocked(account.id, verdict.lockedUntil!, verdict.failures),
          );
      }
      throw outcome.error;
    }
    if (accountFailures > 0) await this.throttle.recordSuccess(throttleKey);
    return {
      accessToken: outcome.access.token,
      accessExpiresAt: outcome.access.expiresAt,
      steppedUpAt: now,
      validUntil: new Date(now.getTime() + this.windowMs),
    };
  }
}
