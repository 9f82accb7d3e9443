import { randomUUID } from 'node:crypto';
import { FakeClock, SequentialIds } from '@emporia/domain/testing';
import type { RequestContext } from '@emporia/platform';
import {
  aDeliveredOrder,
  InMemoryAccounts,
  InMemoryOrders,
  InMemoryReviewStore,
  InMemoryRisk,
  InMemoryUnitOfWork,
} from '../testing';
import { ModerationUseCase } from './moderation.use-case';
import type { HelpfulCursor, Page } from './ports';
import { ReviewsUseCase, type SubmitReviewInput } from './reviews.use-case';

const ctx = {} as RequestContext;
const HOUR = 3_600_000;
const page: Page<HelpfulCursor> = { limit: 20, after: null };

function harness() {
  const store = new InMemoryReviewStore();
  const uow = new InMemoryUnitOfWork(store);
  const clock = new FakeClock(new Date('2026-11-25T10:00:00Z'));
  const orders = new InMemoryOrders();
  const accounts = new InMemoryAccounts();
  const risk = new InMemoryRisk();
  const settings = { windowDays: 180, followUpMinHours: 24, reviewableOrders: 20 };
  const reviews = new ReviewsUseCase(
    uow,
    clock,
    new SequentialIds(),
    orders,
    accounts,
    risk,
    settings,
  );
  const moderation = new ModerationUseCase(uow, clock);
  const operator = randomUUID();
  /** A buyer with a delivered order of `skus` SKUs of one product. */
  const buyer = (opts: { name?: string; skus?: number; deliveredAt?: Date | null } = {}) => {
    const accountId = randomUUID();
    const productId = randomUUID();
    const skus = Array.from({ length: opts.skus ?? 1 }, () => ({
      skuId: randomUUID(),
      productId,
    }));
    const order = aDeliveredOrder(accountId, { skus, deliveredAt: opts.deliveredAt });
    orders.orders.set(order.orderId, order);
    accounts.authors.set(accountId, {
      name: opts.name ?? '王小明',
      locale: 'zh-CN',
      createdAt: new Date('2025-01-01T00:00:00Z'),
    });
    const input = (over: Partial<SubmitReviewInput> = {}): SubmitReviewInput => ({
      accountId,
      orderId: order.orderId,
      skuId: skus[0].skuId,
      rating: 5,
      text: '茶壶很好用',
      photoUrls: [],
      anonymous: false,
      deviceId: 'dev-1',
      ip: '203.0.113.7',
      ...over,
    });
    return { accountId, productId, order, skus, input };
  };
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'NO_ERROR',
      (e: { kind?: string; code?: string }) => `${e.kind} ${e.code}`,
    );
  const events = (type: string) => store.outbox.filter((e) => e.type === type);
  return {
    store,
    uow,
    clock,
    orders,
    accounts,
    risk,
    reviews,
    moderation,
    operator,
    buyer,
    codeOf,
    events,
  };
}

