import { reviewV1, supportV1 } from '@emporia/contracts';
import { productRatingView, ratingSummaryView, reviewView } from './review-mappers';
import { agentConversationView, conversationView, wantsCsv } from './support-mappers';

/** A message with the proto defaults, and `partial` over them. */
const full = <T>(codec: { decode(b: Uint8Array): T }, partial: Partial<T>): T => ({
  ...codec.decode(new Uint8Array()),
  ...partial,
});

describe('support mapping', () => {
  const ticket = full(supportV1.Ticket, {
    id: 't',
    accountId: 'a',
    assigneeId: 'agent',
    status: 'ASSIGNED',
    orderId: '',
    survey: { rating: 0, comment: '', submittedAt: '' },
  });
  const messages = [
    full(supportV1.TicketMessage, { id: 'm1', authorKind: 'CUSTOMER', body: 'hi' }),
    full(supportV1.TicketMessage, {
      id: 'm2',
      authorKind: 'AGENT',
      body: 'vip',
      internal: true,
    }),
    full(supportV1.TicketMessage, { id: 'm3', authorKind: 'AGENT', body: 'hello' }),
  ];

  it("never lets an internal note into a customer's answer, even if the service sent one", () => {
    const view = conversationView({ ticket, messages });
    expect(view.messages.map((m) => m.id)).toEqual(['m1', 'm3']);
    expect(view.ticket).not.toHaveProperty('accountId');
    expect(view.ticket).not.toHaveProperty('assigneeId');
    expect(view.ticket).toMatchObject({ orderId: null, survey: null });
    const agent = agentConversationView({ ticket, messages });
    expect(agent.messages.map((m) => [m.id, m.internal])).toEqual([
      ['m1', false],
      ['m2', true],
      ['m3', false],
    ]);
    expect(agent.ticket).toMatchObject({ accountId: 'a', assigneeId: 'agent' });
  });

  it('answers CSV for format=csv, or an Accept that prefers text/csv', () => {
    expect(wantsCsv('csv', undefined)).toBe(true);
    expect(wantsCsv('json', 'text/csv')).toBe(false);
    expect(wantsCsv(undefined, 'text/csv')).toBe(true);
    expect(wantsCsv(undefined, 'application/json, text/csv;q=0.5')).toBe(false);
    expect(wantsCsv(undefined, 'text/csv;q=0.9, application/json;q=0.1')).toBe(true);
    expect(wantsCsv(undefined, '*/*')).toBe(false);
    expect(wantsCsv(undefined, 'text/*, application/json;q=0.5')).toBe(true);
    expect(wantsCsv(undefined, undefined)).toBe(false);
  });
});

describe('review mapping', () => {
  it('builds public reviews from an allow-list: no account, order, status or moderation trail', () => {
    const view = reviewView(
      full(reviewV1.Review, {
        id: 'r',
        accountId: 'leaked',
        orderId: 'o',
        status: 'APPROVED',
        moderationReasons: ['risk: new account'],
        moderatedBy: 'op',
        reply: { text: 'thanks', repliedBy: 'op', repliedAt: 'x' },
      }),
    );
    for (const key of ['accountId', 'orderId', 'status', 'moderationReasons', 'moderatedBy'])
      expect(view).not.toHaveProperty(key);
    expect(view.reply).toEqual({ text: 'thanks', repliedAt: 'x' });
  });

  it('always gives five distribution entries, and null for an unrated product', () => {
    expect(ratingSummaryView('p', undefined)).toEqual({
      productId: 'p',
      reviewCount: 0,
      average: 0,
      distribution: [0, 0, 0, 0, 0],
      withPhotoCount: 0,
    });
    expect(productRatingView(undefined)).toBeNull();
    expect(
      productRatingView({ reviewCount: 0, average: 0, distribution: [], withPhotoCount: 0 }),
    ).toBeNull();
    expect(
      productRatingView({
        reviewCount: 2,
        average: 4.5,
        distribution: [0, 0, 0, 1],
        withPhotoCount: 0,
      }),
    ).toMatchObject({ distribution: [0, 0, 0, 1, 0] });
  });
});
