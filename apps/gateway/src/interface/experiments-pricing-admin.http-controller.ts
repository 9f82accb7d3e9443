import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { RequestContext } from '@emporia/platform';
import { ANALYTICS_BACKEND, type AnalyticsBackend, type Principal } from '../application/ports';
import {
  experimentResultsView,
  experimentToProto,
  experimentView,
  priceSuggestionView,
  pricingPolicyToProto,
  pricingPolicyView,
} from './analytics-mappers';
import { ApiProblems } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  EXPERIMENT_KEY,
  PriceSuggestionsQuery,
  UpsertExperimentDto,
  UpsertPricingPolicyDto,
} from './dto/analytics.dto';
import {
  ExperimentList,
  ExperimentResultsView,
  ExperimentView,
  PriceSuggestionList,
  PriceSuggestionView,
  PricingPolicyList,
  PricingPolicyView,
  SuggestedView,
} from './dto/analytics-views.dto';
import { Idempotent } from './idempotency.interceptor';
import { patternParam } from './path-params';
import { Ctx } from './request-context';
import { uuidParam } from './uuid-param';

const experimentKey = patternParam('key', EXPERIMENT_KEY, "1-64 of a-z, 0-9, '_' and '-'");

/** Operators' A/B tests (definitions, results) on the analytics service. */
@ApiTags('analytics admin')
@Auth('operator')
@Controller('v1/admin/analytics/experiments')
export class ExperimentsAdminHttpController {
  constructor(@Inject(ANALYTICS_BACKEND) private readonly analytics: AnalyticsBackend) {}

  @Get()
  @ApiOkResponse({ type: ExperimentList })
  @ApiProblems()
  async list(@Ctx() ctx: RequestContext): Promise<ExperimentList> {
    const r = await this.analytics.listExperiments(ctx, {});
    return { items: r.experiments.map(experimentView) };
  }

  @Put(':key')
  @ApiOkResponse({
    type: ExperimentView,
    description: 'created or replaced; assignment hashes the key, so keep it while it runs',
  })
  @ApiProblems(409, 422)
  async upsert(
    @Ctx() ctx: RequestContext,
    @Param('key', experimentKey) key: string,
    @Body() body: UpsertExperimentDto,
  ): Promise<ExperimentView> {
    const r = await this.analytics.upsertExperiment(ctx, {
      experiment: experimentToProto(key, body),
    });
    return experimentView(r.experiment!);
  }

  @Get(':key/results')
  @ApiOkResponse({
    type: ExperimentResultsView,
    description:
      'per variant: users, conversions, rate, uplift against the first variant with a 95% interval and a two-proportion test; a sample-ratio-mismatch check',
  })
  @ApiProblems(404)
  async results(
    @Ctx() ctx: RequestContext,
    @Param('key', experimentKey) key: string,
  ): Promise<ExperimentResultsView> {
    return experimentResultsView(await this.analytics.getExperimentResults(ctx, { key }));
  }
}

/** Operators' dynamic pricing: per-SKU policies, suggestions, and deciding them. */
@ApiTags('analytics admin')
@Auth('operator')
@Controller('v1/admin/analytics')
export class PricingAdminHttpController {
  constructor(@Inject(ANALYTICS_BACKEND) private readonly analytics: AnalyticsBackend) {}

  @Get('pricing-policies')
  @ApiOkResponse({ type: PricingPolicyList })
  @ApiProblems()
  async policies(@Ctx() ctx: RequestContext): Promise<PricingPolicyList> {
    const r = await this.analytics.listPricingPolicies(ctx, {});
    return { items: r.policies.map(pricingPolicyView) };
  }

  @Put('pricing-policies/:skuId')
  @ApiOkResponse({ type: PricingPolicyView, description: 'created or replaced' })
  @ApiProblems(404)
  async upsertPolicy(
    @Ctx() ctx: RequestContext,
    @Param('skuId', uuidParam) skuId: string,
    @Body() body: UpsertPricingPolicyDto,
  ): Promise<PricingPolicyView> {
    const r = await this.analytics.upsertPricingPolicy(ctx, {
      policy: pricingPolicyToProto(skuId, body),
    });
    return pricingPolicyView(r.policy!);
  }

  @Get('price-suggestions')
  @ApiOkResponse({ type: PriceSuggestionList, description: 'newest first' })
  @ApiProblems()
  async suggestions(
    @Ctx() ctx: RequestContext,
    @Query() q: PriceSuggestionsQuery,
  ): Promise<PriceSuggestionList> {
    const r = await this.analytics.listPriceSuggestions(ctx, {
      status: q.status ?? '',
      limit: q.limit ?? 50,
    });
    return { items: r.suggestions.map(priceSuggestionView) };
  }

  @Post('price-suggestions/run')
  @HttpCode(200)
  @Idempotent()
  @ApiOkResponse({
    type: SuggestedView,
    description: 'fresh suggestions now (a sweep also makes them periodically)',
  })
  @ApiProblems()
  async run(@Ctx() ctx: RequestContext): Promise<SuggestedView> {
    return { suggested: (await this.analytics.suggestPrices(ctx, {})).suggested };
  }

  @Post('price-suggestions/:id/approve')
  @HttpCode(200)
  @Idempotent()
  @ApiOkResponse({
    type: PriceSuggestionView,
    description: 'approved: catalog sets the price, with this operator in its price history',
  })
  @ApiProblems(404, 409, 422)
  async approve(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<PriceSuggestionView> {
    return this.decide(ctx, me, id, 'approve');
  }

  @Post('price-suggestions/:id/reject')
  @HttpCode(200)
  @Idempotent()
  @ApiOkResponse({ type: PriceSuggestionView, description: 'rejected; the price stays' })
  @ApiProblems(404, 409, 422)
  async reject(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<PriceSuggestionView> {
    return this.decide(ctx, me, id, 'reject');
  }

  private async decide(
    ctx: RequestContext,
    me: Principal,
    id: string,
    decision: 'approve' | 'reject',
  ): Promise<PriceSuggestionView> {
    const r = await this.analytics.decidePriceSuggestion(ctx, {
      id,
      decision,
      decidedBy: me.accountId,
    });
    return priceSuggestionView(r.suggestion!);
  }
}
