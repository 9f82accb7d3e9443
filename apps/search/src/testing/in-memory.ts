import type {
  CatalogSource,
  CategoryNames,
  FlashSales,
  IndexBuilder,
  ProductIndex,
  ProductRatings,
  QueryStat,
  ReindexJobs,
  SearchLog,
  SearchOptions,
  SearchPage,
  Suggestion,
  SynonymStore,
} from '../application/ports';
import type { FlashSaleRecord } from '../domain/flash-offer';
import type { ProductDocument, ProductSnapshot } from '../domain/product-document';
import type { DocRating, RatingSummary } from '../domain/product-rating';
import type { ReindexJob } from '../domain/reindex';
import type { SearchCriteria } from '../domain/search-criteria';
import type { LoggedSearch, TopQueriesWindow } from '../domain/search-log';
import type { SynonymSet } from '../domain/synonyms';
import { VERSION_STRIDE } from '../infrastructure/elasticsearch-product-index';
import { facetPrint } from '../infrastructure/facet-print';

/**
 * In-memory ports of the search service for fast application-layer tests (CONVENTIONS 18).
 * Search has no unit of work (Elasticsearch writes are single documents); what the use cases
 * rely on is kept from the Elasticsearch adapters:
 * - documents carry external versions `version * VERSION_STRIDE`; a write whose version is not
 *   greater than the stored one is 'stale' (ES version conflict) and changes nothing; a category
 *   rename or a rating rewrites the document with the stored version + 1, at most
 *   VERSION_STRIDE - 1 times per product version;
 * - only ACTIVE products are found or suggested;
 * - text matching is simplified: a product matches a variant when every word of the variant
 *   occurs in its title, brand or category names (no analyzers, no scoring beyond word hits);
 *   results are ordered by hits then product id (RATING: average, review count, product id),
 *   `after` is the last product id; `minRating` filters on the average, `tags` on any of them;
 *   facets count categories, brands and tags of the found products only (not disjunctive), and
 *   `matched` is their count and their facet prints' sum, lowest and highest, as Elasticsearch's;
 * Every fake can be made to fail its next calls (`failing`), as a backend outage would.
 */
export class InMemoryProductIndex implements ProductIndex {
  readonly docs = new Map<string, { doc: ProductDocument; version: number }>();
  readonly searches: SearchCriteria[] = [];
  failing = false;

  async upsert(doc: ProductDocument): Promise<'applied' | 'stale'> {
    const stored = this.docs.get(doc.product_id);
    const version = doc.version * VERSION_STRIDE;
    if (stored && stored.version >= version) return 'stale';
    this.docs.set(doc.product_id, { doc, version });
    return 'applied';
  }

  async search(
    criteria: SearchCriteria,
    after?: unknown[],
    opts?: SearchOptions,
  ): Promise<SearchPage> {
    if (this.failing) throw new Error('index unavailable');
    this.searches.push(criteria);
    const variants = (criteria.textVariants.length ? criteria.textVariants : [criteria.text])
      .map(words)
      .filter((w) => w.length > 0);
    const found = [...this.docs.values()]
      .map(({ doc }) => doc)
      .filter(
        (d) =>
          d.status === 'ACTIVE' &&
          (!criteria.categoryId || d.category_path_ids.includes(criteria.categoryId)) &&
          (criteria.brands.length === 0 || criteria.brands.includes(d.brand)) &&
          (criteria.tags.length === 0 || criteria.tags.some((t) => (d.tags ?? []).includes(t))) &&
          (!criteria.inStockOnly || d.in_stock) &&
          (criteria.minRating === undefined || d.rating_average >= criteria.minRating),
      )
      .map((d) => {
        const text = words([d.title, d.brand, ...d.category_names].join(' '));
        const score = variants.length
          ? Math.max(0, ...variants.map((v) => (v.every((w) => text.includes(w)) ? v.length : 0)))
          : 1;
        return { document: d, score };
      })
      .filter((h) => h.score > 0)
      .sort(
        (a, b) =>
          (criteria.sort === 'RATING'
            ? b.document.rating_average - a.document.rating_average ||
              b.document.review_count - a.document.review_count
            : b.score - a.score) || cmp(a.document.product_id, b.document.product_id),
      );
    const start = after ? found.findIndex((h) => h.document.product_id === after[0]) + 1 : 0;
    const hits = found.slice(start, start + criteria.size);
    const last = hits[hits.length - 1];
    return {
      hits,
      total: found.length,
      after: last && start + hits.length < found.length ? [last.document.product_id] : undefined,
      facets: criteria.facets
        ? {
            categories: facet(found.map((h) => h.document.category_id)),
            brands: facet(found.map((h) => h.document.brand)),
            tags: facet(found.flatMap((h) => h.document.tags ?? [])),
            priceRanges: [],
            attributes: [],
          }
        : undefined,
      // as Elasticsearch's: how many match, their facet prints' sum, lowest and highest
      ...(opts?.matched ? { matched: matchedOf(found.map((h) => h.document)) } : {}),
    };
  }

