import { z } from 'zod';
import { env } from '@emporia/platform';

export const searchConfigSchema = z.object({
  ELASTICSEARCH_URL: env.url(),
  SEARCH_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only')
    .default(''),
  KAFKA_BROKERS: env.csv(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  SEARCH_CONSUMER_GROUP: z.string().min(1).default('search'),
  SEARCH_GRPC_PORT: env.port(50052),
  SEARCH_HTTP_PORT: env.port(8082),
  BIND_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  /** Attempts per event before it goes to the dead-letter topic. */
  SEARCH_MAX_ATTEMPTS: env.int(5, 1),
  /** The catalog, paged through by a full reindex. */
  CATALOG_GRPC_URL: env.grpcTarget().default('127.0.0.1:50051'),
  CATALOG_DEADLINE_MS: env.int(10000, 100),
  /** How long a start-up rebuild waits for the catalog to answer. */
  CATALOG_WAIT_SECONDS: env.int(120, 1),
  /** Products per reindex batch (the catalog may page in smaller pages). */
  SEARCH_REINDEX_BATCH_SIZE: env.int(500, 1),
  /** How often every instance reloads the synonym sets (0: only after a change made through it). */
  SEARCH_SYNONYM_REFRESH_SECONDS: env.int(10, 0),
  /**
   * How often every instance reloads the unended flash sales it shows on hits, and how long it
   * keeps a category name for the facet's labels (0: both read from the store on each search).
   */
  SEARCH_SIDE_CACHE_MS: env.int(1000, 0),
  /**
   * How long a search's page (hits, total, facets) is answered from memory after Elasticsearch
   * gave it, for the same criteria (0: every search asks Elasticsearch). A change is searchable
   * at most the index's refresh (1 s) plus this after it was indexed.
   */
  SEARCH_RESULT_CACHE_MS: env.int(1000, 0),
  /**
   * Search pages held in memory at most (least recently used dropped first; a page of 20 hits
   * with facets is tens of KB). A page is used for SEARCH_RESULT_CACHE_MS only, so this needs to
   * hold about the different searches of that long.
   */
  SEARCH_RESULT_CACHE_SIZE: env.int(1000, 1),
  /**
   * How long a search's facet counts are held, after Elasticsearch counted them, for the same
   * text and filters in another order or at another page: those searches ask Elasticsearch for
   * their hits, total and which products matched, and show the held counts while the same
   * products match unchanged (0: every search's facets are counted with its page). The counts
   * shown are always those of the products the hits came from: no staleness of their own.
   */
  SEARCH_FACET_CACHE_MS: env.int(600_000, 0),
  /** Facet sets held at most (a few KB each; the least recently used dropped first). */
  SEARCH_FACET_CACHE_SIZE: env.int(5000, 1),
});

export type SearchConfig = z.infer<typeof searchConfigSchema>;
