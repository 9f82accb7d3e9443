import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertCanLogIn, loginAnomalies, parseIdentifier, type Account } from '../domain/account';
import { UserError } from '../domain/user-error';
import { issueNewSession } from './issue-tokens';
import {
  AUTH_SETTINGS,
  type AuthSettings,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  LOGIN_THROTTLE,
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

const badCredentials = () =>
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
  ) {}

  /**
   * Password login. Locked accounts and throttled IPs are refused before the password is
   * checked; a failure counts against both and may lock the account; an unknown identifier
   * costs the same time as a wrong password and says the same thing.
   */
  async execute(
    ctx: RequestContext,
    input: { identifier: string; password: string; ip: string; deviceId?: string },
  ): Promise<{ account: Account; tokens: TokenPair }> {
    let id: { email: string } | { phone: string };
    try {
      id = parseIdentifier(input.identifier);
    } catch {
      throw badCredentials();
    }
    const accountKey = 'email' in id ? id.email : id.phone;
    const ip = input.ip || 'unknown';
    await this.throttle.check(accountKey, ip);
    const account = await this.uow.run(ctx, (tx) =>
      'email' in id ? tx.accounts.findByEmail(id.email) : tx.accounts.findByPhone(id.phone),
    );
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
    await this.throttle.recordSuccess(accountKey);
    const now = this.clock.now();
    const deps = {
      signer: this.signer,
      secrets: this.secrets,
      ids: this.ids,
      settings: this.settings,
    };
    const tokens = await this.uow.run(ctx, async (tx) => {
      const deviceId = (input.deviceId ?? '').slice(0, 200);
      const kinds = loginAnomalies(
        await tx.knownLogins.record(account.id, deviceId, ip, now),
        deviceId,
      );
      if (kinds.length > 0) tx.events.loginAnomaly(account.id, kinds, deviceId, ip, now);
      return issueNewSession(tx, deps, account, now);
    });
    return { account, tokens };
  }
}
