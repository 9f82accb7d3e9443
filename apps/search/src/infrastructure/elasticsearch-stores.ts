import { Client, errors } from '@elastic/elasticsearch';
import { counter, type Logger } from '@emporia/platform';
import type {
  CategoryNames,
  ProductRatings,
  QueryStat,
  ReindexJobs,
  SearchLog,
  SynonymStore,
} from '../application/ports';
import type { FlashSaleRecord } from '../domain/flash-offer';
import type { FlashSaleSource } from './cached-stores';
import type { RatingSummary } from '../domain/product-rating';
import type { ReindexJob } from '../domain/reindex';
import { gatherSearches, type LoggedSearch, type TopQueriesWindow } from '../domain/search-log';
import type { SynonymSet } from '../domain/synonyms';

const keyword = { type: 'keyword' as const };
const date = { type: 'date' as const };

/** The small indexes search keeps beside the products: names, sales, synonyms, log and jobs. */
export const STORE_MAPPINGS = {
  categories: { name: keyword, path_ids: keyword },
  'flash-sales': {
    sale_id: keyword,
    sku_id: keyword,
    product_id: keyword,
    price_minor: { type: 'long' as const },
    currency: keyword,
    starts_at: date,
    ends_at: date,
  },
  synonyms: { terms: keyword, updated_at: date },
  ratings: {
    review_count: { type: 'integer' as const },
    rating_sum: { type: 'long' as const },
    average: { type: 'scaled_float' as const, scaling_factor: 100 },
    distribution: { type: 'integer' as const },
    with_photo_count: { type: 'integer' as const },
    changed_at: date,
  },
  log: {
    query: keyword,
    raw: keyword,
    results: { type: 'integer' as const },
    filtered: { type: 'boolean' as const },
    sort: keyword,
    at: date,
    /** How many times the search was made within the second (absent in older documents: 1). */
    searches: { type: 'integer' as const },
  },
  jobs: { job: { type: 'object' as const, enabled: false }, job_id: keyword },
};
export type StoreName = keyof typeof STORE_MAPPINGS;

export class SearchStores {
  constructor(
    readonly client: Client,
    private readonly prefix: string,
  ) {}

  index(name: StoreName): string {
    return `${this.prefix}search-${name}`;
  }

  /**
   * Creates the stores that do not exist yet (safe to race); an existing one gets the fields
   * added since it was created (a mapping only grows: the log's `searches`).
   */
  async ensure(): Promise<void> {
    for (const [name, properties] of Object.entries(STORE_MAPPINGS)) {
      const index = this.index(name as StoreName);
      if (await this.client.indices.exists({ index })) {
        await this.client.indices.putMapping({ index, properties });
        continue;
      }
      try {
        await this.client.indices.create({
          index,
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: { dynamic: 'strict', properties },
        });
      } catch (e) {
        const type = (e as errors.ResponseError).body?.error?.type;
        if (type !== 'resource_already_exists_exception') throw e;
      }
    }
  }
}

export class EsCategoryNames implements CategoryNames {
  constructor(private readonly stores: SearchStores) {}

  async put(c: { id: string; name: string; pathIds: string[] }): Promise<void> {
    await this.stores.client.index({
      index: this.stores.index('categories'),
      id: c.id,
      document: { name: c.name, path_ids: c.pathIds },
    });
  }

  async names(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const res = await this.stores.client.mget<{ name: string }>({
      index: this.stores.index('categories'),
      ids: [...ids],
    });
    const out = new Map<string, string>();
    for (const d of res.docs) {
      if ('found' in d && d.found && d._source) out.set(d._id, d._source.name);
    }
    return out;
  }
}

type RatingDoc = {
  review_count: number;
  rating_sum: number;
  average: number;
  distribution: number[];
  with_photo_count: number;
  changed_at: string;
};

/**
 * Rating summaries by product id (`<prefix>search-ratings`), each under the external version of
 * its summary, so the store keeps the highest whatever the delivery order.
 */
