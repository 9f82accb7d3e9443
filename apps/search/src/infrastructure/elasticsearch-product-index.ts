import { Client, errors } from '@elastic/elasticsearch';
import type { Logger } from '@emporia/platform';
import type {
  FacetCount,
  HitDocument,
  IndexBuilder,
  ProductIndex,
  SearchFacets,
  SearchOptions,
  SearchPage,
  Suggestion,
} from '../application/ports';
import type { ProductDocument } from '../domain/product-document';
import type { DocRating } from '../domain/product-rating';
import type { SearchCriteria } from '../domain/search-criteria';
import { SearchError } from '../domain/search-error';
import { withFacetPrint } from './facet-print';
import { MAPPING_VERSION, PRODUCT_MAPPINGS, PRODUCT_SETTINGS } from './product-mapping';
import { buildSearchBody, buildSuggestBody, SEARCH_FILTER_PATH } from './search-body';
import { SearchResponseError, type ElasticsearchSearcher } from './elasticsearch-searcher';

/**
 * Elasticsearch's external version of a document: the product version times this stride, plus
 * the number of rewrites made since for category renames. A newer product version always wins
 * over any rewrite of an older one, and a rewrite never loses to the copy it started from.
 */
export const VERSION_STRIDE = 1000;
const BATCH = 500;

export const unavailable = (e: unknown) =>
  new SearchError(
    'UNAVAILABLE',
    'SEARCH_BACKEND_UNAVAILABLE',
    `search backend unavailable: ${(e as Error).message}`,
  );

const conflict = (e: unknown) => e instanceof errors.ResponseError && e.statusCode === 409;

type Bucket = { key: string | number; doc_count: number; from?: number; to?: number };
/** The parts of a search's answer kept by SEARCH_FILTER_PATH (filter_path leaves out empty ones). */
interface SearchAnswer {
  hits?: {
    total?: number | { value: number };
    hits?: { _source?: HitDocument; _score?: number | null; sort?: unknown[] }[];
  };
  aggregations?: Record<string, unknown>;
}
type Agg = { values?: { buckets?: Bucket[] } & Record<string, unknown> } & Record<string, unknown>;

/**
 * `SearchPage.matched` from the `_matched` aggregation (buildSearchBody): how many products match
 * and their facet prints' sum, lowest and highest (facet-print.ts); none when some of them carry
 * no print (written by an older release: a faceted change of theirs would not show).
 */
const matchedOf = (aggs: Record<string, Agg>): string | undefined => {
  const m = aggs._matched as
    | {
        doc_count?: number;
        p?: { count?: number; sum?: number; min?: number | null; max?: number | null };
      }
    | undefined;
  const count = m?.doc_count ?? 0;
  if ((m?.p?.count ?? 0) !== count) return undefined;
  return count ? `${count}:${m?.p?.sum}:${m?.p?.min}:${m?.p?.max}` : '0';
};

const counts = (buckets: Bucket[] | undefined): FacetCount[] =>
  (buckets ?? []).map((b) => ({ value: String(b.key), count: b.doc_count }));

/**
 * Products in Elasticsearch behind the alias `<prefix>products`, which points at one versioned
 * index (`<prefix>products-v<mapping>-<timestamp>`). Writes use external versioning derived from
 * the product version, so the index converges on the newest snapshot whatever the delivery order.
 */
export class ElasticsearchProductIndex implements ProductIndex, IndexBuilder {
  readonly alias: string;

  /** The URL query of every search: the parts of the answer read (SEARCH_FILTER_PATH). */
  private static readonly SEARCH_QUERY = `filter_path=${encodeURIComponent(SEARCH_FILTER_PATH)}`;

  /** `searcher` sends the product searches (the hot path); `client` everything else. */
  constructor(
    private readonly client: Client,
    prefix: string,
    private readonly logger: Logger,
    private readonly searcher: ElasticsearchSearcher,
  ) {
    this.alias = `${prefix}products`;
  }