  async suggest(prefix: string, limit: number): Promise<Suggestion[]> {
    const p = words(prefix);
    const out: Suggestion[] = [];
    for (const { doc } of [...this.docs.values()].sort((a, b) =>
      cmp(a.doc.product_id, b.doc.product_id),
    )) {
      if (doc.status !== 'ACTIVE') continue;
      for (const [text, kind] of [
        [doc.brand, 'BRAND'],
        [doc.title, 'PRODUCT'],
      ] as const) {
        const w = words(text);
        if (p.every((x, i) => w[i]?.startsWith(x))) out.push({ text, kind });
      }
    }
    return out.slice(0, limit);
  }

  async renameCategory(categoryId: string, name: string): Promise<number> {
    let rewritten = 0;
    for (const [id, { doc, version }] of this.docs) {
      if (!doc.category_path_ids.includes(categoryId)) continue;
      const names = doc.category_path_ids.map((pid, i) =>
        pid === categoryId ? name : (doc.category_names[i] ?? ''),
      );
      if (names.every((n, i) => n === doc.category_names[i])) continue;
      if ((version % VERSION_STRIDE) + 1 >= VERSION_STRIDE) continue;
      this.docs.set(id, {
        doc: { ...doc, category_names: names },
        version: version + 1,
      });
      rewritten++;
    }
    return rewritten;
  }

  async productOfSku(skuId: string): Promise<string | undefined> {
    for (const { doc } of this.docs.values())
      if (doc.sku_ids.includes(skuId)) return doc.product_id;
    return undefined;
  }

  async setRating(
    productId: string,
    rating: DocRating,
  ): Promise<'applied' | 'stale' | 'missing' | 'deferred'> {
    const stored = this.docs.get(productId);
    if (!stored) return 'missing';
    if (stored.doc.rating_version >= rating.rating_version) return 'stale';
    if ((stored.version % VERSION_STRIDE) + 1 >= VERSION_STRIDE) return 'deferred';
    this.docs.set(productId, {
      doc: { ...stored.doc, ...rating },
      version: stored.version + 1,
    });
    return 'applied';
  }
}

/** Rating summaries by product id; a summary of a version not above the held one is 'stale'. */
export class InMemoryProductRatings implements ProductRatings {
  readonly rows = new Map<string, RatingSummary>();
  async put(summary: RatingSummary): Promise<'applied' | 'stale'> {
    const held = this.rows.get(summary.productId);
    if (held && held.version >= summary.version) return 'stale';
    this.rows.set(summary.productId, { ...summary });
    return 'applied';
  }
  async forProducts(productIds: readonly string[]): Promise<Map<string, RatingSummary>> {
    const out = new Map<string, RatingSummary>();
    for (const id of productIds) {
      const r = this.rows.get(id);
      if (r) out.set(id, r);
    }
    return out;
  }
}

const matchedOf = (docs: ProductDocument[]): string => {
  if (docs.length === 0) return '0';
  const prints = docs.map((d) => facetPrint(d).facet_print);
  const sum = prints.reduce((a, b) => a + b, 0);
  return `${docs.length}:${sum}:${Math.min(...prints)}:${Math.max(...prints)}`;
};

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const words = (s: string) => s.toLowerCase().split(/\s+/).filter(Boolean);
const facet = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count }));
};

export class InMemoryCategoryNames implements CategoryNames {
  readonly rows = new Map<string, { name: string; pathIds: string[] }>();
  async put(c: { id: string; name: string; pathIds: string[] }): Promise<void> {
    this.rows.set(c.id, { name: c.name, pathIds: c.pathIds });
  }
  async names(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of ids) {
      const row = this.rows.get(id);
      if (row) out.set(id, row.name);
    }
    return out;
  }
}

/** Flash sales by sale id (a re-announced sale replaces the earlier record). */
export class InMemoryFlashSales implements FlashSales {
  readonly rows = new Map<string, FlashSaleRecord>();
  failing = false;
  async put(sale: FlashSaleRecord): Promise<void> {
    this.rows.set(sale.saleId, sale);
  }
  async forProducts(productIds: readonly string[], now: Date): Promise<FlashSaleRecord[]> {
    if (this.failing) throw new Error('flash sales unavailable');
    return [...this.rows.values()].filter(
      (s) => productIds.includes(s.productId) && Date.parse(s.endsAt) > now.getTime(),
    );
  }
}

/** Synonym sets by id, listed by id (as the adapter sorts on `_id`). */
export class InMemorySynonymStore implements SynonymStore {
  readonly rows = new Map<string, SynonymSet>();
  failing = false;
  async put(set: SynonymSet): Promise<void> {
    this.rows.set(set.id, set);
  }
  async delete(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }
  async list(): Promise<SynonymSet[]> {
    if (this.failing) throw new Error('synonyms unavailable');
    return [...this.rows.values()].sort((a, b) => cmp(a.id, b.id));
  }
}

