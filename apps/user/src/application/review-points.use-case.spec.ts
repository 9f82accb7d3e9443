import { aDelivery, PASSWORD, userHarness } from '../testing';
import { ReviewPointsUseCase } from './review-points.use-case';

/** Photo-review points (issue 17) through the use case against the in-memory unit of work. */
describe('points for approved photo reviews', () => {
  const approved = (accountId: string, over: Record<string, unknown> = {}) => ({
    reviewId: 'rev-1',
    accountId,
    photoCount: 2,
    followUp: false,
    ...over,
  });
  const balance = async (h: ReturnType<typeof userHarness>, accountId: string) =>
    (await h.pointsUseCase.get(h.ctx, accountId)).pointsBalance;

  it('grants 20 points once per review: a redelivery, a re-sent event or a re-approval earn nothing more', async () => {
    const h = userHarness();
    const a = await h.customer();
    const event = aDelivery('ReviewApproved');
    expect(await h.reviewPoints.onReviewApproved(h.ctx, event, approved(a.id))).toBe('GRANTED');
    expect(await h.reviewPoints.onReviewApproved(h.ctx, event, approved(a.id))).toBe(
      'DUPLICATE_EVENT',
    );
    // the same review approved again after a take-down: a new event id, the same ledger ref
    expect(
      await h.reviewPoints.onReviewApproved(h.ctx, aDelivery('ReviewApproved'), approved(a.id)),
    ).toBe('ALREADY_GRANTED');
    expect(await balance(h, a.id)).toBe(20);
    expect(h.store.ledgerOf(a.id).map((e) => [e.type, e.points, e.ref])).toEqual([
      ['EARN', 20, 'review:rev-1'],
    ]);
    // another review earns its own points
    await h.reviewPoints.onReviewApproved(
      h.ctx,
      aDelivery('ReviewApproved'),
      approved(a.id, { reviewId: 'rev-2' }),
    );
    expect(await balance(h, a.id)).toBe(40);
  });

  it('no photos or a follow-up review earn nothing', async () => {
    const h = userHarness();
    const a = await h.customer();
    for (const over of [{ photoCount: 0 }, { followUp: true }])
      expect(
        await h.reviewPoints.onReviewApproved(
          h.ctx,
          aDelivery('ReviewApproved'),
          approved(a.id, over),
        ),
      ).toBe('NOT_ELIGIBLE');
    expect(await balance(h, a.id)).toBe(0);
  });

  it('an unknown or erased account is skipped and the event acknowledged', async () => {
    const h = userHarness();
    const a = await h.customer();
    await h.privacy.deleteAccount(h.ctx, {
      accountId: a.id,
      password: PASSWORD,
      byOperator: false,
    });
    for (const accountId of [a.id, h.ids.newId()])
      expect(
        await h.reviewPoints.onReviewApproved(
          h.ctx,
          aDelivery('ReviewApproved'),
          approved(accountId),
        ),
      ).toBe('NO_ACCOUNT');
    expect(h.store.ledgerOf(a.id)).toEqual([]);
  });

  it('REVIEW_PHOTO_POINTS 0 disables the reward', async () => {
    const h = userHarness();
    const a = await h.customer();
    const off = new ReviewPointsUseCase(h.uow, h.clock, h.ids, {
      ...h.points,
      reviewPhotoPoints: 0,
    });
    expect(await off.onReviewApproved(h.ctx, aDelivery('ReviewApproved'), approved(a.id))).toBe(
      'DISABLED',
    );
    expect(await balance(h, a.id)).toBe(0);
  });
});
