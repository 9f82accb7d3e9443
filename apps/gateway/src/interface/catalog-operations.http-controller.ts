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
import { CATALOG_BACKEND, type CatalogBackend, type Principal } from '../application/ports';
import { ApiProblemCodes } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  complianceAuditView,
  complianceReviewView,
  complianceStatusToProto,
  lowStockItemView,
  stockThresholdView,
  tagRuleToProto,
  tagRuleView,
} from './catalog-operations-mappers';
import {
  ComplianceAuditList,
  ComplianceDecisionDto,
  ComplianceReviewPage,
  ComplianceReviewsQuery,
  ComplianceReviewView,
  ComplianceRulesDto,
  ComplianceRulesView,
  ComplianceSubmissionDto,
  ListingScheduleDto,
  LowStockPage,
  LowStockQuery,
  ProductTagsDto,
  StockThresholdDto,
  StockThresholdList,
  StockThresholdsQuery,
  StockThresholdView,
  TagRulesDto,
  TagRulesView,
} from './dto/catalog-operations.dto';
import { ProductAdminView } from './dto/views.dto';
import { cursorOf, productAdminView } from './mappers';
import { Ctx } from './request-context';
import { uuidParam } from './uuid-param';
import { warehouseCodeParam } from './warehouses.http-controller';

/**
 * Operators' catalog operations (issue 18): low-stock thresholds and the low-stock list,
 * scheduled listing and delisting, tags by hand and by rules.
 */
@ApiTags('catalog operations')
@Auth('operator')
@Controller('v1/admin')
export class CatalogOperationsHttpController {
  constructor(@Inject(CATALOG_BACKEND) private readonly catalog: CatalogBackend) {}

  @Put('skus/:skuId/stock-thresholds/:warehouseCode')
  @ApiOkResponse({
    type: StockThresholdView,
    description:
      'the threshold and whether the SKU is low there now; crossing it emits StockLow (once per crossing), which notifies the operators',
  })
  @ApiProblemCodes({
    400: ['STOCK_THRESHOLD_INVALID', 'WAREHOUSE_CODE_INVALID'],
    404: ['SKU_NOT_FOUND', 'WAREHOUSE_NOT_FOUND'],
  })
  async setThreshold(
    @Ctx() ctx: RequestContext,
    @Param('skuId', uuidParam) skuId: string,
    @Param('warehouseCode', warehouseCodeParam) warehouseCode: string,
    @Body() body: StockThresholdDto,
  ): Promise<StockThresholdView> {
    const r = await this.catalog.setStockThreshold(ctx, {
      skuId,
      warehouseCode,
      threshold: body.threshold,
    });
    return stockThresholdView(r.threshold!);
  }

  @Get('stock-thresholds')
  @ApiOkResponse({ type: StockThresholdList })
  @ApiProblemCodes({})
  async thresholds(
    @Ctx() ctx: RequestContext,
    @Query() q: StockThresholdsQuery,
  ): Promise<StockThresholdList> {
    const r = await this.catalog.listStockThresholds(ctx, { skuId: q.skuId ?? '' });
    return { items: r.thresholds.map(stockThresholdView) };
  }

  @Get('low-stock')
  @ApiOkResponse({ type: LowStockPage, description: 'SKUs at or under their threshold' })
  @ApiProblemCodes({ 400: ['INVALID_CURSOR'] })
  async lowStock(@Ctx() ctx: RequestContext, @Query() q: LowStockQuery): Promise<LowStockPage> {
    const r = await this.catalog.listLowStock(ctx, {
      warehouseCode: q.warehouse ?? '',
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
    });
    return { items: r.items.map(lowStockItemView), nextCursor: cursorOf(r.nextPageToken) };
  }

  @Put('products/:id/listing-schedule')
  @ApiOkResponse({
    type: ProductAdminView,
    description:
      'the product with its schedule: publishAt publishes a draft once (a regulated product only when approved), unpublishAt archives it once',
  })
  @ApiProblemCodes({
    400: ['SCHEDULE_INVALID'],
    404: ['PRODUCT_NOT_FOUND'],
    409: ['PRODUCT_VERSION_CONFLICT'],
  })
  async schedule(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: ListingScheduleDto,
  ): Promise<ProductAdminView> {
    const r = await this.catalog.scheduleListing(ctx, {
      productId: id,
      publishAt: body.publishAt ?? '',
      unpublishAt: body.unpublishAt ?? '',
      expectedVersion: body.expectedVersion ?? 0,
    });
    return productAdminView(r.product!);
  }

  @Put('products/:id/tags')
  @ApiOkResponse({ type: ProductAdminView, description: 'the product with its tags' })
  @ApiProblemCodes({
    400: ['TAGS_INVALID'],
    404: ['PRODUCT_NOT_FOUND'],
    409: ['PRODUCT_VERSION_CONFLICT'],
  })
  async tags(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
    @Body() body: ProductTagsDto,
  ): Promise<ProductAdminView> {
    const r = await this.catalog.setProductTags(ctx, {
      productId: id,
      tags: body.tags,
      expectedVersion: body.expectedVersion ?? 0,
    });
    return productAdminView(r.product!);
  }