  /**
   * Creates the versioned index and the alias unless the alias exists (safe to race). Answers
   * 'outdated' when the alias points at an index of an older mapping: the caller rebuilds it.
   */
  async ensureIndex(): Promise<'created' | 'current' | 'outdated'> {
    if (await this.client.indices.existsAlias({ name: this.alias })) {
      const current = await this.current();
      const mapping = await this.client.indices.getMapping({ index: current });
      const meta = mapping[current]?.mappings?._meta as { mapping_version?: number } | undefined;
      return (meta?.mapping_version ?? 1) >= MAPPING_VERSION ? 'current' : 'outdated';
    }
    const index = this.newIndexName();
    try {
      await this.client.indices.create({
        index,
        settings: PRODUCT_SETTINGS,
        mappings: PRODUCT_MAPPINGS,
      });
      await this.client.indices.updateAliases({
        actions: [{ add: { index, alias: this.alias, is_write_index: true } }],
      });
    } catch (e) {
      if (await this.client.indices.existsAlias({ name: this.alias })) {
        // another instance won the race: drop ours if it was created and not aliased
        await this.drop(index);
        return 'current';
      }
      throw e;
    }
    this.logger.info({ index, alias: this.alias }, 'product index created');
    return 'created';
  }

  private newIndexName(): string {
    return `${this.alias}-v${MAPPING_VERSION}-${Date.now()}`;
  }

  async upsert(doc: ProductDocument): Promise<'applied' | 'stale'> {
    try {
      await this.client.index({
        index: this.alias,
        id: doc.product_id,
        document: withFacetPrint(doc),
        version: doc.version * VERSION_STRIDE,
        version_type: 'external',
      });
      return 'applied';
    } catch (e) {
      if (conflict(e)) return 'stale';
      throw e;
    }
  }

  async search(
    criteria: SearchCriteria,
    after?: unknown[],
    opts?: SearchOptions,
  ): Promise<SearchPage> {
    let res: SearchAnswer;
    try {
      res = await this.searcher.search<SearchAnswer>(
        this.alias,
        ElasticsearchProductIndex.SEARCH_QUERY,
        JSON.stringify(buildSearchBody(criteria, after, opts)),
      );
    } catch (e) {
      if (e instanceof SearchResponseError && e.statusCode === 400) {
        throw new SearchError(
          'INVALID_ARGUMENT',
          'INVALID_CURSOR',
          'page token does not fit this search',
        );
      }
      throw unavailable(e);
    }
    // filter_path leaves out what is empty: no hits, no buckets
    const found = res.hits?.hits ?? [];
    const hits = found
      .slice(0, criteria.size)
      .map((h) => ({ document: h._source as HitDocument, score: h._score ?? 0 }));
    const total =
      typeof res.hits?.total === 'number' ? res.hits.total : (res.hits?.total?.value ?? 0);
    const more = found.length > criteria.size;
    const last = found[criteria.size - 1];
    const aggs = (res.aggregations ?? {}) as Record<string, Agg>;
    return {
      hits,
      total,
      ...(more && last?.sort ? { after: last.sort } : {}),
      ...(criteria.facets ? { facets: this.facets(criteria, aggs) } : {}),
      ...(opts?.matched ? { matched: matchedOf(aggs) } : {}),
    };
  }

  private facets(c: SearchCriteria, aggs: Record<string, Agg>): SearchFacets {
    type Names = { names?: { buckets?: (Bucket & { values?: { buckets?: Bucket[] } })[] } };
    const all = (aggs.attributes?.values as Names | undefined)?.names?.buckets ?? [];
    const attributes = all.map((b) => ({
      name: String(b.key),
      values: counts(b.values?.buckets),
    }));
    c.attributes.forEach((a, i) => {
      const own = (
        aggs[`attribute_${i}`]?.values as { named?: { values?: { buckets?: Bucket[] } } }
      )?.named?.values?.buckets;
      const entry = { name: a.name, values: counts(own) };
      const at = attributes.findIndex((x) => x.name === a.name);
      if (at >= 0) attributes[at] = entry;
      else attributes.push(entry);
    });
    return {
      categories: counts(aggs.categories?.values?.buckets),
      brands: counts(aggs.brands?.values?.buckets),
      tags: counts(aggs.tags?.values?.buckets),
      priceRanges: (aggs.prices?.values?.buckets ?? []).map((b) => ({
        ...(b.from !== undefined ? { from: b.from } : {}),
        ...(b.to !== undefined ? { to: b.to } : {}),
        count: b.doc_count,
      })),
      attributes,
    };
  }

