import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Consumer, Producer } from 'kafkajs';
import { catalogV1, searchV1 } from '@emporia/contracts';
import { createKafka, dlqTopic, HEADER } from '@emporia/messaging';
import { fromGrpcError } from '@emporia/platform';
import { eventually, grpcTestClient, testEnv, testLogger, uniqueSuffix } from '@emporia/testing';
import { MAPPING_VERSION } from '../src/infrastructure/product-mapping';
import { startTestSearch } from './harness';

jest.setTimeout(120_000);

const CAT_ROOT = '0190a000-0000-7000-8000-000000000001';
const CAT_PHONES = '0190a000-0000-7000-8000-000000000002';
const CAT_BOOKS = '0190a000-0000-7000-8000-000000000003';

describe('search service (real Elasticsearch + Kafka)', () => {
  const suffix = uniqueSuffix();
  const indexPrefix = `it-${suffix}-`;
  const topic = `it${suffix}.catalog.product`;
  let stop: () => Promise<void>;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  const es = testEnv.elasticsearchUrl();
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'search-it',
    logger: testLogger('kafka'),
  });

  const product = (id: string, over: Partial<catalogV1.Product> = {}): catalogV1.Product => ({
    tags: [],
    manualTags: [],
    publishAt: '',
    unpublishAt: '',
    complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_NOT_REQUIRED,
    id,
    title: 'Plain product',
    description: '',
    brand: 'Acme',
    categoryId: CAT_PHONES,
    categoryPathIds: [CAT_ROOT, CAT_PHONES],
    rating: undefined,
    status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
    skus: [
      {
        id: randomUUID(),
        code: `S-${id.slice(0, 8)}`,
        attributes: {},
        price: { amountMinor: 1000, currency: 'CNY' },
        originalPrice: undefined,
        stockOnHand: 1,
        unitsSold: 0,
      },
    ],
    unitsSold: 0,
    version: 1,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    ...over,
  });

  const send = async (
    p: catalogV1.Product,
    eventId = randomUUID(),
    type = 'emporia.catalog.v1.ProductCreated',
  ) => {
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: p.id,
          value: Buffer.from(catalogV1.ProductCreated.encode({ product: p }).finish()),
          headers: {
            [HEADER.eventId]: eventId,
            [HEADER.eventType]: type,
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
    return eventId;
  };

  const doc = async (id: string) => {
    const res = await fetch(`${es}/${indexPrefix}products/_doc/${id}`);
    return res.status === 200
      ? ((await res.json()) as {
          _version: number;
          _seq_no: number;
          _source: Record<string, unknown>;
        })
      : undefined;
  };

  const search = (req: Partial<searchV1.SearchProductsRequest>) =>
    client.call<searchV1.SearchProductsResponse>('searchProducts', req);
  const page = (req: Partial<searchV1.SearchProductsRequest>) =>
    client.call<searchV1.SearchProductsPageResponse>('searchProductsPage', { search: req });

  beforeAll(async () => {
    ({ client, stop } = await startTestSearch({
      indexPrefix,
      topicPrefix: `it${suffix}.`,
      group: `search-it-${suffix}`,
      env: { SEARCH_MAX_ATTEMPTS: '2' },
    }));
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await stop?.();
  });

  it('keeps the product index behind an alias over a versioned index', async () => {
    const aliases = (await (await fetch(`${es}/_alias/${indexPrefix}products`)).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(aliases)).toEqual([
      expect.stringMatching(new RegExp(`^${indexPrefix}products-v${MAPPING_VERSION}-\\d+$`)),
    ]);
  });

  it('indexes an event once when it is delivered twice, and never lets an older version win', async () => {
    const id = randomUUID();
    const created = product(id, { title: 'Twice delivered', version: 3 });
    const eventId = await send(created);
    const first = await eventually(() => doc(id), { what: 'first delivery indexed' });
    expect(first._version).toBe(3000);

    // the same event again (same id, same bytes), then an older version, then a marker event
    await send(created, eventId);
    await send(
      product(id, { title: 'Stale title', version: 2 }),
      randomUUID(),
      'emporia.catalog.v1.ProductUpdated',
    );
    const marker = randomUUID();
    await send(product(marker, { title: 'Marker' }));
    await eventually(() => doc(marker), {
      what: 'marker indexed (so the duplicate and the stale event were consumed)',
    });

    const after = await doc(id);
    expect(after).toMatchObject({
      _version: 3000,
      _seq_no: first._seq_no,
      _source: { title: 'Twice delivered', last_event_id: eventId },
    });

    // a newer version does replace it
    await send(
      product(id, { title: 'Renamed', version: 4 }),
      randomUUID(),
      'emporia.catalog.v1.ProductUpdated',
    );
    await eventually(
      async () => ((await doc(id))?._source.title === 'Renamed' ? true : undefined),
      { what: 'newer version applied' },
    );
  });

  it('sends a poison message to the DLQ and keeps the partition flowing', async () => {
    const key = randomUUID();
    const dlqReader: Consumer = kafka.consumer({ groupId: `dlq-${suffix}` });
    const dead: { key: string; error: string }[] = [];
    await dlqReader.connect();
    await dlqReader.subscribe({ topic: dlqTopic(topic), fromBeginning: true });
    await dlqReader.run({
      eachMessage: async ({ message }) =>
        void dead.push({
          key: message.key!.toString(),
          error: message.headers!['dlq-error']!.toString(),
        }),
    });
    try {
      await producer.send({
        topic,
        messages: [
          {
            key,
            value: Buffer.from([0xff, 0xff, 0xff, 0x0f]),
            headers: {
              [HEADER.eventId]: randomUUID(),
              [HEADER.eventType]: 'emporia.catalog.v1.ProductCreated',
              [HEADER.occurredAt]: new Date().toISOString(),
            },
          },
          { key, value: Buffer.from('no headers') },
        ],
      });
      await send(product(key, { title: 'After the poison' }));
      await eventually(() => doc(key), { what: 'the valid event after the poison to be indexed' });
      const got = await eventually(async () => (dead.length >= 2 ? dead : undefined), {
        what: 'two DLQ messages',
      });
      expect(got.map((d) => d.key)).toEqual([key, key]);
      expect(got[0].error).toMatch(/NonRetriableError: cannot decode/);
      expect(got[1].error).toMatch(/NonRetriableError: message lacks a valid event-id/);
    } finally {
      await dlqReader.disconnect();
    }
  });

  it('searches by text, category subtree, price range and pages through results', async () => {
    const word = `quasar${suffix}`;
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()].sort();
    await send(
      product(ids[0], {
        title: `${word} phone case`,
        skus: [
          {
            id: randomUUID(),
            code: 'A1',
            attributes: {},
            price: { amountMinor: 1999, currency: 'CNY' },
            originalPrice: undefined,
            stockOnHand: 0,
            unitsSold: 0,
          },
        ],
      }),
    );
    await send(
      product(ids[1], {
        title: `${word} charger`,
        skus: [
          {
            id: randomUUID(),
            code: 'A2',
            attributes: {},
            price: { amountMinor: 5999, currency: 'CNY' },
            originalPrice: undefined,
            stockOnHand: 2,
            unitsSold: 0,
          },
        ],
      }),
    );
    await send(
      product(ids[2], {
        title: `${word} novel`,
        categoryId: CAT_BOOKS,
        categoryPathIds: [CAT_BOOKS],
        skus: [
          {
            id: randomUUID(),
            code: 'A3',
            attributes: {},
            price: { amountMinor: 30000, currency: 'CNY' },
            originalPrice: undefined,
            stockOnHand: 1,
            unitsSold: 0,
          },
        ],
      }),
    );
    await send(
      product(ids[3], {
        title: `${word} archived`,
        status: catalogV1.ProductStatus.PRODUCT_STATUS_ARCHIVED,
      }),
    );
    await eventually(async () => ((await search({ query: word })).total === 3 ? true : undefined), {
      what: 'three listed products searchable',
    });

    const inRoot = await search({ query: word, categoryId: CAT_ROOT });
    expect(inRoot.hits.map((h) => h.productId).sort()).toEqual([ids[0], ids[1]]);
    const cheap = await search({
      query: word,
      minPriceMinor: 1000,
      maxPriceMinor: 2000,
      currency: 'CNY',
    });
    expect(cheap.hits.map((h) => h.productId)).toEqual([ids[0]]);
    expect(cheap.hits[0]).toMatchObject({
      minPrice: { amountMinor: 1999, currency: 'CNY' },
      inStock: false,
    });
    expect((await search({ query: word, minPriceMinor: 1000, currency: 'USD' })).hits).toEqual([]);

    const seen: string[] = [];
    let token = '';
    do {
      const page = await search({ query: word, pageSize: 1, pageToken: token });
      expect(page.hits.length).toBeLessThanOrEqual(1);
      seen.push(...page.hits.map((h) => h.productId));
      token = page.nextPageToken;
    } while (token);
    expect(seen.sort()).toEqual([ids[0], ids[1], ids[2]].sort());

    for (const [req, code] of [
      [{ minPriceMinor: 100 }, 'SEARCH_CURRENCY_REQUIRED'],
      [{ minPriceMinor: 500, maxPriceMinor: 100, currency: 'CNY' }, 'SEARCH_PRICE_RANGE_INVALID'],
      [{ pageToken: 'garbage!' }, 'INVALID_CURSOR'],
    ] as const) {
      const err = await search(req).then(
        () => undefined,
        (e: unknown) => fromGrpcError(e),
      );
      expect(err).toMatchObject({ status: status.INVALID_ARGUMENT, code });
      const pageErr = await page(req).then(
        () => undefined,
        (e: unknown) => fromGrpcError(e),
      );
      expect(pageErr).toMatchObject({ status: status.INVALID_ARGUMENT, code });
    }

    // SearchProductsPage: the same search as the gateway's JSON page (hits, total, cursor)
    const full = await search({ query: word, pageSize: 2, includeFacets: true });
    const json = JSON.parse(
      (await page({ query: word, pageSize: 2, includeFacets: true })).pageJson,
    );
    expect(json.total).toBe(full.total);
    expect(json.nextCursor).toBe(full.nextPageToken);
    expect(json.items).toEqual(
      full.hits.map((h) => ({
        productId: h.productId,
        title: h.title,
        brand: h.brand,
        categoryId: h.categoryId,
        categoryNames: h.categoryNames,
        minPrice: h.minPrice,
        maxPrice: h.maxPrice,
        inStock: h.inStock,
        unitsSold: h.unitsSold,
        score: h.score,
        flashSale: null,
        ratingAverage: h.ratingAverage,
        reviewCount: h.reviewCount,
        tags: h.tags,
      })),
    );
    expect(json.facets.brands).toEqual(
      full.facets!.brands.map((b) => ({ value: b.value, count: b.count })),
    );
    const last = JSON.parse((await page({ query: word, pageToken: full.nextPageToken })).pageJson);
    expect([last.items.length, last.nextCursor, 'facets' in last]).toEqual([1, null, false]);
  });
});