export class EsProductRatings implements ProductRatings {
  constructor(private readonly stores: SearchStores) {}

  async put(r: RatingSummary): Promise<'applied' | 'stale'> {
    const doc: RatingDoc = {
      review_count: r.reviewCount,
      rating_sum: r.ratingSum,
      average: r.average,
      distribution: r.distribution,
      with_photo_count: r.withPhotoCount,
      changed_at: r.changedAt,
    };
    try {
      await this.stores.client.index({
        index: this.stores.index('ratings'),
        id: r.productId,
        document: doc,
        version: r.version,
        version_type: 'external',
      });
      return 'applied';
    } catch (e) {
      if (e instanceof errors.ResponseError && e.statusCode === 409) return 'stale';
      throw e;
    }
  }

  async forProducts(productIds: readonly string[]): Promise<Map<string, RatingSummary>> {
    if (productIds.length === 0) return new Map();
    const res = await this.stores.client.mget<RatingDoc>({
      index: this.stores.index('ratings'),
      ids: [...productIds],
    });
    const out = new Map<string, RatingSummary>();
    for (const d of res.docs) {
      if (!('found' in d) || !d.found || !d._source || d._version === undefined) continue;
      const s = d._source;
      out.set(d._id, {
        productId: d._id,
        reviewCount: s.review_count,
        ratingSum: s.rating_sum,
        average: s.average,
        distribution: s.distribution,
        withPhotoCount: s.with_photo_count,
        version: d._version,
        changedAt: s.changed_at,
      });
    }
    return out;
  }
}

type SaleDoc = {
  sale_id: string;
  sku_id: string;
  product_id: string;
  price_minor: number;
  currency: string;
  starts_at: string;
  ends_at: string;
};

export class EsFlashSales implements FlashSaleSource {
  constructor(private readonly stores: SearchStores) {}

  async put(s: FlashSaleRecord): Promise<void> {
    const doc: SaleDoc = {
      sale_id: s.saleId,
      sku_id: s.skuId,
      product_id: s.productId,
      price_minor: s.priceMinor,
      currency: s.currency,
      starts_at: s.startsAt,
      ends_at: s.endsAt,
    };
    await this.stores.client.index({
      index: this.stores.index('flash-sales'),
      id: s.saleId,
      document: doc,
      refresh: 'wait_for',
    });
  }

  async forProducts(productIds: readonly string[], now: Date): Promise<FlashSaleRecord[]> {
    if (productIds.length === 0) return [];
    return this.find([{ terms: { product_id: [...productIds] } }], now, 1000);
  }

  unended(now: Date, limit: number): Promise<FlashSaleRecord[]> {
    return this.find([], now, limit);
  }

  private async find(filter: object[], now: Date, size: number): Promise<FlashSaleRecord[]> {
    const res = await this.stores.client.search<SaleDoc>({
      index: this.stores.index('flash-sales'),
      size,
      query: { bool: { filter: [...filter, { range: { ends_at: { gt: now.toISOString() } } }] } },
    });
    return res.hits.hits.map(({ _source: d }) => ({
      saleId: d!.sale_id,
      skuId: d!.sku_id,
      productId: d!.product_id,
      priceMinor: d!.price_minor,
      currency: d!.currency,
      startsAt: d!.starts_at,
      endsAt: d!.ends_at,
    }));
  }
}

export class EsSynonymStore implements SynonymStore {
  constructor(private readonly stores: SearchStores) {}

  async put(set: SynonymSet): Promise<void> {
    await this.stores.client.index({
      index: this.stores.index('synonyms'),
      id: set.id,
      document: { terms: set.terms, updated_at: set.updatedAt },
      refresh: 'wait_for',
    });
  }

