import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { userV1 } from '@emporia/contracts';
import { rawUnary, withGrpcContext, type RequestContext } from '@emporia/platform';
import { Money } from '@emporia/money';
import { UUID_RE } from '@emporia/domain';
import { AccountAdminUseCase } from '../application/account-admin.use-case';
import { FreezeAccountUseCase } from '../application/freeze-account.use-case';
import { MfaUseCase } from '../application/mfa.use-case';
import { PrivacyUseCase } from '../application/privacy.use-case';
import { ProfileUseCase } from '../application/profile.use-case';
import { PasskeyLoginUseCase } from '../application/passkey-login.use-case';
import { PasskeyUseCase } from '../application/passkey.use-case';
import { passkeyToProto } from './passkey-mappers';
import type { Address, Consent, Profile } from '../domain/profile';
import { LoginUseCase } from '../application/login.use-case';
import { LogoutUseCase } from '../application/logout.use-case';
import { RefreshUseCase } from '../application/refresh.use-case';
import { RegisterUseCase } from '../application/register.use-case';
import { PointsUseCase } from '../application/points.use-case';
import { SigningKeysUseCase } from '../application/signing-keys.use-case';
import type { TokenPair } from '../application/token-pair';
import type { Account } from '../domain/account';
import { UserError } from '../domain/user-error';
import { allRpcsExcept, SECURITY_RPCS, type SecurityRpc } from './user-service-split';

const assertUuid = (field: string, v: string) => {
  if (!UUID_RE.test(v ?? ''))
    throw new UserError('INVALID_ARGUMENT', 'ID_INVALID', `${field} must be a UUID`);
  return v.toLowerCase();
};

export const accountToProto = (a: Account): userV1.Account => ({
  id: a.id,
  email: a.email ?? '',
  phone: a.phone ?? '',
  roles: a.roles,
  status: {
    ACTIVE: userV1.AccountStatus.ACCOUNT_STATUS_ACTIVE,
    FROZEN: userV1.AccountStatus.ACCOUNT_STATUS_FROZEN,
    DELETED: userV1.AccountStatus.ACCOUNT_STATUS_DELETED,
  }[a.status],
  createdAt: a.createdAt.toISOString(),
});

const tokensToProto = (t: TokenPair): userV1.TokenPair => ({
  accessToken: t.accessToken,
  accessExpiresAt: t.accessExpiresAt.toISOString(),
  refreshToken: t.refreshToken,
  refreshExpiresAt: t.refreshExpiresAt.toISOString(),
  tokenType: 'Bearer',
});

const profileToProto = (p: Profile): userV1.Profile => ({
  displayName: p.displayName,
  birthday: p.birthday ?? '',
  avatarUrl: p.avatarUrl ?? '',
  locale: p.locale ?? '',
});

const consentToProto = (c: Consent): userV1.Consent => ({
  purpose: c.purpose,
  granted: c.granted,
  updatedAt: c.updatedAt?.toISOString() ?? '',
});

export const addressToProto = (a: Address): userV1.Address => ({
  id: a.id,
  recipient: a.recipient,
  phone: a.phone,
  country: a.country,
  province: a.province,
  city: a.city,
  district: a.district,
  line1: a.line1,
  line2: a.line2,
  postalCode: a.postalCode,
  isDefault: a.isDefault,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
  provinceCode: a.provinceCode,
  cityCode: a.cityCode,
  districtCode: a.districtCode,
});

const requireField = <T>(field: string, v: T | undefined): T => {
  if (v === undefined || v === null)
    throw new UserError('INVALID_ARGUMENT', 'FIELD_REQUIRED', `${field} is required`);
  return v;
};

async function login(
  uc: LoginUseCase,
  ctx: RequestContext,
  req: userV1.LoginRequest,
): Promise<userV1.LoginResponse> {
  const r = await uc.execute(ctx, {
    identifier: req.identifier,
    password: req.password,
    ip: req.ip,
    deviceId: req.deviceId,
    userAgent: req.userAgent,
  });
  return 'mfa' in r
    ? {
        account: accountToProto(r.account),
        tokens: undefined,
        mfaRequired: true,
        mfaChallenge: r.mfa.challenge,
        mfaChallengeExpiresAt: r.mfa.expiresAt.toISOString(),
        mfaMethods: r.mfa.methods,
        mfaPhoneMasked: r.mfa.maskedPhone,
      }
    : {
        account: accountToProto(r.account),
        tokens: tokensToProto(r.tokens),
        mfaRequired: false,
        mfaChallenge: '',
        mfaChallengeExpiresAt: '',
        mfaMethods: [],
        mfaPhoneMasked: '',
      };
}

