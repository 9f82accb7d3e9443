import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { anonymise, assertNotDeleted, assertOperatorMayErase } from '../domain/account';
import { badCredentials } from './login.use-case';
import {
  CLOCK,
  type Clock,
  PASSWORD_HASHER,
  type PasswordHasher,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import { endAllSessions } from './sessions';

export const EXPORT_FORMAT = 'emporia.user-export.v1';

/** Data portability and erasure (GDPR articles 15/17/20, PIPL, CCPA style). */
@Injectable()
export class PrivacyUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Everything the service stores about the account, as one JSON document. */
  exportData(ctx: RequestContext, accountId: string): Promise<string> {
    return this.uow.run(ctx, async (tx) => {
      const account = assertNotDeleted(await tx.accounts.findById(accountId), accountId);
      const data = await tx.privacy.exportData(accountId);
      return JSON.stringify(
        {
          format: EXPORT_FORMAT,
          exportedAt: this.clock.now().toISOString(),
          account: {
            id: account.id,
            email: account.email,
            phone: account.phone,
            roles: account.roles,
            status: account.status,
            createdAt: account.createdAt.toISOString(),
          },
          ...data,
        },
        null,
        2,
      );
    });
  }

  /**
   * Erases the account: identifiers and password are removed, profile, consents, addresses,
   * known devices and MFA are deleted, every session ends, and `AccountDeleted` tells the other
   * services to do the same. Spend and points ledger rows stay under the bare id (accounting).
   * A customer confirms with the password; an operator acting on a verified request does not,
   * but cannot erase their own account that way (`operatorId`: CANNOT_ERASE_OWN_ACCOUNT).
   */
  async deleteAccount(
    ctx: RequestContext,
    input: { accountId: string; password?: string; byOperator: boolean; operatorId?: string },
  ): Promise<Date> {
    if (input.byOperator) assertOperatorMayErase(input.operatorId, input.accountId);
    else {
      const account = assertNotDeleted(
        await this.uow.run(ctx, (tx) => tx.accounts.findById(input.accountId)),
        input.accountId,
      );
      if (!(await this.hasher.verify(account.passwordHash, input.password ?? '')))
        throw badCredentials();
    }
    return this.uow.run(ctx, async (tx) => {
      const account = assertNotDeleted(await tx.accounts.lock(input.accountId), input.accountId);
      const now = this.clock.now();
      await tx.accounts.saveErased(anonymise(account), now);
      await tx.privacy.erasePersonalData(account.id);
      await endAllSessions(tx, account.id, 'ACCOUNT_DELETED', now);
      tx.events.accountDeleted(account.id, now);
      return now;
    });
  }
}
