import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { AnalyticsError } from '../domain/analytics-error';
import { dayOf } from '../domain/facts';
import { windowOf } from '../domain/inventory-days';
import {
  DEFAULT_WINDOW_DAYS,
  inventoryHealth,
  MAX_WINDOW_DAYS,
  type CategoryHealthFigures,
  type SkuHealthFigures,
} from '../domain/inventory-health';
import { CLOCK } from './ports';
import type { Clock } from '@emporia/domain';
import {
  INVENTORY_STORE,
  PRICING_SETTINGS,
  type InventoryStore,
  type PricingSettings,
} from './pricing.ports';

export const DEFAULT_HEALTH_LIMIT = 100;
export const MAX_HEALTH_LIMIT = 1000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const bad = (field: string, message: string) =>
  new AnalyticsError('INVALID_ARGUMENT', 'INVENTORY_QUERY_INVALID', `${field}: ${message}`, {
    field,
  });

/** GetInventoryHealth (definitions.md): the window's figures per SKU and per category. */
@Injectable()
export class InventoryHealthUseCase {
  constructor(
    @Inject(INVENTORY_STORE) private readonly store: InventoryStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PRICING_SETTINGS) private readonly settings: PricingSettings,
  ) {}

  /**
   * window_days 0 → 30, else 1..365; limit 0 → 100, else 1..1000 (more is cut to 1000);
   * category_id '' or a UUID. The window is the W days ending today (shop time zone).
   */
  async get(
    _ctx: RequestContext,
    q: { categoryId: string; windowDays: number; limit: number },
  ): Promise<{
    skus: SkuHealthFigures[];
    categories: CategoryHealthFigures[];
    windowDays: number;
  }> {
    const windowDays = q.windowDays || DEFAULT_WINDOW_DAYS;
    if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > MAX_WINDOW_DAYS)
      throw bad('window_days', `must be 1..${MAX_WINDOW_DAYS}`);
    if (!Number.isInteger(q.limit) || q.limit < 0) throw bad('limit', 'must not be negative');
    const limit = Math.min(q.limit || DEFAULT_HEALTH_LIMIT, MAX_HEALTH_LIMIT);
    if (q.categoryId && !UUID_RE.test(q.categoryId)) throw bad('category_id', 'must be a UUID');
    const { fromDay, toDay } = windowOf(
      dayOf(this.clock.now(), this.settings.timeZone),
      windowDays,
    );
    const facts = await this.store.windowFacts(fromDay, toDay);
    return {
      ...inventoryHealth(facts, {
        windowDays,
        limit,
        categoryId: q.categoryId.toLowerCase(),
        slowDays: this.settings.slowDays,
        stockoutDays: this.settings.stockoutDays,
      }),
      windowDays,
    };
  }
}
