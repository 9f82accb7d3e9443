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
  Query,
} from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { RequestContext } from '@emporia/platform';
import { type Principal, USER_BACKEND, type UserBackend } from '../application/ports';
import { ApiProblemCodes, ApiProblems } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  AccountDetailsView,
  AccountList,
  AccountView,
  ErasureView,
  FindAccountQuery,
  FreezeDto,
  MembershipView,
  RolesDto,
  SigningKeyView,
  TierList,
  TiersDto,
} from './dto/user.dto';
import { Ctx } from './request-context';
import { accountView, detailsView, membershipView, tierView } from './user-mappers';
import { uuidParam } from './uuid-param';

/** Operator and admin surface: accounts, tiers, roles, signing keys. Never for customers. */
@ApiTags('admin')
@Auth('operator')
@Controller('v1/admin')
export class AdminHttpController {
  constructor(@Inject(USER_BACKEND) private readonly users: UserBackend) {}

  @Get('accounts')
  @ApiOkResponse({
    type: AccountList,
    description:
      'the account an e-mail address or E.164 phone number signs in with: one item, or none',
  })
  @ApiProblemCodes({ 400: ['IDENTIFIER_REQUIRED', 'EMAIL_INVALID', 'PHONE_INVALID'] })
  async findAccount(
    @Ctx() ctx: RequestContext,
    @Query() q: FindAccountQuery,
  ): Promise<AccountList> {
    const { account } = await this.users.findAccount(ctx, { identifier: q.identifier });
    return { items: account ? [accountView(account)] : [] };
  }

  @Get('accounts/:id')
  @ApiOkResponse({ type: AccountDetailsView })
  @ApiProblems(404)
  async account(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<AccountDetailsView> {
    return detailsView((await this.users.getAccount(ctx, { accountId: id })).details!);
  }

  @Get('accounts/:id/membership')
  @ApiOkResponse({ type: MembershipView })
  @ApiProblems(404)
  async membership(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<MembershipView> {
    return membershipView((await this.users.getMembership(ctx, { accountId: id })).membership!);
  }

  @Post('accounts/:id/freeze')
  @HttpCode(200)
  @ApiOkResponse({
    type: AccountView,
    description:
      "frozen: no login, sessions ended; never the caller's own account (403 CANNOT_CHANGE_OWN_ACCOUNT)",
  })
  @ApiProblems(403, 404)
  async freeze(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: FreezeDto,
  ): Promise<AccountView> {
    return accountView(
      (
        await this.users.freezeAccount(ctx, {
          accountId: id,
          reason: body.reason,
          operatorId: me.accountId,
        })
      ).account!,
    );
  }

  @Post('accounts/:id/unfreeze')
  @HttpCode(200)
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(404)
  async unfreeze(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<AccountView> {
    return accountView((await this.users.unfreezeAccount(ctx, { accountId: id })).account!);
  }

  @Delete('accounts/:id')
  @Auth('admin')
  @ApiOkResponse({
    type: ErasureView,
    description:
      "erasure on a verified request (admin); never the caller's own account (403 CANNOT_ERASE_OWN_ACCOUNT: use DELETE /v1/me with the password)",
  })
  @ApiProblems(403, 404)
  async erase(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<ErasureView> {
    return this.users.deleteAccount(ctx, {
      accountId: id,
      password: '',
      byOperator: true,
      operatorId: me.accountId,
    });
  }

  @Put('accounts/:id/roles')
  @Auth('admin')
  @ApiOkResponse({
    type: AccountView,
    description:
      'new tokens carry the new roles; nobody changes their own (403 CANNOT_CHANGE_OWN_ACCOUNT)',
  })
  @ApiProblems(403, 404)
  async roles(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: RolesDto,
  ): Promise<AccountView> {
    return accountView(
      (
        await this.users.setAccountRoles(ctx, {
          accountId: id,
          roles: body.roles,
          operatorId: me.accountId,
        })
      ).account!,
    );
  }

  @Get('tiers')
  @ApiOkResponse({ type: TierList })
  async tiers(@Ctx() ctx: RequestContext): Promise<TierList> {
    return { items: (await this.users.listTiers(ctx, {})).tiers.map(tierView) };
  }

  @Put('tiers')
  @ApiOkResponse({
    type: TierList,
    description: 'replaces the table; members are re-evaluated in the background',
  })
  @ApiProblems(422)
  async replaceTiers(@Ctx() ctx: RequestContext, @Body() body: TiersDto): Promise<TierList> {
    const r = await this.users.replaceTiers(ctx, {
      tiers: body.tiers.map((t) => ({ ...t, members: 0 })),
    });
    return { items: r.tiers.map(tierView), membersToReevaluate: Number(r.membersToReevaluate) };
  }

  @Post('signing-keys/rotate')
  @Auth('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: SigningKeyView, description: 'new tokens are signed with the new key' })
  async rotate(@Ctx() ctx: RequestContext): Promise<SigningKeyView> {
    return this.users.rotateSigningKey(ctx, {});
  }
}