describe('SubmitReview', () => {
  it('publishes an allowed review at once: masked name, summary v1, ReviewApproved', async () => {
    const h = harness();
    const b = h.buyer({ name: '王小明' });
    const r = await h.reviews.submit(
      ctx,
      b.input({ photoUrls: ['https://img.example.cn/1.jpg'], rating: 4 }),
    );
    expect(r).toMatchObject({
      status: 'APPROVED',
      authorName: '王**',
      productId: b.productId,
      reasons: [],
      moderatedBy: 'system',
    });
    expect(h.risk.seen[0]).toMatchObject({
      reviewId: r.id,
      accountId: b.accountId,
      deviceId: 'dev-1',
      ip: '203.0.113.7',
      addressFingerprint: 'cn|广东省|深圳市|南山区|科技园1号|',
      productId: b.productId,
      rating: 4,
      photoCount: 1,
      accountCreatedAt: new Date('2025-01-01T00:00:00Z'),
      deliveredAt: b.order.shipments[0].deliveredAt,
    });
    expect(h.events('ReviewApproved')).toEqual([
      { type: 'ReviewApproved', reviewId: r.id, followUp: false, photoCount: 1 },
    ]);
    expect(h.events('ProductRatingChanged')).toEqual([
      {
        type: 'ProductRatingChanged',
        productId: b.productId,
        version: 1,
        summary: {
          productId: b.productId,
          reviewCount: 1,
          ratingSum: 4,
          average: 4,
          distribution: [0, 0, 0, 1, 0],
          withPhotoCount: 1,
        },
      },
    ]);
    expect(await h.reviews.summary(ctx, b.productId)).toMatchObject({ reviewCount: 1 });
  });

  it('shows anonymous authors as 匿名用户', async () => {
    const h = harness();
    const b = h.buyer();
    expect((await h.reviews.submit(ctx, b.input({ anonymous: true }))).authorName).toBe('匿名用户');
  });

  it('refuses bad content before asking anyone', async () => {
    const h = harness();
    const b = h.buyer();
    expect(await h.codeOf(h.reviews.submit(ctx, b.input({ rating: 0 })))).toBe(
      'INVALID_ARGUMENT RATING_INVALID',
    );
    expect(await h.codeOf(h.reviews.submit(ctx, b.input({ text: ' ' })))).toBe(
      'INVALID_ARGUMENT TEXT_INVALID',
    );
    expect(
      await h.codeOf(h.reviews.submit(ctx, b.input({ photoUrls: ['http://x.example/a.jpg'] }))),
    ).toBe('INVALID_ARGUMENT PHOTO_URL_INVALID');
    expect(h.orders.calls).toBe(0);
  });

  it('only the buyer of a delivered line, within the window, once', async () => {
    const h = harness();
    const b = h.buyer();
    const stranger = h.buyer();
    expect(await h.codeOf(h.reviews.submit(ctx, b.input({ accountId: stranger.accountId })))).toBe(
      'NOT_FOUND ORDER_NOT_FOUND',
    );
    expect(await h.codeOf(h.reviews.submit(ctx, b.input({ skuId: randomUUID() })))).toBe(
      'NOT_FOUND LINE_NOT_FOUND',
    );
    const undelivered = h.buyer({ deliveredAt: null });
    expect(await h.codeOf(h.reviews.submit(ctx, undelivered.input()))).toBe(
      'FAILED_PRECONDITION NOT_DELIVERED',
    );
    h.clock.advance(181 * 24 * HOUR);
    expect(await h.codeOf(h.reviews.submit(ctx, b.input()))).toBe(
      'FAILED_PRECONDITION REVIEW_WINDOW_CLOSED',
    );
    h.clock.advance(-100 * 24 * HOUR);
    await h.reviews.submit(ctx, b.input());
    expect(await h.codeOf(h.reviews.submit(ctx, b.input({ rating: 1 })))).toBe(
      'ALREADY_EXISTS REVIEW_EXISTS',
    );
    expect(h.store.reviews.size).toBe(1);
  });

  it('order unavailable: UNAVAILABLE and nothing written', async () => {
    const h = harness();
    const b = h.buyer();
    h.orders.down = true;
    expect(await h.codeOf(h.reviews.submit(ctx, b.input()))).toBe('UNAVAILABLE ORDER_UNAVAILABLE');
    expect(h.store.reviews.size).toBe(0);
    expect(h.store.outbox).toEqual([]);
  });

  it('holds reviews with banned words or a risk refusal, with the reasons; no summary change', async () => {
    const h = harness();
    await h.moderation.setBannedWords(ctx, ['刷单', 'SPAM'], h.operator);
    const b = h.buyer({ skus: 3 });
    const banned = await h.reviews.submit(ctx, b.input({ text: '这是刷单 ｓｐａｍ' }));
    expect(banned).toMatchObject({
      status: 'HELD',
      reasons: ['BANNED_WORD:刷单', 'BANNED_WORD:spam'],
      moderatedAt: null,
    });
    h.risk.verdict = { allow: false, reasons: ['RISK_REVIEW', 'NEW_ACCOUNT'] };
    const risky = await h.reviews.submit(ctx, b.input({ skuId: b.skus[1].skuId }));
    expect(risky).toMatchObject({ status: 'HELD', reasons: ['RISK_REVIEW', 'NEW_ACCOUNT'] });
    h.risk.verdict = { allow: false, reasons: ['RISK_UNAVAILABLE'] };
    const unscored = await h.reviews.submit(ctx, b.input({ skuId: b.skus[2].skuId }));
    expect(unscored).toMatchObject({ status: 'HELD', reasons: ['RISK_UNAVAILABLE'] });
    expect(h.store.outbox).toEqual([]);
    expect(h.store.audit.map((e) => [e.action, e.actor])).toEqual([
      ['HELD', 'system'],
      ['HELD', 'system'],
      ['HELD', 'system'],
    ]);
    expect((await h.moderation.queue(ctx, 'HELD', page)).map((r) => r.id)).toEqual([
      banned.id,
      risky.id,
      unscored.id,
    ]);
    expect(
      await h.reviews.listProduct(
        ctx,
        { productId: b.productId, sort: 'recent', withPhotos: false, rating: 0 },
        page,
      ),
    ).toEqual([]);
  });

  it('without the user service: unknown age, a default anonymous-looking name', async () => {
    const h = harness();
    const b = h.buyer();
    h.accounts.authors.delete(b.accountId);
    const r = await h.reviews.submit(ctx, b.input());
    expect(r.authorName).toBe('匿名用户');
    expect(h.risk.seen[0].accountCreatedAt).toBeNull();
  });
});