/**
 * `Login` as a raw gRPC handler (libs/platform `rawUnary`): every sign-in's RPC answered past
 * Nest's pipeline (router proxy, observables, processing hooks, exception filter), with the same
 * trace context, error mapping (`toGrpcError`, as the filter) and answer as the controller's method.
 */
export const loginMethod = (uc: LoginUseCase) =>
  rawUnary<userV1.LoginRequest, userV1.LoginResponse>('UserService', 'Login', (req, ctx) =>
    login(uc, ctx, req),
  );

@Controller()
@allRpcsExcept(userV1.UserServiceControllerMethods(), SECURITY_RPCS)
export class UserGrpcController implements Omit<userV1.UserServiceController, SecurityRpc> {
  constructor(
    private readonly registerUc: RegisterUseCase,
    private readonly loginUc: LoginUseCase,
    private readonly refreshUc: RefreshUseCase,
    private readonly logoutUc: LogoutUseCase,
    private readonly keys: SigningKeysUseCase,
    private readonly points: PointsUseCase,
    private readonly freeze: FreezeAccountUseCase,
    private readonly mfa: MfaUseCase,
    private readonly profiles: ProfileUseCase,
    private readonly privacy: PrivacyUseCase,
    private readonly admin: AccountAdminUseCase,
    private readonly passkeys: PasskeyUseCase,
    private readonly passkeyLogin: PasskeyLoginUseCase,
  ) {}

  register(req: userV1.RegisterRequest, md?: Metadata): Promise<userV1.RegisterResponse> {
    return withGrpcContext(md, async (ctx) => ({
      account: accountToProto(await this.registerUc.execute(ctx, req)),
    }));
  }

  /**
   * The service answers this RPC with a raw handler (user.app.ts, `loginMethod`), past Nest's
   * pipeline; this method serves it only where the controller runs alone.
   */
  login(req: userV1.LoginRequest, md?: Metadata): Promise<userV1.LoginResponse> {
    return withGrpcContext(md, (ctx) => login(this.loginUc, ctx, req));
  }

