import { randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import { catalogV1, CATALOG_PRODUCT, REVIEW_PRODUCT, reviewV1, searchV1 } from '@emporia/contracts';
import { createKafka, HEADER } from '@emporia/messaging';
import { fromGrpcError } from '@emporia/platform';
import { eventually, grpcTestClient, testEnv, testLogger, uniqueSuffix } from '@emporia/testing';
import { startTestSearch } from './harness';

jest.setTimeout(120_000);

const CAT = '0190a000-0000-7000-8000-0000000000aa';

/** Ratings from `review.product` in search (issue 17), on real Elasticsearch and Kafka. */
describe('search by rating (real Elasticsearch + Kafka)', () => {
  const suffix = uniqueSuffix();
  const indexPrefix = `itrt-${suffix}-`;
  const topicPrefix = `itrt${suffix}.`;
  let stop: () => Promise<void>;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  let admin: Admin;
  const group = `search-itrt-${suffix}`;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'search-ratings-it',
    logger: testLogger('kafka'),
  });
  // products named so that the product id order is not the rating order
  const [A, B, C, D, E, F] = ['f', 'e', 'd', 'c', 'b', 'a'].map(
    (c) => `0190b000-0000-7000-8000-${c.repeat(12)}`,
  );

  const publish = (topic: string, key: string, type: string, value: Uint8Array, eventId: string) =>
    producer.send({
      topic: `${topicPrefix}${topic}`,
      acks: -1,
      messages: [
        {
          key,
          value: Buffer.from(value),
          headers: {
            [HEADER.eventId]: eventId,
            [HEADER.eventType]: type,
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
  const snapshot = (id: string, version = 1, title = `Teapot ${id.slice(-4)}`) =>
    publish(
      CATALOG_PRODUCT.name,
      id,
      'emporia.catalog.v1.ProductUpdated',
      catalogV1.ProductUpdated.encode({
        product: {
          tags: [],
          manualTags: [],
          publishAt: '',
          unpublishAt: '',
          complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_NOT_REQUIRED,
          id,
          title,
          description: '',
          brand: 'Kiln',
          categoryId: CAT,
          categoryPathIds: [CAT],
          rating: undefined,
          status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
          skus: [
            {
              id: randomUUID(),
              code: `K-${id.slice(-6)}`,
              attributes: {},
              price: { amountMinor: 5000, currency: 'CNY' },
              originalPrice: undefined,
              stockOnHand: 3,
              unitsSold: 0,
            },
          ],
          unitsSold: 0,
          version,
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        },
        changedFields: [],
      }).finish(),
      randomUUID(),
    );
  /** A ProductRatingChanged of distribution `d` (counts of 1..5 stars). */
  const rated = (id: string, version: number, d: number[], eventId = randomUUID()) => {
    const reviewCount = d.reduce((a, n) => a + n, 0);
    const ratingSum = d.reduce((a, n, i) => a + n * (i + 1), 0);
    return publish(
      REVIEW_PRODUCT.name,
      id,
      'emporia.review.v1.ProductRatingChanged',
      reviewV1.ProductRatingChanged.encode({
        summary: {
          productId: id,
          reviewCount,
          ratingSum,
          average: reviewCount ? Math.round((ratingSum / reviewCount) * 100) / 100 : 0,
          distribution: d,
          withPhotoCount: 0,
        },
        version,
        changedAt: new Date().toISOString(),
      }).finish(),
      eventId,
    ).then(() => eventId);
  };
  const search = (req: Partial<searchV1.SearchProductsRequest>) =>
    client.call<searchV1.SearchProductsResponse>('searchProducts', {
      categoryId: CAT,
      pageSize: 20,
      ...req,
    });
  const byRating = async (req: Partial<searchV1.SearchProductsRequest> = {}) =>
    (await search({ sort: searchV1.SortOrder.SORT_ORDER_RATING, ...req })).hits.map((h) => [
      h.productId,
      h.ratingAverage,
      h.reviewCount,
    ]);

  beforeAll(async () => {
    ({ client, stop } = await startTestSearch({
      indexPrefix,
      topicPrefix,
      group,
    }));
    producer = kafka.producer();
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await stop?.();
  });

  /** Waits until search's group has committed every message sent to both topics. */
  const drained = () =>
    eventually(
      async () => {
        for (const base of [CATALOG_PRODUCT.name, REVIEW_PRODUCT.name]) {
          const topic = `${topicPrefix}${base}`;
          const high = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          for (const p of high) {
            const c = committed.partitions.find((x) => x.partition === p.partition);
            if (Number(p.high) > 0 && Number(c?.offset ?? -1) < Number(p.high)) return undefined;
          }
        }
        return true;
      },
      { timeoutMs: 60_000, what: 'the consumer to catch up' },
    );

  const EXPECTED = [
    [B, 5, 2],
    [D, 4.5, 2],
    [F, 4, 3],
    [C, 4, 1],
    [A, 2, 1],
    [E, 0, 0],
  ];

  it('converges after duplicated and out-of-order events, a rating before its product kept; sorted and filtered exactly', async () => {
    // F's rating comes before F's first snapshot
    await rated(F, 1, [0, 0, 0, 3, 0]);
    for (const id of [A, B, C, D, E]) await snapshot(id);
    await rated(A, 2, [0, 1, 0, 0, 0]); // A: 2.00 × 1 (v2)
    await rated(A, 1, [0, 0, 0, 0, 1]); // late v1: ignored
    const b2 = await rated(B, 2, [0, 0, 0, 0, 2]); // B: 5.00 × 2
    await rated(B, 2, [0, 0, 0, 0, 2], b2); // the same message again
    await rated(B, 1, [1, 0, 0, 0, 0]); // late
    await rated(C, 1, [0, 0, 0, 1, 0]); // C: 4.00 × 1
    await rated(D, 3, [0, 0, 0, 1, 1]); // D: 4.50 × 2
    await rated(D, 2, [1, 0, 0, 0, 0]); // late
    await snapshot(F);
    await drained(); // every event above handled, the late ones included

    await eventually(
      async () => {
        const got = await byRating();
        return JSON.stringify(got) === JSON.stringify(EXPECTED) ? got : undefined;
      },
      { what: 'ratings visible in the index (refresh)' },
    );
    // ties: F and C both 4.00, F has more reviews; E is unrated and last
    expect(await byRating()).toEqual(EXPECTED);
    // paging keeps the order (a three-key cursor)
    const first = await search({ sort: searchV1.SortOrder.SORT_ORDER_RATING, pageSize: 4 });
    const rest = await search({
      sort: searchV1.SortOrder.SORT_ORDER_RATING,
      pageSize: 4,
      pageToken: first.nextPageToken,
    });
    expect([...first.hits, ...rest.hits].map((h) => h.productId)).toEqual(
      EXPECTED.map((e) => e[0]),
    );

    const ids = async (minRating: number) =>
      (await search({ minRating })).hits.map((h) => h.productId).sort();
    expect(await ids(4)).toEqual([B, C, D, F].sort());
    expect(await ids(4.5)).toEqual([B, D].sort());
    expect(await ids(5)).toEqual([B]);
    expect(await ids(1)).toEqual([A, B, C, D, F].sort());
    for (const bad of [0, 5.5]) {
      const err = await search({ minRating: bad }).then(
        () => undefined,
        (e: unknown) => fromGrpcError(e),
      );
      expect(err?.code).toBe('MIN_RATING_INVALID');
    }
  });

  it('a later full snapshot of the product keeps its rating', async () => {
    await snapshot(B, 2, 'Teapot renamed');
    await eventually(
      async () => {
        const hit = (await search({ query: 'renamed' })).hits[0];
        return hit ? hit : undefined;
      },
      { what: 'the renamed product indexed' },
    );
    const hit = (await search({ query: 'renamed' })).hits[0];
    expect([hit.productId, hit.ratingAverage, hit.reviewCount]).toEqual([B, 5, 2]);
  });
});
