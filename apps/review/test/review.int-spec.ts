import { createHmac, randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { PROTO_FILES, reviewV1, riskV1 } from '@emporia/contracts';
import { createKafka } from '@emporia/messaging';
import { fromGrpcError, type RunningService } from '@emporia/platform';
import {
  anHttpCheckout,
  createTestDatabase,
  eventually,
  E2E_CARRIER_SECRET,
  freePort,
  grpcTestClient,
  runServiceCommand,
  startPlatform,
  startServiceProcess,
  testEnv,
  testLogger,
  type Platform,
  type ServiceProcess,
} from '@emporia/testing';
import { reviewConfigSchema } from '../src/config';
import { startReview } from '../src/review.app';

jest.setTimeout(300_000);

const PASSWORD = 'a long enough password';
const address = {
  recipient: '李娜',
  phone: '+8613900001111',
  country: 'CN',
  province: '广东省',
  city: '深圳市',
  district: '南山区',
  line1: '科技园 1 号',
};

type Review = reviewV1.Review;
interface Buyer {
  accountId: string;
  auth: Record<string, string>;
}

/**
 * The review service in-process on real Postgres and Kafka, asking the REAL order (with catalog
 * and user, orders placed, paid, shipped and delivered through the gateway as a shopper and an
 * operator do) and the REAL risk service, driven over gRPC.
 */
describe('review service (real Postgres + Kafka, real order, user and risk)', () => {
  let platform: Platform;
  let risk: ServiceProcess;
  let db: { url: string; drop: () => Promise<void> };
  let riskDb: { url: string; drop: () => Promise<void> };
  let review: RunningService;
  let patient: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let noWait: ReturnType<typeof grpcTestClient>;
  /** Replicas whose order, or risk, is an address nobody answers on. */
  let degraded: RunningService[] = [];
  let orderless: ReturnType<typeof grpcTestClient>;
  let riskless: ReturnType<typeof grpcTestClient>;
  let riskClient: ReturnType<typeof grpcTestClient>;
  let consumer: Consumer;
  let operator: Record<string, string>;
  let operatorId: string;
  const ratings: { key: string; event: reviewV1.ProductRatingChanged }[] = [];
  const approvals: reviewV1.ReviewApproved[] = [];

  const email = (name: string) => `${name}.${platform.suffix}@example.cn`;
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: unknown) => {
        const r = fromGrpcError(e);
        return `${r.status} ${r.code}`;
      },
    );
  const signature = (carrier: string, body: string) => {
    const t = Math.floor(Date.now() / 1000);
    const mac = createHmac('sha256', E2E_CARRIER_SECRET).update(`${t}.${carrier}.${body}`);
    return `t=${t},v1=${mac.digest('hex')}`;
  };

  /** A paid order of one unit of each SKU by `buyer`; delivered through the carrier's webhook when asked. */
  const order = async (
    buyer: Buyer,
    skuIds: string[],
    deliver: boolean,
    to: typeof address = address,
  ): Promise<string> => {
    const { api } = platform;
    for (const skuId of skuIds)
      await api('PUT', `/v1/cart/lines/${skuId}`, { quantity: 1 }, buyer.auth);
    const placed = await anHttpCheckout(api, buyer.auth).to(to).send();
    expect(placed.status).toBe(201);
    const orderId = placed.body.id as string;
    const pay = await api('POST', `/v1/orders/${orderId}/payments`, {}, buyer.auth);
    const paid = await api(
      'POST',
      `/v1/payments/sandbox/pay/${pay.body.paymentId}`,
      {},
      buyer.auth,
    );
    expect(paid.body.outcome).toBe('PAID');
    if (!deliver) return orderId;
    const shipments = await eventually(
      async () => {
        const r = await api('GET', `/v1/orders/${orderId}/shipments`, undefined, buyer.auth);
        return r.body.items?.length ? (r.body.items as { id: string }[]) : undefined;
      },
      { what: 'shipments' },
    );
    for (const s of shipments) {
      const tracking = `SF${randomUUID().slice(0, 12)}`;
      const shipped = await api(
        'POST',
        `/v1/admin/shipments/${s.id}/ship`,
        { carrier: 'sf', trackingNumber: tracking },
        operator,
      );
      expect(shipped.status).toBe(200);
      const event = JSON.stringify({
        trackingNumber: tracking,
        eventId: `evt-${randomUUID()}`,
        status: 'DELIVERED',
        occurredAt: new Date().toISOString(),
      });
      const delivered = await api('POST', '/v1/shipments/tracking-events/sf', event, {
        'emporia-signature': signature('sf', event),
      });
      expect(delivered.status).toBe(200);
    }
    await eventually(
      async () =>
        (await api('GET', `/v1/orders/${orderId}`, undefined, buyer.auth)).body.status ===
        'DELIVERED'
          ? true
          : undefined,
      { what: 'delivered' },
    );
    return orderId;
  };

  const submit = (buyer: Buyer, orderId: string, skuId: string, over: object = {}) =>
    call<reviewV1.SubmitReviewResponse>('submitReview', {
      accountId: buyer.accountId,
      orderId,
      skuId,
      rating: 5,
      text: '茶壶很好用，泡茶不漏水',
      photoUrls: [],
      anonymous: false,
      deviceId: `dev-${buyer.accountId}`,
      ip: '203.0.113.7',
      ...over,
    }).then((r) => r.review!);

  /**
   * Makes a submitted review public: approved at once when risk allowed it, else held (risk's
   * verdict or RISK_UNAVAILABLE, never a banned word here) and approved by the operator.
   */
  const publish = async (r: Review): Promise<Review> => {
    if (r.status === 'APPROVED') return r;
    expect(r.status).toBe('HELD');
    expect(r.moderationReasons.filter((x) => x.startsWith('BANNED_WORD'))).toEqual([]);
    const res = await call<reviewV1.ModerateReviewResponse>('moderateReview', {
      reviewId: r.id,
      operatorId,
      decision: 'APPROVE',
      note: 'checked',
    });
    return res.review!;
  };

  const listed = (productId: string, over: object = {}) =>
    call<reviewV1.ListProductReviewsResponse>('listProductReviews', {
      productId,
      sort: 'recent',
      withPhotos: false,
      rating: 0,
      cursor: '',
      limit: 0,
      ...over,
    });

  beforeAll(async () => {
    platform = await startPlatform({ catalog: true, user: true, order: true });
    const riskPorts = [await freePort(), await freePort()];
    riskDb = await createTestDatabase('review_it_risk');
    const riskEnv = {
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `e2e${platform.suffix}.`,
      BIND_HOST: '127.0.0.1',
      RISK_DATABASE_URL: riskDb.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `e2e:${platform.suffix}:risk:`,
    };
    await runServiceCommand('risk', riskEnv, ['migrate']);
    risk = await startServiceProcess(
      'risk',
      {
        ...riskEnv,
        RISK_GRPC_PORT: String(riskPorts[0]),
        RISK_HTTP_PORT: String(riskPorts[1]),
        RISK_CONSUMER_GROUP: `risk-review-it${platform.suffix}`,
      },
      `http://127.0.0.1:${riskPorts[1]}/readyz`,
    );
    db = await createTestDatabase('review_it');
    const prefix = `e2e${platform.suffix}.`;
    const base = {
      REVIEW_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      BIND_HOST: '127.0.0.1',
      REVIEW_MIGRATE_ON_START: 'true',
      OUTBOX_POLL_MS: '100',
      ORDER_GRPC_URL: `127.0.0.1:${platform.processes.order.env.ORDER_GRPC_PORT}`,
      USER_GRPC_URL: `127.0.0.1:${platform.processes.user.env.USER_GRPC_PORT}`,
      RISK_GRPC_URL: `127.0.0.1:${riskPorts[0]}`,
      RISK_DEADLINE_MS: '2000',
    };
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    review = await startReview(
      reviewConfigSchema.parse({
        ...base,
        REVIEW_GRPC_PORT: String(ports[0]),
        REVIEW_HTTP_PORT: String(ports[1]),
      }),
      testLogger('review'),
    );
    // a second replica on the same database whose follow-ups need no wait
    patient = await startReview(
      reviewConfigSchema.parse({
        ...base,
        REVIEW_FOLLOW_UP_MIN_HOURS: '0',
        REVIEW_GRPC_PORT: String(ports[2]),
        REVIEW_HTTP_PORT: String(ports[3]),
      }),
      testLogger('review'),
    );
    const nobody = `127.0.0.1:${await freePort()}`;
    const more = [await freePort(), await freePort(), await freePort(), await freePort()];
    degraded = [
      await startReview(
        reviewConfigSchema.parse({
          ...base,
          ORDER_GRPC_URL: nobody,
          REVIEW_GRPC_PORT: String(more[0]),
          REVIEW_HTTP_PORT: String(more[1]),
        }),
        testLogger('review'),
      ),
      await startReview(
        reviewConfigSchema.parse({
          ...base,
          RISK_GRPC_URL: nobody,
          REVIEW_GRPC_PORT: String(more[2]),
          REVIEW_HTTP_PORT: String(more[3]),
        }),
        testLogger('review'),
      ),
    ];
    const reviewAt = (port: number) =>
      grpcTestClient(PROTO_FILES.review, 'emporia.review.v1.ReviewService', `127.0.0.1:${port}`);
    riskClient = grpcTestClient(
      PROTO_FILES.risk,
      'emporia.risk.v1.RiskService',
      `127.0.0.1:${riskPorts[0]}`,
    );
    orderless = reviewAt(more[0]);
    riskless = reviewAt(more[2]);
    client = grpcTestClient(
      PROTO_FILES.review,
      'emporia.review.v1.ReviewService',
      `127.0.0.1:${ports[0]}`,
    );
    noWait = grpcTestClient(
      PROTO_FILES.review,
      'emporia.review.v1.ReviewService',
      `127.0.0.1:${ports[2]}`,
    );
    const kafka = createKafka({
      brokers: testEnv.kafkaBrokers().split(','),
      clientId: 'review-it',
      logger: testLogger('kafka'),
    });
    consumer = kafka.consumer({ groupId: `review-it-${platform.suffix}` });
    await consumer.connect();
    await consumer.subscribe({
      topics: [`${prefix}review.product`, `${prefix}review.review`],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const type = message.headers?.['event-type']?.toString() ?? '';
        if (type === 'emporia.review.v1.ProductRatingChanged')
          ratings.push({
            key: message.key!.toString(),
            event: reviewV1.ProductRatingChanged.decode(message.value!),
          });
        if (type === 'emporia.review.v1.ReviewApproved')
          approvals.push(reviewV1.ReviewApproved.decode(message.value!));
      },
    });
    const ops = await platform.signIn(email('ops'), PASSWORD, 'customer,operator');
    operator = ops.auth;
    operatorId = ops.accountId;
  });

  afterAll(async () => {
    await consumer?.disconnect();
    client?.close();
    noWait?.close();
    orderless?.close();
    riskless?.close();
    riskClient?.close();
    for (const d of degraded) await d.close();
    await patient?.close();
    await review?.close();
    await risk?.stop();
    await platform?.stop();
    await db?.drop();
    await riskDb?.drop();
  });

  it('only the buyer of a delivered line reviews it, once (also under concurrent submits)', async () => {
    const skuId = await platform.stockedSku(operator, { stock: 10 });
    const buyer = await platform.signIn(email('buyer1'), PASSWORD);
    const stranger = await platform.signIn(email('stranger1'), PASSWORD);
    const delivered = await order(buyer, [skuId], true);
    const undelivered = await order(buyer, [skuId], false);

    const reviewable = await call<reviewV1.ListReviewableResponse>('listReviewable', {
      accountId: buyer.accountId,
    });
    expect(reviewable.lines).toEqual([
      expect.objectContaining({ orderId: delivered, skuId, title: 'Bamboo toothbrush' }),
    ]);

    expect(await failure(submit(stranger, delivered, skuId))).toBe('5 ORDER_NOT_FOUND');
    expect(await failure(submit(buyer, undelivered, skuId))).toBe('9 NOT_DELIVERED');
    expect(await failure(submit(buyer, delivered, randomUUID()))).toBe('5 LINE_NOT_FOUND');
    expect(await failure(submit(buyer, delivered, skuId, { rating: 6 }))).toBe('3 RATING_INVALID');

    const both = await Promise.allSettled([
      submit(buyer, delivered, skuId),
      submit(buyer, delivered, skuId),
    ]);
    const ok = both.filter((s) => s.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    const refused = both.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect(fromGrpcError(refused.reason).code).toBe('REVIEW_EXISTS');
    expect(fromGrpcError(refused.reason).status).toBe(6);
    expect(await failure(submit(buyer, delivered, skuId, { rating: 1 }))).toBe('6 REVIEW_EXISTS');
    const mine = await call<reviewV1.ListMyReviewsResponse>('listMyReviews', {
      accountId: buyer.accountId,
      cursor: '',
      limit: 0,
    });
    expect(mine.reviews.map((r) => [r.orderId, r.skuId, r.accountId])).toEqual([
      [delivered, skuId, buyer.accountId],
    ]);
    expect(
      (
        await call<reviewV1.ListReviewableResponse>('listReviewable', {
          accountId: buyer.accountId,
        })
      ).lines,
    ).toEqual([]);
  });

  it('a banned word holds a review out of the listing until an operator approves it; ratings reach Kafka with growing versions', async () => {
    await call('setBannedWords', { words: ['刷单', 'ＳＰＡＭ'], operatorId });
    expect((await call<reviewV1.ListBannedWordsResponse>('listBannedWords', {})).words).toEqual([
      '刷单',
      'spam',
    ]);
    const skuId = await platform.stockedSku(operator, { stock: 10 });
    const alice = await platform.signIn(email('alice'), PASSWORD);
    const bob = await platform.signIn(email('bob'), PASSWORD);
    const aliceOrder = await order(alice, [skuId], true);
    const bobOrder = await order(bob, [skuId], true);

    const first = await publish(
      await submit(alice, aliceOrder, skuId, {
        rating: 5,
        photoUrls: ['https://img.example.cn/teapot.jpg'],
      }),
    );
    const productId = first.productId;
    const held = await submit(bob, bobOrder, skuId, {
      rating: 2,
      text: '这家店铺刷单，质量一般',
      anonymous: true,
    });
    expect(held.status).toBe('HELD');
    expect(held.moderationReasons).toContain('BANNED_WORD:刷单');
    expect((await listed(productId)).reviews.map((r) => r.id)).toEqual([first.id]);
    const queue = await call<reviewV1.ListModerationQueueResponse>('listModerationQueue', {
      status: 'HELD',
      cursor: '',
      limit: 50,
    });
    expect(queue.reviews.map((r) => r.id)).toContain(held.id);

    const approved = await call<reviewV1.ModerateReviewResponse>('moderateReview', {
      reviewId: held.id,
      operatorId,
      decision: 'APPROVE',
      note: 'criticism is allowed',
    });
    expect(approved.review).toMatchObject({ status: 'APPROVED', moderatedBy: operatorId });
    const visible = (await listed(productId)).reviews;
    expect(
      visible.map((r) => [r.id, r.accountId, r.authorDisplayName, r.moderationReasons]),
    ).toEqual([
      [held.id, '', '匿名用户', []],
      [first.id, '', first.authorDisplayName, []],
    ]);
    expect(first.authorDisplayName).toMatch(/^a\*+$/);
    expect((await listed(productId, { withPhotos: true })).reviews.map((r) => r.id)).toEqual([
      first.id,
    ]);
    expect((await listed(productId, { rating: 2 })).reviews.map((r) => r.id)).toEqual([held.id]);
    const page1 = await listed(productId, { limit: 1 });
    const page2 = await listed(productId, { limit: 1, cursor: page1.nextCursor });
    expect([...page1.reviews, ...page2.reviews].map((r) => r.id)).toEqual([held.id, first.id]);

    const expected = {
      productId,
      reviewCount: 2,
      ratingSum: 7,
      average: 3.5,
      distribution: [0, 1, 0, 0, 1],
      withPhotoCount: 1,
    };
    expect(
      (await call<reviewV1.GetRatingSummaryResponse>('getRatingSummary', { productId })).summary,
    ).toEqual(expected);
    const events = await eventually(
      async () => {
        const mine = ratings.filter((r) => r.key === productId);
        return mine.length >= 2 ? mine : undefined;
      },
      { what: 'ProductRatingChanged events' },
    );
    expect(events.map((e) => e.event.version)).toEqual([1, 2]);
    expect(events.map((e) => e.event.summary)).toEqual([
      {
        productId,
        reviewCount: 1,
        ratingSum: 5,
        average: 5,
        distribution: [0, 0, 0, 0, 1],
        withPhotoCount: 1,
      },
      expected,
    ]);
    await eventually(
      async () => (approvals.some((a) => a.reviewId === held.id) ? true : undefined),
      { what: 'ReviewApproved' },
    );

    // taken down: the summary follows, version 3
    await call('moderateReview', {
      reviewId: first.id,
      operatorId,
      decision: 'REJECT',
      note: 'fake',
    });
    expect((await listed(productId)).reviews.map((r) => r.id)).toEqual([held.id]);
    const third = await eventually(
      async () => ratings.find((r) => r.key === productId && Number(r.event.version) === 3),
      { what: 'version 3' },
    );
    expect(third.event.summary).toMatchObject({ reviewCount: 1, ratingSum: 2, average: 2 });
  });

  it('helpful votes once per account, never on one’s own review; follow-ups once, after the wait, not on a rejected review', async () => {
    const skuId = await platform.stockedSku(operator, { stock: 10 });
    const author = await platform.signIn(email('carol'), PASSWORD);
    const reader = await platform.signIn(email('dave'), PASSWORD);
    const orderId = await order(author, [skuId], true);
    const r = await publish(await submit(author, orderId, skuId, { rating: 4 }));

    const vote = (accountId: string) =>
      call<reviewV1.VoteHelpfulResponse>('voteHelpful', { reviewId: r.id, accountId });
    expect(await vote(reader.accountId)).toEqual({ helpfulVotes: 1, counted: true });
    expect(await vote(reader.accountId)).toEqual({ helpfulVotes: 1, counted: false });
    expect(await failure(vote(author.accountId))).toBe('9 OWN_REVIEW');

    const followUp = {
      reviewId: r.id,
      accountId: author.accountId,
      text: '用了一个月，依然很好',
      photoUrls: ['https://img.example.cn/month.jpg'],
      deviceId: `dev-${author.accountId}`,
      ip: '203.0.113.7',
    };
    expect(await failure(call('submitFollowUp', followUp))).toBe('9 FOLLOW_UP_TOO_EARLY');
    const f = (await noWait.call<reviewV1.SubmitFollowUpResponse>('submitFollowUp', followUp))
      .review!;
    expect(f).toMatchObject({ rating: 0, followsReviewId: r.id, productId: r.productId });
    expect(await failure(noWait.call('submitFollowUp', followUp))).toBe('6 FOLLOW_UP_EXISTS');
    const shown = await publish(f);
    const list = (await listed(r.productId)).reviews;
    expect(list.map((x) => [x.id, x.followUpId, x.followUp?.id, x.followUp?.text])).toEqual([
      [r.id, shown.id, shown.id, '用了一个月，依然很好'],
    ]);
    await eventually(
      async () =>
        approvals.find((a) => a.reviewId === shown.id && a.followUp && a.photoCount === 1),
      { what: 'ReviewApproved of the follow-up' },
    );
    // the follow-up changes no rating
    expect(
      (
        await call<reviewV1.GetRatingSummaryResponse>('getRatingSummary', {
          productId: r.productId,
        })
      ).summary,
    ).toMatchObject({ reviewCount: 1, ratingSum: 4, withPhotoCount: 0 });

    const skuId2 = await platform.stockedSku(operator, { stock: 10 });
    const order2 = await order(author, [skuId2], true);
    const rejected = await submit(author, order2, skuId2);
    await call('moderateReview', {
      reviewId: rejected.id,
      operatorId,
      decision: 'REJECT',
      note: '',
    });
    expect(
      await failure(noWait.call('submitFollowUp', { ...followUp, reviewId: rejected.id })),
    ).toBe('9 REVIEW_REJECTED');
  });

  it("risk decides: a brand-new account's review is held with risk's reason; without that rule the review is public at once", async () => {
    const skuId = await platform.stockedSku(operator, { stock: 10 });
    const newcomer = await platform.signIn(email('gina'), PASSWORD);
    const settled = await platform.signIn(email('hank'), PASSWORD);
    // addresses of their own: the other tests' reviews to the shared one count for its velocity
    const first = await order(newcomer, [skuId], true, { ...address, line1: '科技园 7 号' });
    const second = await order(settled, [skuId], true, { ...address, line1: '科技园 9 号' });

    const held = await submit(newcomer, first, skuId, { rating: 2 });
    expect([held.status, held.moderationReasons]).toEqual(['HELD', ['RISK_REVIEW', 'NEW_ACCOUNT']]);
    expect((await listed(held.productId)).reviews).toEqual([]);

    const rules = (await riskClient.call<riskV1.ListRulesResponse>('listRules', {})).rules;
    const newAccount = rules.find((r) => r.kind === 'NEW_ACCOUNT' && r.appliesTo === 'REVIEW')!;
    const upsert = (active: boolean) =>
      riskClient.call<riskV1.UpsertRuleResponse>('upsertRule', {
        rule: { ...newAccount, active },
      });
    await upsert(false);
    try {
      const shown = await submit(settled, second, skuId, { rating: 4 });
      expect([shown.status, shown.moderationReasons]).toEqual(['APPROVED', []]);
      expect((await listed(shown.productId)).reviews.map((r) => r.id)).toEqual([shown.id]);
      await eventually(async () => approvals.find((a) => a.reviewId === shown.id), {
        what: 'ReviewApproved of the review risk allowed',
      });
    } finally {
      await upsert(true);
    }
  });

  it('order down: UNAVAILABLE and nothing written; risk down: kept, held with RISK_UNAVAILABLE', async () => {
    const skuId = await platform.stockedSku(operator, { stock: 10 });
    const buyer = await platform.signIn(email('erin'), PASSWORD);
    const orderId = await order(buyer, [skuId], true);
    const request = {
      accountId: buyer.accountId,
      orderId,
      skuId,
      rating: 3,
      text: '还可以',
      photoUrls: [],
      anonymous: false,
      deviceId: 'dev-erin',
      ip: '203.0.113.9',
    };
    expect(await failure(orderless.call('submitReview', request))).toBe('14 ORDER_UNAVAILABLE');
    const mine = () =>
      call<reviewV1.ListMyReviewsResponse>('listMyReviews', {
        accountId: buyer.accountId,
        cursor: '',
        limit: 0,
      }).then((r) => r.reviews);
    expect(await mine()).toEqual([]);

    const held = (await riskless.call<reviewV1.SubmitReviewResponse>('submitReview', request))
      .review!;
    expect([held.status, held.moderationReasons]).toEqual(['HELD', ['RISK_UNAVAILABLE']]);
    expect((await mine()).map((r) => r.id)).toEqual([held.id]);
    expect((await listed(held.productId)).reviews).toEqual([]);
    expect(
      (
        await call<reviewV1.GetRatingSummaryResponse>('getRatingSummary', {
          productId: held.productId,
        })
      ).summary,
    ).toMatchObject({ reviewCount: 0, distribution: [0, 0, 0, 0, 0] });
  });
});
