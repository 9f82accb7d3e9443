import type { userV1 } from '@emporia/contracts';
import type { RequestContext } from '@emporia/platform';
import type { AccountsPort } from '../application/ports';
import type { ShippingAddress } from '../domain/order';
import { OrderError } from '../domain/order-error';
import { rethrowRemote } from './remote-errors';

type Rpc<Q, R> = (ctx: RequestContext, req: Q) => Promise<R>;

export interface UserRpcs {
  getAccount: Rpc<userV1.GetAccountRequest, userV1.GetAccountResponse>;
  listAddresses: Rpc<userV1.ListAddressesRequest, userV1.ListAddressesResponse>;
}

const translate = rethrowRemote('user');

/** Accounts and address books from the user service over gRPC. */
export class GrpcAccounts implements AccountsPort {
  constructor(private readonly rpc: UserRpcs) {}

  async isFrozen(ctx: RequestContext, accountId: string): Promise<boolean> {
    const { details } = await this.rpc
      .getAccount(ctx, { accountId, accountOnly: true })
      .catch(translate);
    return details?.account?.status === 'ACCOUNT_STATUS_FROZEN';
  }

  async address(
    ctx: RequestContext,
    accountId: string,
    addressId: string,
  ): Promise<ShippingAddress | null> {
    const { addresses } = await this.rpc.listAddresses(ctx, { accountId }).catch(translate);
    const a = addresses.find((x) => x.id === addressId);
    return a
      ? {
          recipient: a.recipient,
          phone: a.phone,
          country: a.country,
          province: a.province,
          city: a.city,
          district: a.district ?? '',
          line1: a.line1,
          line2: a.line2 ?? '',
          postalCode: a.postalCode ?? '',
        }
      : null;
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

  async address(): Promise<ShippingAddress | null> {
    throw new OrderError(
      'FAILED_PRECONDITION',
      'ADDRESS_BOOK_UNAVAILABLE',
      'address-book entries need the user service here; send the address itself',
    );
  }
}
