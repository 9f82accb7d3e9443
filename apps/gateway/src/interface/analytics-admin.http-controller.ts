import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { ANALYTICS_BACKEND, type AnalyticsBackend, type Principal } from '../application/ports';
import {
  abandonedCartView,
  attributionRowView,
  funnelView,
  inventoryView,
  kpisView,
  retentionView,
  rfmView,
} from './analytics-mappers';
import { ApiProblems } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  AttributionQuery,
  ExportAudienceDto,
  FunnelQuery,
  InventoryQuery,
  KpisQuery,
  LimitQuery,
  RetentionQuery,
  RfmQuery,
} from './dto/analytics.dto';
import {
  AbandonedCartList,
  AttributionView,
  AudienceView,
  FunnelView,
  InventoryHealthView,
  KpisView,
  LifecycleView,
  RetentionView,
  RfmView,
} from './dto/analytics-views.dto';
import { Idempotent, idempotencyKey } from './idempotency.interceptor';
import { Ctx } from './request-context';

/**
 * Operators' figures from the analytics service (definitions in its README): KPIs, the funnel,
 * retention, life cycle, RFM and audiences for marketing, inventory health, attribution and
 * abandoned carts. Days are the shop's time zone's; a range includes both ends.
 */
@ApiTags('analytics admin')
@Auth('operator')
@Controller('v1/admin/analytics')
export class AnalyticsAdminHttpController {
  constructor(@Inject(ANALYTICS_BACKEND) private readonly analytics: AnalyticsBackend) {}

  @Get('kpis')
  @ApiOkResponse({
    type: KpisView,
    description: 'GMV, orders, paid orders, AOV, units, refunds, new and returning buyers per day',
  })
  @ApiProblems()
  async kpis(@Ctx() ctx: RequestContext, @Query() q: KpisQuery): Promise<KpisView> {
    const r = await this.analytics.getKpis(ctx, {
      range: { fromDay: q.from, toDay: q.to },
      channel: q.channel ?? '',
    });
    return kpisView(r);
  }

  @Get('funnel')
  @ApiOkResponse({ type: FunnelView, description: 'view → cart → checkout → paid' })
  @ApiProblems()
  async funnel(@Ctx() ctx: RequestContext, @Query() q: FunnelQuery): Promise<FunnelView> {
    const r = await this.analytics.getFunnel(ctx, {
      range: { fromDay: q.from, toDay: q.to },
      channel: q.channel ?? '',
      utmSource: q.utmSource ?? '',
      device: q.device ?? '',
    });
    return funnelView(r);
  }

  @Get('retention')
  @ApiOkResponse({ type: RetentionView, description: 'repurchase rate and monthly cohorts' })
  @ApiProblems()
  async retention(@Ctx() ctx: RequestContext, @Query() q: RetentionQuery): Promise<RetentionView> {
    const r = await this.analytics.getRetention(ctx, {
      fromMonth: q.fromMonth,
      toMonth: q.toMonth,
    });
    return retentionView(r);
  }

  @Get('lifecycle')
  @ApiOkResponse({ type: LifecycleView, description: 'accounts per life-cycle stage' })
  @ApiProblems()
  async lifecycle(@Ctx() ctx: RequestContext): Promise<LifecycleView> {
    const r = await this.analytics.getLifecycle(ctx, {});
    return {
      stages: r.stages.map((s) => ({ stage: s.stage, accounts: Number(s.accounts) })),
      asOf: r.asOf,
    };
  }

  @Get('rfm')
  @ApiOkResponse({ type: RfmView, description: 'RFM segments, and the accounts of one' })
  @ApiProblems()
  async rfm(@Ctx() ctx: RequestContext, @Query() q: RfmQuery): Promise<RfmView> {
    const r = await this.analytics.getRfm(ctx, {
      segment: q.segment ?? '',
      limit: q.limit ?? 0,
    });
    return rfmView(r);
  }

  @Post('audiences')
  @Idempotent({ required: true })
  @ApiCreatedResponse({
    type: AudienceView,
    description:
      'the segment handed to marketing, which gives each account one coupon of the template; the same Idempotency-Key is the same export',
  })
  @ApiProblems(404, 422)
  async exportAudience(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: ExportAudienceDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AudienceView> {
    const r = await this.analytics.exportAudience(ctx, {
      segment: body.segment,
      couponTemplateId: body.couponTemplateId,
      requestedBy: me.accountId,
      // keys are the caller's own (as in the gateway's idempotency records)
      idempotencyKey: `${me.accountId}:${idempotencyKey(req, true)!}`,
    });
    void reply.status(201);
    return { audienceId: r.audienceId, accounts: Number(r.accounts) };
  }

  @Get('inventory')
  @ApiOkResponse({
    type: InventoryHealthView,
    description: 'turnover, days of supply, sell-through per SKU and category',
  })
  @ApiProblems()
  async inventory(
    @Ctx() ctx: RequestContext,
    @Query() q: InventoryQuery,
  ): Promise<InventoryHealthView> {
    const r = await this.analytics.getInventoryHealth(ctx, {
      categoryId: q.categoryId ?? '',
      windowDays: q.windowDays ?? 30,
      limit: q.limit ?? 100,
    });
    return inventoryView(r);
  }

  @Get('attribution')
  @ApiOkResponse({ type: AttributionView, description: 'paid orders and GMV per UTM touch' })
  @ApiProblems()
  async attribution(
    @Ctx() ctx: RequestContext,
    @Query() q: AttributionQuery,
  ): Promise<AttributionView> {
    const r = await this.analytics.getAttribution(ctx, {
      range: { fromDay: q.from, toDay: q.to },
      model: q.model ?? 'last_touch',
    });
    return { rows: r.rows.map(attributionRowView) };
  }

  @Get('abandoned-carts')
  @ApiOkResponse({ type: AbandonedCartList, description: 'newest first' })
  @ApiProblems()
  async abandonedCarts(
    @Ctx() ctx: RequestContext,
    @Query() q: LimitQuery,
  ): Promise<AbandonedCartList> {
    const r = await this.analytics.listAbandonedCarts(ctx, { limit: q.limit ?? 50 });
    return { items: r.carts.map(abandonedCartView) };
  }
}
