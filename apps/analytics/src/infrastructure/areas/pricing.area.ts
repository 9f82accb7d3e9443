import {
  CATALOG_PRICES,
  INVENTORY_STORE,
  PRICING_SETTINGS,
  PRICING_STORE,
  type PricingSettings,
} from '../../application/pricing.ports';
import { InventoryHealthUseCase } from '../../application/inventory-health.use-case';
import { PricingUseCase } from '../../application/pricing.use-case';
import { PricingGrpcController } from '../../interface/pricing.grpc-controller';
import type { Area, AreaContext } from '../area';
import { inventoryProjection } from '../inventory-projection';
import { GrpcCatalogPrices } from '../pricing-catalog.adapter';
import { SqlPricingStore } from '../pricing-sql.store';

/**
 * Inventory health and dynamic pricing: the inventory projection (catalog snapshots, paid
 * orders), GetInventoryHealth, pricing policies and suggestions, the `price-suggestions` sweep
 * (every ANALYTICS_PRICING_INTERVAL_MS), and approvals through catalog's SetSkuPrice.
 */
export function pricingArea(ctx: AreaContext): Area {
  const { config } = ctx;
  const store = new SqlPricingStore(ctx.postgres);
  const settings: PricingSettings = {
    timeZone: config.ANALYTICS_TIME_ZONE,
    slowDays: config.ANALYTICS_SLOW_DAYS,
    stockoutDays: config.ANALYTICS_STOCKOUT_DAYS,
    lookbackDays: config.ANALYTICS_PRICING_LOOKBACK_DAYS,
    defaultElasticity: config.ANALYTICS_DEFAULT_ELASTICITY,
    maxStep: config.ANALYTICS_PRICING_MAX_STEP_PCT / 100,
  };
  return {
    controllers: [PricingGrpcController],
    providers: [
      { provide: INVENTORY_STORE, useValue: store },
      { provide: PRICING_STORE, useValue: store },
      { provide: CATALOG_PRICES, useValue: new GrpcCatalogPrices(ctx.catalog) },
      { provide: PRICING_SETTINGS, useValue: settings },
      InventoryHealthUseCase,
      PricingUseCase,
    ],
    projections: [inventoryProjection],
    sweeps: (get) => [
      {
        name: 'price-suggestions',
        everyMs: config.ANALYTICS_PRICING_INTERVAL_MS,
        run: (c) => get(PricingUseCase).suggestAll(c),
      },
    ],
  };
}
