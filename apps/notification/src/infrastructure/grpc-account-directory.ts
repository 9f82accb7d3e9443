import { status } from '@grpc/grpc-js';
import { userV1 } from '@emporia/contracts';
import { RemoteCallError, type RequestContext } from '@emporia/platform';
import type { AccountDirectory } from '../application/ports';
import type { AccountContact } from '../domain/planner';

type Rpc<Q, R> = (ctx: RequestContext, req: Q) => Promise<R>;

export interface UserRpcs {
  getAccount: Rpc<userV1.GetAccountRequest, userV1.GetAccountResponse>;
}

/**
 * Contacts from the user service (GetAccount: e-mail, phone, profile locale, consents). NOT_FOUND
 * is an answer (no such account: nobody to tell); any other failure propagates, so the consumer
 * retries the event while user is down instead of losing the message.
 */
export class GrpcAccountDirectory implements AccountDirectory {
  constructor(private readonly rpc: UserRpcs) {}

  async contact(ctx: RequestContext, accountId: string): Promise<AccountContact | null> {
    let res: userV1.GetAccountResponse;
    try {
      res = await this.rpc.getAccount(ctx, { accountId });
    } catch (err) {
      if (err instanceof RemoteCallError && err.remote.status === status.NOT_FOUND) return null;
      throw err;
    }
    const d = res.details;
    if (!d?.account) return null;
    return {
      accountId,
      email: d.account.email ?? '',
      phone: d.account.phone ?? '',
      profileLocale: d.profile?.locale ?? '',
      consents: new Set((d.consents ?? []).filter((c) => c.granted).map((c) => c.purpose)),
      // an erased account has no personal data left: nothing is sent to it
      reachable: d.account.status !== userV1.AccountStatus.ACCOUNT_STATUS_DELETED,
    };
  }
}
