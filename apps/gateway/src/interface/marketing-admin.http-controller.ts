import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { MARKETING_BACKEND, type MarketingBackend } from '../application/ports';
import { ApiProblemCodes, ApiProblems } from './api-problems';
import { Auth } from './auth.guard';
import {
  CampaignList,
  CampaignView,
  CouponTemplateView,
  CreateCouponTemplateDto,
  CreateFlashSaleDto,
  CreateGroupDealDto,
  FlashSaleDetailView,
  FlashSalePage,
  FlashSaleView,
  GroupDealView,
  IssueCouponsDto,
  IssuedCouponsView,
  ListFlashSalesQuery,
  ListPromotionsQuery,
  PreviewPromotionDto,
  PromotionList,
  PromotionPreviewView,
  PromotionView,
  UpsertCampaignDto,
  UpsertPromotionDto,
} from './dto/marketing-admin.dto';
import { Idempotent } from './idempotency.interceptor';
import {
  campaignToProto,
  campaignView,
  couponTemplateToProto,
  couponTemplateView,
  flashSaleDetailView,
  flashSaleToProto,
  flashSaleView,
  groupDealToProto,
  groupDealView,
  previewToProto,
  promotionPreviewView,
  promotionToProto,
  promotionView,
} from './marketing-mappers';
import { cursorOf } from './mappers';
import { Ctx } from './request-context';
import { uuidParam } from './uuid-param';

/**
 * Operators' marketing: campaigns, promotions as data, coupon templates and issuance, flash
 * sales (with their Redis/database reconciliation) and group deals. The gateway checks shapes;
 * the marketing service checks the rules and answers 400 with a stable code.
 */
@ApiTags('marketing admin')
@Auth('operator')
@Controller('v1/admin')
export class MarketingAdminHttpController {
  constructor(@Inject(MARKETING_BACKEND) private readonly marketing: MarketingBackend) {}

  @Put('campaigns/:id')
  @ApiOkResponse({ type: CampaignView, description: 'created or replaced' })
  @ApiProblems()
  async upsertCampaign(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: UpsertCampaignDto,
  ): Promise<CampaignView> {
    const r = await this.marketing.upsertCampaign(ctx, { campaign: campaignToProto(id, body) });
    return campaignView(r.campaign!);
  }

  @Get('campaigns')
  @ApiOkResponse({ type: CampaignList })
  @ApiProblems()
  async campaigns(@Ctx() ctx: RequestContext): Promise<CampaignList> {
    return { items: (await this.marketing.listCampaigns(ctx, {})).campaigns.map(campaignView) };
  }

  @Put('promotions/:id')
  @ApiOkResponse({ type: PromotionView, description: 'created or replaced; validated when saved' })
  @ApiProblems()
  async upsertPromotion(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: UpsertPromotionDto,
  ): Promise<PromotionView> {
    const r = await this.marketing.upsertPromotion(ctx, {
      promotion: promotionToProto(id, body),
    });
    return promotionView(r.promotion!);
  }

  @Post('promotions/preview')
  @HttpCode(200)
  @ApiOkResponse({
    type: PromotionPreviewView,
    description:
      "a draft promotion (PUT's body) priced on a sample cart by checkout's pricing, alone and as if in force; nothing is saved",
  })
  @ApiProblemCodes({
    400: [
      'PROMOTION_INVALID',
      'MONEY_INVALID',
      'TIME_INVALID',
      'ID_INVALID',
      'CART_EMPTY',
      'CART_TOO_LARGE',
      'CART_MIXED_CURRENCY',
      'QUANTITY_INVALID',
    ],
    404: ['CAMPAIGN_NOT_FOUND'],
  })
  async previewPromotion(
    @Ctx() ctx: RequestContext,
    @Body() body: PreviewPromotionDto,
  ): Promise<PromotionPreviewView> {
    return promotionPreviewView(
      await this.marketing.previewPromotion(ctx, previewToProto(body)),
      body,
    );
  }

  @Get('promotions')
  @ApiOkResponse({ type: PromotionList })
  @ApiProblems()
  async promotions(
    @Ctx() ctx: RequestContext,
    @Query() q: ListPromotionsQuery,
  ): Promise<PromotionList> {
    const r = await this.marketing.listPromotions(ctx, { inForceAt: q.inForceAt ?? '' });
    return { items: r.promotions.map(promotionView) };
  }

  @Post('coupon-templates')
  @Idempotent()
  @ApiCreatedResponse({ type: CouponTemplateView })
  @ApiProblems(404)
  async createCouponTemplate(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateCouponTemplateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CouponTemplateView> {
    const r = await this.marketing.createCouponTemplate(ctx, {
      template: couponTemplateToProto(body),
    });
    void reply.status(201);
    return couponTemplateView(r.template!);
  }

  @Post('coupon-templates/:id/issue')
  @Idempotent()
  @ApiCreatedResponse({
    type: IssuedCouponsView,
    description: 'new codes, up to what the template still allows',
  })
  @ApiProblems(404, 422)
  async issueCoupons(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: IssueCouponsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IssuedCouponsView> {
    const r = await this.marketing.issueCoupons(ctx, { templateId: id, count: body.count });
    void reply.status(201);
    return { codes: r.codes };
  }

  @Post('flash-sales')
  @Idempotent()
  @ApiCreatedResponse({ type: FlashSaleView, description: 'its pool is loaded into Redis' })
  @ApiProblems(404)
  async createFlashSale(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateFlashSaleDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FlashSaleView> {
    const { sale } = await this.marketing.createFlashSale(ctx, { sale: flashSaleToProto(body) });
    void reply.status(201).header('location', `/v1/admin/flash-sales/${sale!.id}`);
    return flashSaleView(sale!);
  }

  @Get('flash-sales')
  @ApiOkResponse({
    type: FlashSalePage,
    description:
      'the flash sales, newest first, each as GET /v1/admin/flash-sales/{id} shows it (its Redis pool reconciled with the database)',
  })
  @ApiProblemCodes({ 400: ['FLASH_SALE_STATUS_INVALID', 'INVALID_CURSOR'] })
  async flashSales(
    @Ctx() ctx: RequestContext,
    @Query() q: ListFlashSalesQuery,
  ): Promise<FlashSalePage> {
    const r = await this.marketing.listFlashSales(ctx, {
      status: q.status ?? '',
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
    });
    return { items: r.sales.map(flashSaleDetailView), nextCursor: cursorOf(r.nextPageToken) };
  }

  @Get('flash-sales/:id')
  @ApiOkResponse({
    type: FlashSaleDetailView,
    description: 'the sale, and how its Redis pool reconciles with the database',
  })
  @ApiProblems(404)
  async flashSale(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<FlashSaleDetailView> {
    return flashSaleDetailView(await this.marketing.getFlashSale(ctx, { saleId: id }));
  }

  @Post('group-deals')
  @Idempotent()
  @ApiCreatedResponse({ type: GroupDealView })
  @ApiProblems(404)
  async createGroupDeal(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateGroupDealDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GroupDealView> {
    const r = await this.marketing.createGroupDeal(ctx, { deal: groupDealToProto(body) });
    void reply.status(201);
    return groupDealView(r.deal!);
  }
}
