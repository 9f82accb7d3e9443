import type { Money } from '@emporia/money';
import type { RequestContext } from '@emporia/platform';
import { AnalyticsError } from '../domain/analytics-error';
import type { SkuWindowFacts } from '../domain/inventory-health';
import type { PricingPolicy } from '../domain/pricing-policy';
import type { PricePoint } from '../domain/pricing-suggestion';
import type {
  CatalogPrices,
  InventoryStore,
  PriceSuggestion,
  PricingStore,
  SuggestionStatus,
} from '../application/pricing.ports';

/**
 * In-memory ports of the pricing area for fast use-case tests. The inventory fake holds the
 * figures the projection would have kept, by SKU: its snapshot (on hand, price, category path),
 * units sold per day and end-of-day on hand per day (carried forward like the SQL).
 */
export class InMemoryInventory implements InventoryStore {
  skus = new Map<
    string,
    Omit<SkuWindowFacts, 'unitsSold' | 'onHandDaySum'> & { price: Money; points: PricePoint[] }
  >();
  sales = new Map<string, Map<string, number>>();
  onHandByDay = new Map<string, Map<string, number>>();

  async windowFacts(fromDay: string, toDay: string, skuIds?: readonly string[]) {
    return [...this.skus.values()]
      .filter((s) => !skuIds || skuIds.includes(s.skuId))
      .map((s) => {
        const sold = [...(this.sales.get(s.skuId) ?? new Map<string, number>()).entries()]
          .filter(([d]) => d >= fromDay && d <= toDay)
          .reduce((a, [, u]) => a + u, 0);
        const days = [
          ...(this.onHandByDay.get(s.skuId) ?? new Map<string, number>()).entries(),
        ].sort();
        let sum = 0;
        for (let d = fromDay; d <= toDay; d = next(d)) {
          const last = days.filter(([x]) => x <= d).pop();
          sum += last ? last[1] : 0;
        }
        return {
          skuId: s.skuId,
          productId: s.productId,
          categoryId: s.categoryId,
          categoryPathIds: s.categoryPathIds,
          onHand: s.onHand,
          unitsSold: sold,
          onHandDaySum: sum,
        };
      });
  }
  async currentPrices(skuIds: readonly string[]) {
    return new Map(
      [...this.skus.values()]
        .filter((s) => skuIds.includes(s.skuId))
        .map((s) => [s.skuId, s.price]),
    );
  }
  async priceHistory(skuId: string, _fromDay: string, toDay: string) {
    const s = this.skus.get(skuId);
    return {
      points: (s?.points ?? []).filter((p) => p.day <= toDay),
      unitsByDay: new Map(this.sales.get(skuId) ?? []),
    };
  }
}

const next = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export class InMemoryPricingStore implements PricingStore {
  policies = new Map<string, PricingPolicy>();
  suggestions: PriceSuggestion[] = [];

  async upsertPolicy(p: PricingPolicy) {
    this.policies.set(p.skuId, p);
    return p;
  }
  listPolicies = async () =>
    [...this.policies.values()].sort((a, b) => (a.skuId < b.skuId ? -1 : 1));
  async addSuggestion(s: PriceSuggestion) {
    this.suggestions = this.suggestions.map((x) =>
      x.skuId === s.skuId && x.status === 'PENDING' ? { ...x, status: 'SUPERSEDED' } : x,
    );
    this.suggestions.push(s);
  }
  listSuggestions = async (status: SuggestionStatus | '', limit: number) =>
    this.suggestions
      .filter((s) => !status || s.status === status)
      .reverse()
      .slice(0, limit);
  async decide(id: string, decide: (s: PriceSuggestion) => Promise<PriceSuggestion>) {
    const s = this.suggestions.find((x) => x.id === id);
    if (!s) throw new AnalyticsError('NOT_FOUND', 'SUGGESTION_NOT_FOUND', `no suggestion ${id}`);
    const after = await decide(s);
    this.suggestions = this.suggestions.map((x) => (x.id === id ? after : x));
    return after;
  }
}

/** Catalog's SetSkuPrice: records calls; same request id twice sets once; `refuse` fails the next call. */
export class FakeCatalogPrices implements CatalogPrices {
  calls: Parameters<CatalogPrices['setSkuPrice']>[1][] = [];
  prices = new Map<string, Money>();
  refuse: AnalyticsError | null = null;
  async setSkuPrice(_ctx: RequestContext, req: Parameters<CatalogPrices['setSkuPrice']>[1]) {
    if (this.refuse) {
      const e = this.refuse;
      this.refuse = null;
      throw e;
    }
    if (this.calls.some((c) => c.requestId === req.requestId)) return;
    this.calls.push(req);
    this.prices.set(req.skuId, req.price);
  }
}
