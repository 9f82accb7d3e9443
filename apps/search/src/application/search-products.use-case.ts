import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { currentOffer, type FlashOffer } from '../domain/flash-offer';
import {
  MAX_QUERY_LENGTH,
  normalizeQuery,
  toCriteria,
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
    if (!after) {
      const filtered =
        !!criteria.categoryId ||
        !!criteria.price ||
        criteria.brands.length > 0 ||
        criteria.tags.length > 0 ||
        criteria.attributes.length > 0 ||
        criteria.inStockOnly ||
        criteria.minRating !== undefined;
      const entry = logEntry(criteria.text, page.total, filtered, criteria.sort, now);
      if (entry) this.log.record(entry);
    }
    const ids = page.hits.map((h) => h.document.product_id);
    const [sales, labels] = await Promise.all([
      this.sales.forProducts(ids, now).catch(() => []),
      page.facets
        ? this.categories.names(page.facets.categories.map((c) => c.value)).catch(() => new Map())
        : Promise.resolve(new Map<string, string>()),
    ]);
    return {
      ...page,
      hits: page.hits.map((h) => {
        const offer = currentOffer(
          sales.filter((s) => s.productId === h.document.product_id),
          now,
        );
        return offer ? { ...h, flashSale: offer } : h;
      }),
      categoryLabels: labels,
    };
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
