import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger, type RequestContext } from '@emporia/platform';
import { assertCanLogIn, assertNotDeleted, parseIdentifier, type Account } from '../domain/account';
import { loginRiskOutcome, type LoginRiskVerdict } from '../domain/login-risk';
import { MFA_CHALLENGE_TTL_MS } from '../domain/mfa';
import { newFamily } from '../domain/refresh-token-family';
import { UserError } from '../domain/user-error';
import { describeClient, openSession } from './issue-tokens';
import {
  asksSecondFactorAtLogin,
  type FactorMethod,
  maskedPhoneOf,
  methodsOf,
  secondFactorsOf,
} from './second-factor';
import { PLACE_LOOKUP, type PlaceLookup } from './security.ports';
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
  PASSWORD_HASHER,
  type PasswordHasher,
  TOKEN_SECRETS,
  TOKEN_SIGNER,
  type TokenSecrets,
  type TokenSigner,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import type { TokenPair } from './token-pair';

export type LoginResult =
  | { account: Account; tokens: TokenPair }
  | {
      account: Account;
      mfa: {
        challenge: string;
        expiresAt: Date;
        /** What the challenge may be answered with. */
        methods: FactorMethod[];
        /** SMS: the masked number codes go to; empty otherwise. */
        maskedPhone: string;
      };
    };

export const badCredentials = () =>
  new UserError('UNAUTHENTICATED', 'INVALID_CREDENTIALS', 'the identifier or password is wrong');

