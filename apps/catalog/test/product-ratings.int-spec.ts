import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { catalogV1, REVIEW_PRODUCT, reviewV1 } from '@emporia/contracts';
import { createKafka, HEADER } from '@emporia/messaging';

import { eventually, testEnv, testLogger, uniqueSuffix } from '@emporia/testing';
import { type CatalogUnderTest, startTestCatalog } from './support/catalog-under-test';

jest.setTimeout(120_000);

type Dist = [number, number, number, number, number];

/** Ratings from `review.product` in product views (issue 17), on real Postgres and Kafka. */
describe('catalog product ratings (real Postgres + Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `cr${suffix}.`;
  let catalog: CatalogUnderTest;
  let producer: Producer;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'catalog-ratings-it',
    logger: testLogger('kafka'),
  });
  const call = <T>(method: string, req: unknown) => catalog.call<T>(method, req);
  const getProduct = async (id: string) =>
    (await call<catalogV1.GetProductResponse>('getProduct', { id })).product!;

  /** A ProductRatingChanged keyed by product id (one partition per product: in send order). */
  const rated = async (productId: string, version: number, d: Dist, eventId = randomUUID()) => {
    const reviewCount = d.reduce((a, n) => a + n, 0);
    const ratingSum = d.reduce((a, n, i) => a + n * (i + 1), 0);
    await producer.send({
      topic: `${prefix}${REVIEW_PRODUCT.name}`,
      acks: -1,
      messages: [
        {
          key: productId,
          value: Buffer.from(
            reviewV1.ProductRatingChanged.encode({
              summary: {
                productId,
                reviewCount,
                ratingSum,
                average: Math.round((ratingSum / reviewCount) * 100) / 100,
                distribution: d,
                withPhotoCount: 1,
              },
              version,
              changedAt: new Date().toISOString(),
            }).finish(),
          ),
          headers: {
            [HEADER.eventId]: eventId,
            [HEADER.eventType]: 'emporia.review.v1.ProductRatingChanged',
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
    return eventId;
  };
  const consumed = (eventId: string) =>
    eventually(
      async () =>
        (await catalog.pg.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [eventId])).rowCount
          ? true
          : undefined,
      { what: `event ${eventId} consumed` },
    );

  beforeAll(async () => {
    catalog = await startTestCatalog('catalog_ratings_it', {
      KAFKA_TOPIC_PREFIX: prefix,
      CATALOG_CONSUMER_GROUP: `catalog-it${suffix}`,
      OUTBOX_POLL_MS: '50',
    });
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await catalog?.close();
  });

  it('shows the highest version’s summary after events out of order and duplicated; the product is untouched', async () => {
    const category = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Tea',
        slug: `tea-${suffix}`,
        parentId: '',
      })
    ).category!;
    const create = (code: string) =>
      call<catalogV1.CreateProductResponse>('createProduct', {
        title: `Tea ${code}`,
        categoryId: category.id,
        skus: [{ code, attributes: {}, price: { amountMinor: 1999, currency: 'CNY' } }],
      });
    const product = (await create(`T-${suffix}-1`)).product!;
    const unrated = (await create(`T-${suffix}-2`)).product!;
    expect(product.rating ?? undefined).toBeUndefined();

    const v2 = await rated(product.id, 2, [0, 0, 1, 1, 0]);
    await rated(product.id, 4, [0, 0, 1, 1, 2]);
    await rated(product.id, 2, [0, 0, 1, 1, 0], v2); // the same message again
    await rated(product.id, 3, [0, 0, 1, 1, 1]); // late
    const last = await rated(product.id, 1, [0, 0, 1, 0, 0]); // very late
    await consumed(last);

    const got = await getProduct(product.id);
    expect(got.rating).toEqual({
      reviewCount: 4,
      average: 4.25,
      distribution: [0, 0, 1, 1, 2],
      withPhotoCount: 1,
    });
    expect(got.version).toBe(product.version);
    // no catalog.product event for a rating: the product's only event is its creation
    const events = await catalog.pg.query(`SELECT event_type FROM outbox WHERE message_key = $1`, [
      product.id,
    ]);
    expect(events.rows).toEqual([{ event_type: 'emporia.catalog.v1.ProductCreated' }]);

    const list = await call<catalogV1.ListProductsResponse>('listProducts', {
      categoryId: category.id,
      pageSize: 10,
    });
    const byId = new Map(list.products.map((p) => [p.id, p.rating]));
    expect(byId.get(product.id)?.average).toBe(4.25);
    expect(byId.get(unrated.id) ?? undefined).toBeUndefined();
  });

  it('keeps a rating that arrives before its product', async () => {
    const productId = randomUUID();
    await consumed(await rated(productId, 1, [0, 0, 0, 0, 1]));
    const row = await catalog.pg.query(
      `SELECT version, average FROM product_ratings WHERE product_id = $1`,
      [productId],
    );
    expect(row.rows).toEqual([{ version: '1', average: '5.00' }]);
  });
});
