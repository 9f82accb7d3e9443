import { Body, Controller, Get, Inject, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { marketingV1 } from '@emporia/contracts';
import type { RequestContext } from '@emporia/platform';
import { MARKETING_BACKEND, type MarketingBackend } from '../application/ports';
import { ApiProblems } from './api-problems';
import { Auth } from './auth.guard';
import {
  AudienceGrantList,
  AudienceGrantsQuery,
  CartReminderPolicyDto,
  CartReminderPolicyView,
} from './dto/prices-reminders.dto';
import { Ctx } from './request-context';

export const cartReminderView = (
  p: marketingV1.CartReminderPolicy | undefined,
): CartReminderPolicyView => ({
  enabled: p?.enabled ?? false,
  couponTemplateId: p?.couponTemplateId || null,
  minIntervalHours: p?.minIntervalHours ?? 0,
});

/**
 * Operators' win-back settings on marketing: the cart-reminder coupon (analytics' abandoned
 * carts), and the coupons handed out to audiences and as reminders.
 */
@ApiTags('marketing admin')
@Auth('operator')
@Controller('v1/admin/marketing')
export class MarketingRemindersHttpController {
  constructor(@Inject(MARKETING_BACKEND) private readonly marketing: MarketingBackend) {}

  @Get('cart-reminder')
  @ApiOkResponse({ type: CartReminderPolicyView, description: 'disabled until set' })
  @ApiProblems()
  async cartReminder(@Ctx() ctx: RequestContext): Promise<CartReminderPolicyView> {
    return cartReminderView((await this.marketing.getCartReminderPolicy(ctx, {})).policy);
  }

  @Put('cart-reminder')
  @ApiOkResponse({
    type: CartReminderPolicyView,
    description:
      'a coupon of the template per abandoned cart, at most once per account within the interval',
  })
  @ApiProblems(404, 422)
  async setCartReminder(
    @Ctx() ctx: RequestContext,
    @Body() body: CartReminderPolicyDto,
  ): Promise<CartReminderPolicyView> {
    const r = await this.marketing.setCartReminderPolicy(ctx, {
      policy: {
        enabled: body.enabled,
        couponTemplateId: body.couponTemplateId ?? '',
        minIntervalHours: body.minIntervalHours,
      },
    });
    return cartReminderView(r.policy);
  }

  @Get('audience-grants')
  @ApiOkResponse({
    type: AudienceGrantList,
    description:
      'coupons handed out to exported audiences and as cart reminders (or skipped, and why)',
  })
  @ApiProblems()
  async audienceGrants(
    @Ctx() ctx: RequestContext,
    @Query() q: AudienceGrantsQuery,
  ): Promise<AudienceGrantList> {
    const r = await this.marketing.listAudienceGrants(ctx, {
      source: q.source ?? '',
      accountId: q.accountId ?? '',
      limit: q.limit ?? 50,
    });
    return {
      items: r.grants.map((g) => ({
        source: g.source,
        accountId: g.accountId,
        couponCode: g.couponCode || null,
        templateId: g.templateId,
        grantedAt: g.grantedAt,
        outcome: g.outcome,
        reason: g.reason,
      })),
    };
  }
}
