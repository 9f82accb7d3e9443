import { Inject, Injectable } from '@nestjs/common';
import type { Money } from '@emporia/money';
import { newContext, type RequestContext } from '@emporia/platform';
import {
  assertNotDeleted,
  assertNotOwnAccount,
  parseIdentifier,
  rolesReduced,
  validateRoles,
  type Account,
} from '../domain/account';
import { UserError } from '../domain/user-error';
import { type TierDefinition, validateTiers } from '../domain/membership-tier';
import { reevaluateTier } from './membership-rules';
import { CLOCK, type Clock, UNIT_OF_WORK, type UnitOfWork } from './ports';

/** A membership not evaluated for this long is evaluated again. */
export const REEVALUATE_AFTER_MS = 86_400_000;

export interface TierView extends TierDefinition {
  members: number;
}

/** Operator and admin configuration: the tier table and account roles; finding an account. */
@Injectable()
export class AccountAdminUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  listTiers(ctx: RequestContext): Promise<TierView[]> {
    return this.uow.run(ctx, async (tx) => {
      const counts = await tx.membership.tierMembers();
      return validateTiers(await tx.membership.tiers()).map((t) => ({
        ...t,
        members: counts.get(t.code) ?? 0,
      }));
    });
  }

  /**
   * Replaces the whole tier table (validated: codes, one currency, rising thresholds, a base at
   * zero). Members are re-evaluated against it in bounded background batches, with TierChanged
   * for each one whose tier moves. A tier that still has members cannot be removed.
   */
  replaceTiers(
    ctx: RequestContext,
    input: { code: string; name: string; minSpend: Money }[],
  ): Promise<{ tiers: TierDefinition[]; toReevaluate: number }> {
    const tiers = validateTiers(
      input.map((t) => ({
        code: t.code,
        name: (t.name ?? '').trim() || t.code,
        minSpend: t.minSpend,
      })),
    );
    return this.uow.run(ctx, async (tx) => ({
      tiers,
      toReevaluate: await tx.membership.replaceTiers(tiers),
    }));
  }

  /**
   * One bounded batch of re-evaluation: members after a tier table change, and members not
   * evaluated for a day (old spend leaves the rolling window, which may mean a downgrade).
   * Returns how many it did.
   */
  async reevaluateDue(ctx: RequestContext = newContext(), batch = 200): Promise<number> {
    const staleBefore = new Date(this.clock.now().getTime() - REEVALUATE_AFTER_MS);
    const ids = await this.uow.run(ctx, (tx) =>
      tx.membership.membershipsToReevaluate(batch, staleBefore),
    );
    for (const accountId of ids) {
      await this.uow.run(ctx, async (tx) => {
        const now = this.clock.now();
        const current = await tx.membership.lockMembership(accountId, now);
        await reevaluateTier(tx, accountId, current, now);
      });
    }
    return ids.length;
  }

  /**
   * The live account an e-mail address (any case) or E.164 phone number signs in with, the
   * identifier normalised as login normalises it; null when no live account has it. An erased
   * account is never found (its identifiers are gone, and its status says so).
   */
  async findByIdentifier(ctx: RequestContext, identifier: string): Promise<Account | null> {
    if (!(identifier ?? '').trim())
      throw new UserError(
        'INVALID_ARGUMENT',
        'IDENTIFIER_REQUIRED',
        'give an e-mail address or an E.164 phone number such as +8613800138000',
      );
    const id = parseIdentifier(identifier);
    return this.uow.read(ctx, async (tx) => {
      const account =
        'email' in id
          ? await tx.accounts.findByEmail(id.email)
          : await tx.accounts.findByPhone(id.phone);
      return account && account.status !== 'DELETED' ? account : null;
    });
  }

  /**
   * Sets the roles of a live account. When a role is taken away, the account's access tokens
   * issued until now are revoked (they carry the old roles); new ones carry the new roles.
   * Nobody changes their own roles (`operatorId`: CANNOT_CHANGE_OWN_ACCOUNT).
   */
  setRoles(
    ctx: RequestContext,
    accountId: string,
    roles: string[],
    operatorId?: string,
  ): Promise<Account> {
    assertNotOwnAccount(operatorId, accountId, 'change the roles of');
    const valid = validateRoles(roles);
    return this.uow.run(ctx, async (tx) => {
      const account = assertNotDeleted(await tx.accounts.lock(accountId), accountId);
      await tx.accounts.setRoles(accountId, valid);
      if (rolesReduced(account.roles, valid))
        await tx.revocations.add({ accountId, before: this.clock.now() });
      return { ...account, roles: valid };
    });
  }
}
