import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertNotOwnAccount, setFrozen, type Account } from '../domain/account';
import { UserError } from '../domain/user-error';
import { endAllSessions } from './sessions';
import { CLOCK, type Clock, UNIT_OF_WORK, type UnitOfWork } from './ports';

/**
 * Operator freeze and unfreeze. Freezing ends every session of the account at once: refresh
 * tokens at commit, access tokens as soon as the revocation reaches the gateway's list. An
 * erased account can be neither (ACCOUNT_NOT_FOUND); an operator cannot freeze their own.
 */
@Injectable()
export class FreezeAccountUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(
    ctx: RequestContext,
    input: { accountId: string; frozen: boolean; reason?: string; operatorId?: string },
  ): Promise<Account> {
    if (input.frozen) assertNotOwnAccount(input.operatorId, input.accountId, 'freeze');
    const reason = (input.reason ?? '').trim();
    if (input.frozen && !reason)
      throw new UserError(
        'INVALID_ARGUMENT',
        'FREEZE_REASON_REQUIRED',
        'say why the account is frozen',
      );
    if (reason.length > 500)
      throw new UserError(
        'INVALID_ARGUMENT',
        'FREEZE_REASON_TOO_LONG',
        'the reason has at most 500 characters',
      );
    return this.uow.run(ctx, async (tx) => {
      // Locked, so a sign-in in flight either sees the freeze or signs before `now`.
      const current = await tx.accounts.lock(input.accountId);
      const { account, changed } = setFrozen(current, input.frozen, input.accountId);
      if (!changed) return account;
      const now = this.clock.now();
      await tx.accounts.setStatus(account.id, account.status, input.frozen ? reason : null);
      if (input.frozen) {
        await endAllSessions(tx, account.id, 'ACCOUNT_FROZEN', now);
        tx.events.accountFrozen(account.id, reason, now);
      } else {
        tx.events.accountUnfrozen(account.id, now);
      }
      return account;
    });
  }
}
