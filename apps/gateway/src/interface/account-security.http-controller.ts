import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { type Principal, USER_BACKEND, type UserBackend } from '../application/ports';
import {
  deviceView,
  sessionOf,
  SMS_SEND_CODES,
  sessionView,
  smsCodeRequest,
  smsCodeView,
  stepUpOptionsView,
  stepUpRequest,
  stepUpView,
} from './account-security-mappers';
import { ApiProblemCodes } from './api-problems';
import { Auth, Caller } from './auth.guard';
import { ProblemError } from './problem';
import {
  ChangeEmailDto,
  ChangePasswordDto,
  ChangePhoneDto,
  PhoneCodeDto,
  SessionsEndedView,
  SessionsView,
  SmsCodeView,
  SmsMfaDto,
  SmsMfaView,
  StepUpDto,
  StepUpOptionsView,
  StepUpView,
} from './dto/account-security.dto';
import { AccountView } from './dto/user.dto';
import { patternParam } from './path-params';
import { RateLimit } from './rate-limit.guard';
import { Ctx } from './request-context';
import { NeedsStepUp } from './step-up';
import { accountView } from './user-mappers';
import { uuidParam } from './uuid-param';

/**
 * A device id in a path: the X-Device-Id it signed in with (printable ASCII). A path parameter
 * has at most 100 characters (MAX_PARAM_LENGTH: longer is 414), so a device that signed in with
 * a longer X-Device-Id is ended session by session (DELETE /v1/me/sessions/{id}).
 */
const deviceIdParam = patternParam(
  'deviceId',
  /^[!-~](?:[ -~]{0,98}[!-~])?$/,
  'the X-Device-Id the device signed in with: 1-100 printable ASCII characters (URL-encoded)',
);

/**
 * The signed-in customer's account security: sessions and devices, step-up, and the sensitive
 * changes (password, e-mail, phone, SMS as a second factor). Every call names the token's session
 * (`sid`), which the user service checks: a sensitive change needs a step-up proved in it within
 * the step-up window (else `403 STEP_UP_REQUIRED` with the methods, see step-up.ts).
 */
@ApiTags('me')
@Auth()
@Controller('v1/me')
export class AccountSecurityHttpController {
  constructor(@Inject(USER_BACKEND) private readonly users: UserBackend) {}

