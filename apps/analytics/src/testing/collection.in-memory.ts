import type {
  AbandonedCartView,
  BehaviourPublisher,
  CollectionSettings,
  Figures,
  FunnelFilters,
  KpiSplit,
} from '../application/collection.ports';
import type { CollectedEvent } from '../domain/behaviour-validation';
import type { DayRange } from '../domain/days';
import type { AttributionRow, FunnelStepName, KpiDay } from '../domain/figures';

/** Keeps what it was asked to publish; `failWith` makes the next publishes fail (broker down). */
export class FakeBehaviourPublisher implements BehaviourPublisher {
  readonly published: CollectedEvent[] = [];
  calls = 0;
  failWith: Error | null = null;

  async publish(events: readonly CollectedEvent[]): Promise<void> {
    this.calls += 1;
    if (this.failWith) throw this.failWith;
    this.published.push(...events);
  }
}

export const collectionSettings = (over: Partial<CollectionSettings> = {}): CollectionSettings => ({
  maxBatch: 100,
  skewMs: 300_000,
  maxLateMs: 7 * 86_400_000,
  maxLateDays: 7,
  retentionDays: 400,
  defaultCurrency: 'CNY',
  cartAbandonMinutes: 60,
  cartReminderCapHours: 72,
  cartSweepBatch: 100,
  ...over,
});

/** Figures answered from rows set by the test; remembers the last question asked. */
export class InMemoryFigures implements Figures {
  days: KpiDay[] = [];
  buyers = { payers: 0, newBuyers: 0 };
  funnelCounts: Record<FunnelStepName, number> = { view: 0, cart: 0, checkout: 0, paid: 0 };
  attributionRows: AttributionRow[] = [];
  carts: AbandonedCartView[] = [];
  asked: {
    range?: DayRange;
    split?: KpiSplit;
    buyersChannel?: string | null;
    filters?: FunnelFilters;
    limit?: number;
  } = {};

  async kpiDays(range: DayRange, split: KpiSplit): Promise<KpiDay[]> {
    this.asked = { ...this.asked, range, split };
    return this.days.filter((d) => d.day >= range.from && d.day <= range.to);
  }
  async buyersInRange(_range: DayRange, channel: string | null) {
    this.asked.buyersChannel = channel;
    return this.buyers;
  }
  async funnel(range: DayRange, filters: FunnelFilters) {
    this.asked = { ...this.asked, range, filters };
    return this.funnelCounts;
  }
  async attribution(range: DayRange): Promise<AttributionRow[]> {
    this.asked.range = range;
    return this.attributionRows;
  }
  async abandonedCarts(limit: number): Promise<AbandonedCartView[]> {
    this.asked.limit = limit;
    return this.carts.slice(0, limit);
  }
}
