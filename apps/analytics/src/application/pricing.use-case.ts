import { Inject, Injectable } from '@nestjs/common';
import type { Clock, IdGenerator } from '@emporia/domain';
import type { RequestContext } from '@emporia/platform';
import { AnalyticsError } from '../domain/analytics-error';
import { dayOf } from '../domain/facts';
import { windowOf } from '../domain/inventory-days';
import { DEFAULT_WINDOW_DAYS, skuHealth } from '../domain/inventory-health';
import {
  pricingPolicy,
  type PricingPolicy,
  type PricingPolicyInput,
} from '../domain/pricing-policy';
import { estimateElasticity, pricePeriods, suggestPrice } from '../domain/pricing-suggestion';
import { CLOCK, ID_GENERATOR } from './ports';
import {
  CATALOG_PRICES,
  INVENTORY_STORE,
  PRICING_SETTINGS,
  PRICING_STORE,
  type CatalogPrices,
  type InventoryStore,
  type PriceSuggestion,
  type PricingSettings,
  type PricingStore,
  type SuggestionStatus,
} from './pricing.ports';

/** A change smaller than this suggests nothing. */
export const MIN_CHANGE = 0.01;
const STATUSES: readonly SuggestionStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const bad = (field: string, code: string, message: string) =>
  new AnalyticsError('INVALID_ARGUMENT', code, `${field}: ${message}`, { field });

/** Pricing policies, price suggestions (SuggestPrices and the sweep) and their decisions. */
@Injectable()
export class PricingUseCase {
  constructor(
    @Inject(PRICING_STORE) private readonly store: PricingStore,
    @Inject(INVENTORY_STORE) private readonly inventory: InventoryStore,
    @Inject(CATALOG_PRICES) private readonly catalog: CatalogPrices,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(PRICING_SETTINGS) private readonly settings: PricingSettings,
  ) {}

  async upsertPolicy(_ctx: RequestContext, input: PricingPolicyInput): Promise<PricingPolicy> {
    return this.store.upsertPolicy(pricingPolicy(input), this.clock.now());
  }

  listPolicies(_ctx: RequestContext): Promise<PricingPolicy[]> {
    return this.store.listPolicies();
  }

  /**
   * A fresh suggestion for every SKU with an enabled policy whose figures call for a change of
   * at least 1%: health over the last 30 days, elasticity over the lookback. Each new PENDING
   * suggestion supersedes the SKU's older PENDING one. Returns how many were made.
   */
  async suggestAll(_ctx: RequestContext): Promise<number> {
    const policies = (await this.store.listPolicies()).filter((p) => p.enabled);
    if (policies.length === 0) return 0;
    const now = this.clock.now();
    const today = dayOf(now, this.settings.timeZone);
    const window = windowOf(today, DEFAULT_WINDOW_DAYS);
    const lookback = windowOf(today, this.settings.lookbackDays);
    const skuIds = policies.map((p) => p.skuId);
    const facts = new Map(
      (await this.inventory.windowFacts(window.fromDay, window.toDay, skuIds)).map((f) => [
        f.skuId,
        f,
      ]),
    );
    const prices = await this.inventory.currentPrices(skuIds);
    let made = 0;
    for (const policy of policies) {
      const f = facts.get(policy.skuId);
      const current = prices.get(policy.skuId);
      if (!f || !current) continue; // never seen in a catalog snapshot
      const health = skuHealth(f, DEFAULT_WINDOW_DAYS, this.settings);
      const history = await this.inventory.priceHistory(
        policy.skuId,
        lookback.fromDay,
        lookback.toDay,
      );
      const elasticity = estimateElasticity(
        pricePeriods(history.points, history.unitsByDay, lookback.fromDay, lookback.toDay),
        this.settings.defaultElasticity,
      );
      const outcome = suggestPrice({
        policy,
        current,
        onHand: f.onHand,
        unitsSold: f.unitsSold,
        windowDays: DEFAULT_WINDOW_DAYS,
        daysOfSupply: health.daysOfSupply,
        sellThrough: health.sellThrough,
        elasticity,
        maxStep: this.settings.maxStep,
        minChange: MIN_CHANGE,
      });
      if (!outcome.suggested) continue;
      await this.store.addSuggestion({
        id: this.ids.newId(),
        skuId: policy.skuId,
        currentPrice: current,
        suggestedPrice: outcome.suggested,
        reasons: outcome.reasons,
        elasticity: elasticity.value,
        daysOfSupply: health.daysOfSupply,
        sellThrough: health.sellThrough,
        status: 'PENDING',
        createdAt: now,
        decidedBy: '',
        decidedAt: null,
      });
      made++;
    }
    return made;
  }

  /** status '' or one of the four; limit 0 → 50, at most 500. */
  async listSuggestions(
    _ctx: RequestContext,
    q: { status: string; limit: number },
  ): Promise<PriceSuggestion[]> {
    const status = q.status.toUpperCase();
    if (status && !STATUSES.includes(status as SuggestionStatus))
      throw bad('status', 'SUGGESTION_QUERY_INVALID', `must be one of ${STATUSES.join(', ')}`);
    if (!Number.isInteger(q.limit) || q.limit < 0)
      throw bad('limit', 'SUGGESTION_QUERY_INVALID', 'must not be negative');
    return this.store.listSuggestions(
      status as SuggestionStatus | '',
      Math.min(q.limit || 50, 500),
    );
  }

  /**
   * approve: catalog's SetSkuPrice (request id = the suggestion id, so a retry after a lost
   * answer changes the price once; reason price-suggestion, reference = the id, actor =
   * decided_by), then APPROVED; reject: REJECTED. Either only from PENDING
   * (FAILED_PRECONDITION SUGGESTION_NOT_PENDING); catalog's refusals pass through and leave the
   * suggestion PENDING.
   */
  async decide(
    ctx: RequestContext,
    input: { id: string; decision: string; decidedBy: string },
  ): Promise<PriceSuggestion> {
    if (!UUID_RE.test(input.id ?? ''))
      throw bad('id', 'SUGGESTION_DECISION_INVALID', 'must be a UUID');
    const decision = (input.decision ?? '').toLowerCase();
    if (decision !== 'approve' && decision !== 'reject')
      throw bad('decision', 'SUGGESTION_DECISION_INVALID', 'must be approve or reject');
    const decidedBy = (input.decidedBy ?? '').trim();
    if (!decidedBy || decidedBy.length > 200)
      throw bad('decided_by', 'SUGGESTION_DECISION_INVALID', 'must be 1..200 characters');
    return this.store.decide(input.id.toLowerCase(), async (s) => {
      if (s.status !== 'PENDING')
        throw new AnalyticsError(
          'FAILED_PRECONDITION',
          'SUGGESTION_NOT_PENDING',
          `suggestion ${s.id} is ${s.status}`,
          { id: s.id, status: s.status },
        );
      if (decision === 'approve')
        await this.catalog.setSkuPrice(ctx, {
          skuId: s.skuId,
          price: s.suggestedPrice,
          reason: 'price-suggestion',
          reference: s.id,
          actorId: decidedBy,
          requestId: s.id,
        });
      return {
        ...s,
        status: decision === 'approve' ? 'APPROVED' : 'REJECTED',
        decidedBy,
        decidedAt: this.clock.now(),
      };
    });
  }
}
