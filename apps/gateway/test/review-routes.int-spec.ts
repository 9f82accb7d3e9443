import type { RunningService } from '@emporia/platform';
import { catalogV1, type searchV1 } from '@emporia/contracts';
import { testLogger } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import { startFakeGrpc, type FakeService } from '@emporia/testing';
import { NOT_MY_ORDER, startFakeReview, UNDELIVERED_ORDER } from './support/fake-review';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor } from './support/token-signer';

jest.setTimeout(60_000);

const ALICE = '0190a000-0000-7000-8000-0000000000c1';
const BOB = '0190a000-0000-7000-8000-0000000000c2';
const FLOODER = '0190a000-0000-7000-8000-0000000000c3';
const AGENT = '0190a000-0000-7000-8000-0000000000a1';
const OPERATOR = '0190a000-0000-7000-8000-0000000000e1';
const PRODUCT = '0190a000-0000-7000-8000-0000000000b1';
const ORDER = '0190a000-0000-7000-8000-0000000000d1';
const SKU = '0190a000-0000-7000-8000-0000000000d2';
const REVIEW_LIMIT = 30;

/**
 * The review routes, and ratings on product views and search, through the real gateway against
 * test doubles of review, catalog and search at their gRPC boundary: what the gateway sends (the
 * author and operator from the token, the X-Device-Id header and the client address, the search
 * sort and filter) and how it answers (201, the review service's codes as problem+json, 401/403,
 * no account id in public answers, 429, 503). The end-to-end suite (e2e/reviews.int-spec.ts)
 * runs the real services.
 */