  @Get('tag-rules')
  @ApiOkResponse({ type: TagRulesView, description: 'what GET shows can be PUT back' })
  @ApiProblemCodes({})
  async tagRules(@Ctx() ctx: RequestContext): Promise<TagRulesView> {
    return { rules: (await this.catalog.listTagRules(ctx, {})).rules.map(tagRuleView) };
  }

  @Put('tag-rules')
  @ApiOkResponse({
    type: TagRulesView,
    description: 'the rules after the change (the next sweep applies them)',
  })
  @ApiProblemCodes({ 400: ['TAG_RULES_INVALID'] })
  async setTagRules(@Ctx() ctx: RequestContext, @Body() body: TagRulesDto): Promise<TagRulesView> {
    const r = await this.catalog.replaceTagRules(ctx, { rules: body.rules.map(tagRuleToProto) });
    return { rules: r.rules.map(tagRuleView) };
  }
}

/**
 * Compliance review before publishing in regulated categories: submit with a quality report,
 * approve or reject (with a reason), the reviews and a product's audit trail, the banned words
 * and blacklisted brands.
 */
@ApiTags('catalog operations')
@Auth('operator')
@Controller('v1/admin')
export class ComplianceHttpController {
  constructor(@Inject(CATALOG_BACKEND) private readonly catalog: CatalogBackend) {}

  @Post('products/:id/compliance-reviews')
  @ApiCreatedResponse({ type: ComplianceReviewView, description: 'submitted: PENDING' })
  @ApiProblemCodes({
    400: ['QUALITY_REPORT_REQUIRED', 'BANNED_WORDS', 'BRAND_BLACKLISTED'],
    404: ['PRODUCT_NOT_FOUND'],
    422: ['NOT_REGULATED', 'REVIEW_ALREADY_PENDING', 'REVIEW_ALREADY_APPROVED'],
  })
  async submit(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: ComplianceSubmissionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ComplianceReviewView> {
    const r = await this.catalog.submitComplianceReview(ctx, {
      productId: id,
      qualityReportRef: body.qualityReportRef,
      submittedBy: me.accountId,
    });
    void reply.status(201);
    return complianceReviewView(r.review!);
  }

  @Post('compliance-reviews/:id/decision')
  @HttpCode(200)
  @ApiOkResponse({
    type: ComplianceReviewView,
    description: 'APPROVED or REJECTED, by an operator other than the submitter',
  })
  @ApiProblemCodes({
    400: ['REASON_REQUIRED'],
    403: ['REVIEW_SELF_DECISION'],
    404: ['REVIEW_NOT_FOUND'],
    422: ['REVIEW_ALREADY_DECIDED'],
  })
  async decide(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: ComplianceDecisionDto,
  ): Promise<ComplianceReviewView> {
    const r = await this.catalog.decideComplianceReview(ctx, {
      reviewId: id,
      operatorId: me.accountId,
      approve: body.approve,
      reason: body.reason ?? '',
    });
    return complianceReviewView(r.review!);
  }

  @Get('compliance-reviews')
  @ApiOkResponse({ type: ComplianceReviewPage })
  @ApiProblemCodes({ 400: ['INVALID_CURSOR'] })
  async reviews(
    @Ctx() ctx: RequestContext,
    @Query() q: ComplianceReviewsQuery,
  ): Promise<ComplianceReviewPage> {
    const r = await this.catalog.listComplianceReviews(ctx, {
      status: complianceStatusToProto(q.status),
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
    });
    return { items: r.reviews.map(complianceReviewView), nextCursor: cursorOf(r.nextPageToken) };
  }

  @Get('products/:id/compliance-audit')
  @ApiOkResponse({ type: ComplianceAuditList, description: "the product's audit trail" })
  @ApiProblemCodes({ 404: ['PRODUCT_NOT_FOUND'] })
  async audit(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<ComplianceAuditList> {
    const r = await this.catalog.getComplianceAudit(ctx, { productId: id });
    return { items: r.entries.map(complianceAuditView) };
  }

  @Get('compliance-rules')
  @ApiOkResponse({ type: ComplianceRulesView, description: 'what GET shows can be PUT back' })
  @ApiProblemCodes({})
  async rules(@Ctx() ctx: RequestContext): Promise<ComplianceRulesView> {
    const r = await this.catalog.getComplianceRules(ctx, {});
    return { bannedWords: r.bannedWords, blacklistedBrands: r.blacklistedBrands };
  }

  @Put('compliance-rules')
  @ApiOkResponse({ type: ComplianceRulesView, description: 'the rules after the change' })
  @ApiProblemCodes({ 400: ['COMPLIANCE_RULES_INVALID'] })
  async setRules(
    @Ctx() ctx: RequestContext,
    @Body() body: ComplianceRulesDto,
  ): Promise<ComplianceRulesView> {
    const r = await this.catalog.replaceComplianceRules(ctx, {
      bannedWords: body.bannedWords,
      blacklistedBrands: body.blacklistedBrands,
    });
    return { bannedWords: r.bannedWords, blacklistedBrands: r.blacklistedBrands };
  }
}
