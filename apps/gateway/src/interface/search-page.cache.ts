import type { searchV1 } from '@emporia/contracts';
import { counter, ThrottledWarning, type Logger, type Worker } from '@emporia/platform';

/** Search pages kept per gateway replica by default (tens of KB each). */
export const SEARCH_PAGE_CACHE_SIZE = 1000;
/** Distinct searches whose repeats wait for the next report, at most (more are dropped, counted). */
const MAX_PENDING_REPEATS = 10_000;
/** RecordSearches' own limits: repeats of one search, searches of one call. */
const MAX_REPEATS = 100_000;
const MAX_PER_REPORT = 10_000;

const lookups = counter(
  'emporia_gateway_search_cache_total',
  "Shoppers' searches by how this replica answered: hit (its copy of the page), joined (the same search in flight), miss (asked the search service)",
  ['outcome'],
);
const counted = {
  hit: lookups.labels('hit'),
  joined: lookups.labels('joined'),
  miss: lookups.labels('miss'),
};
const repeatsLost = counter(
  'emporia_gateway_search_repeats_dropped_total',
  'Searches answered from the copy that the search log will not count: the report failed or too many distinct searches waited',
);

/** What the search service answered for one search. */
export interface SearchAnswer {
  pageJson: string;
  maxAgeMs: number;
  total: number;
  logged: boolean;
}

interface Entry {
  answer: SearchAnswer;
  request: searchV1.SearchProductsRequest;
  /** Answered again until then (ms, `now()`). */
  until: number;
}

interface Pending {
  search: searchV1.SearchProductsRequest;
  total: number;
  count: number;
  lastAt: number;
}

export interface SearchPageCacheOptions {
  /** The longest a page is answered again, whatever the service allows; 0 turns the copy off. */
  maxMs: number;
  /** Pages kept at most (the oldest dropped first). */
  size?: number;
  /** Where the repeats of logged searches go (the search service's RecordSearches). */
  report: (searches: searchV1.RepeatedSearch[]) => Promise<unknown>;
  /** The clock (ms), for tests. */
  now?: () => number;
  /** Wall-clock time (ms) of a repeat, for the log; for tests. */
  wallClock?: () => number;
}

/**
 * The shoppers' search pages of one gateway replica (`GET /v1/search/products`): during a sale
 * the same few searches arrive hundreds of times a second, and each one the search service
 * answers from its result cache still costs a gRPC exchange of a 12 KB page on both sides.
 *
 * Staleness bound: a page is answered again only for what the search service said is left of it
 * (`max_age_ms`: its time in the service's result cache, never past a flash sale shown starting
 * or ending), at most `maxMs`, counted from when it arrived here. So a page is never older than
 * the service's own bound (Elasticsearch's refresh + SEARCH_RESULT_CACHE_MS after a change was
 * indexed) plus the transit of the answer; a shown sale's `active` turns at its start and end.
 * Keyed by the exact request the service is asked; concurrent misses share one request; a failure
 * is never kept.
 *
 * The search log still counts every search: a repeat answered here of a search the service logs
 * (`logged`: text, first page) is counted by search and reported with RecordSearches once a
 * second (`flush`) and at shutdown, with the page's total and the last repeat's time. A report
 * that fails is tried again with the next one; repeats are lost only when it keeps failing past
 * MAX_PENDING_REPEATS distinct searches (counted).
 */
export class SearchPageCache {
  private readonly entries = new Map<string, Entry>();
  private readonly asking = new Map<string, Promise<SearchAnswer>>();
  private pending = new Map<string, Pending>();
  private reporting?: Promise<void>;
  private readonly size: number;
  private readonly now: () => number;
  private readonly wallClock: () => number;

  constructor(private readonly opts: SearchPageCacheOptions) {
    this.size = opts.size ?? SEARCH_PAGE_CACHE_SIZE;
    this.now = opts.now ?? (() => performance.now());
    this.wallClock = opts.wallClock ?? Date.now;
  }

