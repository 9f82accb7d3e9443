import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { catalogV1, CATALOG_PRODUCT, searchV1 } from '@emporia/contracts';
import { createKafka, HEADER } from '@emporia/messaging';
import { fromGrpcError } from '@emporia/platform';
import { eventually, grpcTestClient, testEnv, testLogger, uniqueSuffix } from '@emporia/testing';
import { startTestSearch } from './harness';

jest.setTimeout(120_000);

/**
 * Catalog's tags in search (issue 18), on real Elasticsearch and Kafka: tags arrive in
 * catalog.product snapshots, filter (any of), are counted in a disjunctive facet, come back on
 * hits, and a tag a later snapshot drops leaves the index.
 */
describe('search by tag (real Elasticsearch + Kafka)', () => {
  const suffix = uniqueSuffix();
  const indexPrefix = `ittg-${suffix}-`;
  const topicPrefix = `ittg${suffix}.`;
  const es = testEnv.elasticsearchUrl();
  const CAT = randomUUID();
  let stop: () => Promise<void>;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'search-tags-it',
    logger: testLogger('kafka'),
  });

  const [NEW_PHONE, HOT_PHONE, SALE_CASE, PLAIN] = [1, 2, 3, 4].map(() => randomUUID());

  /** A full catalog snapshot of an ACTIVE product with these tags, at this version. */
  const snapshot = async (
    id: string,
    o: { title: string; brand: string; tags: string[]; version?: number },
  ) => {
    const product: catalogV1.Product = {
      tags: o.tags,
      manualTags: [],
      publishAt: '',
      unpublishAt: '',
      complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_NOT_REQUIRED,
      id,
      title: o.title,
      description: '',
      brand: o.brand,
      categoryId: CAT,
      categoryPathIds: [CAT],
      rating: undefined,
      status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
      skus: [
        {
          id: randomUUID(),
          code: `T-${id.slice(0, 8)}`,
          attributes: {},
          price: { amountMinor: 9900, currency: 'CNY' },
          originalPrice: undefined,
          stockOnHand: 3,
          unitsSold: 0,
        },
      ],
      unitsSold: 0,
      version: o.version ?? 1,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    const [type, value] =
      (o.version ?? 1) === 1
        ? ['ProductCreated', catalogV1.ProductCreated.encode({ product }).finish()]
        : [
            'ProductUpdated',
            catalogV1.ProductUpdated.encode({ product, changedFields: ['tags'] }).finish(),
          ];
    await producer.send({
      topic: `${topicPrefix}${CATALOG_PRODUCT.name}`,
      acks: -1,
      messages: [
        {
          key: id,
          value: Buffer.from(value),
          headers: {
            [HEADER.eventId]: randomUUID(),
            [HEADER.eventType]: `emporia.catalog.v1.${type}`,
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
  };

  const search = (req: Partial<searchV1.SearchProductsRequest>) =>
    client.call<searchV1.SearchProductsResponse>('searchProducts', {
      categoryId: CAT,
      pageSize: 20,
      ...req,
    });
  const ids = (r: searchV1.SearchProductsResponse) => r.hits.map((h) => h.productId).sort();
  const counts = (values: searchV1.FacetValue[]) =>
    Object.fromEntries(values.map((v) => [v.value, v.count]));

  beforeAll(async () => {
    ({ client, stop } = await startTestSearch({
      indexPrefix,
      topicPrefix,
      group: `search-ittg-${suffix}`,
    }));
    producer = kafka.producer();
    await producer.connect();
    await snapshot(NEW_PHONE, { title: 'Lumen phone', brand: 'Lumen', tags: ['新品'] });
    await snapshot(HOT_PHONE, { title: 'Lumen phone pro', brand: 'Lumen', tags: ['新品', '爆款'] });
    await snapshot(SALE_CASE, { title: 'Clear case', brand: 'Acme', tags: ['促销'] });
    await snapshot(PLAIN, { title: 'Cable', brand: 'Acme', tags: [] });
    await eventually(async () => ((await search({})).total === 4 ? true : undefined), {
      what: 'four tagged products searchable',
    });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await stop?.();
  });

  it('indexes the tags as keywords (mapping v4 and after) and returns them on hits', async () => {
    const mapping = (await (await fetch(`${es}/${indexPrefix}products/_mapping`)).json()) as Record<
      string,
      { mappings: { _meta: { mapping_version: number }; properties: Record<string, unknown> } }
    >;
    const [m] = Object.values(mapping);
    expect(m.mappings._meta.mapping_version).toBeGreaterThanOrEqual(4);
    expect(m.mappings.properties.tags).toEqual({ type: 'keyword' });
    const hits = (await search({})).hits;
    expect(hits.find((h) => h.productId === HOT_PHONE)!.tags).toEqual(['新品', '爆款']);
    expect(hits.find((h) => h.productId === PLAIN)!.tags).toEqual([]);
  });

  it('filters by any of the tags and counts the tag facet without its own selection', async () => {
    expect(ids(await search({ tags: ['新品'] }))).toEqual([NEW_PHONE, HOT_PHONE].sort());
    expect(ids(await search({ tags: ['爆款', '促销'] }))).toEqual([HOT_PHONE, SALE_CASE].sort());
    expect((await search({ tags: ['清仓'] })).total).toBe(0);

    const r = await search({ tags: ['新品'], includeFacets: true });
    expect(r.total).toBe(2);
    // the tag facet ignores the tag selection (what another tag would add) ...
    expect(counts(r.facets!.tags)).toEqual({ 新品: 2, 爆款: 1, 促销: 1 });
    // ... the brand facet honours it
    expect(counts(r.facets!.brands)).toEqual({ Lumen: 2 });

    const acme = await search({ brands: ['Acme'], tags: ['促销', '新品'], includeFacets: true });
    expect(ids(acme)).toEqual([SALE_CASE]);
    expect(counts(acme.facets!.tags)).toEqual({ 促销: 1 });
    expect(counts(acme.facets!.brands)).toEqual({ Lumen: 2, Acme: 1 });
  });

  it('refuses a blank tag with INVALID_ARGUMENT SEARCH_FILTER_INVALID', async () => {
    const e = await search({ tags: [' '] }).then(
      () => undefined,
      (err: unknown) => fromGrpcError(err),
    );
    expect(e).toMatchObject({ code: 'SEARCH_FILTER_INVALID' });
  });

  it('drops a tag that a later snapshot removed; an older snapshot does not bring it back', async () => {
    await snapshot(HOT_PHONE, {
      title: 'Lumen phone pro',
      brand: 'Lumen',
      tags: ['爆款'],
      version: 2,
    });
    await eventually(
      async () => (ids(await search({ tags: ['新品'] })).join() === NEW_PHONE ? true : undefined),
      { what: '新品 removed from the hot phone' },
    );
    // a redelivered older snapshot (version 1, still 新品) changes nothing; version 3 comes after
    // it on the same partition (same key), so once it shows, the stale one was consumed
    await snapshot(HOT_PHONE, { title: 'Lumen phone pro', brand: 'Lumen', tags: ['新品', '爆款'] });
    await snapshot(HOT_PHONE, {
      title: 'Lumen phone pro',
      brand: 'Lumen',
      tags: ['促销', '爆款'],
      version: 3,
    });
    await eventually(
      async () => {
        const hit = (await search({ tags: ['促销'] })).hits.find((h) => h.productId === HOT_PHONE);
        return hit?.version === 3 ? true : undefined;
      },
      { what: 'version 3 of the hot phone indexed' },
    );
    const r = await search({ tags: ['新品', '爆款'], includeFacets: true });
    expect(ids(r)).toEqual([NEW_PHONE, HOT_PHONE].sort());
    expect(r.hits.find((h) => h.productId === HOT_PHONE)!.tags).toEqual(['促销', '爆款']);
    expect(counts(r.facets!.tags)).toEqual({ 新品: 1, 爆款: 1, 促销: 2 });
  });
});
