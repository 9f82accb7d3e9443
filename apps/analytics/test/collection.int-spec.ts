import { randomUUID } from 'node:crypto';
import { ORDER_ORDER, type analyticsV1 } from '@emporia/contracts';
import { eventually } from '@emporia/testing';
import { addDays } from '../src/domain/days';
import { dayOf } from '../src/domain/facts';
import { analyticsHarness, cny, minutesAgo, TZ } from './analytics-harness';

jest.setTimeout(120_000);

/** Collection on real Postgres and Kafka: ingestion, facts, funnel, attribution, partitions. */
describe('analytics collection (real Postgres + Kafka)', () => {
  const { suffix, call, failure, publish, count, query } = analyticsHarness('anc');

  // ---- ingestion, funnel, attribution ----
  const X = randomUUID(); // signs in as visitor v1 and pays
  const Y = randomUUID(); // pays without any touch
  const PRODUCT = randomUUID();
  const v = (n: number) => `v${n}-${suffix.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const base = minutesAgo(180);
  const at = (offsetMin: number) => new Date(base.getTime() + offsetMin * 60_000).toISOString();
  const ev = (over: Partial<analyticsV1.BehaviourEvent>): Partial<analyticsV1.BehaviourEvent> => ({
    eventId: randomUUID(),
    type: 'page_view',
    anonymousId: v(1),
    occurredAt: at(0),
    channel: 'web',
    ...over,
  });
  const utm = (source: string, medium: string, campaign: string) => ({
    source,
    medium,
    campaign,
    term: '',
    content: '',
  });
  const lateAt = minutesAgo(3 * 24 * 60);
  const batch = [
    ev({
      type: 'product_view',
      productId: PRODUCT,
      utm: utm('google', 'cpc', 'c1'),
      device: { type: 'mobile', os: '', browser: '' },
    }),
    ev({
      type: 'add_to_cart',
      productId: PRODUCT,
      quantity: 1,
      occurredAt: at(1),
      utm: utm('google', 'cpc', 'c1'),
      device: { type: 'mobile', os: '', browser: '' },
    }),
    ev({
      type: 'checkout_started',
      occurredAt: at(2),
      accountId: X,
      utm: utm('facebook', 'social', 'f1'),
      device: { type: 'mobile', os: '', browser: '' },
    }),
    ev({ type: 'teleport' }),
    ev({
      type: 'product_view',
      anonymousId: v(2),
      channel: 'app',
      utm: utm('newsletter', 'email', 'n1'),
      device: { type: 'desktop', os: '', browser: '' },
      productId: PRODUCT,
    }),
    ev({
      type: 'add_to_cart',
      anonymousId: v(2),
      channel: 'app',
      productId: PRODUCT,
      quantity: 2,
      occurredAt: at(5),
      device: { type: 'desktop', os: '', browser: '' },
    }),
    ev({ type: 'product_view', anonymousId: v(3), productId: '' }),
    ev({
      type: 'product_view',
      anonymousId: v(3),
      productId: PRODUCT,
      occurredAt: lateAt.toISOString(),
      utm: utm('bing', 'cpc', 'b1'),
    }),
  ];
  const range = { fromDay: dayOf(minutesAgo(6 * 24 * 60), TZ), toDay: dayOf(new Date(), TZ) };
  const funnel = (filters: Partial<analyticsV1.GetFunnelRequest> = {}) =>
    call<analyticsV1.GetFunnelResponse>('getFunnel', {
      range,
      channel: '',
      utmSource: '',
      device: '',
      ...filters,
    }).then((r) => r.steps.map((s) => s.visitors));

  it('keeps the good events of a batch, names the bad ones, and files a late event on its own day', async () => {
    const r = await call<analyticsV1.IngestBehaviourEventsResponse>('ingestBehaviourEvents', {
      events: batch,
      receivedAt: '',
      accountId: '',
    });
    expect(r.accepted).toBe(6);
    expect(r.rejected).toEqual([
      expect.objectContaining({
        index: 3,
        eventId: batch[3].eventId,
        field: 'type',
        code: 'UNKNOWN_VALUE',
      }),
      expect.objectContaining({
        index: 6,
        eventId: batch[6].eventId,
        field: 'product_id',
        code: 'REQUIRED',
      }),
    ]);
    await eventually(
      async () =>
        (await count(`SELECT count(*) AS n FROM behaviour_events`)) === 6 ? true : undefined,
      {
        what: 'six behaviour events stored',
      },
    );
    const late = await query<{ part: string; day: string }>(
      `SELECT tableoid::regclass::text AS part, to_char(day, 'YYYY-MM-DD') AS day FROM behaviour_events WHERE event_id = $1`,
      [batch[7].eventId],
    );
    const lateDay = dayOf(lateAt, TZ);
    expect(late).toEqual([{ part: `behaviour_events_${lateDay.replace(/-/g, '')}`, day: lateDay }]);
    expect(
      await count(
        `SELECT count(*) AS n FROM visitor_accounts WHERE anonymous_id = $1 AND account_id = $2`,
        [v(1), X],
      ),
    ).toBe(1);
  });

  it('refuses a batch above the limit and a bad range, naming the field', async () => {
    const tooMany = await failure(
      call('ingestBehaviourEvents', {
        events: Array.from({ length: 11 }, () => ev({})),
        receivedAt: '',
        accountId: '',
      }),
    );
    expect(tooMany).toMatchObject({ code: 'BATCH_TOO_LARGE', details: { field: 'events' } });
    const bad = await failure(
      call('getKpis', { range: { fromDay: '2026-02-30', toDay: '2026-03-01' }, channel: '' }),
    );
    expect(bad).toMatchObject({ code: 'DAY_INVALID', details: { field: 'range.from_day' } });
    const long = await failure(
      call('getFunnel', { range: { fromDay: '2025-01-01', toDay: '2026-12-01' } }),
    );
    expect(long).toMatchObject({ code: 'RANGE_TOO_LONG', details: { field: 'range' } });
  });

  it('the same batch again changes nothing', async () => {
    const before = await funnel();
    // the batch again, then one new event per visitor (same key, so after the duplicates)
    const sentinels = [1, 2, 3].map((n) => ev({ anonymousId: v(n) }));
    await call('ingestBehaviourEvents', { events: batch, receivedAt: '', accountId: '' });
    await call('ingestBehaviourEvents', { events: sentinels, receivedAt: '', accountId: '' });
    await eventually(
      async () =>
        (await count(`SELECT count(*) AS n FROM behaviour_events`)) === 9 ? true : undefined,
      {
        what: 'the sentinels stored',
      },
    );
    expect(await count(`SELECT count(*) AS n FROM behaviour_events`)).toBe(9);
    expect(await count(`SELECT count(*) AS n FROM utm_touches`)).toBe(5);
    expect(await funnel()).toEqual(before);
  });

  it('gives the funnel with step conversion, and by channel, UTM source and device', async () => {
    const placedAt = minutesAgo(60);
    const paidAt = minutesAgo(50);
    for (const [account, orderId, amount] of [
      [X, randomUUID(), 7000],
      [Y, randomUUID(), 3000],
    ] as const) {
      await publish(ORDER_ORDER.events.OrderPlaced, orderId, {
        orderId,
        accountId: account,
        total: cny(amount),
        status: 'PENDING_PAYMENT',
        placedAt: placedAt.toISOString(),
        couponCodes: [],
        lines: [
          {
            skuId: randomUUID(),
            productId: PRODUCT,
            quantity: 1,
            unitPrice: cny(amount),
            total: cny(amount),
          },
        ],
        channel: 'web',
      });
      await publish(ORDER_ORDER.events.OrderPaid, orderId, {
        orderId,
        accountId: account,
        amountPaid: cny(amount),
        paidAt: paidAt.toISOString(),
      });
    }
    await eventually(async () => ((await funnel())[3] === 1 ? true : undefined), {
      what: 'the paid step',
    });
    const steps = await call<analyticsV1.GetFunnelResponse>('getFunnel', {
      range,
      channel: '',
      utmSource: '',
      device: '',
    });
    expect(steps.steps).toEqual([
      { step: 'view', visitors: 3, conversion: 1, dropOff: 0 },
      { step: 'cart', visitors: 2, conversion: 2 / 3, dropOff: 1 - 2 / 3 },
      { step: 'checkout', visitors: 1, conversion: 0.5, dropOff: 0.5 },
      { step: 'paid', visitors: 1, conversion: 1, dropOff: 0 },
    ]);
    expect(await funnel({ channel: 'web' })).toEqual([2, 1, 1, 1]);
    expect(await funnel({ channel: 'app' })).toEqual([1, 1, 0, 0]);
    // v2's add_to_cart carried no UTM: not selected by utm_source
    expect(await funnel({ utmSource: 'newsletter' })).toEqual([1, 0, 0, 0]);
    expect(await funnel({ device: 'desktop' })).toEqual([1, 1, 0, 0]);
    expect(await funnel({ utmSource: 'google', device: 'mobile' })).toEqual([1, 1, 0, 0]);
  });

  it('attributes paid orders to the first or the last touch, (direct) without one', async () => {
    const rows = (model: string) =>
      call<analyticsV1.GetAttributionResponse>('getAttribution', { range, model }).then((r) =>
        r.rows.map((x) => [
          x.utmSource,
          x.utmMedium,
          x.utmCampaign,
          x.paidOrders,
          x.gmv?.amountMinor,
        ]),
      );
    expect(await rows('first_touch')).toEqual([
      ['google', 'cpc', 'c1', 1, 7000],
      ['(direct)', '', '', 1, 3000],
    ]);
    expect(await rows('last_touch')).toEqual([
      ['facebook', 'social', 'f1', 1, 7000],
      ['(direct)', '', '', 1, 3000],
    ]);
    expect(await failure(call('getAttribution', { range, model: 'linear' }))).toMatchObject({
      code: 'MODEL_INVALID',
      details: { field: 'model' },
    });
  });

  // ---- partitions ----
  it('makes partitions ahead and drops those past the retention', async () => {
    const ahead = `behaviour_events_${addDays(dayOf(new Date(), TZ), 2).replace(/-/g, '')}`;
    await eventually(
      async () =>
        (await count(`SELECT count(*) AS n FROM pg_class WHERE relname = $1`, [ahead])) === 1
          ? true
          : undefined,
      { what: 'the partition two days ahead' },
    );
    await query(
      `CREATE TABLE behaviour_events_20200101 PARTITION OF behaviour_events FOR VALUES FROM ('2020-01-01') TO ('2020-01-02')`,
    );
    await query(
      `INSERT INTO behaviour_events (day, event_id, type, anonymous_id, occurred_at, received_at)
       VALUES ('2020-01-01', $1, 'page_view', 'old', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')`,
      [randomUUID()],
    );
    await eventually(
      async () =>
        (await count(
          `SELECT count(*) AS n FROM pg_class WHERE relname = 'behaviour_events_20200101'`,
        )) === 0
          ? true
          : undefined,
      { what: 'the old partition dropped' },
    );
    expect(await count(`SELECT count(*) AS n FROM behaviour_events WHERE day = '2020-01-01'`)).toBe(
      0,
    );
    // the late event's partition (3 days ago) is within the retention and stays
    expect(
      await count(`SELECT count(*) AS n FROM behaviour_events WHERE event_id = $1`, [
        batch[7].eventId,
      ]),
    ).toBe(1);
  });
});
