import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { analyticsV1, commonV1 } from '@emporia/contracts';
import type { Money } from '@emporia/money';
import { withGrpcContext } from '@emporia/platform';
import { InventoryHealthUseCase } from '../application/inventory-health.use-case';
import type { PriceSuggestion } from '../application/pricing.ports';
import { PricingUseCase } from '../application/pricing.use-case';
import type { PricingPolicy } from '../domain/pricing-policy';

const money = (m: Money): commonV1.Money => ({ amountMinor: m.amountMinor, currency: m.currency });

function policyOut(p: PricingPolicy): analyticsV1.PricingPolicy {
  return {
    skuId: p.skuId,
    floor: money(p.floor),
    ceiling: money(p.ceiling),
    unitCost: money(p.unitCost),
    minMarginBps: p.minMarginBps,
    targetSellThrough: p.targetSellThrough,
    targetDaysOfSupply: p.targetDaysOfSupply,
    enabled: p.enabled,
  };
}

function suggestionOut(s: PriceSuggestion): analyticsV1.PriceSuggestion {
  return {
    id: s.id,
    skuId: s.skuId,
    currentPrice: money(s.currentPrice),
    suggestedPrice: money(s.suggestedPrice),
    reasons: s.reasons,
    elasticity: s.elasticity,
    daysOfSupply: s.daysOfSupply,
    sellThrough: s.sellThrough,
    status: s.status,
    createdAt: s.createdAt.toISOString(),
    decidedBy: s.decidedBy,
    decidedAt: s.decidedAt ? s.decidedAt.toISOString() : '',
  };
}

/** gRPC of the inventory and pricing area: maps messages, calls one use case, maps back. */
@Controller()
export class PricingGrpcController {
  constructor(
    private readonly health: InventoryHealthUseCase,
    private readonly pricing: PricingUseCase,
  ) {}

  @GrpcMethod('AnalyticsService', 'GetInventoryHealth')
  getInventoryHealth(
    req: analyticsV1.GetInventoryHealthRequest,
    md?: Metadata,
  ): Promise<analyticsV1.GetInventoryHealthResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.health.get(ctx, {
        categoryId: req.categoryId ?? '',
        windowDays: req.windowDays ?? 0,
        limit: req.limit ?? 0,
      });
      return {
        skus: r.skus.map((s) => ({
          skuId: s.skuId,
          productId: s.productId,
          categoryId: s.categoryId,
          onHand: s.onHand,
          unitsSold: s.unitsSold,
          turnover: s.turnover,
          daysOfSupply: s.daysOfSupply,
          sellThrough: s.sellThrough,
          slowMover: s.slowMover,
          stockoutRisk: s.stockoutRisk,
        })),
        categories: r.categories,
      };
    });
  }

  @GrpcMethod('AnalyticsService', 'UpsertPricingPolicy')
  upsertPricingPolicy(
    req: analyticsV1.UpsertPricingPolicyRequest,
    md?: Metadata,
  ): Promise<analyticsV1.UpsertPricingPolicyResponse> {
    return withGrpcContext(md, async (ctx) => {
      const p = req.policy;
      const policy = await this.pricing.upsertPolicy(ctx, {
        skuId: p?.skuId ?? '',
        ...(p?.floor ? { floor: p.floor } : {}),
        ...(p?.ceiling ? { ceiling: p.ceiling } : {}),
        ...(p?.unitCost ? { unitCost: p.unitCost } : {}),
        minMarginBps: p?.minMarginBps ?? 0,
        targetSellThrough: p?.targetSellThrough ?? 0,
        targetDaysOfSupply: p?.targetDaysOfSupply ?? 0,
        enabled: p?.enabled ?? false,
      });
      return { policy: policyOut(policy) };
    });
  }

  @GrpcMethod('AnalyticsService', 'ListPricingPolicies')
  listPricingPolicies(
    _req: analyticsV1.ListPricingPoliciesRequest,
    md?: Metadata,
  ): Promise<analyticsV1.ListPricingPoliciesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      policies: (await this.pricing.listPolicies(ctx)).map(policyOut),
    }));
  }

  @GrpcMethod('AnalyticsService', 'SuggestPrices')
  suggestPrices(
    _req: analyticsV1.SuggestPricesRequest,
    md?: Metadata,
  ): Promise<analyticsV1.SuggestPricesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      suggested: await this.pricing.suggestAll(ctx),
    }));
  }

  @GrpcMethod('AnalyticsService', 'ListPriceSuggestions')
  listPriceSuggestions(
    req: analyticsV1.ListPriceSuggestionsRequest,
    md?: Metadata,
  ): Promise<analyticsV1.ListPriceSuggestionsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      suggestions: (
        await this.pricing.listSuggestions(ctx, { status: req.status ?? '', limit: req.limit ?? 0 })
      ).map(suggestionOut),
    }));
  }

  @GrpcMethod('AnalyticsService', 'DecidePriceSuggestion')
  decidePriceSuggestion(
    req: analyticsV1.DecidePriceSuggestionRequest,
    md?: Metadata,
  ): Promise<analyticsV1.DecidePriceSuggestionResponse> {
    return withGrpcContext(md, async (ctx) => ({
      suggestion: suggestionOut(
        await this.pricing.decide(ctx, {
          id: req.id ?? '',
          decision: req.decision ?? '',
          decidedBy: req.decidedBy ?? '',
        }),
      ),
    }));
  }
}
