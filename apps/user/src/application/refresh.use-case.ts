import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { assertCanLogIn, assertNotDeleted } from '../domain/account';
import { deviceNameFrom } from '../domain/device-name';
import { revoke, rotate, touched } from '../domain/refresh-token-family';
import { UserError } from '../domain/user-error';
import {
  CLOCK,
  type Clock,
  TOKEN_SECRETS,
  TOKEN_SIGNER,
  type TokenSecrets,
  type TokenSigner,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import { PLACE_LOOKUP, type PlaceLookup } from './security.ports';
import { endSession } from './sessions';
import type { TokenPair } from './token-pair';

const unknownToken = () =>
  new UserError('UNAUTHENTICATED', 'REFRESH_TOKEN_UNKNOWN', 'unknown refresh token');

@Injectable()
export class RefreshUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(TOKEN_SIGNER) private readonly signer: TokenSigner,
    @Inject(TOKEN_SECRETS) private readonly secrets: TokenSecrets,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PLACE_LOOKUP) private readonly places: PlaceLookup,
  ) {}

  /**
   * Rotates a refresh token. A token that was already rotated out means a copy exists: the
   * family is revoked with the access tokens it issued (committed, with an event) and the call
   * fails with REFRESH_TOKEN_REUSED. The new access token carries the account's current roles and
   * the session's `mfa_at`; the session records its last use, address and place (`client`, when
   * the caller says where the client is now).
   */
  async execute(
    ctx: RequestContext,
    refreshToken: string,
    client: { ip?: string; userAgent?: string } = {},
  ): Promise<TokenPair> {
    if (!refreshToken) throw unknownToken();
    const now = this.clock.now();
    const ip = client.ip ?? '';
    const seen = {
      ip,
      place: ip ? this.places.placeOf(ip) : '',
      deviceName: deviceNameFrom(client.userAgent),
    };
    const outcome = await this.uow.run(ctx, async (tx) => {
      const family = await tx.families.findByTokenForUpdate(this.secrets.hash(refreshToken));
      if (!family) throw unknownToken();
      const next = this.secrets.newToken();
      const r = rotate(family, this.secrets.hash(refreshToken), this.secrets.hash(next), now);
      if (r.outcome === 'REUSE_DETECTED') {
        await endSession(tx, r.family, 'REUSE_DETECTED', now);
        tx.events.refreshTokenReuseDetected(r.family, now);
        return { reused: true as const };
      }
      // Locked, so a freeze or a role change either comes first or revokes this token after.
      const account = await tx.accounts.lock(family.userId);
      if (!account) throw unknownToken();
      try {
        assertCanLogIn(assertNotDeleted(account));
      } catch (e) {
        await tx.families.save(revoke(family, 'ACCOUNT_FROZEN', now));
        return { frozen: e as Error };
      }
      const used = touched(r.family, seen, now);
      await tx.families.save(used, r.newTokenId);
      const access = await this.signer.signAccess(account, now, family.id, used.secondFactorAt);
      return {
        tokens: {
          accessToken: access.token,
          accessExpiresAt: access.expiresAt,
          refreshToken: next,
          refreshExpiresAt: r.family.expiresAt,
        },
      };
    });
    if ('reused' in outcome)
      throw new UserError(
        'UNAUTHENTICATED',
        'REFRESH_TOKEN_REUSED',
        'this refresh token was already used; the session was ended for safety',
      );
    if ('frozen' in outcome) throw outcome.frozen;
    return outcome.tokens;
  }
}
