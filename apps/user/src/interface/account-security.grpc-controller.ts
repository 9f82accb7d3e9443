import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { userV1 } from '@emporia/contracts';
import { UUID_RE } from '@emporia/domain';
import { withGrpcContext } from '@emporia/platform';
import { AccountSecurityUseCase } from '../application/account-security.use-case';
import { ManageSessionsUseCase } from '../application/manage-sessions.use-case';
import { ProfileUseCase } from '../application/profile.use-case';
import type { KnownDevice } from '../application/security.ports';
import { SendSmsCodeUseCase } from '../application/send-sms-code.use-case';
import { StepUpUseCase } from '../application/step-up.use-case';
import type { RefreshTokenFamily } from '../domain/refresh-token-family';
import { UserError } from '../domain/user-error';
import { accountToProto, addressToProto } from './user.grpc-controller';
import type { SecurityRpc } from './user-service-split';

const uuid = (field: string, v: string) => {
  if (!UUID_RE.test(v ?? ''))
    throw new UserError('INVALID_ARGUMENT', 'ID_INVALID', `${field} must be a UUID`);
  return v.toLowerCase();
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : '');

const sessionOut = (s: RefreshTokenFamily, currentId: string): userV1.Session => ({
  id: s.id,
  deviceId: s.client.deviceId,
  deviceName: s.client.deviceName,
  ip: s.client.ip,
  place: s.client.place,
  createdAt: iso(s.createdAt),
  lastUsedAt: iso(s.lastUsedAt),
  expiresAt: iso(s.expiresAt),
  current: s.id === currentId,
  signedInWith: s.signedInWith,
  secondFactorAt: iso(s.secondFactorAt),
});

const deviceOut = (d: KnownDevice): userV1.Device => ({
  deviceId: d.deviceId,
  name: d.name,
  firstSeenAt: iso(d.firstSeenAt),
  lastSeenAt: iso(d.lastSeenAt),
  lastPlace: d.lastPlace,
  activeSessions: d.activeSessions,
});

/** SMS codes, sessions and devices, step-up and the sensitive changes (issue 23). */
@Controller()
export class AccountSecurityGrpcController implements Pick<
  userV1.UserServiceController,
  SecurityRpc
