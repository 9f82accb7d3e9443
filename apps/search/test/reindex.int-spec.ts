import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { catalogV1, PROTO_FILES, searchV1 } from '@emporia/contracts';
import { fromGrpcError, type RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  runServiceCommand,
  startServiceProcess,
  testEnv,
  testLogger,
  uniqueSuffix,
  type ServiceProcess,
} from '@emporia/testing';
import { searchConfigSchema } from '../src/config';
import { ElasticsearchProductIndex } from '../src/infrastructure/elasticsearch-product-index';
import { ElasticsearchSearcher } from '../src/infrastructure/elasticsearch-searcher';
import { MAPPING_VERSION } from '../src/infrastructure/product-mapping';
import { startSearch } from '../src/search.app';
import { Client } from '@elastic/elasticsearch';

jest.setTimeout(180_000);

/**
 * Rebuilding the index from the catalog (a real catalog process on its own database): an index
 * of an older mapping is rebuilt before the consumer starts, a stale reindex is taken over, and
 * the catch-up after the swap never lets an older copy win.
 */
describe('search reindex (real catalog, Elasticsearch, Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `itr-${suffix}-`;
  const alias = `${prefix}products`;
  const es = testEnv.elasticsearchUrl();
  const esClient = new Client({ node: es });
  const searcher = new ElasticsearchSearcher(es);
  let catalog: ServiceProcess;
  let catalogApi: ReturnType<typeof grpcTestClient>;
  let search: RunningService | undefined;
  let client: ReturnType<typeof grpcTestClient>;
  let drop: (() => Promise<void>) | undefined;
  const products: catalogV1.Product[] = [];

  const http = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${es}/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const aliasTargets = async () => Object.keys(await http('GET', `_alias/${alias}`));

  beforeAll(async () => {
    const db = await createTestDatabase('search_it_catalog');
    drop = db.drop;
    const env = {
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `itr${suffix}.`,
      BIND_HOST: '127.0.0.1',
      CATALOG_DATABASE_URL: db.url,
      // a group of its own: the default 'catalog' is shared with every other catalog on this Kafka
      CATALOG_CONSUMER_GROUP: `catalog-itr-${suffix}`,
    };
    await runServiceCommand('catalog', env, ['migrate']);
    const [grpc, ops] = [await freePort(), await freePort()];
    catalog = await startServiceProcess(
      'catalog',
      { ...env, CATALOG_GRPC_PORT: String(grpc), CATALOG_HTTP_PORT: String(ops) },
      `http://127.0.0.1:${ops}/readyz`,
    );
    catalogApi = grpcTestClient(
      PROTO_FILES.catalog,
      'emporia.catalog.v1.CatalogService',
      `127.0.0.1:${grpc}`,
    );
    const cat = await catalogApi.call<catalogV1.CreateCategoryResponse>('createCategory', {
      name: '图书',
      slug: `books-${suffix}`,
    });
    for (let i = 0; i < 23; i++) {
      const res = await catalogApi.call<catalogV1.CreateProductResponse>('createProduct', {
        title: `Novel ${i} 小说`,
        brand: 'Press',
        categoryId: cat.category!.id,
        skus: [{ code: `N-${suffix}-${i}`, price: { amountMinor: 1000 + i, currency: 'CNY' } }],
        ...(i === 22 ? { status: catalogV1.ProductStatus.PRODUCT_STATUS_DRAFT } : {}),
      });
      products.push(res.product!);
    }

    // what an older release left behind: a v1 index (no mapping version) behind the alias,
    // holding an outdated copy of one product
    await http('PUT', `${alias}-v1-1`, {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        properties: {
          product_id: { type: 'keyword' },
          title: { type: 'text' },
          version: { type: 'long' },
        },
      },
      aliases: { [alias]: { is_write_index: true } },
    });
    await http(
      'PUT',
      `${alias}/_doc/${products[0].id}?version=1&version_type=external&refresh=true`,
      {
        title: 'stale title',
        version: 1,
      },
    );

    search = await startSearch(
      searchConfigSchema.parse({
        ELASTICSEARCH_URL: es,
        SEARCH_INDEX_PREFIX: prefix,
        KAFKA_BROKERS: testEnv.kafkaBrokers(),
        KAFKA_TOPIC_PREFIX: `itr${suffix}.`,
        SEARCH_CONSUMER_GROUP: `search-itr-${suffix}`,
        SEARCH_GRPC_PORT: String(await freePort()),
        SEARCH_HTTP_PORT: '0',
        BIND_HOST: '127.0.0.1',
        CATALOG_GRPC_URL: `127.0.0.1:${grpc}`,
        SEARCH_REINDEX_BATCH_SIZE: '5',
      }),
      testLogger('search'),
    );
    client = grpcTestClient(PROTO_FILES.search, 'emporia.search.v1.SearchService', search.grpcUrl!);
  });

  afterAll(async () => {
    client?.close();
    catalogApi?.close();
    await search?.close();
    await catalog?.stop();
    await drop?.();
    await fetch(`${es}/${prefix}*`, { method: 'DELETE' });
    await esClient.close();
    await searcher.close();
  });

  it('rebuilds an index of an older mapping from the catalog before it consumes', async () => {
    const [serving] = await aliasTargets();
    expect(serving).toMatch(new RegExp(`^${alias}-v${MAPPING_VERSION}-\\d+$`));
    const latest = await client.call<searchV1.GetReindexResponse>('getReindex', { id: '' });
    expect(latest.reindex).toMatchObject({
      state: searchV1.ReindexState.REINDEX_STATE_SUCCEEDED,
      previousIndex: `${alias}-v1-1`,
      targetIndex: serving,
      productsIndexed: 23,
      batches: 5,
    });
    // every product of every status is in the index; only listed ones are found
    expect((await http('GET', `${alias}/_count`)).count).toBe(23);
    const found = await client.call<searchV1.SearchProductsResponse>('searchProducts', {
      query: '小说',
      pageSize: 100,
    });
    expect(found.total).toBe(22);
    expect(found.hits.map((h) => h.title)).not.toContain('stale title');
    expect(found.hits.find((h) => h.productId === products[0].id)?.categoryNames).toEqual(['图书']);
    // the previous index is kept for a manual rollback
    expect((await http('GET', `${alias}-v1-1/_count`)).count).toBe(1);
  });

  it('keeps indexing events after the rebuild', async () => {
    await catalogApi.call('updateProduct', {
      id: products[1].id,
      expectedVersion: products[1].version,
      title: 'Novel renamed 续集',
    });
    await eventually(
      async () => {
        const r = await client.call<searchV1.SearchProductsResponse>('searchProducts', {
          query: '续集',
        });
        return r.total === 1 ? true : undefined;
      },
      { what: 'the update indexed into the rebuilt index' },
    );
  });

  it('takes over a reindex whose worker died, dropping its half-built index', async () => {
    const orphan = `${alias}-v${MAPPING_VERSION}-1`;
    await http('PUT', orphan, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
    const stale = {
      id: randomUUID(),
      state: 'RUNNING',
      targetIndex: orphan,
      previousIndex: (await aliasTargets())[0],
      productsIndexed: 5,
      caughtUp: 0,
      batches: 1,
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      heartbeatAt: new Date(Date.now() - 120_000).toISOString(),
      finishedAt: '',
      error: '',
    };
    await http('PUT', `${prefix}search-jobs/_doc/${stale.id}?refresh=true`, {
      job: stale,
      job_id: stale.id,
    });
    await http('PUT', `${prefix}search-jobs/_doc/reindex-lock?refresh=true`, { job_id: stale.id });

    const started = await client.call<searchV1.StartReindexResponse>('startReindex', {});
    const done = await eventually(
      async () => {
        const r = await client.call<searchV1.GetReindexResponse>('getReindex', {
          id: started.reindex!.id,
        });
        return r.reindex!.state === searchV1.ReindexState.REINDEX_STATE_RUNNING
          ? undefined
          : r.reindex!;
      },
      { what: 'the new reindex finished' },
    );
    expect(done.state).toBe(searchV1.ReindexState.REINDEX_STATE_SUCCEEDED);
    expect((await http('GET', orphan)).status).toBe(404);
    const old = await client.call<searchV1.GetReindexResponse>('getReindex', { id: stale.id });
    expect(old.reindex).toMatchObject({
      state: searchV1.ReindexState.REINDEX_STATE_FAILED,
      error: 'worker lost',
    });
    // a fresh running job is not taken over
    await http('PUT', `${prefix}search-jobs/_doc/${stale.id}?refresh=true`, {
      job: { ...stale, heartbeatAt: new Date().toISOString() },
      job_id: stale.id,
    });
    await http('PUT', `${prefix}search-jobs/_doc/reindex-lock?refresh=true`, { job_id: stale.id });
    const refused = await client.call('startReindex', {}).then(
      () => undefined,
      (e: unknown) => fromGrpcError(e),
    );
    expect(refused).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'REINDEX_RUNNING',
    });
  });

  it('catches up what changed during the build without letting an older copy win', async () => {
    const index = new ElasticsearchProductIndex(
      esClient,
      `${prefix}cu-`,
      testLogger('index'),
      searcher,
    );
    const from = await index.create();
    const to = await index.create();
    const doc = (id: string, version: number, title: string, at: string) => ({
      product_id: id,
      title,
      version,
      indexed_at: at,
      category_path_ids: [],
      category_names: [],
    });
    const [changed, newer, untouched] = [randomUUID(), randomUUID(), randomUUID()];
    const before = '2026-01-01T00:00:00.000Z';
    const after = new Date().toISOString();
    const put = (i: string, d: ReturnType<typeof doc>) =>
      http('PUT', `${i}/_doc/${d.product_id}?version=${d.version * 1000}&version_type=external`, d);
    // built copies (version 1 of each)
    for (const id of [changed, newer, untouched]) await put(to, doc(id, 1, 'built', before));
    // the old index got version 2 of `changed` during the build, and an older 2 of `newer`
    // whose version 3 already reached the new index after the swap
    await put(from, doc(changed, 2, 'changed during build', after));
    await put(from, doc(newer, 2, 'older copy', after));
    await put(to, doc(newer, 3, 'newest', after));
    await put(from, doc(untouched, 1, 'built', before));
    const copied = await index.catchUp(from, to, new Date(Date.now() - 60_000), 2);
    expect(copied).toBe(1);
    const title = async (id: string) =>
      ((await http('GET', `${to}/_doc/${id}`))._source as { title: string }).title;
    expect(await title(changed)).toBe('changed during build');
    expect(await title(newer)).toBe('newest');
    expect(await title(untouched)).toBe('built');
  });
});
