import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { userV1 } from '@emporia/contracts';
import { withGrpcContext } from '@emporia/platform';
import { FreezeAccountUseCase } from '../application/freeze-account.use-case';
import { LoginUseCase } from '../application/login.use-case';
import { LogoutUseCase } from '../application/logout.use-case';
import { RefreshUseCase } from '../application/refresh.use-case';
import { RegisterUseCase } from '../application/register.use-case';
import { PointsUseCase } from '../application/points.use-case';
import { SigningKeysUseCase } from '../application/signing-keys.use-case';
import type { TokenPair } from '../application/token-pair';
import type { Account } from '../domain/account';
import { UserError } from '../domain/user-error';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const assertUuid = (field: string, v: string) => {
  if (!UUID_RE.test(v ?? ''))
    throw new UserError('INVALID_ARGUMENT', 'ID_INVALID', `${field} must be a UUID`);
  return v.toLowerCase();
};

const accountToProto = (a: Account): userV1.Account => ({
  id: a.id,
  email: a.email ?? '',
  phone: a.phone ?? '',
  roles: a.roles,
  status:
    a.status === 'FROZEN'
      ? userV1.AccountStatus.ACCOUNT_STATUS_FROZEN
      : userV1.AccountStatus.ACCOUNT_STATUS_ACTIVE,
  createdAt: a.createdAt.toISOString(),
});

const tokensToProto = (t: TokenPair): userV1.TokenPair => ({
  accessToken: t.accessToken,
  accessExpiresAt: t.accessExpiresAt.toISOString(),
  refreshToken: t.refreshToken,
  refreshExpiresAt: t.refreshExpiresAt.toISOString(),
  tokenType: 'Bearer',
});

@Controller()
@userV1.UserServiceControllerMethods()
export class UserGrpcController implements userV1.UserServiceController {
  constructor(
    private readonly registerUc: RegisterUseCase,
    private readonly loginUc: LoginUseCase,
    private readonly refreshUc: RefreshUseCase,
    private readonly logoutUc: LogoutUseCase,
    private readonly keys: SigningKeysUseCase,
    private readonly points: PointsUseCase,
    private readonly freeze: FreezeAccountUseCase,
  ) {}

  register(req: userV1.RegisterRequest, md?: Metadata): Promise<userV1.RegisterResponse> {
    return withGrpcContext(md, async (ctx) => ({
      account: accountToProto(await this.registerUc.execute(ctx, req)),
    }));
  }

  login(req: userV1.LoginRequest, md?: Metadata): Promise<userV1.LoginResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.loginUc.execute(ctx, {
        identifier: req.identifier,
        password: req.password,
        ip: req.ip,
        deviceId: req.deviceId,
      });
      return { account: accountToProto(r.account), tokens: tokensToProto(r.tokens) };
    });
  }

  refresh(req: userV1.RefreshRequest, md?: Metadata): Promise<userV1.RefreshResponse> {
    return withGrpcContext(md, async (ctx) => ({
      tokens: tokensToProto(await this.refreshUc.execute(ctx, req.refreshToken)),
    }));
  }

  logout(req: userV1.LogoutRequest, md?: Metadata): Promise<userV1.LogoutResponse> {
    return withGrpcContext(md, async (ctx) => {
      await this.logoutUc.execute(ctx, req.refreshToken);
      return {};
    });
  }

  getJwks(_req: userV1.GetJwksRequest, md?: Metadata): Promise<userV1.GetJwksResponse> {
    return withGrpcContext(md, async (ctx) => ({
      jwksJson: JSON.stringify(await this.keys.jwks(ctx)),
    }));
  }

  rotateSigningKey(
    _req: userV1.RotateSigningKeyRequest,
    md?: Metadata,
  ): Promise<userV1.RotateSigningKeyResponse> {
    return withGrpcContext(md, async (ctx) => ({ kid: await this.keys.rotate(ctx) }));
  }

  getMembership(
    req: userV1.GetMembershipRequest,
    md?: Metadata,
  ): Promise<userV1.GetMembershipResponse> {
    return withGrpcContext(md, async (ctx) => {
      const m = await this.points.get(ctx, assertUuid('account_id', req.accountId));
      return {
        membership: {
          accountId: m.accountId,
          tierCode: m.tierCode,
          tierName: m.tierName,
          rollingSpend: {
            amountMinor: m.rollingSpend.amountMinor,
            currency: m.rollingSpend.currency,
          },
          pointsBalance: m.pointsBalance,
          lots: m.lots.map((l) => ({
            sourceRef: l.sourceRef,
            points: l.points,
            remaining: l.remaining,
            earnedAt: l.earnedAt.toISOString(),
            expiresAt: l.expiresAt.toISOString(),
          })),
        },
      };
    });
  }

  redeemPoints(
    req: userV1.RedeemPointsRequest,
    md?: Metadata,
  ): Promise<userV1.RedeemPointsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      pointsBalance: await this.points.redeem(ctx, {
        accountId: assertUuid('account_id', req.accountId),
        points: req.points,
        ref: req.ref,
      }),
    }));
  }

  refundPointsRedemption(
    req: userV1.RefundPointsRedemptionRequest,
    md?: Metadata,
  ): Promise<userV1.RefundPointsRedemptionResponse> {
    return withGrpcContext(md, async (ctx) => ({
      pointsBalance: await this.points.refund(ctx, {
        accountId: assertUuid('account_id', req.accountId),
        ref: req.ref,
      }),
    }));
  }

  freezeAccount(
    req: userV1.FreezeAccountRequest,
    md?: Metadata,
  ): Promise<userV1.FreezeAccountResponse> {
    return withGrpcContext(md, async (ctx) => ({
      account: accountToProto(
        await this.freeze.execute(ctx, {
          accountId: assertUuid('account_id', req.accountId),
          frozen: true,
          reason: req.reason,
        }),
      ),
    }));
  }

  unfreezeAccount(
    req: userV1.UnfreezeAccountRequest,
    md?: Metadata,
  ): Promise<userV1.UnfreezeAccountResponse> {
    return withGrpcContext(md, async (ctx) => ({
      account: accountToProto(
        await this.freeze.execute(ctx, {
          accountId: assertUuid('account_id', req.accountId),
          frozen: false,
        }),
      ),
    }));
  }
}
