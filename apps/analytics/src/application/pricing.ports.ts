import type { Money } from '@emporia/money';
import type { RequestContext } from '@emporia/platform';
import type { SkuWindowFacts } from '../domain/inventory-health';
import type { PricingPolicy } from '../domain/pricing-policy';
import type { PricePoint } from '../domain/pricing-suggestion';

/** The ports of the inventory and pricing area. */

export const INVENTORY_STORE = Symbol('INVENTORY_STORE');
export const PRICING_STORE = Symbol('PRICING_STORE');
export const CATALOG_PRICES = Symbol('CATALOG_PRICES');
export const PRICING_SETTINGS = Symbol('PRICING_SETTINGS');

/** The inventory rollups the projection keeps (catalog snapshots, paid orders). */
export interface InventoryStore {
  /**
   * Every SKU seen in a snapshot, with its units sold on days fromDay..toDay and the sum over
   * those days of its end-of-day on hand (carried forward from the last snapshot on or before
   * each day; 0 before the first). `skuIds` restricts to those SKUs.
   */
  windowFacts(
    fromDay: string,
    toDay: string,
    skuIds?: readonly string[],
  ): Promise<SkuWindowFacts[]>;
  /** The SKU's price in its last snapshot. */
  currentPrices(skuIds: readonly string[]): Promise<Map<string, Money>>;
  /** The SKU's price points on or before `toDay` (the last one before `fromDay` included) and its units sold per day. */
  priceHistory(
    skuId: string,
    fromDay: string,
    toDay: string,
  ): Promise<{ points: PricePoint[]; unitsByDay: Map<string, number> }>;
}

export type SuggestionStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'SUPERSEDED';

export interface PriceSuggestion {
  id: string;
  skuId: string;
  currentPrice: Money;
  suggestedPrice: Money;
  reasons: string[];
  elasticity: number;
  daysOfSupply: number;
  sellThrough: number;
  status: SuggestionStatus;
  createdAt: Date;
  decidedBy: string;
  decidedAt: Date | null;
}

export interface PricingStore {
  upsertPolicy(policy: PricingPolicy, now: Date): Promise<PricingPolicy>;
  /** By SKU id. */
  listPolicies(): Promise<PricingPolicy[]>;
  /** Marks the SKU's PENDING suggestions SUPERSEDED and adds this one, in one transaction. */
  addSuggestion(s: PriceSuggestion): Promise<void>;
  /** Newest first; `status` '' for every status. */
  listSuggestions(status: SuggestionStatus | '', limit: number): Promise<PriceSuggestion[]>;
  /**
   * Runs `decide` on the suggestion under a row lock held until it returns (a sweep superseding
   * it waits), then stores what it returns. NOT_FOUND when there is no such suggestion.
   */
  decide(
    id: string,
    decide: (s: PriceSuggestion) => Promise<PriceSuggestion>,
  ): Promise<PriceSuggestion>;
}

/** Catalog's SetSkuPrice, as pricing needs it. */
export interface CatalogPrices {
  /** Catalog refusals keep their code and kind; an absent or silent catalog is UNAVAILABLE. */
  setSkuPrice(
    ctx: RequestContext,
    req: {
      skuId: string;
      price: Money;
      reason: string;
      reference: string;
      actorId: string;
      requestId: string;
    },
  ): Promise<void>;
}

export interface PricingSettings {
  timeZone: string;
  slowDays: number;
  stockoutDays: number;
  lookbackDays: number;
  defaultElasticity: number;
  /** Largest change of one suggestion (0.2 = 20%). */
  maxStep: number;
}
