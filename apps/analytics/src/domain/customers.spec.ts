import {
  cohortTable,
  daysSince,
  DAY_MS,
  lifecycleStage,
  monthsBetween,
  parseAudienceSegment,
  parseMonth,
  quintileScore,
  repurchaseRate,
  rfmSegment,
  scoreRfm,
  type Buyer,
} from './customers';

const NOW = new Date('2026-06-15T12:00:00Z');
const ago = (days: number, extraMs = 0) => new Date(NOW.getTime() - days * DAY_MS - extraMs);
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const buyer = (n: number, over: Partial<Buyer> = {}): Buyer => ({
  accountId: id(n),
  firstPaidAt: ago(100),
  lastPaidAt: ago(10),
  previousPaidAt: null,
  paidOrders: 1,
  spentMinor: 1000,
  ...over,
});

describe('RFM', () => {
  it('scores quintiles as floor(5 · rank / n) + 1', () => {
    expect([0, 1, 2, 3, 4].map((i) => quintileScore(i, 5))).toEqual([1, 2, 3, 4, 5]);
    // 7 accounts: floor(5i/7)+1 (not the 2,2,1,1,1 buckets of SQL ntile)
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => quintileScore(i, 7))).toEqual([1, 1, 2, 3, 3, 4, 5]);
    expect(quintileScore(0, 1)).toBe(1);
    expect([0, 1].map((i) => quintileScore(i, 2))).toEqual([1, 3]);
  });

  it('names segments in the order of the rules (the first match wins)', () => {
    expect(rfmSegment(5, 5, 5)).toBe('champions');
    expect(rfmSegment(4, 4, 4)).toBe('champions');
    expect(rfmSegment(4, 4, 3)).toBe('loyal');
    expect(rfmSegment(2, 4, 5)).toBe('cant_lose');
    expect(rfmSegment(1, 5, 1)).toBe('cant_lose');
    expect(rfmSegment(3, 4, 1)).toBe('loyal');
    expect(rfmSegment(4, 2, 1)).toBe('potential_loyalists');
    expect(rfmSegment(5, 3, 5)).toBe('potential_loyalists');
    expect(rfmSegment(5, 1, 5)).toBe('new_customers');
    expect(rfmSegment(2, 2, 5)).toBe('at_risk');
    expect(rfmSegment(1, 3, 1)).toBe('at_risk');
    expect(rfmSegment(3, 1, 5)).toBe('hibernating');
    expect(rfmSegment(3, 3, 3)).toBe('hibernating');
    expect(rfmSegment(1, 1, 5)).toBe('lost');
    expect(rfmSegment(2, 1, 1)).toBe('lost');
  });

  it('ranks recency descending (most recent 5), frequency and monetary ascending, ties by id', () => {
    const buyers = [
      buyer(5, { lastPaidAt: ago(1), paidOrders: 9, spentMinor: 90_000 }),
      buyer(4, { lastPaidAt: ago(50), paidOrders: 1, spentMinor: 100 }),
      buyer(3, { lastPaidAt: ago(20), paidOrders: 3, spentMinor: 5_000 }),
      buyer(2, { lastPaidAt: ago(20), paidOrders: 3, spentMinor: 5_000 }),
      buyer(1, { lastPaidAt: ago(400), paidOrders: 2, spentMinor: -50 }),
    ];
    const scores = scoreRfm(buyers, NOW);
    expect(scores.map((s) => [s.accountId, s.recency, s.frequency, s.monetary, s.segment])).toEqual(
      [
        [id(1), 1, 2, 1, 'at_risk'],
        [id(2), 3, 3, 3, 'hibernating'],
        [id(3), 4, 4, 4, 'champions'],
        [id(4), 2, 1, 2, 'lost'],
        [id(5), 5, 5, 5, 'champions'],
      ],
    );
    expect(scores[0]).toMatchObject({ daysSinceLastOrder: 400, paidOrders: 2, spentMinor: -50 });
  });

  it('counts whole days since the last order (floor)', () => {
    expect(daysSince(ago(3, 1), NOW)).toBe(3);
    expect(daysSince(ago(3, -1), NOW)).toBe(2);
    expect(daysSince(NOW, NOW)).toBe(0);
  });
});

describe('life cycle', () => {
  const s = { newDays: 30, dormantDays: 90 };
  it('dormant: last paid order more than DORMANT days ago', () => {
    expect(lifecycleStage(buyer(1, { lastPaidAt: ago(90, 1) }), NOW, s)).toBe('dormant');
    expect(lifecycleStage(buyer(1, { lastPaidAt: ago(90) }), NOW, s)).toBe('active');
  });
  it('woken up: a recent order after a gap longer than DORMANT', () => {
    const b = buyer(1, { firstPaidAt: ago(300), previousPaidAt: ago(200), lastPaidAt: ago(30) });
    expect(lifecycleStage(b, NOW, s)).toBe('woken_up');
    // the order is no longer within NEW days: active
    expect(lifecycleStage({ ...b, lastPaidAt: ago(30, 1) }, NOW, s)).toBe('active');
    // a gap of exactly DORMANT days does not exceed it
    expect(lifecycleStage({ ...b, previousPaidAt: ago(120) }, NOW, s)).toBe('active');
  });
  it('new: first paid order within NEW days; else active', () => {
    expect(lifecycleStage(buyer(1, { firstPaidAt: ago(30), lastPaidAt: ago(2) }), NOW, s)).toBe(
      'new',
    );
    expect(lifecycleStage(buyer(1, { firstPaidAt: ago(30, 1), lastPaidAt: ago(2) }), NOW, s)).toBe(
      'active',
    );
  });
});

describe('cohorts', () => {
  it('months between and parsing', () => {
    expect(monthsBetween('2025-11', '2026-02')).toBe(3);
    expect(monthsBetween('2026-02', '2026-02')).toBe(0);
    expect(monthsBetween('2026-03', '2026-02')).toBe(-1);
    expect(parseMonth('2026-12', 'from_month')).toBe('2026-12');
    for (const bad of ['2026-13', '2026-1', '26-01', ''])
      expect(() => parseMonth(bad, 'from_month')).toThrow(
        expect.objectContaining({ code: 'MONTH_INVALID', details: { field: 'from_month' } }),
      );
  });

  it('builds retained[k] up to the current month, cohorts in order', () => {
    const table = cohortTable(
      [
        { cohort: '2026-02', month: '2026-02', accounts: 3 },
        { cohort: '2026-01', month: '2026-01', accounts: 4 },
        { cohort: '2026-01', month: '2026-03', accounts: 2 },
        { cohort: '2026-01', month: '2026-02', accounts: 1 },
        { cohort: '2026-02', month: '2026-03', accounts: 3 },
      ],
      '2026-03',
    );
    expect(table).toEqual([
      { month: '2026-01', buyers: 4, retained: [4, 1, 2] },
      { month: '2026-02', buyers: 3, retained: [3, 3] },
    ]);
  });

  it('repurchase rate is 0 without buyers', () => {
    expect(repurchaseRate(0, 0)).toBe(0);
    expect(repurchaseRate(4, 1)).toBe(0.25);
  });

  it('an audience is a segment or a stage', () => {
    expect(parseAudienceSegment('champions')).toBe('champions');
    expect(parseAudienceSegment('dormant')).toBe('dormant');
    expect(() => parseAudienceSegment('vip')).toThrow(
      expect.objectContaining({ code: 'SEGMENT_UNKNOWN', details: { field: 'segment' } }),
    );
  });
});