  async delete(id: string): Promise<boolean> {
    try {
      await this.stores.client.delete({
        index: this.stores.index('synonyms'),
        id,
        refresh: 'wait_for',
      });
      return true;
    } catch (e) {
      if (e instanceof errors.ResponseError && e.statusCode === 404) return false;
      throw e;
    }
  }

  async list(): Promise<SynonymSet[]> {
    const res = await this.stores.client.search<{ terms: string[]; updated_at: string }>({
      index: this.stores.index('synonyms'),
      size: 10_000,
      sort: [{ _id: 'asc' }],
    });
    return res.hits.hits.map((h) => ({
      id: h._id!,
      terms: h._source!.terms,
      updatedAt: h._source!.updated_at,
    }));
  }
}

const logDropped = counter(
  'search_log_dropped_total',
  'Search log entries dropped because the buffer was full or Elasticsearch refused them',
);

/**
 * The search log: entries are buffered in memory (bounded) and written in bulk every second or
 * every 500 entries, so logging never slows or fails a search. Entries are lost only when the
 * buffer overflows during an outage, counted by `search_log_dropped_total`. A write gathers the
 * same search made several times in a second into one document with its count (`searches`:
 * at 300 searches a second of a few popular queries, a few dozen documents a second instead of
 * 300); the readers sum the counts, a document without one (written before) counting once. An
 * entry may itself count several searches (`searches`: repeats a gateway answered from its copy).
 */
export class EsSearchLog implements SearchLog {
  private buffer: LoggedSearch[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly stores: SearchStores,
    private readonly logger: Logger,
    private readonly opts = { flushEveryMs: 1000, batch: 500, maxBuffered: 10_000 },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.opts.flushEveryMs);
    this.timer.unref();
  }

  record(entry: LoggedSearch): void {
    if (this.buffer.length >= this.opts.maxBuffered) {
      logDropped.inc(entry.searches ?? 1);
      return;
    }
    this.buffer.push(entry);
    if (this.buffer.length >= this.opts.batch) void this.flush();
  }

  /** Writes what is buffered; concurrent calls share one write. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return Promise.resolve();
    const batch = this.buffer.splice(0, this.opts.batch);
    const docs = gatherSearches(batch);
    this.flushing = this.stores.client
      .bulk({
        operations: docs.flatMap((d) => [{ index: { _index: this.stores.index('log') } }, d]),
      })
      .then((res) => {
        let failed = 0;
        res.items.forEach((item, i) => {
          if (item.index?.error) failed += docs[i]?.searches ?? 1;
        });
        if (failed) logDropped.inc(failed);
      })
      .catch((e: unknown) => {
        // keep them for the next attempt, within the bound
        const room = Math.max(0, this.opts.maxBuffered - this.buffer.length);
        this.buffer.unshift(...batch.slice(0, room));
        const lost = batch.slice(room).reduce((n, e) => n + (e.searches ?? 1), 0);
        if (lost) logDropped.inc(lost);
        this.logger.warn({ err: (e as Error).message }, 'search log write failed; will retry');
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let i = 0; i < 20 && this.buffer.length; i++) await this.flush();
    await this.flushing;
  }

  async top(w: TopQueriesWindow): Promise<{ queries: QueryStat[]; totalSearches: number }> {
    await this.flush();
    await this.stores.client.indices.refresh({ index: this.stores.index('log') });
    type B = {
      key: string;
      searches: { value: number };
      zero: { searches: { value: number } };
      average: { value: number | null };
      last: { value_as_string?: string };
    };
    const res = await this.stores.client.search({
      index: this.stores.index('log'),
      size: 0,
      query: { range: { at: { gte: w.since.toISOString(), lt: w.until.toISOString() } } },
      aggs: {
        total: SEARCHES,
        top: {
          filter: w.zeroResultsOnly ? { term: { results: 0 } } : { match_all: {} },
          aggs: {
            queries: {
              terms: {
                field: 'query',
                size: w.limit,
                order: [{ searches: 'desc' }, { _key: 'asc' }],
              },
              aggs: {
                searches: SEARCHES,
                zero: { filter: { term: { results: 0 } }, aggs: { searches: SEARCHES } },
                average: {
                  weighted_avg: {
                    value: { field: 'results' },
                    weight: { field: 'searches', missing: 1 },
                  },
                },
                last: { max: { field: 'at' } },
              },
            },
          },
        },
      },
    });
    const aggs = res.aggregations as {
      total: { value: number };
      top: { queries: { buckets: B[] } };
    };
    return {
      totalSearches: aggs.total.value,
      queries: (aggs.top.queries.buckets ?? []).map((b) => ({
        query: b.key,
        searches: b.searches.value,
        zeroResultSearches: b.zero.searches.value,
        averageResults: b.average.value ?? 0,
        lastSearchedAt: b.last.value_as_string ?? '',
      })),
    };
  }

  async popularWithPrefix(prefix: string, limit: number): Promise<string[]> {
    const res = await this.stores.client.search({
      index: this.stores.index('log'),
      size: 0,
      query: {
        bool: {
          filter: [
            { prefix: { query: prefix } },
            { range: { results: { gt: 0 } } },
            { range: { at: { gte: 'now-30d' } } },
          ],
        },
      },
      aggs: {
        queries: {
          terms: { field: 'query', size: limit, order: [{ searches: 'desc' }, { _key: 'asc' }] },
          aggs: { searches: SEARCHES },
        },
      },
    });
    return (
      (res.aggregations as { queries: { buckets: { key: string }[] } }).queries.buckets ?? []
    ).map((b) => b.key);
  }
}

/** The searches a set of log documents counts (a document from before `searches` counts once). */
const SEARCHES = { sum: { field: 'searches', missing: 1 } };

