import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import {
  CLOCK,
  type Clock,
  TOKEN_SECRETS,
  type TokenSecrets,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import { endSession } from './sessions';

@Injectable()
export class LogoutUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(TOKEN_SECRETS) private readonly secrets: TokenSecrets,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Ends the session the refresh token belongs to: the refresh-token family, and the access
   * tokens issued in it (revocation list). Idempotent: an unknown token is a no-op.
   */
  execute(ctx: RequestContext, refreshToken: string): Promise<void> {
    return this.uow.run(ctx, async (tx) => {
      const family = refreshToken
        ? await tx.families.findByTokenForUpdate(this.secrets.hash(refreshToken))
        : null;
      if (family && !family.revokedAt) await endSession(tx, family, 'LOGOUT', this.clock.now());
    });
  }
}
