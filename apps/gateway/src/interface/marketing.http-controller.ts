import { Body, Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { MARKETING_BACKEND, type MarketingBackend, type Principal } from '../application/ports';
import { ApiProblems } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  ClaimCouponDto,
  CouponList,
  CouponView,
  FlashAttemptDto,
  FlashWinView,
  GroupList,
  GroupView,
} from './dto/marketing.dto';
import { FLASH_GATE, type FlashGate } from './flash-gate';
import { Idempotent } from './idempotency.interceptor';
import { couponView, groupView } from './marketing-mappers';
import { RateLimit } from './rate-limit.guard';
import { Ctx } from './request-context';
import { uuidParam } from './uuid-param';

/**
 * Customers' coupons and flash-sale attempts (the account is always the token's, never one in
 * the request), and the public view of group buying.
 */
@ApiTags('marketing')
@Controller('v1')
export class MarketingHttpController {
  constructor(
    @Inject(MARKETING_BACKEND) private readonly marketing: MarketingBackend,
    @Inject(FLASH_GATE) private readonly flash: FlashGate,
  ) {}

  @Post('me/coupons')
  @Auth()
  @Idempotent()
  @ApiCreatedResponse({
    type: CouponView,
    description: 'claimed: a handed-out code, or a new coupon of a template',
  })
  @ApiProblems(404, 409, 422, 429)
  async claimCoupon(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: ClaimCouponDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CouponView> {
    const { coupon } = await this.marketing.claimCoupon(ctx, {
      accountId: me.accountId,
      code: body.code ?? '',
      templateId: body.templateId ?? '',
    });
    void reply.status(201);
    return couponView(coupon!);
  }

  @Get('me/coupons')
  @Auth()
  @ApiOkResponse({ type: CouponList, description: "the signed-in account's coupons" })
  @ApiProblems()
  async coupons(@Ctx() ctx: RequestContext, @Caller() me: Principal): Promise<CouponList> {
    const r = await this.marketing.listCoupons(ctx, { accountId: me.accountId });
    return { items: r.coupons.map(couponView) };
  }

  @Post('flash-sales/:id/attempts')
  @Auth()
  @RateLimit('sale')
  @Idempotent()
  @ApiCreatedResponse({
    type: FlashWinView,
    description:
      'won: check out with `flashToken` before `expiresAt`; lost: 409 FLASH_SALE_SOLD_OUT, FLASH_SALE_LIMIT_REACHED, FLASH_SALE_NOT_STARTED or FLASH_SALE_ENDED',
  })
  @ApiProblems(404, 409, 422)
  async attemptFlashPurchase(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: FlashAttemptDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FlashWinView> {
    // through the replica's flash gate: sold-out marks, admission control (as the fast route)
    const win = await this.flash.attempt(this.marketing, ctx, id, me.accountId, body.quantity ?? 1);
    void reply.status(201);
    return win;
  }

  @Get('groups/:id')
  @ApiOkResponse({ type: GroupView })
  @ApiProblems(404)
  async group(@Ctx() ctx: RequestContext, @Param('id', uuidParam) id: string): Promise<GroupView> {
    return groupView((await this.marketing.getGroup(ctx, { groupId: id })).group!);
  }

  @Get('group-deals/:id/groups')
  @ApiOkResponse({ type: GroupList, description: "the deal's open groups, to join one" })
  @ApiProblems(404)
  async openGroups(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<GroupList> {
    const r = await this.marketing.listOpenGroups(ctx, { dealId: id });
    return { items: r.groups.map(groupView) };
  }
}
