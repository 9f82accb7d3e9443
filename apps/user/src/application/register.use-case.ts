import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { registration, type Account } from '../domain/account';
import { UserError } from '../domain/user-error';
import {
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  PASSWORD_HASHER,
  type PasswordHasher,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

@Injectable()
export class RegisterUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /** Creates a customer account; an e-mail or phone already registered is ALREADY_EXISTS. */
  async execute(
    ctx: RequestContext,
    input: { email?: string; phone?: string; password: string },
  ): Promise<Account> {
    const { email, phone } = registration(input);
    const passwordHash = await this.hasher.hash(input.password);
    return this.uow.run(ctx, async (tx) => {
      if (
        (email && (await tx.accounts.findByEmail(email))) ||
        (phone && (await tx.accounts.findByPhone(phone)))
      ) {
        throw new UserError(
          'ALREADY_EXISTS',
          'ACCOUNT_EXISTS',
          'an account with this e-mail or phone already exists',
        );
      }
      const account: Account = {
        id: this.ids.newId(),
        email,
        phone,
        passwordHash,
        roles: ['customer'],
        status: 'ACTIVE',
        createdAt: this.clock.now(),
      };
      await tx.accounts.insert(account);
      tx.events.accountRegistered(account);
      return account;
    });
  }
}