  completeMfaLogin(
    req: userV1.CompleteMfaLoginRequest,
    md?: Metadata,
  ): Promise<userV1.CompleteMfaLoginResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.mfa.completeLogin(ctx, {
        challenge: req.mfaChallenge,
        code: req.code,
        method: req.method,
        passkeyResponseJson: req.passkeyResponseJson,
      });
      return {
        account: accountToProto(r.account),
        tokens: tokensToProto(r.tokens),
        recoveryCodesLeft: r.recoveryCodesLeft ?? -1,
      };
    });
  }

  beginMfaEnrolment(
    req: userV1.BeginMfaEnrolmentRequest,
    md?: Metadata,
  ): Promise<userV1.BeginMfaEnrolmentResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.mfa.begin(ctx, assertUuid('account_id', req.accountId));
      return { otpauthUri: r.uri, secret: r.secret };
    });
  }

  confirmMfaEnrolment(
    req: userV1.ConfirmMfaEnrolmentRequest,
    md?: Metadata,
  ): Promise<userV1.ConfirmMfaEnrolmentResponse> {
    return withGrpcContext(md, async (ctx) => ({
      recoveryCodes: await this.mfa.confirm(ctx, assertUuid('account_id', req.accountId), req.code),
    }));
  }

  disableMfa(req: userV1.DisableMfaRequest, md?: Metadata): Promise<userV1.DisableMfaResponse> {
    return withGrpcContext(md, async (ctx) => {
      await this.mfa.disable(ctx, {
        accountId: assertUuid('account_id', req.accountId),
        password: req.password,
        code: req.code,
      });
      return {};
    });
  }

  getAccount(req: userV1.GetAccountRequest, md?: Metadata): Promise<userV1.GetAccountResponse> {
    return withGrpcContext(md, async (ctx) => {
      const accountId = assertUuid('account_id', req.accountId);
      if (req.accountOnly) {
        // the account's status alone (order's checkout): one query, nothing else read
        const account = await this.profiles.account(ctx, accountId);
        return {
          details: {
            account: accountToProto(account),
            profile: undefined,
            consents: [],
            mfaEnabled: false,
            totpEnabled: false,
            smsMfaEnabled: false,
            passkeyCount: 0,
            recoveryCodesLeft: 0,
          },
        };
      }
      const d = await this.profiles.details(ctx, accountId);
      return {
        details: {
          account: accountToProto(d.account),
          profile: profileToProto(d.profile),
          consents: d.consents.map(consentToProto),
          mfaEnabled: d.mfaEnabled,
          totpEnabled: d.totpEnabled,
          smsMfaEnabled: d.smsMfaEnabled,
          passkeyCount: d.passkeyCount,
          recoveryCodesLeft: d.recoveryCodesLeft,
        },
      };
    });
  }

  updateProfile(
    req: userV1.UpdateProfileRequest,
    md?: Metadata,
  ): Promise<userV1.UpdateProfileResponse> {
    return withGrpcContext(md, async (ctx) => ({
      profile: profileToProto(
        await this.profiles.updateProfile(
          ctx,
          assertUuid('account_id', req.accountId),
          requireField('profile', req.profile),
        ),
      ),
    }));
  }

  setConsents(req: userV1.SetConsentsRequest, md?: Metadata): Promise<userV1.SetConsentsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      consents: (
        await this.profiles.setConsents(ctx, assertUuid('account_id', req.accountId), req.consents)
      ).map(consentToProto),
    }));
  }

  listAddresses(
    req: userV1.ListAddressesRequest,
    md?: Metadata,
  ): Promise<userV1.ListAddressesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      addresses: (await this.profiles.addresses(ctx, assertUuid('account_id', req.accountId))).map(
        addressToProto,
      ),
    }));
  }

  createAddress(
    req: userV1.CreateAddressRequest,
    md?: Metadata,
  ): Promise<userV1.CreateAddressResponse> {
    return withGrpcContext(md, async (ctx) => {
      const a = requireField('address', req.address);
      return {
        address: addressToProto(
          await this.profiles.createAddress(
            ctx,
            assertUuid('account_id', req.accountId),
            a,
            a.isDefault,
          ),
        ),
      };
    });
  }

  updateAddress(
    req: userV1.UpdateAddressRequest,
    md?: Metadata,
  ): Promise<userV1.UpdateAddressResponse> {
    return withGrpcContext(md, async (ctx) => {
      const a = requireField('address', req.address);
      return {
        address: addressToProto(
          await this.profiles.updateAddress(
            ctx,
            assertUuid('account_id', req.accountId),
            assertUuid('address.id', a.id),
            a,
            a.isDefault,
          ),
        ),
      };
    });
  }

  deleteAddress(
    req: userV1.DeleteAddressRequest,
    md?: Metadata,
  ): Promise<userV1.DeleteAddressResponse> {
    return withGrpcContext(md, async (ctx) => {
      await this.profiles.deleteAddress(
        ctx,
        assertUuid('account_id', req.accountId),
        assertUuid('address_id', req.addressId),
      );
      return {};
    });
  }

  exportAccountData(
    req: userV1.ExportAccountDataRequest,
    md?: Metadata,
  ): Promise<userV1.ExportAccountDataResponse> {
    return withGrpcContext(md, async (ctx) => ({
      json: await this.privacy.exportData(ctx, assertUuid('account_id', req.accountId)),
    }));
  }

  deleteAccount(
    req: userV1.DeleteAccountRequest,
    md?: Metadata,
  ): Promise<userV1.DeleteAccountResponse> {
    return withGrpcContext(md, async (ctx) => ({
      deletedAt: (
        await this.privacy.deleteAccount(ctx, {
          accountId: assertUuid('account_id', req.accountId),
          password: req.password,
          byOperator: req.byOperator,
          operatorId: req.operatorId,
        })
      ).toISOString(),
    }));
  }

  listTiers(_req: userV1.ListTiersRequest, md?: Metadata): Promise<userV1.ListTiersResponse> {
    return withGrpcContext(md, async (ctx) => ({
      tiers: (await this.admin.listTiers(ctx)).map((t) => ({
        code: t.code,
        name: t.name,
        minSpend: { amountMinor: t.minSpend.amountMinor, currency: t.minSpend.currency },
        members: t.members,
      })),
    }));
  }

  replaceTiers(
    req: userV1.ReplaceTiersRequest,
    md?: Metadata,
  ): Promise<userV1.ReplaceTiersResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.admin.replaceTiers(
        ctx,
        req.tiers.map((t) => {
          const m = requireField(`tier ${t.code} min_spend`, t.minSpend);
          return { code: t.code, name: t.name, minSpend: Money.of(m.amountMinor, m.currency) };
        }),
      );
      return {
        tiers: r.tiers.map((t) => ({
          code: t.code,
          name: t.name,
          minSpend: { amountMinor: t.minSpend.amountMinor, currency: t.minSpend.currency },
          members: 0,
        })),
        membersToReevaluate: r.toReevaluate,
      };
    });
  }

  setAccountRoles(
    req: userV1.SetAccountRolesRequest,
    md?: Metadata,
  ): Promise<userV1.SetAccountRolesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      account: accountToProto(
        await this.admin.setRoles(
          ctx,
          assertUuid('account_id', req.accountId),
          req.roles,
          req.operatorId,
        ),
      ),
    }));
  }

  findAccount(req: userV1.FindAccountRequest, md?: Metadata): Promise<userV1.FindAccountResponse> {
    return withGrpcContext(md, async (ctx) => {
      const account = await this.admin.findByIdentifier(ctx, req.identifier);
      return { account: account ? accountToProto(account) : undefined };
    });
  }

  refresh(req: userV1.RefreshRequest, md?: Metadata): Promise<userV1.RefreshResponse> {
    return withGrpcContext(md, async (ctx) => ({
      tokens: tokensToProto(
        await this.refreshUc.execute(ctx, req.refreshToken, {
          ip: req.ip,
          userAgent: req.userAgent,
        }),
      ),
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
          operatorId: req.operatorId,
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

  // ---- passkeys (WebAuthn): registering, renaming and removing need a recent step-up

  beginPasskeyRegistration(
    req: userV1.BeginPasskeyRegistrationRequest,
    md?: Metadata,
  ): Promise<userV1.BeginPasskeyRegistrationResponse> {
    return withGrpcContext(md, async (ctx) => ({
      optionsJson: await this.passkeys.beginRegistration(ctx, {
        accountId: assertUuid('account_id', req.accountId),
        sessionId: req.sessionId,
      }),
    }));
  }

  finishPasskeyRegistration(
    req: userV1.FinishPasskeyRegistrationRequest,
    md?: Metadata,
  ): Promise<userV1.FinishPasskeyRegistrationResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.passkeys.finishRegistration(ctx, {
        accountId: assertUuid('account_id', req.accountId),
        sessionId: req.sessionId,
        responseJson: req.responseJson,
        name: req.name,
      });
      return { passkey: passkeyToProto(r.passkey), recoveryCodes: r.recoveryCodes };
    });
  }

  listPasskeys(
    req: userV1.ListPasskeysRequest,
    md?: Metadata,
  ): Promise<userV1.ListPasskeysResponse> {
    return withGrpcContext(md, async (ctx) => ({
      passkeys: (await this.passkeys.list(ctx, assertUuid('account_id', req.accountId))).map(
        passkeyToProto,
      ),
    }));
  }

  renamePasskey(
    req: userV1.RenamePasskeyRequest,
    md?: Metadata,
  ): Promise<userV1.RenamePasskeyResponse> {
    return withGrpcContext(md, async (ctx) => ({
      passkey: passkeyToProto(
        await this.passkeys.rename(ctx, {
          accountId: assertUuid('account_id', req.accountId),
          sessionId: req.sessionId,
          passkeyId: req.passkeyId,
          name: req.name,
        }),
      ),
    }));
  }

  removePasskey(
    req: userV1.RemovePasskeyRequest,
    md?: Metadata,
  ): Promise<userV1.RemovePasskeyResponse> {
    return withGrpcContext(md, async (ctx) => {
      await this.passkeys.remove(ctx, {
        accountId: assertUuid('account_id', req.accountId),
        sessionId: req.sessionId,
        passkeyId: req.passkeyId,
      });
      return {};
    });
  }

  beginPasskeyLogin(
    req: userV1.BeginPasskeyLoginRequest,
    md?: Metadata,
  ): Promise<userV1.BeginPasskeyLoginResponse> {
    return withGrpcContext(md, (ctx) =>
      this.passkeyLogin.begin(ctx, { mfaChallenge: req.mfaChallenge }),
    );
  }

  finishPasskeyLogin(
    req: userV1.FinishPasskeyLoginRequest,
    md?: Metadata,
  ): Promise<userV1.FinishPasskeyLoginResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.passkeyLogin.finish(ctx, {
        passkeyChallenge: req.passkeyChallenge,
        responseJson: req.responseJson,
        ip: req.ip,
        deviceId: req.deviceId,
        userAgent: req.userAgent,
      });
      return { account: accountToProto(r.account), tokens: tokensToProto(r.tokens) };
    });
  }
}