@Injectable()
export class LoginUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(TOKEN_SIGNER) private readonly signer: TokenSigner,
    @Inject(TOKEN_SECRETS) private readonly secrets: TokenSecrets,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(LOGIN_RISK) private readonly risk: LoginRiskPort,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PLACE_LOOKUP) private readonly places: PlaceLookup,
  ) {}

  /**
   * Password login. Locked accounts and throttled IPs are refused before the password is
   * checked; a failure counts against both and may lock the account; an unknown identifier
   * costs the same time as a wrong password and says the same thing. With MFA on, a right
   * password yields a single-use challenge for CompleteMfaLogin instead of tokens.
   *
   * A right password is then scored by risk (`LoginRiskPort`, bounded wait, fail open): REJECT
   * refuses the sign-in (`LOGIN_BLOCKED`); REVIEW asks for the second factor when the account
   * has one and otherwise signs in, flagged in the log (see `loginRiskOutcome`).
   *
   * A second factor is asked when TOTP is on or SMS codes are on; the answer lists what the
   * challenge may be answered with (TOTP, SMS, PASSKEY, RECOVERY_CODE).
   */
  async execute(
    ctx: RequestContext,
    input: {
      identifier: string;
      password: string;
      ip: string;
      deviceId?: string;
      userAgent?: string;
    },
  ): Promise<LoginResult> {
    let id: { email: string } | { phone: string };
    try {
      id = parseIdentifier(input.identifier);
    } catch {
      throw badCredentials();
    }
    const accountKey = 'email' in id ? id.email : id.phone;
    const ip = input.ip || 'unknown';
    const deviceId = input.deviceId ?? '';
    const userAgent = (input.userAgent ?? '').slice(0, 1000);
    // what a new session records of the client (openSession's cut)
    const client = { deviceId: deviceId.slice(0, 200), ip };
    const { accountFailures } = await this.throttle.check(accountKey, ip);
    const candidate = await this.uow.read(ctx, (tx) => tx.logins.findCandidate(id, client));
    const account = candidate?.account ?? null;
    const ok = account
      ? await this.hasher.verify(account.passwordHash, input.password ?? '')
      : (await this.hasher.verifyNothing(input.password ?? ''), false);
    if (!account || !ok) {
      const verdict = await this.throttle.recordFailure(accountKey, ip);
      if (account && verdict.lockedUntil) {
        await this.uow.run(ctx, async (tx) =>
          tx.events.accountLocked(account.id, verdict.lockedUntil!, verdict.failures),
        );
      }
      throw badCredentials();
    }
    assertCanLogIn(account);
    const risk = await this.risk.scoreLogin(ctx, {
      accountId: account.id,
      ip: input.ip ?? '',
      deviceId,
    });
    const now = this.clock.now();
    const deps = {
      signer: this.signer,
      secrets: this.secrets,
      ids: this.ids,
      settings: this.settings,
      places: this.places,
    };
    // A client the account knows (no anomaly to report), no MFA when read, not rejected: one
    // statement, which writes only if the locked account may still sign in without a second
    // factor. When it did not, the general path below reads it again and says why.
    if (candidate?.knownClient && !candidate.mfaActive && risk.decision !== 'REJECT') {
      const quick = await this.knownClientSession(ctx, account, { ...client, userAgent }, now);
      if (quick) {
        if (accountFailures > 0) await this.throttle.recordSuccess(accountKey);
        this.warnIfFlagged(loginRiskOutcome(risk, false), risk, account.id, ip, deviceId);
        return quick;
      }
    }
    let flagged = false;
    const result = await this.uow.run(ctx, async (tx): Promise<LoginResult> => {
      // Read again under the row lock: a freeze, erasure or role change that committed since the
      // password check wins, and one that comes later revokes the token signed here.
      const current = assertNotDeleted(await tx.accounts.lock(account.id), account.id);
      assertCanLogIn(current);
      const factors = await secondFactorsOf(tx, current);
      const mfaOn = asksSecondFactorAtLogin(factors);
      flagged = loginRiskOutcome(risk, mfaOn) === 'PROCEED_FLAGGED';
      if (mfaOn) {
        const challenge = this.secrets.newToken();
        const expiresAt = new Date(now.getTime() + MFA_CHALLENGE_TTL_MS);
        await tx.mfa.insertChallenge(
          {
            id: this.ids.newId(),
            accountId: account.id,
            throttleKey: accountKey,
            deviceId,
            ip,
            userAgent,
            expiresAt,
            attempts: 0,
            usedAt: null,
          },
          this.secrets.hash(challenge),
        );
        return {
          account: current,
          mfa: {
            challenge,
            expiresAt,
            methods: methodsOf(factors),
            maskedPhone: maskedPhoneOf(factors),
          },
        };
      }
      return {
        account: current,
        tokens: await openSession(tx, deps, current, { deviceId, ip, userAgent }, now),
      };
    });
    // With MFA the failure count is cleared only once the second factor is right, so wrong
    // codes cannot be retried without limit by logging in again.
    // Failures counted while the password was checked (none were there before) stay counted.
    if ('tokens' in result && accountFailures > 0) await this.throttle.recordSuccess(accountKey);
    if (flagged) this.warnIfFlagged('PROCEED_FLAGGED', risk, account.id, ip, deviceId);
    return result;
  }

  /**
   * `openSession` for a client the account already knows, as one statement (`openKnownSession`):
   * the tokens, or undefined when the locked account was not ACTIVE or had MFA on (nothing
   * written). The access token is signed after the statement, with `now` taken before it, so a
   * revocation committed after the statement still covers it.
   */
  private async knownClientSession(
    ctx: RequestContext,
    account: Account,
    client: { deviceId: string; ip: string; userAgent: string },
    now: Date,
  ): Promise<LoginResult | undefined> {
    const refreshToken = this.secrets.newToken();
    const family = newFamily({
      id: this.ids.newId(),
      userId: account.id,
      tokenId: this.secrets.hash(refreshToken),
      now,
      ttlMs: this.settings.refreshTtlMs,
      client: describeClient(client, this.places),
    });
    const { account: current, opened } = await this.uow.statement(ctx, (tx) =>
      tx.logins.openKnownSession(family, client, now),
    );
    if (!opened || !current) return undefined;
    assertCanLogIn(current);
    const access = await this.signer.signAccess(current, now, family.id);
    return {
      account: current,
      tokens: {
        accessToken: access.token,
        accessExpiresAt: access.expiresAt,
        refreshToken,
        refreshExpiresAt: family.expiresAt,
      },
    };
  }

  private warnIfFlagged(
    outcome: ReturnType<typeof loginRiskOutcome>,
    risk: LoginRiskVerdict,
    accountId: string,
    ip: string,
    deviceId: string,
  ): void {
    if (outcome === 'PROCEED_FLAGGED')
      this.logger.warn(
        { accountId, reasons: risk.reasons, score: risk.score, ip, deviceId },
        'risk asked to review a sign-in of an account without MFA: signed in, flagged',
      );
  }
}