const LOCK = 'reindex-lock';

/** Reindex jobs; one lock document names the running job and is swapped with optimistic concurrency. */
export class EsReindexJobs implements ReindexJobs {
  constructor(private readonly stores: SearchStores) {}

  private get index() {
    return this.stores.index('jobs');
  }

  async claim(
    job: ReindexJob,
    mayReplace: (latest: ReindexJob | undefined) => boolean,
  ): Promise<boolean> {
    const lock = await this.stores.client
      .get<{ job_id: string }>({ index: this.index, id: LOCK })
      .catch((e: unknown) => {
        if (e instanceof errors.ResponseError && e.statusCode === 404) return undefined;
        throw e;
      });
    const latest = lock?._source ? await this.get(lock._source.job_id) : undefined;
    if (!mayReplace(latest)) return false;
    await this.save(job);
    try {
      await this.stores.client.index({
        index: this.index,
        id: LOCK,
        document: { job_id: job.id },
        ...(lock
          ? { if_seq_no: lock._seq_no!, if_primary_term: lock._primary_term! }
          : { op_type: 'create' as const }),
      });
      return true;
    } catch (e) {
      if (e instanceof errors.ResponseError && e.statusCode === 409) {
        await this.stores.client.delete({ index: this.index, id: job.id }).catch(() => undefined);
        return false;
      }
      throw e;
    }
  }

  async save(job: ReindexJob): Promise<void> {
    await this.stores.client.index({
      index: this.index,
      id: job.id,
      document: { job, job_id: job.id },
    });
  }

  async get(id: string): Promise<ReindexJob | undefined> {
    const got = await this.stores.client
      .get<{ job: ReindexJob }>({ index: this.index, id })
      .catch((e: unknown) => {
        if (e instanceof errors.ResponseError && e.statusCode === 404) return undefined;
        throw e;
      });
    return got?._source?.job;
  }

  async latest(): Promise<ReindexJob | undefined> {
    const got = await this.stores.client
      .get<{ job_id: string }>({ index: this.index, id: LOCK })
      .catch(() => undefined);
    return got?._source ? this.get(got._source.job_id) : undefined;
  }
}
