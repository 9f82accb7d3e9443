import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { userV1 } from '@emporia/contracts';
import { withGrpcContext } from '@emporia/platform';
import { LoginUseCase } from '../application/login.use-case';
import { LogoutUseCase } from '../application/logout.use-case';
import { RefreshUseCase } from '../application/refresh.use-case';
import { RegisterUseCase } from '../application/register.use-case';
import { SigningKeysUseCase } from '../application/signing-keys.use-case';
import type { TokenPair } from '../application/token-pair';
import type { Account } from '../domain/account';

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
}