> {
  constructor(
    private readonly sms: SendSmsCodeUseCase,
    private readonly stepUps: StepUpUseCase,
    private readonly sessions: ManageSessionsUseCase,
    private readonly security: AccountSecurityUseCase,
    private readonly profiles: ProfileUseCase,
  ) {}

  @GrpcMethod('UserService', 'SendSmsCode')
  sendSmsCode(req: userV1.SendSmsCodeRequest, md?: Metadata): Promise<userV1.SendSmsCodeResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.sms.execute(ctx, {
        purpose: String(req.purpose ?? ''),
        mfaChallenge: req.mfaChallenge,
        accountId: req.accountId,
        sessionId: req.sessionId,
        phone: req.phone,
        ip: req.ip,
      });
      return {
        maskedPhone: r.maskedPhone,
        expiresAt: iso(r.expiresAt),
        resendAfter: iso(r.resendAfter),
      };
    });
  }

  @GrpcMethod('UserService', 'SetSmsMfa')
  setSmsMfa(req: userV1.SetSmsMfaRequest, md?: Metadata): Promise<userV1.SetSmsMfaResponse> {
    return withGrpcContext(md, async (ctx) => ({
      smsMfaEnabled: await this.security.setSmsMfa(ctx, {
        accountId: uuid('account_id', req.accountId),
        sessionId: req.sessionId,
        enabled: req.enabled,
        code: req.code,
      }),
    }));
  }

  @GrpcMethod('UserService', 'ListSessions')
  listSessions(
    req: userV1.ListSessionsRequest,
    md?: Metadata,
  ): Promise<userV1.ListSessionsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.sessions.list(ctx, uuid('account_id', req.accountId));
      return {
        sessions: r.sessions.map((s) => sessionOut(s, req.currentSessionId)),
        devices: r.devices.map(deviceOut),
      };
    });
  }

  @GrpcMethod('UserService', 'RevokeSession')
  revokeSession(
    req: userV1.RevokeSessionRequest,
    md?: Metadata,
  ): Promise<userV1.RevokeSessionResponse> {
    return withGrpcContext(md, async (ctx) => {
      await this.sessions.revoke(
        ctx,
        uuid('account_id', req.accountId),
        uuid('session_id', req.sessionId),
      );
      return {};
    });
  }

  @GrpcMethod('UserService', 'ForgetDevice')
  forgetDevice(
    req: userV1.ForgetDeviceRequest,
    md?: Metadata,
  ): Promise<userV1.ForgetDeviceResponse> {
    return withGrpcContext(md, async (ctx) => ({
      sessionsEnded: await this.sessions.forgetDevice(
        ctx,
        uuid('account_id', req.accountId),
        req.deviceId,
      ),
    }));
  }

  @GrpcMethod('UserService', 'BeginStepUp')
  beginStepUp(req: userV1.BeginStepUpRequest, md?: Metadata): Promise<userV1.BeginStepUpResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.stepUps.begin(ctx, uuid('account_id', req.accountId), req.sessionId);
      return {
        methods: r.methods,
        passkeyOptionsJson: r.passkeyOptionsJson,
        maskedPhone: r.maskedPhone,
      };
    });
  }

  @GrpcMethod('UserService', 'StepUp')
  stepUp(req: userV1.StepUpRequest, md?: Metadata): Promise<userV1.StepUpResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.stepUps.stepUp(ctx, {
        accountId: uuid('account_id', req.accountId),
        sessionId: req.sessionId,
        method: req.method,
        code: req.code,
        passkeyResponseJson: req.passkeyResponseJson,
        password: req.password,
        ip: req.ip,
      });
      return {
        accessToken: r.accessToken,
        accessExpiresAt: iso(r.accessExpiresAt),
        steppedUpAt: iso(r.steppedUpAt),
        validUntil: iso(r.validUntil),
      };
    });
  }

  @GrpcMethod('UserService', 'ChangePassword')
  changePassword(
    req: userV1.ChangePasswordRequest,
    md?: Metadata,
  ): Promise<userV1.ChangePasswordResponse> {
    return withGrpcContext(md, async (ctx) => ({
      sessionsEnded: await this.security.changePassword(ctx, {
        accountId: uuid('account_id', req.accountId),
        sessionId: req.sessionId,
        currentPassword: req.currentPassword,
        newPassword: req.newPassword,
      }),
    }));
  }

  @GrpcMethod('UserService', 'ChangeEmail')
  changeEmail(req: userV1.ChangeEmailRequest, md?: Metadata): Promise<userV1.ChangeEmailResponse> {
    return withGrpcContext(md, async (ctx) => ({
      account: accountToProto(
        await this.security.changeEmail(ctx, {
          accountId: uuid('account_id', req.accountId),
          sessionId: req.sessionId,
          email: req.email,
        }),
      ),
    }));
  }

  @GrpcMethod('UserService', 'ChangePhone')
  changePhone(req: userV1.ChangePhoneRequest, md?: Metadata): Promise<userV1.ChangePhoneResponse> {
    return withGrpcContext(md, async (ctx) => ({
      account: accountToProto(
        await this.security.changePhone(ctx, {
          accountId: uuid('account_id', req.accountId),
          sessionId: req.sessionId,
          phone: req.phone,
          code: req.code,
        }),
      ),
    }));
  }

  @GrpcMethod('UserService', 'GetAddress')
  getAddress(req: userV1.GetAddressRequest, md?: Metadata): Promise<userV1.GetAddressResponse> {
    return withGrpcContext(md, async (ctx) => ({
      address: addressToProto(
        await this.profiles.address(
          ctx,
          uuid('account_id', req.accountId),
          uuid('address_id', req.addressId),
        ),
      ),
    }));
  }
}
