import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Req,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { userV1 } from '@emporia/contracts';
import type { RequestContext } from '@emporia/platform';
import { type Principal, USER_BACKEND, type UserBackend } from '../application/ports';
import { ApiProblemCodes } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  PasskeyCreationOptionsView,
  PasskeyList,
  PasskeyLoginDto,
  PasskeyLoginView,
  PasskeyOptionsDto,
  PasskeyRegistrationDto,
  PasskeyRenameDto,
  PasskeyRequestOptionsView,
  PasskeyView,
  RegisteredPasskeyView,
} from './dto/passkey.dto';
import { patternParam } from './path-params';
import { RateLimit } from './rate-limit.guard';
import { Ctx } from './request-context';
import { NeedsStepUp } from './step-up';
import { accountView, clientOf, deviceIdOf, tokensView } from './user-mappers';

/** A passkey's id in a path: its WebAuthn credential id, base64url. */
const passkeyIdParam = patternParam(
  'id',
  /^[A-Za-z0-9_-]{1,1400}$/,
  "a passkey's id: its credential id, 1 to 1400 base64url characters",
);

export const passkeyView = (p: userV1.Passkey): PasskeyView => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt,
  lastUsedAt: p.lastUsedAt || null,
  backedUp: p.backedUp,
  transports: p.transports,
});

/** The options JSON the user service made, as the object a browser's WebAuthn call takes. */
const optionsOf = (json: string): Record<string, unknown> =>
  JSON.parse(json) as Record<string, unknown>;

const REGISTRATION_CODES = {
  400: ['PASSKEY_RESPONSE_INVALID', 'PASSKEY_VERIFICATION_FAILED', 'PASSKEY_NAME_INVALID'],
  409: ['PASSKEY_ALREADY_REGISTERED'],
  422: ['PASSKEY_CHALLENGE_INVALID', 'PASSKEY_LIMIT_REACHED'],
};

/**
 * The signed-in customer's passkeys (WebAuthn). Registering, renaming and removing one need a
 * step-up in the session of the access token within STEP_UP_WINDOW_SECONDS (403
 * STEP_UP_REQUIRED with the ways to step up otherwise); the user service checks it.
 */
@ApiTags('me')
@Auth()
@Controller('v1/me/passkeys')
export class MePasskeysHttpController {
  constructor(@Inject(USER_BACKEND) private readonly users: UserBackend) {}

  @Get()
  @ApiOkResponse({ type: PasskeyList })
  async list(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<PasskeyList> {
    const r = await this.users.listPasskeys(ctx, { accountId: me.accountId });
    return { items: r.passkeys.map(passkeyView) };
  }

  @Post('registration-options')
  @HttpCode(200)
  @NeedsStepUp()
  @ApiOkResponse({ type: PasskeyCreationOptionsView })
  @ApiProblemCodes({ 422: ['PASSKEY_LIMIT_REACHED'] })
  async registrationOptions(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
  ): Promise<PasskeyCreationOptionsView> {
    const r = await this.users.beginPasskeyRegistration(ctx, {
      accountId: me.accountId,
      sessionId: me.sessionId ?? '',
    });
    return { options: optionsOf(r.optionsJson) };
  }

  @Post()
  @NeedsStepUp()
  @ApiCreatedResponse({
    type: RegisteredPasskeyView,
    description:
      'the passkey is registered (it signs in without a password from now on); recoveryCodes are shown only now',
  })
  @ApiProblemCodes(REGISTRATION_CODES)
  async register(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: PasskeyRegistrationDto,
  ): Promise<RegisteredPasskeyView> {
    const r = await this.users.finishPasskeyRegistration(ctx, {
      accountId: me.accountId,
      sessionId: me.sessionId ?? '',
      responseJson: JSON.stringify(body.response),
      name: body.name ?? '',
    });
    return { passkey: passkeyView(r.passkey!), recoveryCodes: r.recoveryCodes };
  }

  @Patch(':id')
  @NeedsStepUp()
  @ApiOkResponse({ type: PasskeyView })
  @ApiProblemCodes({ 400: ['PASSKEY_NAME_INVALID'], 404: ['PASSKEY_NOT_FOUND'] })
  async rename(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', passkeyIdParam) id: string,
    @Body() body: PasskeyRenameDto,
  ): Promise<PasskeyView> {
    const r = await this.users.renamePasskey(ctx, {
      accountId: me.accountId,
      sessionId: me.sessionId ?? '',
      passkeyId: id,
      name: body.name,
    });
    return passkeyView(r.passkey!);
  }

  @Delete(':id')
  @HttpCode(204)
  @NeedsStepUp()
  @ApiNoContentResponse({ description: 'removed: it signs in no more' })
  @ApiProblemCodes({ 404: ['PASSKEY_NOT_FOUND'] })
  async remove(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', passkeyIdParam) id: string,
  ): Promise<void> {
    await this.users.removePasskey(ctx, {
      accountId: me.accountId,
      sessionId: me.sessionId ?? '',
      passkeyId: id,
    });
  }
}

/**
 * Signing in with a passkey: public routes, limited per client address (`passkey`); the user
 * service also counts failed assertions per passkey and address as it counts wrong passwords.
 */
@ApiTags('auth')
@Controller('v1/auth/passkey')
export class PasskeyAuthHttpController {
  constructor(@Inject(USER_BACKEND) private readonly users: UserBackend) {}

  @Post('options')
  @HttpCode(200)
  @RateLimit('passkey')
  @ApiOkResponse({
    type: PasskeyRequestOptionsView,
    description:
      'options for navigator.credentials.get: without a body (or mfaChallenge) to sign in without a password, finished at POST /v1/auth/passkey; with the mfaChallenge of a password login, finished at POST /v1/auth/login/mfa with method PASSKEY',
  })
  @ApiProblemCodes({ 401: ['MFA_CHALLENGE_INVALID'], 404: ['PASSKEY_NOT_FOUND'] })
  async options(
    @Ctx() ctx: RequestContext,
    @Body() body: PasskeyOptionsDto,
  ): Promise<PasskeyRequestOptionsView> {
    const r = await this.users.beginPasskeyLogin(ctx, { mfaChallenge: body.mfaChallenge ?? '' });
    return {
      options: optionsOf(r.optionsJson),
      ...(r.passkeyChallenge ? { passkeyChallenge: r.passkeyChallenge } : {}),
    };
  }

  @Post()
  @HttpCode(200)
  @RateLimit('passkey')
  @ApiOkResponse({
    type: PasskeyLoginView,
    description:
      'signed in without a password (the passkey verified the user: both factors). Send a stable X-Device-Id header so new devices are recognised',
  })
  @ApiProblemCodes({
    400: ['PASSKEY_RESPONSE_INVALID'],
    401: ['PASSKEY_CHALLENGE_INVALID', 'PASSKEY_NOT_FOUND', 'PASSKEY_VERIFICATION_FAILED'],
    403: ['ACCOUNT_FROZEN', 'LOGIN_BLOCKED'],
    429: ['LOGIN_LOCKED', 'LOGIN_THROTTLED'],
  })
  async signIn(
    @Ctx() ctx: RequestContext,
    @Body() body: PasskeyLoginDto,
    @Req() req: FastifyRequest,
  ): Promise<PasskeyLoginView> {
    const r = await this.users.finishPasskeyLogin(ctx, {
      passkeyChallenge: body.passkeyChallenge,
      responseJson: JSON.stringify(body.response),
      ...clientOf(req),
      deviceId: deviceIdOf(req.headers['x-device-id']),
    });
    return { account: accountView(r.account!), tokens: tokensView(r.tokens!) };
  }
}