  /** The page of `request`: this replica's copy, or `ask` (the search service). */
  async get(
    request: searchV1.SearchProductsRequest,
    ask: () => Promise<SearchAnswer>,
  ): Promise<string> {
    if (this.opts.maxMs === 0) return (await ask()).pageJson;
    const key = JSON.stringify(request);
    const entry = this.entries.get(key);
    if (entry) {
      if (this.now() < entry.until) {
        counted.hit.inc();
        this.repeated(key, entry.request, entry.answer);
        return entry.answer.pageJson;
      }
      this.entries.delete(key);
    }
    const inflight = this.asking.get(key);
    if (inflight) {
      counted.joined.inc();
      const answer = await inflight;
      this.repeated(key, request, answer);
      return answer.pageJson;
    }
    counted.miss.inc();
    const asked = ask()
      .then((answer) => {
        const keep = Math.min(answer.maxAgeMs, this.opts.maxMs);
        if (keep > 0) {
          this.entries.delete(key);
          this.entries.set(key, { answer, request, until: this.now() + keep });
          if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
        }
        return answer;
      })
      .finally(() => this.asking.delete(key));
    this.asking.set(key, asked);
    return (await asked).pageJson;
  }

  /** Reports the repeats counted since the last report (one call; concurrent calls share it). */
  flush(): Promise<void> {
    if (this.reporting) return this.reporting;
    if (this.pending.size === 0) return Promise.resolve();
    const batch = this.pending;
    this.pending = new Map();
    // RecordSearches takes at most 100,000 repeats per search and 10,000 searches per call
    const parts = [...batch].flatMap(([key, p]) =>
      Array.from({ length: Math.ceil(p.count / MAX_REPEATS) }, (_, i) => ({
        key,
        p,
        count: Math.min(MAX_REPEATS, p.count - i * MAX_REPEATS),
      })),
    );
    let sent = 0;
    const report = async () => {
      while (sent < parts.length) {
        const chunk = parts.slice(sent, sent + MAX_PER_REPORT);
        await this.opts.report(
          chunk.map(({ p, count }) => ({
            search: p.search,
            total: p.total,
            count,
            lastAt: new Date(p.lastAt).toISOString(),
          })),
        );
        sent += chunk.length;
      }
    };
    this.reporting = report()
      .catch((e: unknown) => {
        // what was not reported waits for the next report (merged with what came meanwhile)
        for (const { key, p, count } of parts.slice(sent))
          this.count(key, p.search, p.total, count, p.lastAt);
        throw e;
      })
      .finally(() => {
        this.reporting = undefined;
      });
    return this.reporting;
  }

  /** Searches whose repeats wait for the next report. */
  get waiting(): number {
    return this.pending.size;
  }

  get cached(): number {
    return this.entries.size;
  }

  private repeated(key: string, search: searchV1.SearchProductsRequest, a: SearchAnswer): void {
    if (a.logged) this.count(key, search, a.total, 1, this.wallClock());
  }

  private count(
    key: string,
    search: searchV1.SearchProductsRequest,
    total: number,
    count: number,
    at: number,
  ): void {
    const p = this.pending.get(key);
    if (p) {
      p.count += count;
      if (at > p.lastAt) {
        p.lastAt = at;
        p.total = total;
      }
      return;
    }
    if (this.pending.size >= MAX_PENDING_REPEATS) {
      repeatsLost.inc(count);
      return;
    }
    this.pending.set(key, { search, total, count, lastAt: at });
  }
}

/**
 * Reports the search pages' repeats every `everyMs` while the gateway serves, and once more when
 * it stops (the kit stops workers before the HTTP server: repeats answered while the server
 * drains its last requests are not reported). A failing report is said once per 10 s; its
 * repeats wait for the next one.
 */
export function searchRepeatReports(
  cache: SearchPageCache,
  logger: Logger,
  everyMs = 1000,
): Worker {
  const failing = new ThrottledWarning(logger, 10_000);
  const flush = () =>
    cache.flush().catch((err: unknown) => {
      failing.warn(
        { err, waiting: cache.waiting },
        'reporting repeated searches to the search log failed; will retry',
      );
    });
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      timer = setInterval(() => void flush(), everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
