/**
 * Search latency on a generated catalog of BENCH_PRODUCTS (100,000) products with facets, and
 * event-to-searchable lag, each against a baseline measured in the same run:
 *
 * - the catalog is generated straight into catalog's Postgres (SQL, no events), then indexed by
 *   the search service's own zero-downtime reindex (paged from catalog over gRPC, bulk into a new
 *   index, alias swap): its duration and the search process's peak memory are recorded;
 * - search latency through the gateway (HTTP → gRPC → Elasticsearch, facets on, CJK and English
 *   queries, brand filters, sorts) against the same request bodies sent straight to
 *   Elasticsearch, in two mixes (MIXES): shoppers' searches, 8,160 different ones drawn with
 *   Zipf's law (the target's figure: the search service's result cache answers the repeats), and
 *   every search asked once (the gateway and search hops' own cost); the result cache's hits are
 *   read from the search service's /metrics;
 * - lag: a product renamed through the gateway (catalog → outbox → Kafka → search →
 *   Elasticsearch refresh) until a search finds the new title, against a document written
 *   straight into Elasticsearch until a search finds it (the refresh interval's floor).
 *
 * With BENCH_BASE_TREE (a worktree of an earlier commit with its dependencies, e.g. made by
 * `git worktree add --detach <dir> <commit>` and a node_modules link), that tree's search and
 * gateway also run, as processes beside this tree's (the same Elasticsearch index, catalog and
 * user), and take a third window in each round: before and after in the same run, under the same
 * load from the rest of the machine. This tree's side is then a pair started the same way, not
 * the platform's own (which ran the reindex and the operator's calls).
 *
 * Before the mixes, unmeasured searches, each side in turn, until Elasticsearch is past its warm-up
 * (at least BENCH_WARMUP_SECONDS, 60; 0 skips it), so that a run right after Elasticsearch started
 * measures the same as the next one.
 *
 * The shoppers' mix is measured in a shop's steady state: before its windows each gateway answers
 * BENCH_CACHE_WARMUP_SEARCHES (20,000) other searches of the same distribution, so the caches hold
 * what they hold after minutes of traffic (a fresh process counts every search's facets the first
 * time: about a tenth of the mix's searches in a 15 s window), and all through its warm-up and
 * windows the catalog is written, BENCH_WRITES_PER_SECOND (10) random SKUs restocked a second
 * through the gateway, so the held facet counts are checked against products that change.
 *
 * `BENCH_RESULT_NAME` (default search) names the result file; only `search` writes the figures of
 * bench/results/summary.md.
 *
 *   npm run bench:search   (BENCH_PRODUCTS, BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_ROUNDS,
 *                           BENCH_LAG_SAMPLES, BENCH_BASE_TREE, BENCH_WARMUP_SECONDS,
 *                           BENCH_CACHE_WARMUP_SEARCHES, BENCH_WRITES_PER_SECOND,
 *                           BENCH_RESULT_NAME)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, Prng, provideInfrastructure, startPlatform, testEnv } from '@emporia/testing';
// The baseline replays the search service's own request bodies, so both sides do the same query.
// eslint-disable-next-line no-restricted-imports -- pure code of the service being measured
import { toCriteria, type SearchInput } from '../apps/search/src/domain/search-criteria';
// eslint-disable-next-line no-restricted-imports -- pure code of the service being measured
import { buildSearchBody, SEARCH_FILTER_PATH } from '../apps/search/src/infrastructure/search-body';
import {
  baseTreeLauncher,
  closedLoop,
  cpuPerRequest,
  httpPool,
  machine,
  measureWindow,
  percentiles,
  send,
  table,
  untilSteady,
  windowedSide,
  type WindowedSide,
  writeFigures,
} from './lib';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** Alternating measurement windows per side (BENCH_ROUNDS). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LAG_SAMPLES = Number(process.env.BENCH_LAG_SAMPLES ?? 30);
const BASE_TREE = process.env.BENCH_BASE_TREE;
const RESULT_NAME = process.env.BENCH_RESULT_NAME ?? 'search';
/** Unmeasured searches before the mixes, at least this long (BENCH_WARMUP_SECONDS; 0: none). */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 60);
/**
 * Searches of the shoppers' mix each gateway answers, unmeasured, before that mix's windows
 * (BENCH_CACHE_WARMUP_SEARCHES; 0: none): the platform's caches in their steady state, as in a
 * shop whose processes run for days (a fresh process counts every search's facets the first
 * time). By count, not time: on a slow machine 30 s left a twelfth of the keys unseen. In rounds
 * of CACHE_WARMUP_ROUND_SECONDS per side, at most CACHE_WARMUP_MAX_SECONDS in all.
 */
const CACHE_WARMUP_SEARCHES = Number(process.env.BENCH_CACHE_WARMUP_SEARCHES ?? 20_000);
const CACHE_WARMUP_ROUND_SECONDS = 10;
const CACHE_WARMUP_MAX_SECONDS = 300;
/**
 * Catalog writes a second through the gateway during the shoppers' mix, its warm-up included
 * (BENCH_WRITES_PER_SECOND; 0: none): a random SKU restocked by one unit (a stock adjustment:
 * catalog's ProductStockChanged, the product's document written again; a product out of stock
 * comes back in stock), as orders and restocks change a shop's products while it is searched.
 */
const WRITES_PER_SECOND = Number(process.env.BENCH_WRITES_PER_SECOND ?? 10);
/** What the writes did: answered 200, failed, over how long. */
const writes = { ok: 0, failed: 0, seconds: 0 };
/** The shoppers' mix's cache warm-up: its length, each gateway's searches, failures. */
const cacheWarmup = { seconds: 0, searches: [] as number[], failed: 0 };
/** A warm-up round's seconds per side, and the longest warm-up. */
const WARMUP_ROUND_SECONDS = 5;
const WARMUP_MAX_SECONDS = 240;
/** What the warm-up did: its length, Elasticsearch direct's rate in each round, its failures. */
const warmup = { seconds: 0, directRates: [] as number[], failed: 0 };

