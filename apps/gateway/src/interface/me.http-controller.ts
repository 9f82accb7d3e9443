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
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { type Principal, USER_BACKEND, type UserBackend } from '../application/ports';
import { ApiProblems } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  AccountDetailsView,
  AddressDto,
  AddressList,
  AddressView,
  ConsentsDto,
  ConsentsView,
  DisableMfaDto,
  ErasureView,
  MembershipView,
  MfaCodeDto,
  MfaEnrolmentView,
  ProfileDto,
  ProfileView,
  ReauthDto,
  RecoveryCodesView,
} from './dto/user.dto';
import { Ctx } from './request-context';
import { NeedsStepUp, StepUpGate } from './step-up';
import {
  addressToProto,
  addressView,
  consentView,
  detailsView,
  membershipView,
  profileView,
} from './user-mappers';
import { uuidParam } from './uuid-param';

/**
 * The signed-in customer's own account. Every route acts on the token's account only; there is
 * no account id to tamper with, and an address id of another account is a 404.
 */
@ApiTags('me')
@Auth()
@Controller('v1/me')
export class MeHttpController {
  constructor(
    @Inject(USER_BACKEND) private readonly users: UserBackend,
    private readonly stepUp: StepUpGate,
  ) {}

  @Get()
  @ApiOkResponse({ type: AccountDetailsView })
  async get(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<AccountDetailsView> {
    return detailsView((await this.users.getAccount(ctx, { accountId: me.accountId })).details!);
  }

  @Put('profile')
  @ApiOkResponse({ type: ProfileView })
  async updateProfile(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: ProfileDto,
  ): Promise<ProfileView> {
    const { profile } = await this.users.updateProfile(ctx, {
      accountId: me.accountId,
      profile: {
        displayName: body.displayName ?? '',
        birthday: body.birthday ?? '',
        avatarUrl: body.avatarUrl ?? '',
        locale: body.locale ?? '',
      },
    });
    return profileView(profile);
  }

  @Put('consents')
  @ApiOkResponse({ type: ConsentsView, description: 'every purpose; unlisted ones are unchanged' })
  async setConsents(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: ConsentsDto,
  ): Promise<ConsentsView> {
    const r = await this.users.setConsents(ctx, {
      accountId: me.accountId,
      consents: body.consents.map((c) => ({ ...c, updatedAt: '' })),
    });
    return { consents: r.consents.map(consentView) };
  }

  @Get('membership')
  @ApiOkResponse({ type: MembershipView })
  async membership(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<MembershipView> {
    return membershipView(
      (await this.users.getMembership(ctx, { accountId: me.accountId })).membership!,
    );
  }

  @Get('addresses')
  @ApiOkResponse({ type: AddressList })
  async addresses(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<AddressList> {
    const r = await this.users.listAddresses(ctx, { accountId: me.accountId });
    return { items: r.addresses.map(addressView) };
  }

  @Post('addresses')
  @ApiCreatedResponse({ type: AddressView, description: 'the first address becomes the default' })
  @ApiProblems(422)
  async createAddress(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: AddressDto,
  ): Promise<AddressView> {
    const r = await this.users.createAddress(ctx, {
      accountId: me.accountId,
      address: addressToProto(body),
    });
    return addressView(r.address!);
  }

  @Put('addresses/:id')
  @ApiOkResponse({ type: AddressView })
  @ApiProblems(404)
  async updateAddress(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: AddressDto,
  ): Promise<AddressView> {
    const r = await this.users.updateAddress(ctx, {
      accountId: me.accountId,
      address: addressToProto(body, id),
    });
    return addressView(r.address!);
  }

  @Delete('addresses/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted; a deleted default passes to another address' })
  @ApiProblems(404)
  async deleteAddress(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<void> {
    await this.users.deleteAddress(ctx, { accountId: me.accountId, addressId: id });
  }

  @Post('mfa/enrolment')
  @NeedsStepUp()
  @ApiCreatedResponse({
    type: MfaEnrolmentView,
    description:
      'pending until confirmed. An account that already has a second factor (TOTP, SMS codes or a passkey) needs a step-up within STEP_UP_WINDOW_SECONDS (the token of POST /v1/me/step-up)',
  })
  @ApiProblems(422)
  async beginMfa(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<MfaEnrolmentView> {
    await this.stepUp.requireRecent(ctx, me);
    return this.users.beginMfaEnrolment(ctx, { accountId: me.accountId });
  }

  @Post('mfa/enrolment/confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: RecoveryCodesView })
  @ApiProblems(422)
  async confirmMfa(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: MfaCodeDto,
  ): Promise<RecoveryCodesView> {
    return this.users.confirmMfaEnrolment(ctx, { accountId: me.accountId, code: body.code });
  }

  @Post('mfa/disable')
  @HttpCode(204)
  @NeedsStepUp()
  @ApiNoContentResponse({
    description:
      'MFA is off and every session has ended. Needs the password and a code, and (the account having a second factor) a step-up within STEP_UP_WINDOW_SECONDS',
  })
  @ApiProblems(422)
  async disableMfa(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: DisableMfaDto,
  ): Promise<void> {
    await this.stepUp.requireRecent(ctx, me);
    await this.users.disableMfa(ctx, { accountId: me.accountId, ...body });
  }

  @Get('export')
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'everything stored about the account, as a JSON download' })
  async export(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const { json } = await this.users.exportAccountData(ctx, { accountId: me.accountId });
    void reply
      .header('content-disposition', `attachment; filename="emporia-account-${me.accountId}.json"`)
      .header('cache-control', 'no-store');
    return JSON.parse(json) as unknown;
  }

  @Delete()
  @ApiOkResponse({
    type: ErasureView,
    description: 'the account is erased: personal data removed, sessions ended',
  })
  async erase(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: ReauthDto,
  ): Promise<ErasureView> {
    return this.users.deleteAccount(ctx, {
      accountId: me.accountId,
      password: body.password,
      byOperator: false,
      operatorId: '',
    });
  }
}