  @Get('sessions')
  @ApiOkResponse({
    type: SessionsView,
    description:
      'the live sessions (this one `current`) and the devices the account signed in from, with last use and place',
  })
  async sessions(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<SessionsView> {
    const r = await this.users.listSessions(ctx, {
      accountId: me.accountId,
      currentSessionId: sessionOf(me),
    });
    return { sessions: r.sessions.map(sessionView), devices: r.devices.map(deviceView) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiNoContentResponse({
    description:
      'the session is ended: its refresh token and its access tokens are refused from now on. The calling session is not ended here (409 SESSION_IS_CURRENT): sign out with POST /v1/auth/logout',
  })
  @ApiProblemCodes({ 404: ['SESSION_NOT_FOUND'], 409: ['SESSION_IS_CURRENT'] })
  async revokeSession(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<void> {
    // ending the session one is using from its own list is a sign-out by mistake (as GitHub's and
    // Google's session lists, which offer no revoke for the current one); logout says it plainly
    if (me.sessionId === id)
      throw new ProblemError(
        409,
        'SESSION_IS_CURRENT',
        'this is the session you are using: sign out with POST /v1/auth/logout instead',
      );
    await this.users.revokeSession(ctx, { accountId: me.accountId, sessionId: id });
  }

  @Delete('devices/:deviceId')
  @ApiOkResponse({
    type: SessionsEndedView,
    description:
      'every session of the device is ended and the device forgotten: its next sign-in is a new device again',
  })
  @ApiProblemCodes({ 400: ['DEVICE_ID_REQUIRED'], 404: ['DEVICE_NOT_FOUND'] })
  async forgetDevice(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('deviceId', deviceIdParam) deviceId: string,
  ): Promise<SessionsEndedView> {
    const r = await this.users.forgetDevice(ctx, { accountId: me.accountId, deviceId });
    return { sessionsEnded: r.sessionsEnded };
  }

  @Get('step-up')
  @ApiOkResponse({
    type: StepUpOptionsView,
    description:
      'how this account can step up now (BeginStepUp): its methods, the masked phone for SMS, the passkey options',
  })
  async stepUpOptions(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
  ): Promise<StepUpOptionsView> {
    return stepUpOptionsView(
      await this.users.beginStepUp(ctx, { accountId: me.accountId, sessionId: sessionOf(me) }),
    );
  }

  @Post('step-up/sms')
  @HttpCode(200)
  @RateLimit('sms')
  @ApiOkResponse({
    type: SmsCodeView,
    description:
      'a step-up code went to the account phone (SMS must be among the methods of GET /v1/me/step-up)',
  })
  @ApiProblemCodes({
    ...SMS_SEND_CODES,
    401: ['SESSION_ENDED'],
    422: ['PHONE_REQUIRED', 'MFA_METHOD_UNAVAILABLE'],
  })
  async sendStepUpCode(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Req() req: FastifyRequest,
  ): Promise<SmsCodeView> {
    return smsCodeView(
      await this.users.sendSmsCode(
        ctx,
        smsCodeRequest('stepUp', {
          accountId: me.accountId,
          sessionId: sessionOf(me),
          ip: req.ip,
        }),
      ),
    );
  }

  @Post('step-up')
  @HttpCode(200)
  @ApiOkResponse({
    type: StepUpView,
    description:
      'the second factor (or, for an account without one, the password) is proved: a new access token of this session whose mfa_at is now; sensitive changes are allowed until validUntil',
  })
  @ApiProblemCodes({
    400: ['MFA_METHOD_INVALID'],
    401: ['MFA_CODE_INVALID', 'SMS_CODE_INVALID', 'INVALID_CREDENTIALS', 'SESSION_ENDED'],
    422: ['MFA_METHOD_UNAVAILABLE', 'SMS_CODE_EXPIRED'],
    429: ['LOGIN_THROTTLED', 'LOGIN_LOCKED'],
  })
  async stepUp(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: StepUpDto,
    @Req() req: FastifyRequest,
  ): Promise<StepUpView> {
    return stepUpView(
      await this.users.stepUp(
        ctx,
        stepUpRequest(body, { accountId: me.accountId, sessionId: sessionOf(me), ip: req.ip }),
      ),
    );
  }

  @Post('password')
  @HttpCode(200)
  @NeedsStepUp()
  @ApiOkResponse({
    type: SessionsEndedView,
    description: 'the password is changed; every other session is ended (this one goes on)',
  })
  @ApiProblemCodes({
    400: ['PASSWORD_TOO_WEAK', 'PASSWORD_TOO_COMMON', 'PASSWORD_UNCHANGED'],
    401: ['INVALID_CREDENTIALS', 'SESSION_ENDED'],
    429: ['LOGIN_THROTTLED', 'LOGIN_LOCKED'],
  })
  async changePassword(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: ChangePasswordDto,
  ): Promise<SessionsEndedView> {
    const r = await this.users.changePassword(ctx, {
      accountId: me.accountId,
      sessionId: sessionOf(me),
      currentPassword: body.currentPassword,
      newPassword: body.newPassword,
    });
    return { sessionsEnded: r.sessionsEnded };
  }

  @Put('email')
  @NeedsStepUp()
  @ApiOkResponse({ type: AccountView, description: 'the account with its new e-mail address' })
  @ApiProblemCodes({ 400: ['EMAIL_INVALID'], 401: ['SESSION_ENDED'], 409: ['EMAIL_TAKEN'] })
  async changeEmail(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: ChangeEmailDto,
  ): Promise<AccountView> {
    const { account } = await this.users.changeEmail(ctx, {
      accountId: me.accountId,
      sessionId: sessionOf(me),
      email: body.email,
    });
    return accountView(account!);
  }

  @Post('phone/code')
  @HttpCode(200)
  @NeedsStepUp()
  @RateLimit('sms')
  @ApiOkResponse({
    type: SmsCodeView,
    description: 'a code went to the new phone; give it to PUT /v1/me/phone',
  })
  @ApiProblemCodes({
    ...SMS_SEND_CODES,
    400: ['PHONE_INVALID'],
    401: ['SESSION_ENDED'],
    409: ['PHONE_TAKEN'],
    422: ['PHONE_UNCHANGED'],
  })
  async sendPhoneCode(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: PhoneCodeDto,
    @Req() req: FastifyRequest,
  ): Promise<SmsCodeView> {
    return smsCodeView(
      await this.users.sendSmsCode(
        ctx,
        smsCodeRequest('phoneChange', {
          accountId: me.accountId,
          sessionId: sessionOf(me),
          phone: body.phone,
          ip: req.ip,
        }),
      ),
    );
  }

  @Put('phone')
  @NeedsStepUp()
  @ApiOkResponse({ type: AccountView, description: 'the account with its new phone' })
  @ApiProblemCodes({
    400: ['PHONE_INVALID'],
    401: ['SMS_CODE_INVALID', 'SESSION_ENDED'],
    409: ['PHONE_TAKEN'],
    422: ['SMS_CODE_EXPIRED'],
  })
  async changePhone(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: ChangePhoneDto,
  ): Promise<AccountView> {
    const { account } = await this.users.changePhone(ctx, {
      accountId: me.accountId,
      sessionId: sessionOf(me),
      phone: body.phone,
      code: body.code,
    });
    return accountView(account!);
  }

  @Post('mfa/sms')
  @HttpCode(200)
  @NeedsStepUp()
  @ApiOkResponse({
    type: SmsMfaView,
    description:
      'SMS codes to the account phone are (enabled: true, with the code POST /v1/me/mfa/sms/code sent) or are no longer (enabled: false) a second factor',
  })
  @ApiProblemCodes({
    401: ['SMS_CODE_INVALID', 'SESSION_ENDED'],
    422: ['PHONE_REQUIRED', 'SMS_CODE_EXPIRED'],
  })
  async setSmsMfa(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: SmsMfaDto,
  ): Promise<SmsMfaView> {
    const r = await this.users.setSmsMfa(ctx, {
      accountId: me.accountId,
      sessionId: sessionOf(me),
      enabled: body.enabled,
      code: body.enabled ? body.code! : '',
    });
    return { smsMfaEnabled: r.smsMfaEnabled };
  }

  @Post('mfa/sms/code')
  @HttpCode(200)
  @NeedsStepUp()
  @RateLimit('sms')
  @ApiOkResponse({
    type: SmsCodeView,
    description: 'a code went to the account phone; give it to POST /v1/me/mfa/sms',
  })
  @ApiProblemCodes({ ...SMS_SEND_CODES, 401: ['SESSION_ENDED'], 422: ['PHONE_REQUIRED'] })
  async sendSmsMfaCode(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Req() req: FastifyRequest,
  ): Promise<SmsCodeView> {
    return smsCodeView(
      await this.users.sendSmsCode(
        ctx,
        smsCodeRequest('enableSmsMfa', {
          accountId: me.accountId,
          sessionId: sessionOf(me),
          ip: req.ip,
        }),
      ),
    );
  }
}