describe('gateway review routes', () => {
  let gateway: RunningService;
  let review: FakeService;
  let catalog: FakeService;
  let search: FakeService;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const keys = await signer();
    tokens.alice = await keys.sign(['customer'], { sub: ALICE });
    tokens.bob = await keys.sign(['customer'], { sub: BOB });
    tokens.flooder = await keys.sign(['customer'], { sub: FLOODER });
    tokens.agent = await keys.sign(['customer', 'agent'], { sub: AGENT });
    tokens.operator = await keys.sign(['customer', 'operator'], { sub: OPERATOR });
    review = await startFakeReview();
    catalog = await startFakeGrpc('catalog', {
      getProduct: (req: catalogV1.GetProductRequest): catalogV1.GetProductResponse => ({
        product: {
          tags: [],
          manualTags: [],
          publishAt: '',
          unpublishAt: '',
          complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_NOT_REQUIRED,
          id: req.id,
          title: 'Teapot',
          description: '',
          brand: 'Yixing',
          categoryId: '0190a000-0000-7000-8000-0000000000f1',
          categoryPathIds: [],
          status: 'PRODUCT_STATUS_ACTIVE' as catalogV1.ProductStatus,
          skus: [],
          version: 1,
          createdAt: '2026-11-01T00:00:00Z',
          updatedAt: '2026-11-01T00:00:00Z',
          unitsSold: 0,
          rating:
            req.id === PRODUCT
              ? { reviewCount: 3, average: 4.33, distribution: [0, 0, 0, 2, 1], withPhotoCount: 1 }
              : undefined,
        },
      }),
    });
    search = await startFakeGrpc('search', {
      // the fields the routes map; proto defaults fill the rest
      searchProducts: () => ({
        hits: [
          {
            productId: PRODUCT,
            title: 'Teapot',
            brand: 'Yixing',
            categoryId: '0190a000-0000-7000-8000-0000000000f1',
            categoryNames: [],
            minPrice: { amountMinor: 100, currency: 'CNY' },
            maxPrice: { amountMinor: 100, currency: 'CNY' },
            inStock: true,
            unitsSold: 0,
            score: 1,
            flashSale: undefined,
            ratingAverage: 4.33,
            reviewCount: 3,
          } satisfies Partial<searchV1.ProductHit>,
        ],
        total: 1,
        nextPageToken: '',
      }),
    });
    const config = await testGatewayConfig('reviews', {
      REVIEW_GRPC_URL: review.url,
      CATALOG_GRPC_URL: catalog.url,
      SEARCH_GRPC_URL: search.url,
      REVIEW_RATE_LIMIT_PER_ACCOUNT: String(REVIEW_LIMIT),
    });
    const verifier = verifierFor(keys.jwks);
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([review?.stop(), catalog?.stop(), search?.stop()]);
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    who?: string,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${gateway.httpUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes
      body: (text ? JSON.parse(text) : {}) as any,
    };
  };
  let skus = 0;
  /** A review of a fresh line of ORDER (the fake allows one per account, order and SKU). */
  const submit = (who: string, over: Record<string, unknown> = {}, headers = {}) =>
    call(
      'POST',
      '/v1/reviews',
      {
        orderId: ORDER,
        skuId: `0190a000-0000-7000-8000-${String(++skus).padStart(12, '0')}`,
        rating: 5,
        text: 'Lovely teapot.\nPours well.',
        photoUrls: ['https://img.example.com/teapot.jpg'],
        ...over,
      },
      who,
      headers,
    );

  it('takes a review from the token account with its device and address: 201', async () => {
    const res = await submit(
      'alice',
      { skuId: SKU, anonymous: true },
      { 'x-device-id': 'phone-7' },
    );
    expect(res).toMatchObject({
      status: 201,
      body: { status: 'APPROVED', orderId: ORDER, skuId: SKU, authorDisplayName: 'Anonymous' },
    });
    expect(review.last('submitReview')).toMatchObject({
      accountId: ALICE,
      orderId: ORDER,
      skuId: SKU,
      rating: 5,
      anonymous: true,
      deviceId: 'phone-7',
      ip: '127.0.0.1',
    });
    // my own view says nothing of moderation reasons or my account
    expect(res.body).not.toHaveProperty('moderationReasons');
    expect(res.body).not.toHaveProperty('accountId');
    const dup = await submit('alice', { skuId: SKU });
    expect(dup).toMatchObject({ status: 409, body: { code: 'REVIEW_EXISTS' } });
    expect(dup.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it("maps the review service's refusals: not my order 404, not delivered 422", async () => {
    expect(await submit('bob', { orderId: NOT_MY_ORDER })).toMatchObject({
      status: 404,
      body: { code: 'ORDER_NOT_FOUND' },
    });
    expect(await submit('bob', { orderId: UNDELIVERED_ORDER })).toMatchObject({
      status: 422,
      body: { code: 'NOT_DELIVERED' },
    });
    expect((await submit('')).status).toBe(401);
  });

  it('checks shapes before the service: rating, text, photos, no account in the body', async () => {
    const calls = review.calls.get('submitReview')!.length;
    const shapes = [
      { rating: 0 },
      { rating: 6 },
      { rating: 4.5 },
      { text: 'x'.repeat(2001) },
      { photoUrls: Array(10).fill('https://img.example.com/a.jpg') },
      { photoUrls: ['ftp://img.example.com/a.jpg'] },
      { photoUrls: [`https://img.example.com/${'a'.repeat(2048)}`] },
      { orderId: 'order-1' },
      { accountId: BOB },
    ];
    for (const over of shapes) {
      const res = await submit('alice', over);
      expect({ over, status: res.status, code: res.body.code }).toEqual({
        over,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    expect(review.calls.get('submitReview')!.length).toBe(calls);
    // nine photos are fine
    const nine = await submit('alice', {
      photoUrls: Array(9).fill('https://img.example.com/a.jpg'),
    });
    expect(nine.status).toBe(201);
  });

  it('holds a review with a banned word until an operator approves it; public answers never carry an account', async () => {
    const held = await submit('bob', { text: 'best SPAM ever' });
    expect(held).toMatchObject({ status: 201, body: { status: 'HELD' } });
    const id = held.body.id;
    const publicIds = async () =>
      (await call('GET', `/v1/products/${PRODUCT}/reviews`)).body.items.map(
        (r: { id: string }) => r.id,
      );
    expect(await publicIds()).not.toContain(id);
    // operators only
    expect((await call('GET', '/v1/admin/reviews', undefined, 'bob')).status).toBe(403);
    expect((await call('GET', '/v1/admin/reviews', undefined, 'agent')).status).toBe(403);
    const queue = await call('GET', '/v1/admin/reviews?status=HELD', undefined, 'operator');
    expect(queue.body.items.find((r: { id: string }) => r.id === id)).toMatchObject({
      accountId: BOB,
      moderationReasons: ['banned word: spam'],
    });
    const bad = await call(
      'POST',
      `/v1/admin/reviews/${id}/moderation`,
      { decision: 'MAYBE' },
      'operator',
    );
    expect(bad.status).toBe(400);
    const approved = await call(
      'POST',
      `/v1/admin/reviews/${id}/moderation`,
      { decision: 'APPROVE', note: 'a brand name' },
      'operator',
    );
    expect(approved).toMatchObject({
      status: 200,
      body: { status: 'APPROVED', moderatedBy: OPERATOR },
    });
    expect(review.last('moderateReview')).toEqual({
      reviewId: id,
      operatorId: OPERATOR,
      decision: 'APPROVE',
      note: 'a brand name',
    });
    const replied = await call(
      'PUT',
      `/v1/admin/reviews/${id}/reply`,
      { text: 'Thank you!\nThe shop' },
      'operator',
    );
    expect(replied.body.reply).toEqual({
      text: 'Thank you!\nThe shop',
      repliedAt: expect.any(String),
    });

    const page = await call(
      'GET',
      `/v1/products/${PRODUCT}/reviews?sort=helpful&withPhotos=true&rating=5&limit=10`,
    );
    expect(page.status).toBe(200);
    expect(page.body.nextCursor).toBe('next-page');
    expect(review.last('listProductReviews')).toEqual({
      productId: PRODUCT,
      sort: 'helpful',
      withPhotos: true,
      rating: 5,
      cursor: '',
      limit: 10,
    });
    const all = await call('GET', `/v1/products/${PRODUCT}/reviews`);
    const mine = all.body.items.find((r: { id: string }) => r.id === id);
    expect(mine).toMatchObject({ text: 'best SPAM ever', reply: { text: 'Thank you!\nThe shop' } });
    for (const item of all.body.items)
      for (const key of ['accountId', 'orderId', 'status', 'moderationReasons', 'moderatedBy'])
        expect(item).not.toHaveProperty(key);
    expect((await call('GET', `/v1/products/${PRODUCT}/reviews?rating=6`)).status).toBe(400);
  });

  it('counts helpful votes once per account, not on my own review, and follow-ups once', async () => {
    const { body } = await submit('alice');
    const id = body.id;
    const own = await call('POST', `/v1/reviews/${id}/helpful`, undefined, 'alice');
    expect(own).toMatchObject({ status: 422, body: { code: 'OWN_REVIEW' } });
    const vote = await call('POST', `/v1/reviews/${id}/helpful`, undefined, 'bob');
    expect(vote).toMatchObject({ status: 200, body: { helpfulVotes: 1, counted: true } });
    const again = await call('POST', `/v1/reviews/${id}/helpful`, undefined, 'bob');
    expect(again.body).toEqual({ helpfulVotes: 1, counted: false });
    expect(review.last('voteHelpful')).toEqual({ reviewId: id, accountId: BOB });

    const follow = await call(
      'POST',
      `/v1/reviews/${id}/follow-up`,
      { text: 'Still great after a month' },
      'alice',
      { 'x-device-id': 'phone-7' },
    );
    expect(follow).toMatchObject({ status: 201, body: { followsReviewId: id, rating: 0 } });
    expect(review.last('submitFollowUp')).toMatchObject({
      reviewId: id,
      accountId: ALICE,
      deviceId: 'phone-7',
      ip: '127.0.0.1',
    });
    const second = await call('POST', `/v1/reviews/${id}/follow-up`, { text: 'again' }, 'alice');
    expect(second).toMatchObject({ status: 409, body: { code: 'FOLLOW_UP_EXISTS' } });
    expect((await call('POST', `/v1/reviews/${id}/follow-up`, { text: '' }, 'alice')).status).toBe(
      400,
    );
    const missing = await call(
      'POST',
      '/v1/reviews/0190a000-0000-7000-8000-00000000ffff/helpful',
      undefined,
      'bob',
    );
    expect(missing).toMatchObject({ status: 404, body: { code: 'REVIEW_NOT_FOUND' } });
  });

  it("lists my reviews and reviewable lines from the token's account", async () => {
    const mine = await call('GET', '/v1/me/reviews?limit=5', undefined, 'alice');
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((r: { status: string }) => r.status)).toBe(true);
    expect(review.last('listMyReviews')).toEqual({ accountId: ALICE, cursor: '', limit: 5 });
    const lines = await call('GET', '/v1/me/reviewable', undefined, 'bob');
    expect(lines.body.items[0]).toMatchObject({ orderId: ORDER, title: 'Teapot' });
    expect(review.last('listReviewable')).toEqual({ accountId: BOB });
    expect((await call('GET', '/v1/me/reviews')).status).toBe(401);
  });

  it('shows ratings: the summary, the product view, search hits, sort=rating and minRating', async () => {
    const summary = await call('GET', `/v1/products/${PRODUCT}/rating`);
    expect(summary).toMatchObject({
      status: 200,
      body: {
        productId: PRODUCT,
        reviewCount: 3,
        average: 4.33,
        distribution: [0, 0, 0, 2, 1],
        withPhotoCount: 1,
      },
    });
    const product = await call('GET', `/v1/products/${PRODUCT}`);
    expect(product.body.rating).toEqual({
      reviewCount: 3,
      average: 4.33,
      distribution: [0, 0, 0, 2, 1],
      withPhotoCount: 1,
    });
    const unrated = await call('GET', '/v1/products/0190a000-0000-7000-8000-0000000000b2');
    expect(unrated.body.rating).toBeNull();
    const hits = await call('GET', '/v1/search/products?q=teapot&sort=rating&minRating=4.5');
    expect(hits.body.items[0]).toMatchObject({ ratingAverage: 4.33, reviewCount: 3 });
    expect(search.last('searchProducts')).toMatchObject({
      sort: 'SORT_ORDER_RATING',
      minRating: 4.5,
    });
    await call('GET', '/v1/search/products?q=teapot');
    expect(search.last('searchProducts')).not.toHaveProperty('minRating');
    for (const bad of ['minRating=0', 'minRating=6', 'minRating=x', 'sort=stars'])
      expect((await call('GET', `/v1/search/products?${bad}`)).status).toBe(400);
  });

  it('keeps the banned words to operators, as the token operator', async () => {
    expect((await call('GET', '/v1/admin/reviews/banned-words', undefined, 'alice')).status).toBe(
      403,
    );
    const set = await call(
      'PUT',
      '/v1/admin/reviews/banned-words',
      { words: ['spam', '刷单'] },
      'operator',
    );
    expect(set).toMatchObject({
      status: 200,
      body: { words: ['spam', '刷单'], updatedBy: OPERATOR },
    });
    expect(review.last('setBannedWords')).toEqual({
      words: ['spam', '刷单'],
      operatorId: OPERATOR,
    });
    const listed = await call('GET', '/v1/admin/reviews/banned-words', undefined, 'operator');
    expect(listed.body.words).toEqual(['spam', '刷单']);
    expect(
      (await call('PUT', '/v1/admin/reviews/banned-words', { words: [''] }, 'operator')).status,
    ).toBe(400);
  });

  it('limits review writes per account with 429 and Retry-After', async () => {
    for (let i = 0; i < REVIEW_LIMIT; i++)
      expect((await submit('flooder', { rating: 0 })).status).toBe(400);
    const over = await submit('flooder');
    expect(over).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 503 BACKEND_UNAVAILABLE with Retry-After while review is down', async () => {
    await review.stop();
    const res = await call('GET', `/v1/products/${PRODUCT}/rating`);
    expect(res).toMatchObject({ status: 503, body: { code: 'BACKEND_UNAVAILABLE' } });
    expect(res.headers.get('retry-after')).toBe('2');
  });
});
