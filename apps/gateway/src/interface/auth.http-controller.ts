import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { USER_BACKEND, type UserBackend } from '../application/ports';
import { SMS_SEND_CODES, smsCodeRequest, smsCodeView } from './account-security-mappers';
import { ApiProblemCodes, ApiProblems } from './api-problems';
import { SmsCodeView, SmsLoginCodeDto } from './dto/account-security.dto';
import {
  AccountView,
  LoginDto,
  LoginView,
  MfaLoginDto,
  MfaLoginView,
  RefreshDto,
  RegisterDto,
  TokensView,
} from './dto/user.dto';
import { RateLimit } from './rate-limit.guard';
import { Ctx } from './request-context';
import {
  accountView,
  clientOf,
  deviceIdOf,
  loginView,
  mfaLoginRequest,
  tokensView,
} from './user-mappers';

/** Registration, login (with the MFA step), refresh and logout. Public routes. */
@ApiTags('auth')
@Controller('v1/auth')
export class AuthHttpController {
  constructor(@Inject(USER_BACKEND) private readonly users: UserBackend) {}

  @Post('register')
  @RateLimit('register')
  @ApiCreatedResponse({
    type: AccountView,
    description:
      'a customer account. The password has 10 to 128 characters and is not a common one (400 PASSWORD_TOO_WEAK / PASSWORD_TOO_COMMON). Sign-ups are limited per client address and for all clients together (429 RATE_LIMITED with Retry-After; 503 RATE_LIMIT_UNAVAILABLE while the counters cannot be read).',
  })
  @ApiProblems(409)
  async register(@Ctx() ctx: RequestContext, @Body() body: RegisterDto): Promise<AccountView> {
    const { account } = await this.users.register(ctx, {
      email: body.email ?? '',
      phone: body.phone ?? '',
      password: body.password,
    });
    return accountView(account!);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({
    type: LoginView,
    description:
      'tokens, or (with MFA) mfaRequired, a challenge to finish at /v1/auth/login/mfa and the second factors it takes (mfaMethods; SMS: the code goes to mfaPhoneMasked once asked for at /v1/auth/login/mfa/sms). Send a stable X-Device-Id header so new devices are recognised; the User-Agent names the session in GET /v1/me/sessions.',
  })
  @ApiProblems(401, 403, 429)
  async login(
    @Ctx() ctx: RequestContext,
    @Body() body: LoginDto,
    @Req() req: FastifyRequest,
  ): Promise<LoginView> {
    const r = await this.users.login(ctx, {
      identifier: body.identifier,
      password: body.password,
      ...clientOf(req),
      deviceId: deviceIdOf(req.headers['x-device-id']),
    });
    return loginView(r);
  }

  @Post('login/mfa/sms')
  @HttpCode(200)
  @RateLimit('sms')
  @ApiOkResponse({
    type: SmsCodeView,
    description:
      "a sign-in code went by SMS to the account phone (the login answer's mfaPhoneMasked); finish at /v1/auth/login/mfa with method SMS. The challenge must offer SMS (422 MFA_METHOD_UNAVAILABLE otherwise); an unknown, used or expired one is 401 MFA_CHALLENGE_INVALID",
  })
  @ApiProblemCodes({
    ...SMS_SEND_CODES,
    401: ['MFA_CHALLENGE_INVALID'],
    422: ['MFA_METHOD_UNAVAILABLE'],
  })
  async sendLoginCode(
    @Ctx() ctx: RequestContext,
    @Body() body: SmsLoginCodeDto,
    @Req() req: FastifyRequest,
  ): Promise<SmsCodeView> {
    return smsCodeView(
      await this.users.sendSmsCode(
        ctx,
        smsCodeRequest('login', { mfaChallenge: body.challenge, ip: req.ip }),
      ),
    );
  }

  @Post('login/mfa')
  @HttpCode(200)
  @ApiOkResponse({ type: MfaLoginView })
  @ApiProblems(401, 403, 429)
  async completeMfa(@Ctx() ctx: RequestContext, @Body() body: MfaLoginDto): Promise<MfaLoginView> {
    const r = await this.users.completeMfaLogin(ctx, mfaLoginRequest(body));
    return {
      account: accountView(r.account!),
      tokens: tokensView(r.tokens!),
      ...(r.recoveryCodesLeft >= 0 ? { recoveryCodesLeft: r.recoveryCodesLeft } : {}),
    };
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokensView, description: 'a new pair; the old refresh token is spent' })
  @ApiProblems(401, 403)
  async refresh(
    @Ctx() ctx: RequestContext,
    @Body() body: RefreshDto,
    @Req() req: FastifyRequest,
  ): Promise<TokensView> {
    // the session's last use and place
    return tokensView(
      (await this.users.refresh(ctx, { refreshToken: body.refreshToken, ...clientOf(req) }))
        .tokens!,
    );
  }

  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the session (refresh-token family) is ended' })
  async logout(@Ctx() ctx: RequestContext, @Body() body: RefreshDto): Promise<void> {
    await this.users.logout(ctx, body);
  }

  @Get('jwks')
  @ApiOkResponse({ description: 'JSON Web Key Set (RFC 7517) that verifies access tokens' })
  async jwks(
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    void reply.header('cache-control', 'public, max-age=300');
    return JSON.parse((await this.users.getJwks(ctx, {})).jwksJson) as unknown;
  }
}