const ADJECTIVES = ['新款', '轻薄', '旗舰', '无线', '防水', 'Pro', 'Max', 'Mini', 'Ultra', 'Lite'];
const NOUNS = [
  '手机',
  '耳机',
  '笔记本',
  '平板',
  '手表',
  '相机',
  '音箱',
  '键盘',
  '鼠标',
  '充电器',
  'phone',
  'earbuds',
  'laptop',
  'tablet',
  'watch',
  'camera',
  'speaker',
  'keyboard',
  'mouse',
  'charger',
];
const EXTRAS = [
  '蓝牙',
  '快充',
  '降噪',
  '高清',
  '大容量',
  'wireless',
  'fast',
  'gaming',
  'office',
  'travel',
  'sport',
  'kids',
  'smart',
  'classic',
  'slim',
];
const BRANDS = Array.from({ length: 50 }, (_, i) =>
  i % 2 ? `Brand${i}` : ['华为', '小米', '联想', '漫步者', '索尼'][i % 5] + (i > 9 ? i : ''),
);
const COLOURS = ['黑色', '白色', '银色', '蓝色', '红色', '绿色', '金色', '灰色'];
const QUERIES = [
  '手机',
  '无线耳机',
  '蓝牙 音箱',
  '笔记本',
  'phone',
  'wireless earbuds',
  'gaming laptop',
  '降噪耳机',
  '旗舰手机',
  'smart watch',
  '充电器 快充',
  'camera',
  '平板',
  'slim keyboard',
  '华为 手机',
  '小米',
  'Pro',
  '防水 手表',
  'travel charger',
  'mouse',
];

const SORTS = ['relevance', 'price_asc', 'sales', 'newest'] as const;
const SORT_ENUM = {
  relevance: 'RELEVANCE',
  price_asc: 'PRICE_ASC',
  sales: 'SALES',
  newest: 'NEWEST',
} as const;

/** One search as both sides ask it: the service's input (direct) and the gateway's URL. */
interface BenchSearch {
  input: SearchInput;
  path: string;
}

/**
 * A search of the bench: a query with facets and 20 hits, optionally one brand, a sort, in-stock
 * only, and a minimum price (minor units; the catalog's prices start at 500).
 */
function searchOf(
  i: number,
  opts: {
    brand?: string;
    sort?: (typeof SORTS)[number];
    inStock?: boolean;
    minPrice?: number;
  } = {},
): BenchSearch {
  const q = QUERIES[i % QUERIES.length];
  const sort = opts.sort ?? SORTS[i % SORTS.length];
  const input: SearchInput = {
    query: q,
    categoryId: '',
    currency: opts.minPrice !== undefined ? 'CNY' : '',
    pageSize: 20,
    brands: opts.brand ? [opts.brand] : [],
    sort: SORT_ENUM[sort],
    includeFacets: true,
    ...(opts.inStock ? { inStockOnly: true } : {}),
    ...(opts.minPrice !== undefined ? { minPriceMinor: opts.minPrice } : {}),
  };
  const path =
    `/v1/search/products?q=${encodeURIComponent(q)}&facets=true&limit=20&sort=${sort}` +
    (opts.brand ? `&brand=${encodeURIComponent(opts.brand)}` : '') +
    (opts.inStock ? '&inStock=true' : '') +
    (opts.minPrice !== undefined ? `&minPrice=${opts.minPrice}&currency=CNY` : '');
  return { input, path };
}

/** A mix of searches: each call of `sequence()` starts the same sequence afresh. */
/** The search service's result cache's answers, and the gateway's copy's. */
interface CacheCounts {
  hit: number;
  shared: number;
  miss: number;
  /**
   * Searches that asked Elasticsearch with their facets held (hit), counted (miss), held but
   * counted again after the hits (recounted: the matches had changed), or asked whole (unsettled:
   * the matches had changed at the last check).
   */
  facets: { hit: number; miss: number; recounted: number; unsettled: number };
}
interface EdgeCounts {
  hit: number;
  joined: number;
  miss: number;
}

interface Mix {
  key: 'popular' | 'distinct';
  title: string;
  /** The mix's searches in order; another seed draws others of the same distribution. */
  sequence(seed?: number): () => BenchSearch;
}

/**
 * Shoppers' searches: every combination of the 20 queries, no brand or one of the 50, the 4
 * sorts and in-stock only or not (8,160 different searches), in a fixed random order of
 * popularity, drawn with Zipf's law (the k-th most popular asked in proportion to 1/k), as search
 * logs are: a few searches very often, a long tail once in a while.
 */
