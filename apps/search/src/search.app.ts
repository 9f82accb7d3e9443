import {
  CATALOG_CATEGORY,
  CATALOG_PRODUCT,
  MARKETING_FLASH_SALE,
  REVIEW_PRODUCT,
} from '@emporia/contracts';
import type { catalogV1 } from '@emporia/contracts';
import { kafkaResource } from '@emporia/messaging';
import {
  defineService,
  elasticsearchResource,
  grpcBackend,
  launchService,
  type GrpcApi,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { ProjectionUseCases } from './application/catalog-events.use-case';
import { IndexProductSnapshotUseCase } from './application/index-product-snapshot.use-case';
import {
  CATALOG_SOURCE,
  CATEGORY_NAMES,
  FLASH_SALES,
  INDEX_BUILDER,
  PRODUCT_INDEX,
  PRODUCT_RATINGS,
  REINDEX_JOBS,
  SEARCH_LOG,
  SYNONYM_STORE,
} from './application/ports';
import { REINDEX_BATCH_SIZE, ReindexUseCase } from './application/reindex.use-case';
import {
  SearchProductsUseCase,
  SuggestUseCase,
  TopQueriesUseCase,
} from './application/search-products.use-case';
import { SYNONYM_REFRESH_MS, SynonymSetsUseCase } from './application/synonym-sets.use-case';
import { searchConfigSchema, type SearchConfig } from './config';
import { CachedProductIndex } from './infrastructure/cached-search';
import { CachedCategoryNames, CachedFlashSales } from './infrastructure/cached-stores';
import { GrpcCatalogSource } from './infrastructure/catalog-source';
import { ElasticsearchProductIndex } from './infrastructure/elasticsearch-product-index';
import { elasticsearchSearcherResource } from './infrastructure/elasticsearch-searcher';
import {
  EsCategoryNames,
  EsFlashSales,
  EsProductRatings,
  EsReindexJobs,
  EsSearchLog,
  EsSynonymStore,
  SearchStores,
} from './infrastructure/elasticsearch-stores';
import { searchEventHandler } from './interface/catalog-product.consumer';
import { SearchGrpcController, searchProductsPageMethod } from './interface/search.grpc-controller';

/** Topics search projects: product snapshots, category names, flash sales, product ratings. */
export const SEARCH_TOPICS = [
  CATALOG_PRODUCT,
  CATALOG_CATEGORY,
  MARKETING_FLASH_SALE,
  REVIEW_PRODUCT,
].map((t) => t.name);

/**
 * Search: the product index and alias (rebuilt from the catalog first when its mapping is
 * outdated), the side stores, the consumer that projects catalog and marketing events.
 */
export const searchService = defineService({
  name: 'search',
  config: searchConfigSchema,
  http: (c) => ({ host: c.BIND_HOST, port: c.SEARCH_HTTP_PORT }),
  grpc: (c) => ({ service: 'search', host: c.BIND_HOST, port: c.SEARCH_GRPC_PORT }),
  resources: (c) => ({
    elasticsearch: elasticsearchResource(c.ELASTICSEARCH_URL),
    // the product searches (the hot path) without the client's transport: ElasticsearchSearcher
    searcher: elasticsearchSearcherResource(c.ELASTICSEARCH_URL),
    kafka: kafkaResource({
      brokers: c.KAFKA_BROKERS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      topics: SEARCH_TOPICS,
      consumerGroup: c.SEARCH_CONSUMER_GROUP,
    }),
    // reindexing reads the catalog; not a readiness dependency (queries are served without it)
    catalog: grpcBackend<GrpcApi<catalogV1.CatalogServiceController>>('catalog', {
      url: c.CATALOG_GRPC_URL,
      deadlineMs: c.CATALOG_DEADLINE_MS,
      readiness: false,
    }),
  }),
  assemble: async ({ config, logger, resources: { elasticsearch, searcher, kafka, catalog } }) => {
    const index = new ElasticsearchProductIndex(
      elasticsearch,
      config.SEARCH_INDEX_PREFIX,
      logger,
      searcher,
    );
    const state = await index.ensureIndex();
    const stores = new SearchStores(elasticsearch, config.SEARCH_INDEX_PREFIX);
    await stores.ensure();
    const log = new EsSearchLog(stores, logger);
    // flash sales and category names from memory (bounded staleness, README "Side caches")
    const cacheMs = config.SEARCH_SIDE_CACHE_MS;
    const sales = cacheMs
      ? new CachedFlashSales(new EsFlashSales(stores), logger, { refreshMs: cacheMs, limit: 5000 })
      : undefined;
    const categoryNames = cacheMs
      ? new CachedCategoryNames(new EsCategoryNames(stores), {
          ttlMs: 2 * cacheMs,
          maxEntries: 10_000,
        })
      : new EsCategoryNames(stores);
    return {
      controllers: [SearchGrpcController],
      // the hot path's RPC past Nest's pipeline (the controller keeps every other RPC)
      rawGrpc: (get) => [searchProductsPageMethod(get(SearchProductsUseCase))],
      providers: [
        {
          provide: PRODUCT_INDEX,
          useValue:
            config.SEARCH_RESULT_CACHE_MS || config.SEARCH_FACET_CACHE_MS
              ? new CachedProductIndex(index, {
                  ttlMs: config.SEARCH_RESULT_CACHE_MS,
                  maxEntries: config.SEARCH_RESULT_CACHE_SIZE,
                  facetTtlMs: config.SEARCH_FACET_CACHE_MS,
                  facetMaxEntries: config.SEARCH_FACET_CACHE_SIZE,
                })
              : index,
        },
        { provide: INDEX_BUILDER, useValue: index },
        { provide: CATEGORY_NAMES, useValue: categoryNames },
        { provide: FLASH_SALES, useValue: sales ?? new EsFlashSales(stores) },
        { provide: PRODUCT_RATINGS, useValue: new EsProductRatings(stores) },
        { provide: SYNONYM_STORE, useValue: new EsSynonymStore(stores) },
        { provide: REINDEX_JOBS, useValue: new EsReindexJobs(stores) },
        { provide: SEARCH_LOG, useValue: log },
        { provide: CATALOG_SOURCE, useValue: new GrpcCatalogSource(catalog.api) },
        { provide: REINDEX_BATCH_SIZE, useValue: config.SEARCH_REINDEX_BATCH_SIZE },
        { provide: SYNONYM_REFRESH_MS, useValue: config.SEARCH_SYNONYM_REFRESH_SECONDS * 1000 },
        IndexProductSnapshotUseCase,
        ProjectionUseCases,
        SearchProductsUseCase,
        SuggestUseCase,
        TopQueriesUseCase,
        SynonymSetsUseCase,
        ReindexUseCase,
      ],
      workers: [
        { start: () => log.start(), stop: () => log.close() },
        ...(sales ? [{ start: () => sales.start(), stop: () => sales.stop() }] : []),
      ],
      ready: async (get) => {
        await get(SynonymSetsUseCase).reload();
        if (state !== 'outdated') return;
        // events wait in Kafka (the consumer is not started) until the new index serves
        logger.warn('the product index has an older mapping: rebuilding it from the catalog');
        // started together with the catalog (npm start, a rollout): give it time to come up
        await catalog.client.waitForReady(config.CATALOG_WAIT_SECONDS * 1000);
        await get(ReindexUseCase).runToCompletion();
      },
      consumers: (get) => [
        kafka.consumer({
          topics: SEARCH_TOPICS,
          maxAttempts: config.SEARCH_MAX_ATTEMPTS,
          handler: searchEventHandler(
            get(IndexProductSnapshotUseCase),
            get(ProjectionUseCases),
            logger,
          ),
        }),
      ],
    };
  },
});

/** Starts search in this process (tests; `main.ts` runs `runService`). */
export function startSearch(config: SearchConfig, logger: Logger): Promise<RunningService> {
  return launchService(searchService, config, logger);
}
