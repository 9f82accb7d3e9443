import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertNotDeleted, type Account } from '../domain/account';
import {
  type Address,
  type AddressFields,
  type Consent,
  consentView,
  defaultAfterDelete,
  EMPTY_PROFILE,
  MAX_ADDRESSES,
  type Profile,
  validateAddress,
  validateConsentChanges,
  validateProfile,
} from '../domain/profile';
import { UserError } from '../domain/user-error';
import {
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  UNIT_OF_WORK,
  type UnitOfWork,
  type UserTx,
} from './ports';
import { asksSecondFactorAtLogin, secondFactorsOf } from './second-factor';

export interface AccountDetails {
  account: Account;
  profile: Profile;
  consents: Consent[];
  /** A second factor is asked at sign-in: TOTP or SMS codes are on. */
  mfaEnabled: boolean;
  totpEnabled: boolean;
  smsMfaEnabled: boolean;
  passkeyCount: number;
  recoveryCodesLeft: number;
}

const addressNotFound = (id: string) =>
  new UserError('NOT_FOUND', 'ADDRESS_NOT_FOUND', `address ${id} does not exist`);

/**
 * Profile, consents and the address book of one account. Every call names the account it acts
 * for, and an address is found only within that account: another account's address id is
 * NOT_FOUND, never someone else's data.
 */
@Injectable()
export class ProfileUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  private async live(tx: UserTx, accountId: string, lock = false): Promise<Account> {
    const account = lock
      ? await tx.accounts.lock(accountId)
      : await tx.accounts.findById(accountId);
    return assertNotDeleted(account, accountId);
  }

  /** The account alone (its status), in one query outside a transaction; erased: not found. */
  account(ctx: RequestContext, accountId: string): Promise<Account> {
    return this.uow.read(ctx, (tx) => this.live(tx, accountId));
  }

  details(ctx: RequestContext, accountId: string): Promise<AccountDetails> {
    return this.uow.run(ctx, async (tx) => {
      const account = await this.live(tx, accountId);
      const factors = await secondFactorsOf(tx, account);
      return {
        account,
        profile: (await tx.profiles.profile(accountId)) ?? EMPTY_PROFILE,
        consents: consentView(await tx.profiles.consents(accountId)),
        mfaEnabled: asksSecondFactorAtLogin(factors),
        totpEnabled: factors.totp,
        smsMfaEnabled: factors.sms,
        passkeyCount: factors.passkeys,
        recoveryCodesLeft: factors.recoveryCodes,
      };
    });
  }

  /** One address of the account (ADDRESS_NOT_FOUND when it has none with this id). */
  address(ctx: RequestContext, accountId: string, addressId: string): Promise<Address> {
    return this.uow.read(ctx, async (tx) => {
      await this.live(tx, accountId);
      const found = (await tx.profiles.addresses(accountId)).find((a) => a.id === addressId);
      if (!found) throw addressNotFound(addressId);
      return found;
    });
  }

  updateProfile(
    ctx: RequestContext,
    accountId: string,
    input: Partial<Record<keyof Profile, unknown>>,
  ): Promise<Profile> {
    const now = this.clock.now();
    const profile = validateProfile(input, now);
    return this.uow.run(ctx, async (tx) => {
      await this.live(tx, accountId, true);
      await tx.profiles.saveProfile(accountId, profile, now);
      return profile;
    });
  }

  setConsents(
    ctx: RequestContext,
    accountId: string,
    changes: { purpose: string; granted: boolean }[],
  ): Promise<Consent[]> {
    const valid = validateConsentChanges(changes);
    return this.uow.run(ctx, async (tx) => {
      await this.live(tx, accountId, true);
      await tx.profiles.saveConsents(accountId, valid, this.clock.now());
      return consentView(await tx.profiles.consents(accountId));
    });
  }

  addresses(ctx: RequestContext, accountId: string): Promise<Address[]> {
    return this.uow.run(ctx, async (tx) => {
      await this.live(tx, accountId);
      return tx.profiles.addresses(accountId);
    });
  }

  /** Adds an address; the first one, or one asked to be, becomes the default. */
  createAddress(
    ctx: RequestContext,
    accountId: string,
    input: Partial<Record<keyof AddressFields, unknown>>,
    makeDefault: boolean,
  ): Promise<Address> {
    const fields = validateAddress(input);
    return this.uow.run(ctx, async (tx) => {
      await this.live(tx, accountId, true);
      const existing = await tx.profiles.addresses(accountId);
      if (existing.length >= MAX_ADDRESSES)
        throw new UserError(
          'FAILED_PRECONDITION',
          'ADDRESS_LIMIT',
          `an account keeps at most ${MAX_ADDRESSES} addresses; delete one first`,
        );
      const now = this.clock.now();
      const address: Address = {
        ...fields,
        id: this.ids.newId(),
        accountId,
        isDefault: false,
        createdAt: now,
        updatedAt: now,
      };
      await tx.profiles.insertAddress(address);
      if (makeDefault || existing.length === 0) {
        await tx.profiles.setDefaultAddress(accountId, address.id);
        address.isDefault = true;
      }
      return address;
    });
  }

  /** Replaces an address; `makeDefault` moves the default to it (the default cannot be unset). */
  updateAddress(
    ctx: RequestContext,
    accountId: string,
    id: string,
    input: Partial<Record<keyof AddressFields, unknown>>,
    makeDefault: boolean,
  ): Promise<Address> {
    const fields = validateAddress(input);
    return this.uow.run(ctx, async (tx) => {
      await this.live(tx, accountId, true);
      const current = (await tx.profiles.addresses(accountId)).find((a) => a.id === id);
      if (!current) throw addressNotFound(id);
      const address: Address = { ...current, ...fields, updatedAt: this.clock.now() };
      await tx.profiles.updateAddress(address);
      if (makeDefault && !current.isDefault) {
        await tx.profiles.setDefaultAddress(accountId, id);
        address.isDefault = true;
      }
      return address;
    });
  }

  /** Deletes an address; when it was the default, the most recently updated one takes over. */
  deleteAddress(ctx: RequestContext, accountId: string, id: string): Promise<void> {
    return this.uow.run(ctx, async (tx) => {
      await this.live(tx, accountId, true);
      if (!(await tx.profiles.deleteAddress(accountId, id))) throw addressNotFound(id);
      const remaining = await tx.profiles.addresses(accountId);
      const next = defaultAfterDelete(remaining);
      if (next && !remaining.find((a) => a.id === next)!.isDefault)
        await tx.profiles.setDefaultAddress(accountId, next);
    });
  }
}
