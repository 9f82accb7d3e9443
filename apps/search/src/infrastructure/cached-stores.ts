import type { Logger } from '@emporia/platform';
import type { CategoryNames, FlashSales } from '../application/ports';
import type { FlashSaleRecord } from '../domain/flash-offer';

/** A store of flash sales that can also list every sale not ended (up to a limit). */
export interface FlashSaleSource extends FlashSales {
  /** Sales that have not ended at `now`, at most `limit` (more: the list is cut). */
  unended(now: Date, limit: number): Promise<FlashSaleRecord[]>;
}

/**
 * The flash sales not ended yet, held in memory and reloaded every `refreshMs`, so a search asks
 * Elasticsearch once (the products) instead of twice. Bound: a sale stored by any instance
 * before time T is shown from T + 2 × refreshMs on (the list is used only while its last load
 * started less than 2 × refreshMs ago, else each search queries the store as before); a sale
 * this instance stores (its consumer) is shown at once. More than `limit` unended sales: each
 * search queries the store.
 */
export class CachedFlashSales implements FlashSales {
  private byProduct?: Map<string, FlashSaleRecord[]>;
  /** When the load held in `byProduct` started (ms since the epoch). */
  private loadedFrom = 0;
  /** Sales this instance stored, applied over a load that started before they were written. */
  private written = new Map<string, { sale: FlashSaleRecord; at: number }>();
  private timer?: NodeJS.Timeout;
  private loading?: Promise<void>;

  constructor(
    private readonly store: FlashSaleSource,
    private readonly logger: Logger,
    private readonly opts: { refreshMs: number; limit: number; now?: () => number } = {
      refreshMs: 1000,
      limit: 5000,
    },
  ) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** Loads the list, then reloads it every refreshMs. */
  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload(), this.opts.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.loading;
  }

  /** One load of every unended sale (concurrent calls share it); a failure keeps the last. */
  reload(): Promise<void> {
    this.loading ??= (async () => {
      const from = this.now();
      try {
        const sales = await this.store.unended(new Date(from), this.opts.limit + 1);
        if (sales.length > this.opts.limit) {
          this.byProduct = undefined;
          this.logger.warn(
            { limit: this.opts.limit },
            'more unended flash sales than the cache holds: each search queries them',
          );
          return;
        }
        // what this instance wrote before the load started is in it (written with refresh)
        for (const [id, w] of this.written) if (w.at < from) this.written.delete(id);
        const byId = new Map(sales.map((s) => [s.saleId, s]));
        for (const [id, w] of this.written) byId.set(id, w.sale);
        this.byProduct = group(byId.values());
        this.loadedFrom = from;
      } catch (e) {
        this.logger.warn({ err: (e as Error).message }, 'flash sales not reloaded');
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  async put(sale: FlashSaleRecord): Promise<void> {
    await this.store.put(sale);
    this.written.set(sale.saleId, { sale, at: this.now() });
    if (this.byProduct) {
      const others = (this.byProduct.get(sale.productId) ?? []).filter(
        (s) => s.saleId !== sale.saleId,
      );
      // a sale moved to another product (not expected) is dropped from the old one at the next load
      this.byProduct.set(sale.productId, [...others, sale]);
    }
  }

  forProducts(productIds: readonly string[], now: Date): Promise<FlashSaleRecord[]> {
    const held = this.byProduct;
    if (!held || this.now() - this.loadedFrom >= 2 * this.opts.refreshMs) {
      return this.store.forProducts(productIds, now);
    }
    const t = now.getTime();
    const out: FlashSaleRecord[] = [];
    for (const id of new Set(productIds)) {
      for (const s of held.get(id) ?? []) if (Date.parse(s.endsAt) > t) out.push(s);
    }
    return Promise.resolve(out);
  }
}

function group(sales: Iterable<FlashSaleRecord>): Map<string, FlashSaleRecord[]> {
  const out = new Map<string, FlashSaleRecord[]>();
  for (const s of sales) out.set(s.productId, [...(out.get(s.productId) ?? []), s]);
  return out;
}

/**
 * Category names kept in memory for `ttlMs` after they were read (names not found too), so the
 * category facet's labels cost no request while they are fresh. Bound: a name stored by any
 * instance before time T is shown from T + ttlMs on; a name this instance stores (its consumer)
 * is shown at once. At most `maxEntries` names are held (expired ones dropped first, then all).
 */
export class CachedCategoryNames implements CategoryNames {
  private held = new Map<string, { name: string | undefined; at: number }>();

  constructor(
    private readonly store: CategoryNames,
    private readonly opts: { ttlMs: number; maxEntries: number; now?: () => number } = {
      ttlMs: 2000,
      maxEntries: 10_000,
    },
  ) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  async put(category: { id: string; name: string; pathIds: string[] }): Promise<void> {
    await this.store.put(category);
    this.remember(category.id, category.name, this.now());
  }

  async names(ids: readonly string[]): Promise<Map<string, string>> {
    const now = this.now();
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of ids) {
      const e = this.held.get(id);
      if (e && now - e.at < this.opts.ttlMs) {
        if (e.name !== undefined) out.set(id, e.name);
      } else missing.push(id);
    }
    if (missing.length === 0) return out;
    // an entry is as old as the read that fetched it: started before any write it may miss
    const from = now;
    const found = await this.store.names(missing);
    for (const id of missing) {
      const name = found.get(id);
      if (name !== undefined) out.set(id, name);
      const e = this.held.get(id);
      // a name this instance stored meanwhile stays
      if (!e || e.at <= from) this.remember(id, name, from);
    }
    return out;
  }

  private remember(id: string, name: string | undefined, at: number): void {
    if (this.held.size >= this.opts.maxEntries && !this.held.has(id)) {
      const now = this.now();
      for (const [k, e] of this.held) if (now - e.at >= this.opts.ttlMs) this.held.delete(k);
      if (this.held.size >= this.opts.maxEntries) this.held.clear();
    }
    this.held.set(id, { name, at });
  }
}