const POPULATION: BenchSearch[] = (() => {
  const all: BenchSearch[] = [];
  QUERIES.forEach((_, qi) => {
    for (const brand of [undefined, ...BRANDS])
      for (const sort of SORTS)
        for (const inStock of [false, true]) all.push(searchOf(qi, { brand, sort, inStock }));
  });
  const rand = new Prng(19);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand.next() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all;
})();
const ZIPF_CDF: Float64Array = (() => {
  const cdf = new Float64Array(POPULATION.length);
  let sum = 0;
  for (let k = 0; k < cdf.length; k++) cdf[k] = sum += 1 / (k + 1);
  for (let k = 0; k < cdf.length; k++) cdf[k] /= sum;
  return cdf;
})();
const zipfRank = (u: number) => {
  let lo = 0;
  let hi = ZIPF_CDF.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ZIPF_CDF[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

const MIXES: Mix[] = [
  {
    key: 'popular',
    title: `shoppers' searches: ${POPULATION.length} different searches (20 queries × no brand or one of 50 × 4 sorts × in stock or not), the k-th most popular asked in proportion to 1/k (Zipf)`,
    sequence: (seed = 2026) => {
      // seeded: every side and every run draws the same searches
      const rand = new Prng(seed);
      return () => POPULATION[zipfRank(rand.next())];
    },
  },
  {
    key: 'distinct',
    title:
      'every search asked once (the queries, brands and sorts in turn, each with its own minimum price below every product’s price): the path without the result cache',
    sequence: () => {
      let j = 0;
      return () => {
        const i = j++;
        return searchOf(i, {
          brand: i % 3 === 0 ? BRANDS[(i * 7) % BRANDS.length] : undefined,
          minPrice: i % 499,
        });
      };
    },
  },
];

async function generateCatalog(catalogDb: string, categoryIds: string[], tag: string) {
  const pg = new Client({ connectionString: catalogDb });
  await pg.connect();
  const arr = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;
  try {
    await pg.query('BEGIN');
    await pg.query(
      `INSERT INTO products (id, title, description, brand, category_id, status, version, created_at, updated_at)
       SELECT gen_random_uuid(),
              (${arr(ADJECTIVES)})[1 + i % ${ADJECTIVES.length}] || ' ' ||
              (${arr(NOUNS)})[1 + (i / 7) % ${NOUNS.length}] || ' ' ||
              (${arr(EXTRAS)})[1 + (i / 131) % ${EXTRAS.length}] || ' ' || i,
              $1, (${arr(BRANDS)})[1 + (i * 7) % ${BRANDS.length}],
              ($2::uuid[])[1 + i % $3], 'ACTIVE', 1,
              now() - make_interval(mins => i), now()
         FROM generate_series(1, $4) AS i`,
      [tag, categoryIds, categoryIds.length, PRODUCTS],
    );
    await pg.query(
      `INSERT INTO skus (id, product_id, code, attributes, price_amount_minor, currency, position, units_sold)
       SELECT gen_random_uuid(), p.id, 'B-' || p.id, jsonb_build_object(
                'colour', (${arr(COLOURS)})[1 + abs(hashtext(p.id::text)) % ${COLOURS.length}],
                'storage', (ARRAY['64GB','128GB','256GB','512GB'])[1 + abs(hashtext(p.title)) % 4]),
              500 + abs(hashtext(p.id::text || 'price')) % 1000000, 'CNY', 0,
              abs(hashtext(p.id::text || 'sold')) % 5000
         FROM products p WHERE p.description = $1`,
      [tag],
    );
    // nine products in ten have stock
    await pg.query(
      `INSERT INTO stock_levels (sku_id, warehouse_code, on_hand, updated_at)
       SELECT s.id, 'MAIN', 10, now() FROM skus s JOIN products p ON p.id = s.product_id
        WHERE p.description = $1 AND abs(hashtext(s.id::text)) % 10 <> 0`,
      [tag],
    );
    await pg.query('COMMIT');
  } finally {
    await pg.end();
  }
}

/** Peak resident memory of a process, from /proc (Linux). */
const peakRssMiB = (pid: number | undefined) => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

async function main() {
  await provideInfrastructure(['postgres', 'redis', 'kafka', 'elasticsearch']);
  const platform = await startPlatform({
    catalog: true,
    search: true,
    user: true,
    searchEnv: { SEARCH_REINDEX_BATCH_SIZE: '500' },
  });
  const es = testEnv.elasticsearchUrl();
  const alias = `e2e${platform.suffix}-products`;
  try {
    const operator = await platform.signIn(
      `bench.${platform.suffix}@example.cn`,
      'operator password 1',
      'customer,operator',
    );
    const ops = (method: string, path: string, body?: unknown) =>
      platform.api(method, path, body, operator.auth);
    const categoryIds: string[] = [];
    for (const name of ['数码', '手机', '电脑', '影音', '配件', '穿戴', '家电', '办公']) {
      const c = await ops('POST', '/v1/categories', {
        name,
        slug: `b-${platform.suffix}-${categoryIds.length}`,
      });
      categoryIds.push(c.body.id);
    }

    // 1. generate, then index by a full reindex
    let t = performance.now();
    await generateCatalog(platform.databases.catalog!, categoryIds, `bench-${platform.suffix}`);
    const generateSeconds = (performance.now() - t) / 1000;
    const search = platform.services.find((s) => s.name === 'search');
    const rssBefore = peakRssMiB(search?.process.pid);
    t = performance.now();
    const started = await ops('POST', '/v1/admin/search/reindex');
    if (started.status !== 202)
      throw new Error(`reindex not started: ${JSON.stringify(started.body)}`);
    let job;
    do {
      await new Promise((r) => setTimeout(r, 1000));
      job = (await ops('GET', `/v1/admin/search/reindex/${started.body.id}`)).body;
    } while (job.state === 'running');
    const reindexSeconds = (performance.now() - t) / 1000;
    if (job.state !== 'succeeded') throw new Error(`reindex failed: ${job.error}`);
    const rssAfter = peakRssMiB(search?.process.pid);
    const total = (await platform.api('GET', '/v1/search/products?limit=1')).body.total;
    if (total < PRODUCTS) throw new Error(`only ${total} products searchable`);
    // the SKUs the shoppers' mix's writes restock
    const skuIds = await skusOf(platform.databases.catalog!, `bench-${platform.suffix}`);
    const restock = async (sku: string) =>
      (
        await ops('POST', `/v1/skus/${sku}/stock-adjustments`, {
          warehouseCode: 'MAIN',
          delta: 1,
          reason: 'bench restock',
        })
      ).status;

    // 2. latency: the same searches through the gateway and straight to Elasticsearch, in two
    // mixes (see MIXES): shoppers' searches, popular ones often (the target's figure), and
    // searches each asked once (the path without the search service's result cache)
    // both sides through the same load generator (undici pools, one connection per worker), each
    // window metered alike: CPU summed over every service and server process from /proc
    const esPool = httpPool(es, CONCURRENCY);
    // the base tree's search and gateway, and this tree's started alike (BENCH_BASE_TREE): two
    // fresh pairs, measured the same way (the platform's own pair ran the reindex and the
    // operator's calls, and holds what they left: measured beside a fresh base pair, its search
    // and gateway cost 14-15 % more CPU per search, the gateway's code being the same)
    if (BASE_TREE) {
      baseTree = await startPair(BASE_TREE, platform.processes);
      nowTree = await startPair(join(__dirname, '..'), platform.processes, 'now');
    }
    const gatewayPool = httpPool(nowTree?.gatewayUrl ?? platform.gatewayUrl, CONCURRENCY);
    // the processes a search goes through (catalog and user idle meanwhile: left out)
    const pids =
      nowTree?.pids ??
      Object.fromEntries(
        platform.services
          .filter((s) => s.name === 'gateway' || s.name === 'search')
          .map((s) => [s.name, s.process.pid]),
      );
    const basePool = baseTree ? httpPool(baseTree.gatewayUrl, CONCURRENCY) : undefined;
    // the search service's own URL: the same filter_path (only the parts of the answer it reads)
    const esPath = `/${alias}/_search?filter_path=${encodeURIComponent(SEARCH_FILTER_PATH)}`;
    const sampleBody = buildSearchBody(toCriteria(searchOf(0, undefined).input));
    const bytes = async (path: string, body: object = sampleBody) =>
      (await send(esPool, 'POST', path, { body })).text.length;
    const answerBytes = {
      whole: await bytes(`/${alias}/_search`, { ...sampleBody, _source: true }),
      full: await bytes(`/${alias}/_search`),
      lean: await bytes(esPath),
    };
    // the search service's result cache, counted from its /metrics (hits, shared, misses)
    const searchMetrics =
      nowTree?.searchMetricsUrl ?? platform.processes.search.readyUrl.replace(/readyz$/, 'metrics');
    const gatewayMetrics = nowTree?.gatewayMetricsUrl ?? `${platform.gatewayOpsUrl}/metrics`;
    const counts = async (url: string, metric: string, outcomes: string[]) => {
      const text = await (await fetch(url)).text();
      return Object.fromEntries(
        outcomes.map((outcome) => [
          outcome,
          Number(
            new RegExp(`^${metric}\\{outcome="${outcome}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0,
          ),
        ]),
      );
    };
    // and the gateway's copy of the pages, from its ops port (hits, joined, misses)
    const cacheCounts = async () => {
      const [service, facets, edge] = await Promise.all([
        counts(searchMetrics, 'emporia_search_result_cache_total', ['hit', 'shared', 'miss']),
        counts(searchMetrics, 'emporia_search_facet_cache_total', [
          'hit',
          'miss',
          'recounted',
          'unsettled',
        ]),
        counts(gatewayMetrics, 'emporia_gateway_search_cache_total', ['hit', 'joined', 'miss']),
      ]);
      return {
        ...(service as unknown as Omit<CacheCounts, 'facets'>),
        facets: facets as unknown as CacheCounts['facets'],
        edge: edge as unknown as EdgeCounts,
      };
    };
    const measureMix = async (mix: Mix) => {
      // Both sides are measured in ROUNDS alternating windows (direct, gateway, direct, …) of
      // SECONDS / ROUNDS each, and the rounds pooled: a burst of other work on the machine falls
      // on both sides rather than on one. Each window's CPU is metered alike. Each side draws
      // from its own copy of the mix's sequence (the same searches in the same order).
      const directNext = mix.sequence();
      const directSide = windowedSide(`Elasticsearch directly (same bodies)`, async () => {
        const res = await send(esPool, 'POST', esPath, {
          body: buildSearchBody(toCriteria(directNext().input)),
        });
        return res.status === 200 ? undefined : `HTTP ${res.status}`;
      });
      const gatewayNext = mix.sequence();
      const gatewaySide = windowedSide('gateway → search → Elasticsearch', async () => {
        const res = await send(gatewayPool, 'GET', gatewayNext().path);
        return res.status === 200 ? undefined : `HTTP ${res.status} ${res.text.slice(0, 80)}`;
      });
      const baseNext = mix.sequence();
      const baseSide = windowedSide(
        `the same through the base tree's gateway and search (${BASE_TREE ?? ''})`,
        async () => {
          const res = await send(basePool!, 'GET', baseNext().path);
          return res.status === 200 ? undefined : `HTTP ${res.status} ${res.text.slice(0, 80)}`;
        },
      );
      const window = { concurrency: CONCURRENCY, seconds: SECONDS / ROUNDS, warmupSeconds: 0.5 };
      const cache = {
        hit: 0,
        shared: 0,
        miss: 0,
        facets: { hit: 0, miss: 0, recounted: 0, unsettled: 0 },
        edge: { hit: 0, joined: 0, miss: 0 },
      };
      // the cache's answers during the gateway's measured windows
      const countCache = async () => {
        const from = await cacheCounts();
        return () => {
          pending.push(
            cacheCounts().then((to) => {
              cache.hit += to.hit - from.hit;
              cache.shared += to.shared - from.shared;
              cache.miss += to.miss - from.miss;
              cache.facets.hit += to.facets.hit - from.facets.hit;
              cache.facets.miss += to.facets.miss - from.facets.miss;
              cache.facets.recounted += to.facets.recounted - from.facets.recounted;
              cache.facets.unsettled += to.facets.unsettled - from.facets.unsettled;
              cache.edge.hit += to.edge.hit - from.edge.hit;
              cache.edge.joined += to.edge.joined - from.edge.joined;
              cache.edge.miss += to.edge.miss - from.edge.miss;
            }),
          );
        };
      };
      const pending: Promise<void>[] = [];
      // the shoppers' mix is measured with the catalog being written, its caches warm
      const shoppers = mix.key === 'popular';
      const stopWrites =
        shoppers && WRITES_PER_SECOND > 0
          ? startWriter(skuIds, WRITES_PER_SECOND, restock)
          : undefined;
      try {
        if (shoppers && CACHE_WARMUP_SEARCHES > 0) {
          // other searches of the same distribution (another seed) through each gateway in turn,
          // rounds of CACHE_WARMUP_ROUND_SECONDS, until each has answered CACHE_WARMUP_SEARCHES
          // (Elasticsearch, shared by every side, is warmed with them)
          const ok = (status: number) => (status === 200 ? undefined : `HTTP ${status}`);
          const sides = [gatewayPool, ...(basePool ? [basePool] : [])].map((pool) => {
            const next = mix.sequence(7);
            return {
              op: async () => ok((await send(pool, 'GET', next().path)).status),
              done: 0,
            };
          });
          const each = {
            concurrency: CONCURRENCY,
            seconds: CACHE_WARMUP_ROUND_SECONDS,
            warmupSeconds: 0,
          };
          const from = performance.now();
          while (
            sides.some((side) => side.done < CACHE_WARMUP_SEARCHES) &&
            performance.now() - from < CACHE_WARMUP_MAX_SECONDS * 1000
          )
            for (const side of sides) {
              const r = await closedLoop('warm-up', side.op, each);
              side.done += r.ok;
              cacheWarmup.failed += r.failed;
            }
          cacheWarmup.seconds = (performance.now() - from) / 1000;
          cacheWarmup.searches = sides.map((side) => side.done);
        }
        for (let r = 0; r < ROUNDS; r++) {
          await measureWindow(directSide, { ...window, meterPids: pids });
          if (baseTree) await measureWindow(baseSide, { ...window, meterPids: baseTree.pids });
          await measureWindow(gatewaySide, { ...window, meterPids: pids, around: countCache });
        }
      } finally {
        await stopWrites?.();
      }
      await Promise.all(pending);
      const pooled = ({ s }: { s: WindowedSide }): WindowedSide => {
        s.run = { ...s.run, perSecond: s.run.ok / s.run.seconds, ...percentiles(s.latencies) };
        return s;
      };
      return {
        mix,
        direct: pooled(directSide),
        gateway: pooled(gatewaySide),
        before: baseTree ? pooled(baseSide) : undefined,
        cache,
      };
    };
    // Everything warmed up before anything is measured: right after Elasticsearch starts, its
    // searches run at less than half the speed they reach minutes later (its JIT), and a run
    // measured then recorded the gateway's p95 at 1.15× a slow Elasticsearch, later runs 1.29–1.46×
    // a warm one. Rounds of searches no mix asks (in stock, with a minimum price), each side in turn
    // for WARMUP_ROUND_SECONDS, unmeasured, until Elasticsearch direct is no longer getting faster:
    // at least BENCH_WARMUP_SECONDS, then until two rounds in a row were within 5 % of the best
    // round before them, at most WARMUP_MAX_SECONDS.
    if (WARMUP_SECONDS > 0) {
      let w = 0;
      const warmSearch = () => {
        const i = w++;
        return searchOf(i, { inStock: true, minPrice: i % 499 });
      };
      const ok = (status: number) => (status === 200 ? undefined : `HTTP ${status}`);
      const direct = async () =>
        ok(
          (
            await send(esPool, 'POST', esPath, {
              body: buildSearchBody(toCriteria(warmSearch().input)),
            })
          ).status,
        );
      const others = [gatewayPool, ...(basePool ? [basePool] : [])].map(
        (pool) => async () => ok((await send(pool, 'GET', warmSearch().path)).status),
      );
      const each = { concurrency: CONCURRENCY, seconds: WARMUP_ROUND_SECONDS, warmupSeconds: 0 };
      const steady = await untilSteady(
        async () => {
          const r = await closedLoop('warm-up', direct, each);
          warmup.failed += r.failed;
          for (const op of others) warmup.failed += (await closedLoop('warm-up', op, each)).failed;
          return r.ok / r.seconds;
        },
        { minSeconds: WARMUP_SECONDS, maxSeconds: WARMUP_MAX_SECONDS, better: 'higher' },
      );
      warmup.directRates.push(...steady.figures);
      warmup.seconds = steady.seconds;
      process.stderr.write(
        `warmed up for ${warmup.seconds.toFixed(0)} s; Elasticsearch direct per round: ${warmup.directRates.map((x) => x.toFixed(0)).join(', ')}/s; ${warmup.failed} failed\n`,
      );
    }
    const measured = [];
    for (const mix of MIXES) measured.push(await measureMix(mix));
    const [popular, distinct] = measured;
    await Promise.all([esPool.close(), gatewayPool.close(), basePool?.close()]);
    await Promise.all([baseTree?.stop(), nowTree?.stop()]);
    baseTree = nowTree = undefined;

    // 3. event-to-searchable lag
    const poll = async (find: () => Promise<boolean>) => {
      const from = performance.now();
      while (!(await find())) {
        if (performance.now() - from > 120_000) throw new Error('not searchable within 120 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      return performance.now() - from;
    };
    const sample = await platform.api('GET', '/v1/search/products?q=phone&limit=50');
    const ids: string[] = sample.body.items.map((h: { productId: string }) => h.productId);
    const lags: number[] = [];
    for (let i = 0; i < LAG_SAMPLES; i++) {
      const token = `lag${platform.suffix.replace(/[^a-z0-9]/g, '')}x${i}`;
      const start = performance.now();
      const res = await ops('PATCH', `/v1/products/${ids[i % ids.length]}`, {
        title: `renamed ${token}`,
      });
      if (res.status !== 200) throw new Error(`rename failed: ${JSON.stringify(res.body)}`);
      await poll(
        async () => (await platform.api('GET', `/v1/search/products?q=${token}`)).body.total === 1,
      );
      lags.push(performance.now() - start);
    }
    const scratch = `e2e${platform.suffix}-lag-baseline`;
    await fetch(`${es}/${scratch}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 } }),
    });
    const floor: number[] = [];
    for (let i = 0; i < LAG_SAMPLES; i++) {
      const token = `floor${i}x${Date.now()}`;
      const start = performance.now();
      await fetch(`${es}/${scratch}/_doc/${i}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: token }),
      });
      await poll(async () => {
        const r = await fetch(`${es}/${scratch}/_search?q=title:${token}`);
        return ((await r.json()) as { hits: { total: { value: number } } }).hits.total.value === 1;
      });
      floor.push(performance.now() - start);
    }
    const lag = percentiles(lags);
    const base = percentiles(floor);

    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    const cacheSetting = platform.processes.search.env.SEARCH_RESULT_CACHE_MS;
    const resultCacheMs =
      cacheSetting === undefined ? '1000 ms, the default' : `${cacheSetting} ms`;
    const facetSetting = platform.processes.search.env.SEARCH_FACET_CACHE_MS;
    const facetCacheMs =
      facetSetting === undefined ? '600000 ms, the default' : `${facetSetting} ms`;
    const summary = [
      `# Search benchmark (${new Date().toISOString()})`,
      '',
      `Machine: ${machine()}. Command: \`npm run bench:search\` (BENCH_PRODUCTS=${PRODUCTS}, BENCH_SECONDS=${SECONDS} per side and mix, BENCH_CONCURRENCY=${CONCURRENCY}, BENCH_ROUNDS=${ROUNDS}, BENCH_LAG_SAMPLES=${LAG_SAMPLES}, BENCH_WARMUP_SECONDS=${WARMUP_SECONDS}, BENCH_CACHE_WARMUP_SEARCHES=${CACHE_WARMUP_SEARCHES}, BENCH_WRITES_PER_SECOND=${WRITES_PER_SECOND}${BASE_TREE ? `, BENCH_BASE_TREE=${BASE_TREE}` : ''}${RESULT_NAME !== 'search' ? `, BENCH_RESULT_NAME=${RESULT_NAME}` : ''}). ${WARMUP_SECONDS > 0 ? `First ${warmup.seconds.toFixed(0)} s of unmeasured searches (in stock, with a minimum price: searches no mix asks), each side in turn for ${WARMUP_ROUND_SECONDS} s per round, until Elasticsearch direct stopped getting faster (at least BENCH_WARMUP_SECONDS, then until two rounds in a row were within 5 % of the best round before them; per round: ${warmup.directRates.map((x) => x.toFixed(0)).join(', ')} searches/s; ${warmup.failed} failed). ` : ''}${BASE_TREE ? `The three sides are measured in ${ROUNDS} alternating windows each (direct, the base tree's gateway, this tree's gateway, direct, …), pooled; each tree's search and gateway were started for the comparison, as processes beside the platform's (whose pair ran the reindex and the operator's calls, and is not measured)` : `The two sides are measured in ${ROUNDS} alternating windows each (direct, gateway, direct, …), pooled`}.`,
      'Catalog, search, user, the gateway, the load generator, Postgres, Kafka and Elasticsearch share the machine.',
      '',
      '## Indexing',
      '',
      `- ${PRODUCTS} products (one SKU each, colour and storage attributes, 8 categories, 50 brands, 9 in 10 in stock) generated into catalog's Postgres in ${generateSeconds.toFixed(1)} s.`,
      `- Full reindex (catalog gRPC pages → bulk into a new index → alias swap → catch-up): **${reindexSeconds.toFixed(1)} s**, ${(job.productsIndexed / reindexSeconds).toFixed(0)} products/s, ${job.batches} batches, ${job.caughtUp} caught up; ${total} products searchable afterwards.`,
      `- Search process peak RSS: ${rssBefore.toFixed(0)} MiB before the reindex, ${rssAfter.toFixed(0)} MiB after (one page of products in memory at a time).`,
      '',
      '## Search latency (facets on: categories, brands, price ranges, attributes; 20 hits)',
      '',
      `The search service answers a search asked again within \`SEARCH_RESULT_CACHE_MS\` (${resultCacheMs}) from memory (its result cache; a change is searchable at most Elasticsearch's refresh plus that after it was indexed: the lag below). Two mixes, each measured on both sides:`,
      '',
      ...measured.flatMap(({ mix, direct, gateway, before, cache }) => {
        const asked = cache.hit + cache.shared + cache.miss;
        const edge = cache.edge.hit + cache.edge.joined + cache.edge.miss;
        return [
          `### ${mix.key === 'popular' ? 'Popular searches often (the target)' : 'Every search once (no cache help)'}`,
          '',
          `${mix.title[0].toUpperCase()}${mix.title.slice(1)}.`,
          '',
          ...(mix.key === 'popular'
            ? [
                [
                  CACHE_WARMUP_SEARCHES > 0
                    ? `In the steady state of a shop open for a while: before the windows, each gateway answered other searches of the same distribution, unmeasured, in turns of ${CACHE_WARMUP_ROUND_SECONDS} s, until each had answered BENCH_CACHE_WARMUP_SEARCHES=${CACHE_WARMUP_SEARCHES} (${cacheWarmup.searches.join(' and ')} in ${cacheWarmup.seconds.toFixed(0)} s; ${cacheWarmup.failed} failed), so that the platform's caches hold what they hold after minutes of traffic.`
                    : 'Cold: no search of this mix before the windows (BENCH_CACHE_WARMUP_SEARCHES=0), so the first of each search in the windows finds nothing held.',
                  WRITES_PER_SECOND > 0
                    ? `All through the warm-up and the windows of every side, ${WRITES_PER_SECOND} catalog writes a second through the gateway (BENCH_WRITES_PER_SECOND: a random one of the ${PRODUCTS} SKUs restocked by one unit; its product's document written again, out of stock ones back in stock): ${writes.ok} answered 200, ${writes.failed} failed, over ${writes.seconds.toFixed(0)} s.`
                    : 'No catalog writes during the windows (BENCH_WRITES_PER_SECOND=0).',
                ].join(' '),
                '',
              ]
            : []),
          table([direct.run, ...(before ? [before.run] : []), gateway.run]),
          '',
          `- Gateway p50 ÷ Elasticsearch p50: **${ratio(gateway.run.p50, direct.run.p50)}**; p95 ÷ p95: **${ratio(gateway.run.p95, direct.run.p95)}**; p99 ÷ p99: ${ratio(gateway.run.p99, direct.run.p99)}; throughput ratio ${ratio(gateway.run.perSecond, direct.run.perSecond)}.`,
          `- The gateway's copy of the pages during its windows (\`SEARCH_PAGE_CACHE_MS\`): ${edge} searches, ${cache.edge.hit} answered from the copy (${edge ? ((100 * cache.edge.hit) / edge).toFixed(1) : '0'} %), ${cache.edge.joined} joined the same search in flight, ${cache.edge.miss} asked the search service.`,
          `- The search service's result cache during the gateway's windows: ${asked} searches, ${cache.hit} answered from memory (${asked ? ((100 * cache.hit) / asked).toFixed(1) : '0'} %), ${cache.shared} joined the same search in flight, ${cache.miss} asked Elasticsearch.`,
          `- Of the searches that asked Elasticsearch, by their facets (\`SEARCH_FACET_CACHE_MS\`, ${facetCacheMs}): ${cache.facets.hit} with the facet counts of the same search in another order or page (their hits only asked), ${cache.facets.miss} with their facets counted, ${cache.facets.recounted} counted again after their hits (the products matching had changed), ${cache.facets.unsettled} asked with their facets because the products matching had changed at the search's last check.`,
          '- CPU per request (ms, summed over every service and server process from /proc; the load generator apart):',
          `  - Elasticsearch directly: ${cpuPerRequest(direct.cpu, direct.run.ok)}`,
          ...(before
            ? [
                `  - the base tree's gateway → search → Elasticsearch: ${cpuPerRequest(before.cpu, before.run.ok)}`,
              ]
            : []),
          `  - gateway → search → Elasticsearch: ${cpuPerRequest(gateway.cpu, gateway.run.ok)}`,
          `  - CPU ratio gateway ÷ direct: **${ratio(gateway.cpu.platformMs / gateway.run.ok, direct.cpu.platformMs / direct.run.ok)}**`,
          '',
        ];
      }),
      `Elasticsearch's answer to one search (\`${QUERIES[0]}\`, facets, 20 hits) is ${answerBytes.lean} characters with the service's \`_source\` fields and \`filter_path\` (${answerBytes.full} without \`filter_path\`, ${answerBytes.whole} with whole documents and without \`filter_path\`, as before issue 19); the direct run sends the same body to the same URL.`,
      '',
      '## Event-to-searchable lag',
      '',
      '| path | samples | p50 ms | p95 ms | max ms |',
      '|---|---:|---:|---:|---:|',
      `| rename through the gateway → catalog → outbox → Kafka → search → Elasticsearch | ${lags.length} | ${lag.p50.toFixed(0)} | ${lag.p95.toFixed(0)} | ${Math.max(...lags).toFixed(0)} |`,
      `| a document written straight into Elasticsearch (refresh interval 1 s) | ${floor.length} | ${base.p50.toFixed(0)} | ${base.p95.toFixed(0)} | ${Math.max(...floor).toFixed(0)} |`,
      '',
      `- Lag p50 ÷ Elasticsearch's own p50: **${ratio(lag.p50, base.p50)}**; p95 ÷ p95: **${ratio(lag.p95, base.p95)}**.`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    const file = join(__dirname, 'results', `${RESULT_NAME}.md`);
    writeFileSync(file, summary);
    const cpuPer = (m: WindowedSide) => m.cpu.platformMs / m.run.ok;
    if (RESULT_NAME === 'search')
      writeFigures('search', [
        {
          name: `search p95 through the gateway ÷ Elasticsearch direct p95 (${PRODUCTS} products, facets, shoppers' searches)`,
          value: popular.gateway.run.p95 / popular.direct.run.p95,
          target: { op: '<=', value: 1.2 },
          unit: '×',
        },
        {
          name: "search p50 ÷ Elasticsearch direct p50 (shoppers' searches)",
          value: popular.gateway.run.p50 / popular.direct.run.p50,
          unit: '×',
        },
        {
          name: "gateway's search page copy: share answered from it (shoppers' searches)",
          value: shareOf(popular.cache.edge.hit, popular.cache.edge),
          unit: '',
        },
        {
          name: "search result cache: share answered from memory (shoppers' searches)",
          value: shareOf(popular.cache.hit, [
            popular.cache.hit,
            popular.cache.shared,
            popular.cache.miss,
          ]),
          unit: '',
        },
        {
          name: "searches asking Elasticsearch with their facets held (hits only asked; shoppers' searches)",
          value: shareOf(popular.cache.facets.hit, popular.cache.facets),
          unit: '',
        },
        {
          name: 'search p95 ÷ Elasticsearch direct p95, every search once (no cache help)',
          value: distinct.gateway.run.p95 / distinct.direct.run.p95,
          unit: '×',
        },
        {
          name: 'search CPU per request through the gateway, every search once',
          value: cpuPer(distinct.gateway),
          unit: 'ms',
        },
        {
          name: 'search CPU per request ÷ Elasticsearch direct, every search once',
          value: cpuPer(distinct.gateway) / cpuPer(distinct.direct),
          unit: '×',
        },
        {
          name: 'event-to-searchable lag p95 ÷ Elasticsearch refresh p95',
          value: lag.p95 / base.p95,
          unit: '×',
        },
      ]);
    process.stderr.write(`\nwritten to ${file}\n`);
    if (measured.some((m) => m.gateway.run.failed > 0 || m.direct.run.failed > 0))
      throw new Error('failed searches during the run');
    if (writes.failed > 0 || cacheWarmup.failed > 0)
      throw new Error(
        `${writes.failed} failed writes, ${cacheWarmup.failed} failed warm-up searches`,
      );
  } finally {
    await Promise.all([baseTree?.stop(), nowTree?.stop()]);
    await platform.stop();
  }
}

/** A search and gateway pair started for the comparison (BENCH_BASE_TREE), stopped by `stop`. */
interface Pair {
  gatewayUrl: string;
  gatewayMetricsUrl: string;
  searchMetricsUrl: string;
  pids: Record<string, number | undefined>;
  stop(): Promise<void>;
}
/** `part`'s share of the counts (0 when there are none). */
const shareOf = (part: number, counts: Record<string, number> | number[]) =>
  part /
  Math.max(
    1,
    Object.values(counts).reduce((a, b) => a + b, 0),
  );

/** The base tree's pair, and this tree's (BENCH_BASE_TREE). */
let baseTree: Pair | undefined;
let nowTree: Pair | undefined;

/**
 * Starts `tree`'s search and gateway as processes beside the platform's own (their settings with
 * other ports and consumer groups: the same index, catalog, user, Kafka topics and Redis), each
 * from that tree's sources (its own libs/testing starts them from its root).
 */
async function startPair(
  tree: string,
  processes: Record<string, { env: Record<string, string> }>,
  side = 'base',
): Promise<Pair> {
  const startServiceProcess = baseTreeLauncher(tree);
  const [grpc, http, gw, ops] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const s = processes.search.env;
  const search = await startServiceProcess(
    'search',
    {
      ...s,
      SEARCH_GRPC_PORT: String(grpc),
      SEARCH_HTTP_PORT: String(http),
      SEARCH_CONSUMER_GROUP: `${s.SEARCH_CONSUMER_GROUP}-${side}`,
      // readers only: their consumers read topics nobody writes, so every product document is
      // the platform's search's (this tree's) write, as with one search deployment; otherwise
      // each pair would write every event's document too, the base tree's without the fields
      // this tree's reads
      KAFKA_TOPIC_PREFIX: `bench-idle-${side}-`,
    },
    `http://127.0.0.1:${http}/readyz`,
  );
  const gateway = await startServiceProcess(
    'gateway',
    {
      ...processes.gateway.env,
      GATEWAY_HTTP_PORT: String(gw),
      GATEWAY_OPS_PORT: String(ops),
      SEARCH_GRPC_URL: `127.0.0.1:${grpc}`,
    },
    `http://127.0.0.1:${ops}/healthz`,
  ).catch(async (e: unknown) => {
    await search.stop();
    throw e;
  });
  return {
    gatewayUrl: `http://127.0.0.1:${gw}`,
    gatewayMetricsUrl: `http://127.0.0.1:${ops}/metrics`,
    searchMetricsUrl: `http://127.0.0.1:${http}/metrics`,
    pids: { gateway: gateway.process.pid, search: search.process.pid },
    stop: async () => {
      await gateway.stop();
      await search.stop();
    },
  };
}

/** The generated products' SKU ids (the catalog's rows tagged by `generateCatalog`). */
async function skusOf(catalogDb: string, tag: string): Promise<string[]> {
  const pg = new Client({ connectionString: catalogDb });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ id: string }>(
      'SELECT s.id FROM skus s JOIN products p ON p.id = s.product_id WHERE p.description = $1',
      [tag],
    );
    return rows.map((r) => r.id);
  } finally {
    await pg.end();
  }
}

/**
 * Writes at a steady pace until stopped: `perSecond` times a second, a random SKU given to
 * `write` (its HTTP status; 200 counted ok). A write slower than the pace delays the next, never
 * more than one at a time. Returns the stop, which waits for the write under way.
 */
function startWriter(skus: string[], perSecond: number, write: (sku: string) => Promise<number>) {
  const rand = new Prng(11);
  const started = performance.now();
  let stopped = false;
  const loop = (async () => {
    let next = performance.now();
    while (!stopped) {
      const status = await write(skus[Math.floor(rand.next() * skus.length)]).catch(() => 0);
      if (status === 200) writes.ok++;
      else writes.failed++;
      next = Math.max(next + 1000 / perSecond, performance.now());
      await new Promise((r) => setTimeout(r, next - performance.now()));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    writes.seconds += (performance.now() - started) / 1000;
  };
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