describe('moderation and the summary', () => {
  it('approval publishes, takedown unpublishes; versions grow; the trail records who and why', async () => {
    const h = harness();
    await h.moderation.setBannedWords(ctx, ['垃圾'], h.operator);
    const b = h.buyer({ skus: 2 });
    const first = await h.reviews.submit(ctx, b.input({ rating: 5 }));
    const held = await h.reviews.submit(
      ctx,
      b.input({ skuId: b.skus[1].skuId, rating: 2, text: '垃圾' }),
    );
    h.clock.advance(HOUR);
    const approved = await h.moderation.decide(ctx, {
      reviewId: held.id,
      operatorId: h.operator,
      decision: 'APPROVE',
      note: 'fair criticism',
    });
    expect(approved).toMatchObject({ status: 'APPROVED', moderatedBy: h.operator });
    const again = await h.moderation.decide(ctx, {
      reviewId: held.id,
      operatorId: h.operator,
      decision: 'APPROVE',
      note: '',
    });
    expect(again.moderatedAt).toEqual(approved.moderatedAt);
    await h.moderation.decide(ctx, {
      reviewId: first.id,
      operatorId: h.operator,
      decision: 'REJECT',
      note: 'fake',
    });
    expect(
      h
        .events('ProductRatingChanged')
        .map((e) =>
          e.type === 'ProductRatingChanged'
            ? [e.version, e.summary.reviewCount, e.summary.ratingSum, e.summary.average]
            : [],
        ),
    ).toEqual([
      [1, 1, 5, 5],
      [2, 2, 7, 3.5],
      [3, 1, 2, 2],
    ]);
    expect(h.events('ReviewApproved').map((e) => 'reviewId' in e && e.reviewId)).toEqual([
      first.id,
      held.id,
    ]);
    expect(h.events('ReviewRejected')).toEqual([
      { type: 'ReviewRejected', reviewId: first.id, reasons: ['OPERATOR:fake'] },
    ]);
    expect(
      (await h.moderation.auditTrail(ctx, held.id)).map((e) => [e.action, e.actor, e.note]),
    ).toEqual([
      ['HELD', 'system', ''],
      ['APPROVED', h.operator, 'fair criticism'],
    ]);
    expect(
      await h.codeOf(
        h.moderation.decide(ctx, {
          reviewId: first.id,
          operatorId: h.operator,
          decision: 'APPROVE',
          note: '',
        }),
      ),
    ).toBe('FAILED_PRECONDITION REVIEW_REJECTED');
    expect(
      await h.codeOf(
        h.moderation.decide(ctx, {
          reviewId: first.id,
          operatorId: h.operator,
          decision: 'DELETE',
          note: '',
        }),
      ),
    ).toBe('INVALID_ARGUMENT DECISION_INVALID');
    expect(
      await h.codeOf(
        h.moderation.decide(ctx, {
          reviewId: randomUUID(),
          operatorId: h.operator,
          decision: 'APPROVE',
          note: '',
        }),
      ),
    ).toBe('NOT_FOUND REVIEW_NOT_FOUND');
  });

  it('one merchant reply per review, replaced by the next', async () => {
    const h = harness();
    const r = await h.reviews.submit(ctx, h.buyer().input());
    await h.moderation.reply(ctx, { reviewId: r.id, operatorId: h.operator, text: '谢谢' });
    const replaced = await h.moderation.reply(ctx, {
      reviewId: r.id,
      operatorId: h.operator,
      text: '感谢支持',
    });
    expect(replaced.reply).toMatchObject({ text: '感谢支持', repliedBy: h.operator });
    expect(h.store.reviews.get(r.id)?.reply?.text).toBe('感谢支持');
    expect(
      await h.codeOf(
        h.moderation.reply(ctx, { reviewId: r.id, operatorId: h.operator, text: 'x'.repeat(1001) }),
      ),
    ).toBe('INVALID_ARGUMENT TEXT_INVALID');
  });

  it('banned words are data: replaced as a whole, normalised', async () => {
    const h = harness();
    await h.moderation.setBannedWords(ctx, ['A', 'b'], h.operator);
    const list = await h.moderation.setBannedWords(ctx, ['ＡＢ', '广告'], h.operator);
    expect(list.words).toEqual(['ab', '广告']);
    expect((await h.moderation.bannedWords(ctx)).words).toEqual(['ab', '广告']);
    expect(await h.codeOf(h.moderation.setBannedWords(ctx, [''], h.operator))).toBe(
      'INVALID_ARGUMENT BANNED_WORDS_INVALID',
    );
  });
});

