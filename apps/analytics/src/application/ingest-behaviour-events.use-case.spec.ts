import { newContext } from '@emporia/platform';
import { AnalyticsError } from '../domain/analytics-error';
import type { RawBehaviourEvent } from '../domain/behaviour-validation';
import { collectionSettings, FakeBehaviourPublisher } from '../testing/collection.in-memory';
import { IngestBehaviourEvents } from './ingest-behaviour-events.use-case';

const NOW = new Date('2026-12-02T12:00:00Z');
const ACCOUNT = '11111111-2222-4333-8444-555555555555';
let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

const event = (over: Partial<RawBehaviourEvent> = {}): RawBehaviourEvent => ({
  eventId: id(),
  type: 'page_view',
  anonymousId: 'visitor-1',
  accountId: '',
  sessionId: '',
  occurredAt: '2026-12-02T11:00:00Z',
  receivedAt: '',
  channel: 'web',
  referrer: '',
  page: '/',
  productId: '',
  skuId: '',
  quantity: 0,
  query: '',
  resultCount: 0,
  bannerId: '',
  experimentKey: '',
  variant: '',
  ...over,
});

async function failure(p: Promise<unknown>): Promise<AnalyticsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AnalyticsError);
    return e as AnalyticsError;
  }
  throw new Error('expected the call to fail');
}

describe('IngestBehaviourEvents', () => {
  const setup = (max = 100) => {
    const publisher = new FakeBehaviourPublisher();
    const ingest = new IngestBehaviourEvents(publisher, collectionSettings({ maxBatch: max }), {
      now: () => NOW,
    });
    return { publisher, ingest };
  };
  const ctx = newContext();

  it('publishes the valid events of a batch and names the invalid ones', async () => {
    const { publisher, ingest } = setup();
    const good = [event(), event({ type: 'search', query: 'tea' })];
    const bad = event({ type: 'search', query: '' });
    const r = await ingest.execute(ctx, {
      events: [good[0], bad, good[1]],
      receivedAt: '',
      accountId: '',
    });
    expect(r.accepted).toBe(2);
    expect(r.rejected).toEqual([
      {
        index: 1,
        eventId: bad.eventId,
        field: 'query',
        code: 'REQUIRED',
        detail: expect.any(String),
      },
    ]);
    expect(publisher.published.map((e) => e.eventId)).toEqual(good.map((e) => e.eventId));
    expect(publisher.published[0].receivedAt).toBe(NOW.toISOString());
  });

  it("stamps the request's receive time and account on every event", async () => {
    const { publisher, ingest } = setup();
    await ingest.execute(ctx, {
      events: [event({ occurredAt: '2026-12-01T09:00:00Z' }), event({ accountId: id() })],
      receivedAt: '2026-12-01T10:00:00+00:00',
      accountId: ACCOUNT,
    });
    expect(publisher.published.map((e) => [e.accountId, e.receivedAt, e.occurredAt])).toEqual([
      [ACCOUNT, '2026-12-01T10:00:00.000Z', '2026-12-01T09:00:00.000Z'],
      // the client's clock is 5 min+ ahead of the receive time: filed at the receive time
      [ACCOUNT, '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z'],
    ]);
  });

  it('refuses a batch above the limit whole, publishing nothing', async () => {
    const { publisher, ingest } = setup(2);
    const e = await failure(
      ingest.execute(ctx, { events: [event(), event(), event()], receivedAt: '', accountId: '' }),
    );
    expect([e.kind, e.code, e.details?.['field']]).toEqual([
      'INVALID_ARGUMENT',
      'BATCH_TOO_LARGE',
      'events',
    ]);
    expect(publisher.calls).toBe(0);
  });

  it('refuses a malformed receive time or account of the request', async () => {
    const { ingest } = setup();
    const t = await failure(
      ingest.execute(ctx, { events: [event()], receivedAt: 'now', accountId: '' }),
    );
    expect(t.details?.['field']).toBe('received_at');
    const a = await failure(
      ingest.execute(ctx, { events: [event()], receivedAt: '', accountId: 'me' }),
    );
    expect(a.details?.['field']).toBe('account_id');
  });

  it('does not call the broker when no event is valid', async () => {
    const { publisher, ingest } = setup();
    const r = await ingest.execute(ctx, {
      events: [event({ type: '' })],
      receivedAt: '',
      accountId: '',
    });
    expect(r).toMatchObject({ accepted: 0, rejected: [{ field: 'type', code: 'REQUIRED' }] });
    expect(publisher.calls).toBe(0);
  });

  it('answers UNAVAILABLE when the broker cannot take the batch', async () => {
    const { publisher, ingest } = setup();
    publisher.failWith = new Error('broker down');
    const e = await failure(
      ingest.execute(ctx, { events: [event()], receivedAt: '', accountId: '' }),
    );
    expect([e.kind, e.code]).toEqual(['UNAVAILABLE', 'DEPENDENCY_UNAVAILABLE']);
    expect(publisher.published).toEqual([]);
  });
});
