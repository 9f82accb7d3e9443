import type { userV1 } from '@emporia/contracts';
import type { RequestContext } from '@emporia/platform';
import type { AccountsPort, AddressBookEntry } from '../application/ports';
import { OrderError } from '../domain/order-error';
import { rethrowRemote } from './remote-errors';

type Rpc<Q, R> = (ctx: RequestContext, req: Q) => Promise<R>;

export interface UserRpcs {
  getAccount: Rpc<userV1.GetAccountRequest, userV1.GetAccountResponse>;
  listAddresses: Rpc<userV1.ListAddressesRequest, userV1.ListAddressesResponse>;
}

const translate = rethrowRemote('user');

/** How many accounts' creation times `GrpcAccounts` keeps (the oldest read go first). */
const CREATED_AT_KEPT = 50_000;

/** Accounts and address books from the user service over gRPC. */
export class GrpcAccounts implements AccountsPort {
  /** When the accounts read here were made (it never changes, so it is kept), for risk. */
  private readonly created = new Map<string, Date>();

  constructor(private readonly rpc: UserRpcs) {}

  async isFrozen(ctx: RequestContext, accountId: string): Promise<boolean> {
    const { details } = await this.rpc
      .getAccount(ctx, { accountId, accountOnly: true })
      .catch(translate);
    const created = new Date(details?.account?.createdAt ?? '');
    if (!Number.isNaN(created.getTime()) && !this.created.has(accountId)) {
      if (this.created.size >= CREATED_AT_KEPT)
        this.created.delete(this.created.keys().next().value!);
      this.created.set(accountId, created);
    }
    return details?.account?.status === 'ACCOUNT_STATUS_FROZEN';
  }

  /**
   * When the account was made, as the GetAccount of checkout's frozen check answered (risk's
   * fraud model reads the account's age); null when it was not read here — no call is made for it.
   */
  createdAt(accountId: string): Date | null {
    return this.created.get(accountId) ?? null;
  }

  /** The entry, and when it was saved (`created_at`: the large-order step-up rule reads it). */
  async address(
    ctx: RequestContext,
    accountId: string,
    addressId: string,
  ): Promise<AddressBookEntry | null> {
    const { addresses } = await this.rpc.listAddresses(ctx, { accountId }).catch(translate);
    const a = addresses.find((x) => x.id === addressId);
    if (!a) return null;
    const created = a.createdAt ? new Date(a.createdAt) : null;
    return {
      address: {
        recipient: a.recipient,
        phone: a.phone,
        country: a.country,
        province: a.province,
        city: a.city,
        district: a.district ?? '',
        line1: a.line1,
        line2: a.line2 ?? '',
        postalCode: a.postalCode ?? '',
      },
      createdAt: created && !Number.isNaN(created.getTime()) ? created : null,
    };
  }
}

/**
 * Without the user service (USER_GRPC_URL empty; refused with NODE_ENV=production): accounts are
 * not checked and address-book entries cannot be used (an inline address works).
 */
export class NoAccounts implements AccountsPort {
  async isFrozen(): Promise<boolean> {
    return false;
  }

  async address(): Promise<AddressBookEntry | null> {
    throw new OrderError(
      'FAILED_PRECONDITION',
      'ADDRESS_BOOK_UNAVAILABLE',
      'address-book entries need the user service here; send the address itself',
    );
  }
}
