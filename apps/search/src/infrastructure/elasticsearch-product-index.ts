import { Client, errors } from '@elastic/elasticsearch';
import type { Logger } from '@emporia/platform';
import type { ProductIndex, SearchPage } from '../application/ports';
import type { ProductDocument } from '../domain/product-document';
import type { SearchCriteria } from '../domain/search-criteria';
import { SearchError } from '../domain/search-error';
import { buildSearchBody } from './search-body';

/** Bump when the mapping changes; a reindex then builds `products-v<N>-…` and swaps the alias. */
export const MAPPING_VERSION = 1;

export const PRODUCT_MAPPINGS = {
  dynamic: 'strict' as const,
  properties: {
    product_id: { type: 'keyword' as const },
    title: {
      type: 'text' as const,
      fields: { keyword: { type: 'keyword' as const, ignore_above: 256 } },
    },
    description: { type: 'text' as const },
    brand: { type: 'keyword' as const, fields: { text: { type: 'text' as const } } },
    category_id: { type: 'keyword' as const },
    category_path_ids: { type: 'keyword' as const },
    status: { type: 'keyword' as const },
    currency: { type: 'keyword' as const },
    prices: { type: 'long' as const },
    min_price: { type: 'long' as const },
    max_price: { type: 'long' as const },
    in_stock: { type: 'boolean' as const },
    sku_codes: { type: 'keyword' as const },
    version: { type: 'long' as const },
    created_at: { type: 'date' as const },
    updated_at: { type: 'date' as const },
    last_event_id: { type: 'keyword' as const },
  },
};

const unavailable = (e: unknown) =>
  new SearchError(
    'UNAVAILABLE',
    'SEARCH_BACKEND_UNAVAILABLE',
    `search backend unavailable: ${(e as Error).message}`,
  );

/**
 * Products in Elasticsearch behind the alias `<prefix>products`, which points at one versioned
 * index (`<prefix>products-v1-<timestamp>`). Writes use external versioning with the product
 * version, so the index converges on the newest snapshot whatever the delivery order.
 */
export class ElasticsearchProductIndex implements ProductIndex {
  readonly alias: string;

  constructor(
    private readonly client: Client,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.alias = `${prefix}products`;
  }

  /** Creates the versioned index and the alias unless the alias exists. Safe to race. */
  async ensureIndex(): Promise<void> {
    if (await this.client.indices.existsAlias({ name: this.alias })) return;
    const index = `${this.alias}-v${MAPPING_VERSION}-${Date.now()}`;
    try {
      await this.client.indices.create({
        index,
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: PRODUCT_MAPPINGS,
      });
      await this.client.indices.updateAliases({
        actions: [{ add: { index, alias: this.alias, is_write_index: true } }],
      });
    } catch (e) {
      if (await this.client.indices.existsAlias({ name: this.alias })) {
        // another instance won the race: drop ours if it was created and not aliased
        await this.client.indices
          .delete({ index, ignore_unavailable: true })
          .catch(() => undefined);
        return;
      }
      throw e;
    }
    this.logger.info({ index, alias: this.alias }, 'product index created');
  }

  async upsert(doc: ProductDocument): Promise<'applied' | 'stale'> {
    try {
      await this.client.index({
        index: this.alias,
        id: doc.product_id,
        document: doc,
        version: doc.version,
        version_type: 'external',
      });
      return 'applied';
    } catch (e) {
      if (e instanceof errors.ResponseError && e.statusCode === 409) return 'stale';
      throw e;
    }
  }

  async search(criteria: SearchCriteria, after?: unknown[]): Promise<SearchPage> {
    let res;
    try {
      res = await this.client.search<ProductDocument>({
        index: this.alias,
        ...buildSearchBody(criteria, after),
      });
    } catch (e) {
      if (e instanceof errors.ResponseError && e.statusCode === 400) {
        throw new SearchError(
          'INVALID_ARGUMENT',
          'INVALID_CURSOR',
          'page token does not fit this search',
        );
      }
      throw unavailable(e);
    }
    const hits = res.hits.hits
      .slice(0, criteria.size)
      .map((h) => ({ document: h._source as ProductDocument, score: h._score ?? 0 }));
    const total =
      typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
    const more = res.hits.hits.length > criteria.size;
    const last = res.hits.hits[criteria.size - 1];
    return { hits, total, ...(more && last?.sort ? { after: last.sort } : {}) };
  }

  async ping(): Promise<void> {
    const health = await this.client.cluster.health({ timeout: '2s' });
    if (health.status === 'red') throw new Error('cluster status red');
  }
}
