import { createHmac, randomUUID } from 'node:crypto';
import {
  anHttpCheckout,
  E2E_CARRIER_SECRET,
  eventually,
  startPlatform,
  type Platform,
} from '@emporia/testing';

jest.setTimeout(300_000);

const PASSWORD = 'a long enough password';
/** user's REVIEW_PHOTO_POINTS default. */
const PHOTO_POINTS = 20;

/** startPlatform's options with the review service (the deploy helper adds the flag). */
type Want = Parameters<typeof startPlatform>[0] & { support?: boolean; review?: boolean };

/**
 * Reviews end to end, every service a process on real Postgres, Redis, Kafka and
 * Elasticsearch: only the buyer of a delivered line reviews it, once; a banned word holds a
 * review out of sight until an operator approves it; the product's rating reaches the catalog
 * view and search (sort by rating, minimum rating) through review.product events; a photo
 * review earns points once, in the buyer's membership.
 */
describe('reviews end to end: gateway → review → order, user, risk; catalog and search by events', () => {
  let platform: Platform;
  let operator: Record<string, string>;
  let word: string;
  const email = (name: string) => `${name}.${platform.suffix}@example.cn`;

  /** An active product with one SKU in stock, titled with this run's word: its ids. */
  const product = async (title: string) => {
    const { api } = platform;
    const tag = randomUUID();
    const cat = await api('POST', '/v1/categories', { name: 'Tea', slug: `tea-${tag}` }, operator);
    const created = await api(
      'POST',
      '/v1/products',
      {
        title: `${title} ${word}`,
        categoryId: cat.body.id,
        skus: [{ code: `T-${tag}`, price: { amountMinor: 9900, currency: 'CNY' } }],
      },
      operator,
    );
    expect(created.status).toBe(201);
    const skuId = created.body.skus[0].id as string;
    await api(
      'POST',
      `/v1/skus/${skuId}/stock-adjustments`,
      { warehouseCode: 'SH-1', delta: 20, reason: 'receive' },
      operator,
    );
    return { productId: created.body.id as string, skuId };
  };
  /** A paid order of the SKUs, shipped, and (unless `deliver` is false) delivered. */
  const order = async (buyer: Record<string, string>, skuIds: string[], deliver = true) => {
    const { api } = platform;
    let checkout = anHttpCheckout(api, buyer);
    for (const skuId of skuIds) checkout = checkout.of(skuId);
    const placed = await checkout.send();
    expect(placed.status).toBe(201);
    const orderId = placed.body.id as string;
    const pay = await api('POST', `/v1/orders/${orderId}/payments`, {}, buyer);
    const paid = await api('POST', `/v1/payments/sandbox/pay/${pay.body.paymentId}`, {}, buyer);
    expect(paid.body.outcome).toBe('PAID');
    const shipments = await eventually(
      async () => {
        const items = (await api('GET', `/v1/orders/${orderId}/shipments`, undefined, buyer)).body
          .items as { id: string }[];
        return items.length ? items : undefined;
      },
      { what: 'the shipments of the paid order' },
    );
    for (const s of shipments) {
      const trackingNumber = `SF${randomUUID().slice(0, 12)}`;
      await api(
        'POST',
        `/v1/admin/shipments/${s.id}/ship`,
        { carrier: 'sf', trackingNumber },
        operator,
      );
      if (!deliver) continue;
      const event = JSON.stringify({
        trackingNumber,
        eventId: randomUUID(),
        status: 'DELIVERED',
        occurredAt: new Date().toISOString(),
      });
      const t = Math.floor(Date.now() / 1000);
      const mac = createHmac('sha256', E2E_CARRIER_SECRET).update(`${t}.sf.${event}`).digest('hex');
      const delivered = await api('POST', '/v1/shipments/tracking-events/sf', event, {
        'emporia-signature': `t=${t},v1=${mac}`,
      });
      expect(delivered.status).toBe(200);
    }
    if (deliver)
      expect((await api('GET', `/v1/orders/${orderId}`, undefined, buyer)).body.status).toBe(
        'DELIVERED',
      );
    return orderId;
  };

  beforeAll(async () => {
    const want: Want = {
      catalog: true,
      search: true,
      user: true,
      order: true,
      risk: true,
      review: true,
    };
    platform = await startPlatform(want);
    operator = (await platform.signIn(email('ops'), PASSWORD, 'customer,operator')).auth;
    word = `rv${platform.suffix}`.replace(/[^a-z0-9]/g, '');
    // every account here is minutes old: risk's NEW_ACCOUNT rule would hold every review, so
    // the operator switches it off (what GET shows, minus the id, is PUT back)
    const rules = await platform.api('GET', '/v1/admin/risk/rules', undefined, operator);
    const newAccount = rules.body.items.find(
      (r: { kind: string; appliesTo: string }) =>
        r.kind === 'NEW_ACCOUNT' && r.appliesTo === 'REVIEW',
    );
    if (newAccount) {
      const { id, ...rule } = newAccount;
      const off = await platform.api(
        'PUT',
        `/v1/admin/risk/rules/${id}`,
        { ...rule, active: false },
        operator,
      );
      expect(off.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1500)); // rules are in force within a second
    }
  });

  afterAll(async () => platform?.stop());

  it('the buyer of a delivered line reviews it once; a banned word holds a review until approved; ratings converge in catalog and search; photo points once', async () => {
    const { api } = platform;
    const teapot = await product('Yixing teapot');
    const cups = await product('Tea cups');
    const alice = await platform.signIn(email('alice'), PASSWORD);
    const bob = await platform.signIn(email('bob'), PASSWORD);
    const carol = await platform.signIn(email('carol'), PASSWORD);
    const aliceOrder = await order(alice.auth, [teapot.skuId, cups.skuId]);
    const carolOrder = await order(carol.auth, [teapot.skuId]);
    const undelivered = await order(bob.auth, [cups.skuId], false);

    // what alice may review
    const reviewable = await api('GET', '/v1/me/reviewable', undefined, alice.auth);
    expect(reviewable.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ orderId: aliceOrder, skuId: teapot.skuId }),
        expect.objectContaining({ orderId: aliceOrder, skuId: cups.skuId }),
      ]),
    );

    // a non-buyer: alice's order is not bob's; bob's own order is not delivered
    const review = (over: Record<string, unknown>) => ({
      rating: 5,
      text: 'Pours cleanly, keeps the tea hot.',
      ...over,
    });
    const notMine = await api(
      'POST',
      '/v1/reviews',
      review({ orderId: aliceOrder, skuId: teapot.skuId }),
      bob.auth,
    );
    expect([404, 409]).toContain(notMine.status);
    expect(notMine.body.code).toBe('ORDER_NOT_FOUND');
    const notDelivered = await api(
      'POST',
      '/v1/reviews',
      review({ orderId: undelivered, skuId: cups.skuId }),
      bob.auth,
    );
    expect([notDelivered.status, notDelivered.body.code]).toEqual([422, 'NOT_DELIVERED']);

    // the buyer: 201, approved, with a photo; a second review of the line is refused
    const photoReview = review({
      orderId: aliceOrder,
      skuId: teapot.skuId,
      photoUrls: ['https://img.example.com/teapot-1.jpg'],
    });
    const first = await api('POST', '/v1/reviews', photoReview, {
      ...alice.auth,
      'x-device-id': 'alice-phone',
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'APPROVED',
      productId: teapot.productId,
      rating: 5,
    });
    const dup = await api('POST', '/v1/reviews', photoReview, alice.auth);
    expect([dup.status, dup.body.code]).toEqual([409, 'REVIEW_EXISTS']);
    const low = await api(
      'POST',
      '/v1/reviews',
      review({ orderId: aliceOrder, skuId: cups.skuId, rating: 2, text: 'Chipped rim.' }),
      alice.auth,
    );
    expect(low.body.status).toBe('APPROVED');

    // a banned word holds carol's review: invisible publicly until an operator approves it
    const banned = `刷单${word}`;
    const words = await api('PUT', '/v1/admin/reviews/banned-words', { words: [banned] }, operator);
    expect(words.status).toBe(200);
    const held = await api(
      'POST',
      '/v1/reviews',
      review({
        orderId: carolOrder,
        skuId: teapot.skuId,
        rating: 4,
        text: `Nice, ${banned}`,
        anonymous: true,
      }),
      carol.auth,
    );
    expect(held).toMatchObject({ status: 201, body: { status: 'HELD' } });
    const publicIds = async () =>
      (await api('GET', `/v1/products/${teapot.productId}/reviews`)).body.items.map(
        (r: { id: string }) => r.id,
      );
    expect(await publicIds()).toEqual([first.body.id]);
    const queue = await api('GET', '/v1/admin/reviews?status=HELD', undefined, operator);
    expect(queue.body.items.find((r: { id: string }) => r.id === held.body.id)).toMatchObject({
      accountId: carol.accountId,
    });
    expect((await api('GET', '/v1/admin/reviews', undefined, alice.auth)).status).toBe(403);
    const approved = await api(
      'POST',
      `/v1/admin/reviews/${held.body.id}/moderation`,
      { decision: 'APPROVE', note: 'a shop name, not spam' },
      operator,
    );
    expect(approved.body).toMatchObject({ status: 'APPROVED', moderatedBy: expect.any(String) });
    const listed = await api('GET', `/v1/products/${teapot.productId}/reviews`);
    expect(listed.body.items.map((r: { id: string }) => r.id).sort()).toEqual(
      [first.body.id, held.body.id].sort(),
    );
    expect(JSON.stringify(listed.body)).not.toContain(alice.accountId);
    expect(JSON.stringify(listed.body)).not.toContain(carol.accountId);
    const anonymous = listed.body.items.find((r: { id: string }) => r.id === held.body.id);
    expect(['匿名用户', 'Anonymous']).toContain(anonymous.authorDisplayName);

    // helpful votes: one per account, not on one's own
    const vote = await api('POST', `/v1/reviews/${first.body.id}/helpful`, undefined, bob.auth);
    expect(vote.body).toEqual({ helpfulVotes: 1, counted: true });
    expect(
      (await api('POST', `/v1/reviews/${first.body.id}/helpful`, undefined, bob.auth)).body,
    ).toEqual({ helpfulVotes: 1, counted: false });

    // the rating: the review service at once, catalog and search by events
    const rating = await api('GET', `/v1/products/${teapot.productId}/rating`);
    expect(rating.body).toMatchObject({
      reviewCount: 2,
      average: 4.5,
      distribution: [0, 0, 0, 1, 1],
      withPhotoCount: 1,
    });
    await eventually(
      async () => {
        const p = await api('GET', `/v1/products/${teapot.productId}`);
        return p.body.rating?.reviewCount === 2 ? p.body.rating : undefined;
      },
      { what: "the teapot's rating on the catalog view", timeoutMs: 30_000 },
    ).then((r) => expect(r).toMatchObject({ average: 4.5, withPhotoCount: 1 }));
    const byRating = await eventually(
      async () => {
        const r = await api('GET', `/v1/search/products?q=${word}&sort=rating`);
        const [top, next] = r.body.items ?? [];
        return top?.reviewCount === 2 && next?.reviewCount === 1 ? r.body.items : undefined;
      },
      { what: 'search sorted by rating', timeoutMs: 60_000 },
    );
    expect(byRating.map((h: { productId: string }) => h.productId)).toEqual([
      teapot.productId,
      cups.productId,
    ]);
    expect(byRating[0]).toMatchObject({ ratingAverage: 4.5, reviewCount: 2 });
    const atLeast3 = await api('GET', `/v1/search/products?q=${word}&minRating=3`);
    expect(atLeast3.body.items.map((h: { productId: string }) => h.productId)).toEqual([
      teapot.productId,
    ]);

    // points for the approved photo review, once (the text-only review earns none)
    const lots = await eventually(
      async () => {
        const m = await api('GET', '/v1/me/membership', undefined, alice.auth);
        const mine = m.body.lots?.filter((l: { sourceRef: string }) =>
          l.sourceRef.startsWith('review:'),
        );
        return mine?.length ? mine : undefined;
      },
      { what: 'points for the photo review', timeoutMs: 30_000 },
    );
    expect(lots).toEqual([
      expect.objectContaining({ sourceRef: `review:${first.body.id}`, points: PHOTO_POINTS }),
    ]);
    // carol's approved review has no photo: nothing
    const carolLots = (await api('GET', '/v1/me/membership', undefined, carol.auth)).body.lots;
    expect(
      carolLots.filter((l: { sourceRef: string }) => l.sourceRef.startsWith('review:')),
    ).toEqual([]);

    // my reviews show their status to me
    const mine = await api('GET', '/v1/me/reviews', undefined, alice.auth);
    expect(mine.body.items.map((r: { status: string }) => r.status)).toEqual([
      'APPROVED',
      'APPROVED',
    ]);
  });
});