  async suggest(prefix: string, limit: number): Promise<Suggestion[]> {
    let res;
    try {
      res = await this.client.search<{ title: string }>({
        index: this.alias,
        ...(buildSuggestBody(prefix, limit) as object),
      });
    } catch (e) {
      throw unavailable(e);
    }
    const brands = (res.aggregations as { brands?: { names?: { buckets?: Bucket[] } } } | undefined)
      ?.brands?.names?.buckets;
    return [
      ...(brands ?? []).map((b) => ({ text: String(b.key), kind: 'BRAND' as const })),
      ...res.hits.hits.map((h) => ({ text: h._source!.title, kind: 'PRODUCT' as const })),
    ];
  }

  async productOfSku(skuId: string): Promise<string | undefined> {
    const res = await this.client.search<ProductDocument>({
      index: this.alias,
      size: 1,
      _source: ['product_id'],
      query: { term: { sku_ids: skuId } },
    });
    return res.hits.hits[0]?._source?.product_id;
  }

  /**
   * Rewrites the names of the products under a category, in batches, each document under its
   * next external version so a concurrent newer snapshot is never overwritten (a conflicting
   * document is read again and retried).
   */
  async renameCategory(categoryId: string, name: string): Promise<number> {
    let after: unknown[] | undefined;
    let rewritten = 0;
    for (;;) {
      const page = await this.client.search<ProductDocument>({
        index: this.alias,
        size: BATCH,
        version: true,
        query: { term: { category_path_ids: categoryId } },
        sort: [{ product_id: 'asc' }],
        ...(after ? { search_after: after } : {}),
      });
      const hits = page.hits.hits;
      for (const h of hits) {
        rewritten += await this.rewriteNames(h._id!, categoryId, name);
      }
      if (hits.length < BATCH) return rewritten;
      after = hits[hits.length - 1].sort;
    }
  }

