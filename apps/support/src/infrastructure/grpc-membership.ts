import type { userV1 } from '@emporia/contracts';
import type { Logger, RequestContext } from '@emporia/platform';
import type { Customers } from '../application/ports';

type Rpc<Q, R> = (ctx: RequestContext, req: Q) => Promise<R>;

export interface UserRpcs {
  getMembership: Rpc<userV1.GetMembershipRequest, userV1.GetMembershipResponse>;
  getAccount: Rpc<userV1.GetAccountRequest, userV1.GetAccountResponse>;
}

/**
 * The customer's tier (priority) and name (templates) from the user service. Fails open: when
 * user does not answer, '' (no tier boost, the name left missing); a ticket never fails for it.
 */
export class GrpcMembership implements Customers {
  constructor(
    private readonly rpc: UserRpcs,
    private readonly logger: Logger,
  ) {}

  async tierOf(ctx: RequestContext, accountId: string): Promise<string> {
    try {
      const { membership } = await this.rpc.getMembership(ctx, { accountId });
      return membership?.tierCode ?? '';
    } catch (err) {
      this.logger.warn({ err, accountId }, 'user did not answer GetMembership: no tier boost');
      return '';
    }
  }

  async nameOf(ctx: RequestContext, accountId: string): Promise<string> {
    try {
      const { details } = await this.rpc.getAccount(ctx, { accountId });
      return details?.profile?.displayName ?? '';
    } catch (err) {
      this.logger.warn({ err, accountId }, 'user did not answer GetAccount: no customer name');
      return '';
    }
  }
}