describe('helpful votes', () => {
  it('once per account, not on one’s own or unpublished reviews', async () => {
    const h = harness();
    const b = h.buyer();
    const r = await h.reviews.submit(ctx, b.input());
    const voter = randomUUID();
    expect(await h.reviews.voteHelpful(ctx, r.id, voter)).toEqual({
      helpfulVotes: 1,
      counted: true,
    });
    expect(await h.reviews.voteHelpful(ctx, r.id, voter)).toEqual({
      helpfulVotes: 1,
      counted: false,
    });
    expect(await h.reviews.voteHelpful(ctx, r.id, randomUUID())).toEqual({
      helpfulVotes: 2,
      counted: true,
    });
    expect(await h.codeOf(h.reviews.voteHelpful(ctx, r.id, b.accountId))).toBe(
      'FAILED_PRECONDITION OWN_REVIEW',
    );
    h.risk.verdict = { allow: false, reasons: ['RISK_UNAVAILABLE'] };
    const other = h.buyer();
    const held = await h.reviews.submit(ctx, other.input());
    expect(await h.codeOf(h.reviews.voteHelpful(ctx, held.id, voter))).toBe(
      'NOT_FOUND REVIEW_NOT_FOUND',
    );
  });
});

describe('follow-ups', () => {
  it('once, after the wait, without rating, shown with the review when approved', async () => {
    const h = harness();
    const b = h.buyer();
    const r = await h.reviews.submit(ctx, b.input());
    const follow = {
      reviewId: r.id,
      accountId: b.accountId,
      text: '用了一个月，依然很好',
      photoUrls: ['https://img.example.cn/2.jpg'],
      deviceId: 'dev-1',
      ip: '203.0.113.7',
    };
    expect(await h.codeOf(h.reviews.submitFollowUp(ctx, follow))).toBe(
      'FAILED_PRECONDITION FOLLOW_UP_TOO_EARLY',
    );
    h.clock.advance(24 * HOUR);
    expect(
      await h.codeOf(h.reviews.submitFollowUp(ctx, { ...follow, accountId: randomUUID() })),
    ).toBe('NOT_FOUND REVIEW_NOT_FOUND');
    const f = await h.reviews.submitFollowUp(ctx, follow);
    expect(f).toMatchObject({
      status: 'APPROVED',
      rating: 0,
      followsReviewId: r.id,
      productId: r.productId,
      authorName: r.authorName,
    });
    expect(h.risk.seen[1]).toMatchObject({
      rating: 0,
      photoCount: 1,
      addressFingerprint: r.addressFingerprint,
    });
    expect(await h.codeOf(h.reviews.submitFollowUp(ctx, follow))).toBe(
      'ALREADY_EXISTS FOLLOW_UP_EXISTS',
    );
    expect(await h.codeOf(h.reviews.submitFollowUp(ctx, { ...follow, reviewId: f.id }))).toBe(
      'FAILED_PRECONDITION REVIEW_IS_FOLLOW_UP',
    );
    // approved: ReviewApproved with follow_up, and no change to the summary (no rating)
    expect(h.events('ReviewApproved').map((e) => 'followUp' in e && e.followUp)).toEqual([
      false,
      true,
    ]);
    expect(h.events('ProductRatingChanged')).toHaveLength(1);
    const listed = await h.reviews.listProduct(
      ctx,
      { productId: b.productId, sort: 'recent', withPhotos: false, rating: 0 },
      page,
    );
    expect(listed.map((v) => [v.review.id, v.followUp?.id])).toEqual([[r.id, f.id]]);
    expect((await h.reviews.listMine(ctx, b.accountId, page)).map((v) => v.followUp?.id)).toEqual([
      f.id,
    ]);
  });

  it('not on a rejected review; a held follow-up is not shown', async () => {
    const h = harness();
    const b = h.buyer({ skus: 2 });
    const r = await h.reviews.submit(ctx, b.input());
    const r2 = await h.reviews.submit(ctx, b.input({ skuId: b.skus[1].skuId }));
    await h.moderation.decide(ctx, {
      reviewId: r.id,
      operatorId: h.operator,
      decision: 'REJECT',
      note: '',
    });
    h.clock.advance(25 * HOUR);
    const follow = { accountId: b.accountId, text: '补充', photoUrls: [], deviceId: '', ip: '' };
    expect(await h.codeOf(h.reviews.submitFollowUp(ctx, { ...follow, reviewId: r.id }))).toBe(
      'FAILED_PRECONDITION REVIEW_REJECTED',
    );
    h.risk.verdict = { allow: false, reasons: ['RISK_UNAVAILABLE'] };
    const f = await h.reviews.submitFollowUp(ctx, { ...follow, reviewId: r2.id });
    expect(f.status).toBe('HELD');
    const listed = await h.reviews.listProduct(
      ctx,
      { productId: b.productId, sort: 'recent', withPhotos: false, rating: 0 },
      page,
    );
    expect(listed.map((v) => [v.review.id, v.followUp])).toEqual([[r2.id, null]]);
  });
});