/** The search log, unbuffered: `record` keeps the entry at once. */
export class InMemorySearchLog implements SearchLog {
  readonly entries: LoggedSearch[] = [];
  record(entry: LoggedSearch): void {
    const { searches = 1, ...one } = entry;
    for (let i = 0; i < searches; i++) this.entries.push(one);
  }
  async top(w: TopQueriesWindow): Promise<{ queries: QueryStat[]; totalSearches: number }> {
    const inWindow = this.entries.filter((e) => {
      const at = Date.parse(e.at);
      return at >= w.since.getTime() && at < w.until.getTime();
    });
    const by = new Map<string, LoggedSearch[]>();
    for (const e of inWindow) by.set(e.query, [...(by.get(e.query) ?? []), e]);
    const queries = [...by]
      .map(([query, es]) => ({
        query,
        searches: es.length,
        zeroResultSearches: es.filter((e) => e.results === 0).length,
        averageResults: es.reduce((n, e) => n + e.results, 0) / es.length,
        lastSearchedAt: es
          .map((e) => e.at)
          .sort()
          .at(-1)!,
      }))
      .sort((a, b) => b.searches - a.searches || cmp(a.query, b.query));
    return { queries, totalSearches: inWindow.length };
  }
  async popularWithPrefix(prefix: string, limit: number): Promise<string[]> {
    const counts = new Map<string, number>();
    for (const e of this.entries)
      if (e.results > 0 && e.query.startsWith(prefix))
        counts.set(e.query, (counts.get(e.query) ?? 0) + 1);
    return [...counts]
      .sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))
      .slice(0, limit)
      .map(([q]) => q);
  }
}

/** The catalog as pages of `pageSize` products; the token is the next offset. */
export class InMemoryCatalogSource implements CatalogSource {
  products: ProductSnapshot[] = [];
  categories: { id: string; name: string; pathIds: string[] }[] = [];
  /** Fails the page starting at this offset, once. */
  failAt?: number;
  async page(pageToken: string, pageSize: number) {
    const from = Number(pageToken || 0);
    if (this.failAt === from) {
      this.failAt = undefined;
      throw new Error(`catalog unavailable at ${from}`);
    }
    const to = from + pageSize;
    return {
      products: this.products.slice(from, to),
      next: to < this.products.length ? String(to) : '',
    };
  }
  async categoryPage(_pageToken: string) {
    return { categories: this.categories, next: '' };
  }
}

/**
 * Physical indexes behind one alias, as maps of documents with the same external versions as
 * the product index. `alias` serves searches through `serving()`.
 */
export class InMemoryIndexBuilder implements IndexBuilder {
  readonly indexes = new Map<string, Map<string, ProductDocument>>([['products-v1', new Map()]]);
  alias = 'products-v1';
  private n = 1;
  readonly calls: string[] = [];

  async current() {
    return this.alias;
  }
  async create() {
    const name = `products-v${++this.n}`;
    this.indexes.set(name, new Map());
    this.calls.push(`create ${name}`);
    return name;
  }
  async bulk(index: string, docs: ProductDocument[]) {
    const target = this.indexes.get(index)!;
    for (const d of docs) {
      const old = target.get(d.product_id);
      if (!old || old.version < d.version) target.set(d.product_id, d);
    }
  }
  async swap(from: string, to: string) {
    if (this.alias !== from) throw new Error(`alias is on ${this.alias}, not ${from}`);
    this.alias = to;
    this.calls.push(`swap ${to}`);
  }
  async catchUp(from: string, to: string, since: Date) {
    const docs = [...this.indexes.get(from)!.values()].filter(
      (d) => Date.parse(d.indexed_at) >= since.getTime(),
    );
    await this.bulk(to, docs);
    return docs.length;
  }
  async prune(keep: string, retain: number) {
    const others = [...this.indexes.keys()].filter((k) => k !== keep).sort();
    const dropped = others.slice(0, Math.max(0, others.length - retain));
    for (const d of dropped) this.indexes.delete(d);
    return dropped;
  }
  async drop(index: string) {
    this.indexes.delete(index);
    this.calls.push(`drop ${index}`);
  }
  serving(): Map<string, ProductDocument> {
    return this.indexes.get(this.alias)!;
  }
}

/** Reindex jobs with the single lock: claim checks `mayReplace` against the locked job. */
export class InMemoryReindexJobs implements ReindexJobs {
  readonly jobs = new Map<string, ReindexJob>();
  private lock?: string;
  async claim(job: ReindexJob, mayReplace: (latest: ReindexJob | undefined) => boolean) {
    if (!mayReplace(await this.latest())) return false;
    this.jobs.set(job.id, { ...job });
    this.lock = job.id;
    return true;
  }
  async save(job: ReindexJob) {
    this.jobs.set(job.id, { ...job });
  }
  async get(id: string) {
    return this.jobs.get(id);
  }
  async latest() {
    return this.lock ? this.jobs.get(this.lock) : undefined;
  }
}
