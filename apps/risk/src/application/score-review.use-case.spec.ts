import {
  aReview,
  aRule,
  FakeClock,
  InMemoryReturnFactStore,
  InMemoryRiskStore,
  InMemorySignalStore,
  SequentialIds,
} from '../testing';
import { RiskUseCase } from './risk.use-case';

const HOUR = 3600_000;

/** ScoreReview (issue 17 brushing checks) against in-memory ports. */
describe('risk use case: reviews', () => {
  const setup = () => {
    const store = new InMemoryRiskStore();
    const signals = new InMemorySignalStore();
    const clock = new FakeClock();
    const returns = new InMemoryReturnFactStore();
    const risk = new RiskUseCase(store, signals, clock, new SequentialIds(), returns);
    return { store, signals, clock, risk, returns };
  };
  const review = (n: number, over: Parameters<typeof aReview>[0] = {}) =>
    aReview({ reviewId: `review-${n}`, accountId: `acc-${n}`, ...over });

  it('allows a clean review and audits it with what it saw; order rules do not apply', async () => {
    const { risk, store } = setup();
    await risk.upsertRule(aRule('LIST_MATCH', { listKind: 'DEVICE', action: 'REJECT' }));
    await risk.addEntries([{ kind: 'DEVICE', value: 'dev-1', reason: '' }]);
    const d = await risk.scoreReview(aReview());
    expect(d).toMatchObject({ kind: 'REVIEW', subjectId: 'review-1', decision: 'ALLOW' });
    expect(d.signals).toMatchObject({
      productId: 'prod-1',
      rating: 5,
      accountAgeSeconds: 365 * 86_400,
      deliveredAt: '2026-11-22T10:00:00.000Z',
    });
    expect(store.decisionRows).toHaveLength(1);
  });

  it('the 5th review from one device in a day is held; other devices and older reviews do not count', async () => {
    const { risk, clock } = setup();
    await risk.upsertRule(
      aRule('VELOCITY', {
        appliesTo: 'REVIEW',
        dimension: 'DEVICE',
        windowSeconds: 86_400,
        threshold: 4,
      }),
    );
    const decisions = [];
    for (let n = 1; n <= 4; n++)
      decisions.push((await risk.scoreReview(review(n, { deviceId: 'DEV-X' }))).decision);
    expect((await risk.scoreReview(review(9, { deviceId: 'dev-y' }))).decision).toBe('ALLOW');
    expect(decisions).toEqual(['ALLOW', 'ALLOW', 'ALLOW', 'ALLOW']);
    const fifth = await risk.scoreReview(review(5, { deviceId: 'dev-x' }));
    expect(fifth).toMatchObject({ decision: 'REVIEW', reasons: ['VELOCITY_DEVICE'] });
    expect(fifth.signals).toMatchObject({ counts: { 'reviews:DEVICE:86400': 5 } });
    clock.advance(24 * HOUR + 1); // the first five fall out of the window
    expect((await risk.scoreReview(review(6, { deviceId: 'dev-x' }))).decision).toBe('ALLOW');
  });

  it('a retried ScoreReview answers its first decision and counts once', async () => {
    const { risk, store, signals, clock } = setup();
    await risk.upsertRule(
      aRule('VELOCITY', {
        appliesTo: 'REVIEW',
        dimension: 'ADDRESS',
        windowSeconds: 86_400,
        threshold: 1,
      }),
    );
    const first = await risk.scoreReview(review(1));
    expect(await risk.scoreReview(review(1, { accountCreatedAt: new Date() }))).toEqual(first);
    expect(store.decisionRows).toHaveLength(1);
    expect(first.decision).toBe('ALLOW');
    expect((await risk.scoreReview(review(2))).signals).toMatchObject({
      counts: { 'reviews:ADDRESS:86400': 2 },
    });
    // a retry racing the first call (no decision stored yet) keeps the member once
    await signals.recordReview(
      {
        reviewId: 'review-2',
        accountId: 'acc-2',
        ip: '',
        deviceId: '',
        addressFingerprint: 'cn|zj|hz|xh|line1|',
        deliveredAt: null,
      },
      [],
      clock.now(),
    );
    expect(signals.sets.get('r:ADDRESS:cn|zj|hz|xh|line1|')?.size).toBe(2);
  });

  it('an account younger than the NEW_ACCOUNT age is held; an unknown age is not', async () => {
    const { risk, clock } = setup();
    await risk.upsertRule(aRule('NEW_ACCOUNT', { appliesTo: 'REVIEW', windowSeconds: 259_200 }));
    const made = (ms: number) => new Date(clock.now().getTime() - ms);
    expect(
      (await risk.scoreReview(review(1, { accountCreatedAt: made(72 * HOUR - 1000) }))).reasons,
    ).toEqual(['NEW_ACCOUNT']);
    expect(
      (await risk.scoreReview(review(2, { accountCreatedAt: made(72 * HOUR) }))).decision,
    ).toBe('ALLOW');
    expect((await risk.scoreReview(review(3, { accountCreatedAt: null }))).decision).toBe('ALLOW');
  });

  it('5 reviews within an hour, each within 2 hours of delivery, hold the 5th; slow ones do not count', async () => {
    const { risk, clock } = setup();
    await risk.upsertRule(
      aRule('BULK_AFTER_DELIVERY', {
        appliesTo: 'REVIEW',
        windowSeconds: 3600,
        threshold: 5,
        deliveryWindowSeconds: 7200,
      }),
    );
    const quick = () => new Date(clock.now().getTime() - HOUR);
    const slow = () => new Date(clock.now().getTime() - 3 * HOUR);
    const by = (n: number, deliveredAt: Date | null) =>
      risk.scoreReview(aReview({ reviewId: `review-${n}`, deliveredAt }));
    for (let n = 1; n <= 4; n++) {
      expect((await by(n, quick())).decision).toBe('ALLOW');
      clock.advance(60_000);
    }
    // written 3 hours after delivery, or with no known delivery: not "right after"
    expect((await by(10, slow())).decision).toBe('ALLOW');
    expect((await by(11, null)).decision).toBe('ALLOW');
    const fifth = await by(5, quick());
    expect(fifth).toMatchObject({ decision: 'REVIEW', reasons: ['BULK_AFTER_DELIVERY'] });
    expect(fifth.signals).toMatchObject({ counts: { 'quickReviews:7200:3600': 5 } });
    // an hour later the first ones are out of the window
    clock.advance(HOUR - 60_000);
    expect((await by(6, quick())).decision).toBe('ALLOW');
  });

  it('a listed account is rejected and an unknown delivery time is recorded as such', async () => {
    const { risk } = setup();
    await risk.upsertRule(
      aRule('LIST_MATCH', { appliesTo: 'REVIEW', listKind: 'ACCOUNT', action: 'REJECT' }),
    );
    await risk.addEntries([{ kind: 'ACCOUNT', value: 'ACC-1', reason: 'fake reviews' }]);
    const d = await risk.scoreReview(aReview({ deliveredAt: null }));
    expect(d).toMatchObject({ decision: 'REJECT', reasons: ['LISTED_ACCOUNT'] });
    expect(d.signals).toMatchObject({ deliveredAt: null });
  });
});
