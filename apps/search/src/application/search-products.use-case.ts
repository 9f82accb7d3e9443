import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { currentOffer, msUntilOffersChange, type FlashOffer } from '../domain/flash-offer';
import {
  MAX_QUERY_LENGTH,
  normalizeQuery,
  toCriteria,
  type SearchCriteria,
  type SearchInput,
} from '../domain/search-criteria';
import { SearchError } from '../domain/search-error';
import { logEntry, topQueriesWindow } from '../domain/search-log';
import {
  CATEGORY_NAMES,
  FLASH_SALES,
  PRODUCT_INDEX,
  SEARCH_LOG,
  type CategoryNames,
  type FlashSales,
  type ProductIndex,
  type QueryStat,
  type SearchHit,
  type SearchLog,
  type SearchPage,
  type Suggestion,
} from './ports';
import { SynonymSetsUseCase } from './synonym-sets.use-case';

export interface SearchResult extends Omit<SearchPage, 'hits'> {
  hits: (SearchHit & { flashSale?: FlashOffer })[];
  /** Category names by id, for the category facet's labels. */
  categoryLabels: Map<string, string>;
  /** Whether the search went into the search log (a text search's first page). */
  logged: boolean;
}

/** The search log's entry for a first page of these criteria (undefined: not logged). */
function logEntryOf(criteria: SearchCriteria, total: number, at: Date) {
  const filtered =
    !!criteria.categoryId ||
    !!criteria.price ||
    criteria.brands.length > 0 ||
    criteria.tags.length > 0 ||
    criteria.attributes.length > 0 ||
    criteria.inStockOnly ||
    criteria.minRating !== undefined;
  return logEntry(criteria.text, total, filtered, criteria.sort, at);
}

@Injectable()
export class SearchProductsUseCase {
  constructor(
    @Inject(PRODUCT_INDEX) private readonly index: ProductIndex,
    @Inject(FLASH_SALES) private readonly sales: FlashSales,
    @Inject(CATEGORY_NAMES) private readonly categories: CategoryNames,
    @Inject(SEARCH_LOG) private readonly log: SearchLog,
    private readonly synonyms: SynonymSetsUseCase,
  ) {}

  /**
   * Searches with the query's synonym variants, shows each hit's running (or next) flash sale,
   * labels the category facet, and logs the first page of a text search with its result count.
   */
  async execute(
    _ctx: RequestContext,
    input: SearchInput,
    after?: unknown[],
  ): Promise<SearchResult> {
    const text = input.query ?? '';
    // expansion only for a query of a valid length (toCriteria refuses longer ones)
    const criteria = toCriteria(
      input,
      text.trim().length <= MAX_QUERY_LENGTH ? this.synonyms.variants(text) : [],
    );
    const page = await this.index.search(criteria, after);
    const now = new Date();
    const entry = after ? undefined : logEntryOf(criteria, page.total, now);
    if (entry) this.log.record(entry);
    const ids = page.hits.map((h) => h.document.product_id);
    const [sales, labels] = await Promise.all([
      this.sales.forProducts(ids, now).catch(() => undefined),
      page.facets
        ? this.categories.names(page.facets.categories.map((c) => c.value)).catch(() => undefined)
        : Promise.resolve(new Map<string, string>()),
    ]);
    return {
      ...page,
      hits: page.hits.map((h) => {
        const offer = currentOffer(
          (sales ?? []).filter((s) => s.productId === h.document.product_id),
          now,
        );
        return offer ? { ...h, flashSale: offer } : h;
      }),
      categoryLabels: labels ?? new Map<string, string>(),
      logged: !!entry,
      // a page whose flash sales or labels could not be read is not answered again; one that
      // shows sales, not past the next start or end of any of them (the offer shown changes then)
      reusableForMs:
        sales && labels ? Math.min(page.reusableForMs ?? 0, msUntilOffersChange(sales, now)) : 0,
    };
  }

  /**
   * Searches a caller answered again from its copy of a page (`reusableForMs`): each logged as if
   * asked here `count` times, the last at `at`. Repeats of searches that are not logged (no text)
   * are skipped. All are checked before any is logged: an invalid one (SearchError) logs nothing.
   * Answers how many searches were logged.
   */
  recordRepeats(
    repeats: readonly { input: SearchInput; total: number; count: number; at: Date }[],
  ): number {
    const entries = repeats.flatMap(({ input, total, count, at }) => {
      const text = input.query ?? '';
      if (text.trim().length > MAX_QUERY_LENGTH) return [];
      const entry = logEntryOf(toCriteria(input, this.synonyms.variants(text)), total, at);
      return entry ? [{ ...entry, searches: count }] : [];
    });
    for (const e of entries) this.log.record(e);
    return entries.reduce((n, e) => n + e.searches, 0);
  }
}

@Injectable()
export class SuggestUseCase {
  constructor(
    @Inject(PRODUCT_INDEX) private readonly index: ProductIndex,
    @Inject(SEARCH_LOG) private readonly log: SearchLog,
  ) {}

  /**
   * Up to `limit` suggestions: popular queries that found something first (at most half), then
   * brands and product titles; each text once, compared case-insensitively.
   */
  async execute(prefix: string, limit: number): Promise<Suggestion[]> {
    const p = normalizeQuery(prefix ?? '');
    if (!p || p.length > 50)
      throw new SearchError(
        'INVALID_ARGUMENT',
        'SUGGEST_PREFIX_INVALID',
        'prefix must be 1 to 50 characters',
      );
    if (limit < 0 || !Number.isInteger(limit))
      throw new SearchError(
        'INVALID_ARGUMENT',
        'SUGGEST_LIMIT_INVALID',
        'limit must not be negative',
      );
    const size = limit === 0 ? 8 : Math.min(limit, 20);
    const [queries, products] = await Promise.all([
      this.log.popularWithPrefix(p, Math.ceil(size / 2)).catch(() => []),
      this.index.suggest(p, size),
    ]);
    const seen = new Set<string>();
    const out: Suggestion[] = [];
    for (const s of [...queries.map((text) => ({ text, kind: 'QUERY' as const })), ...products]) {
      const key = normalizeQuery(s.text);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(s);
      if (out.length >= size) break;
    }
    return out;
  }
}

@Injectable()
export class TopQueriesUseCase {
  constructor(@Inject(SEARCH_LOG) private readonly log: SearchLog) {}

  execute(input: {
    since?: string;
    until?: string;
    zeroResultsOnly?: boolean;
    limit?: number;
  }): Promise<{ queries: QueryStat[]; totalSearches: number }> {
    return this.log.top(topQueriesWindow(input, new Date()));
  }
}