describe('listings', () => {
  it('sorts by recency or helpfulness, filters photos and rating, pages by cursor', async () => {
    const h = harness();
    const b = h.buyer({ skus: 4 });
    const ids: string[] = [];
    for (const [i, rating] of [5, 3, 5, 1].entries()) {
      h.clock.advance(HOUR);
      const r = await h.reviews.submit(
        ctx,
        b.input({
          skuId: b.skus[i].skuId,
          rating,
          photoUrls: i % 2 === 0 ? ['https://img.example.cn/p.jpg'] : [],
        }),
      );
      ids.push(r.id);
    }
    await h.reviews.voteHelpful(ctx, ids[1], randomUUID());
    await h.reviews.voteHelpful(ctx, ids[1], randomUUID());
    await h.reviews.voteHelpful(ctx, ids[2], randomUUID());
    const list = (
      f: Partial<{ sort: 'recent' | 'helpful'; withPhotos: boolean; rating: number }>,
      p = page,
    ) =>
      h.reviews
        .listProduct(
          ctx,
          { productId: b.productId, sort: 'recent', withPhotos: false, rating: 0, ...f },
          p,
        )
        .then((vs) => vs.map((v) => v.review.id));
    expect(await list({})).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    expect(await list({ sort: 'helpful' })).toEqual([ids[1], ids[2], ids[3], ids[0]]);
    expect(await list({ withPhotos: true })).toEqual([ids[2], ids[0]]);
    expect(await list({ rating: 5 })).toEqual([ids[2], ids[0]]);
    const r2 = h.store.reviews.get(ids[2])!;
    expect(
      await list(
        { sort: 'helpful' },
        { limit: 2, after: { votes: 1, createdAt: r2.createdAt.toISOString(), id: r2.id } },
      ),
    ).toEqual([ids[3], ids[0]]);
    const r1 = h.store.reviews.get(ids[1])!;
    expect(
      await list({}, { limit: 2, after: { createdAt: r1.createdAt.toISOString(), id: r1.id } }),
    ).toEqual([ids[0]]);
    expect(await h.reviews.summary(ctx, b.productId)).toEqual({
      productId: b.productId,
      reviewCount: 4,
      ratingSum: 14,
      average: 3.5,
      distribution: [1, 0, 1, 0, 2],
      withPhotoCount: 2,
    });
  });

  it('ListReviewable: delivered lines not yet reviewed, inside the window', async () => {
    const h = harness();
    const b = h.buyer({ skus: 2 });
    const undelivered = aDeliveredOrder(b.accountId, { deliveredAt: null });
    h.orders.orders.set(undelivered.orderId, undelivered);
    expect((await h.reviews.reviewable(ctx, b.accountId)).map((l) => l.skuId).sort()).toEqual(
      b.skus.map((s) => s.skuId).sort(),
    );
    await h.reviews.submit(ctx, b.input());
    expect((await h.reviews.reviewable(ctx, b.accountId)).map((l) => l.skuId)).toEqual([
      b.skus[1].skuId,
    ]);
    h.clock.advance(200 * 24 * HOUR);
    expect(await h.reviews.reviewable(ctx, b.accountId)).toEqual([]);
  });
});