  private async rewriteNames(id: string, categoryId: string, name: string): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const got = await this.client
        .get<ProductDocument>({ index: this.alias, id })
        .catch(() => undefined);
      if (!got?._source || got._version === undefined) return 0;
      const doc = got._source;
      const names = doc.category_path_ids.map((pid, i) =>
        pid === categoryId ? name : (doc.category_names[i] ?? ''),
      );
      if (names.every((n, i) => n === doc.category_names[i])) return 0;
      if ((got._version % VERSION_STRIDE) + 1 >= VERSION_STRIDE) {
        this.logger.warn(
          { id },
          'too many renames for one product version; left for its next change',
        );
        return 0;
      }
      try {
        await this.client.index({
          index: this.alias,
          id,
          document: withFacetPrint({
            ...doc,
            category_names: names,
            indexed_at: new Date().toISOString(),
          }),
          version: got._version + 1,
          version_type: 'external',
        });
        return 1;
      } catch (e) {
        if (!conflict(e)) throw e;
      }
    }
    return 0;
  }

  /**
   * Writes the rating fields into the product's document under its next external version (as a
   * category rename does): a newer snapshot always wins, and re-reads the rating store after it
   * is written (IndexProductSnapshotUseCase), so the two never lose each other's change.
   */
  async setRating(
    productId: string,
    rating: DocRating,
  ): Promise<'applied' | 'stale' | 'missing' | 'deferred'> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const got = await this.client
        .get<ProductDocument>({ index: this.alias, id: productId })
        .catch((e: unknown) => {
          if (e instanceof errors.ResponseError && e.statusCode === 404) return undefined;
          throw e;
        });
      if (!got?._source || got._version === undefined) return 'missing';
      const doc = got._source;
      if ((doc.rating_version ?? 0) >= rating.rating_version) return 'stale';
      if ((got._version % VERSION_STRIDE) + 1 >= VERSION_STRIDE) {
        this.logger.warn(
          { id: productId },
          'too many rewrites for one product version; the rating waits for its next change',
        );
        return 'deferred';
      }
      try {
        await this.client.index({
          index: this.alias,
          id: productId,
          document: withFacetPrint({ ...doc, ...rating, indexed_at: new Date().toISOString() }),
          version: got._version + 1,
          version_type: 'external',
        });
        return 'applied';
      } catch (e) {
        if (!conflict(e)) throw e;
      }
    }
    throw new Error(`product ${productId} kept changing while its rating was written`);
  }

  // ---- IndexBuilder: the physical indexes behind the alias ----

  async current(): Promise<string> {
    const aliases = await this.client.indices.getAlias({ name: this.alias });
    const names = Object.keys(aliases);
    if (names.length !== 1)
      throw new Error(`alias ${this.alias} points at ${names.length} indexes, expected one`);
    return names[0];
  }

  async create(): Promise<string> {
    const index = this.newIndexName();
    await this.client.indices.create({
      index,
      settings: { ...PRODUCT_SETTINGS, refresh_interval: '-1' },
      mappings: PRODUCT_MAPPINGS,
    });
    return index;
  }

  async bulk(index: string, docs: ProductDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const res = await this.client.bulk({
      operations: docs.flatMap((d) => [
        {
          index: {
            _index: index,
            _id: d.product_id,
            version: d.version * VERSION_STRIDE,
            version_type: 'external' as const,
          },
        },
        withFacetPrint(d),
      ]),
    });
    if (res.errors) {
      const failed = res.items.filter((i) => i.index?.error && i.index.status !== 409);
      if (failed.length)
        throw new Error(
          `bulk indexing failed for ${failed.length} products: ${JSON.stringify(failed[0].index?.error)}`,
        );
    }
  }

  async swap(from: string, to: string): Promise<void> {
    await this.client.indices.putSettings({ index: to, settings: { refresh_interval: '1s' } });
    await this.client.indices.refresh({ index: to });
    await this.client.indices.updateAliases({
      actions: [
        { remove: { index: from, alias: this.alias } },
        { add: { index: to, alias: this.alias, is_write_index: true } },
      ],
    });
  }

  async catchUp(from: string, to: string, since: Date, batchSize: number): Promise<number> {
    await this.client.indices.refresh({ index: from });
    let after: unknown[] | undefined;
    let copied = 0;
    for (;;) {
      const page = await this.client.search<ProductDocument>({
        index: from,
        size: batchSize,
        version: true,
        query: { range: { indexed_at: { gte: since.toISOString() } } },
        // an index of an older mapping may lack the fields: then nothing is copied
        sort: [{ product_id: { order: 'asc', unmapped_type: 'keyword' } }],
        ...(after ? { search_after: after } : {}),
      });
      const hits = page.hits.hits;
      if (hits.length) {
        const res = await this.client.bulk({
          operations: hits.flatMap((h) => [
            {
              index: {
                _index: to,
                _id: h._id,
                version: h._version!,
                version_type: 'external' as const,
              },
            },
            // the print computed again: an index of an older mapping has none
            withFacetPrint(h._source!),
          ]),
        });
        copied += res.items.filter((i) => i.index?.status && i.index.status < 300).length;
        const failed = res.items.filter((i) => i.index?.error && i.index.status !== 409);
        if (failed.length)
          throw new Error(`catch-up failed: ${JSON.stringify(failed[0].index?.error)}`);
      }
      if (hits.length < batchSize) return copied;
      after = hits[hits.length - 1].sort;
    }
  }

  async prune(keep: string, retain: number): Promise<string[]> {
    const all = await this.client.cat.indices({ index: `${this.alias}-v*`, format: 'json' });
    const others = all
      .map((i) => i.index!)
      .filter((n) => n && n !== keep)
      .sort((a, b) => Number(b.split('-').pop()) - Number(a.split('-').pop()));
    const dropped = others.slice(retain);
    for (const index of dropped) await this.drop(index);
    return dropped;
  }

  async drop(index: string): Promise<void> {
    await this.client.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
  }

  async ping(): Promise<void> {
    const health = await this.client.cluster.health({ timeout: '2s' });
    if (health.status === 'red') throw new Error('cluster status red');
  }
}
