import type { estypes } from '@elastic/elasticsearch';

/** Bump when the mapping changes: the next start rebuilds into `products-v<N>-…` and swaps. */
export const MAPPING_VERSION = 5;

/**
 * Index settings: CJK text as bigrams (Elasticsearch's `cjk_bigram`, after width folding) with
 * light English stemming; a unigram analyzer for recall (every character or word must occur);
 * edge n-grams of whole words for autocomplete.
 */
export const PRODUCT_SETTINGS: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  number_of_replicas: 0,
  analysis: {
    filter: {
      emporia_bigrams: { type: 'cjk_bigram' },
      emporia_stem: { type: 'stemmer', language: 'light_english' },
      emporia_grams: { type: 'edge_ngram', min_gram: 1, max_gram: 20 },
    },
    tokenizer: {
      emporia_words: {
        type: 'char_group',
        tokenize_on_chars: ['whitespace', 'punctuation', 'symbol'],
      },
    },
    analyzer: {
      emporia_text: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['cjk_width', 'lowercase', 'emporia_bigrams', 'emporia_stem'],
      },
      emporia_unigram: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['cjk_width', 'lowercase', 'emporia_stem'],
      },
      emporia_autocomplete: {
        type: 'custom',
        tokenizer: 'emporia_words',
        filter: ['cjk_width', 'lowercase', 'emporia_grams'],
      },
      emporia_autocomplete_search: {
        type: 'custom',
        tokenizer: 'emporia_words',
        filter: ['cjk_width', 'lowercase'],
      },
    },
  },
};

const text = { type: 'text' as const, analyzer: 'emporia_text' };
const suggest = {
  type: 'text' as const,
  analyzer: 'emporia_autocomplete',
  search_analyzer: 'emporia_autocomplete_search',
};

export const PRODUCT_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict' as const,
  _meta: { mapping_version: MAPPING_VERSION },
  properties: {
    product_id: { type: 'keyword' as const },
    title: {
      ...text,
      copy_to: 'all_text',
      fields: { keyword: { type: 'keyword' as const, ignore_above: 256 }, suggest },
    },
    description: { ...text, copy_to: 'all_text' },
    brand: {
      type: 'keyword' as const,
      copy_to: 'all_text',
      fields: { text, suggest },
    },
    category_id: { type: 'keyword' as const },
    category_path_ids: { type: 'keyword' as const },
    category_names: { ...text, copy_to: 'all_text' },
    all_text: { type: 'text' as const, analyzer: 'emporia_unigram' },
    status: { type: 'keyword' as const },
    currency: { type: 'keyword' as const },
    prices: { type: 'long' as const },
    min_price: { type: 'long' as const },
    max_price: { type: 'long' as const },
    in_stock: { type: 'boolean' as const },
    sku_ids: { type: 'keyword' as const },
    sku_codes: { type: 'keyword' as const },
    attributes: {
      type: 'nested' as const,
      properties: {
        name: { type: 'keyword' as const },
        value: { type: 'keyword' as const, copy_to: 'all_text' },
      },
    },
    units_sold: { type: 'long' as const },
    // v3 (issue 17): ratings from review.product; two decimals exactly
    rating_average: { type: 'scaled_float' as const, scaling_factor: 100 },
    review_count: { type: 'integer' as const },
    rating_version: { type: 'long' as const },
    // v4 (issue 18): catalog's tags (新品, 促销, 爆款, ...), filtered and faceted exactly
    tags: { type: 'keyword' as const },
    // v5 (issue 19): the facet print (facet-print.ts), summed by the `_matched` aggregation only
    facet_print: { type: 'long' as const, index: false },
    version: { type: 'long' as const },
    created_at: { type: 'date' as const },
    updated_at: { type: 'date' as const },
    last_event_id: { type: 'keyword' as const },
    indexed_at: { type: 'date' as const },
  },
};
