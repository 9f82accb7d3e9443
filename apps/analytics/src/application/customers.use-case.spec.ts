import type { RequestContext } from '@emporia/platform';
import { DAY_MS } from '../domain/customers';
import { InMemoryCustomerStore, type FakeBuyer } from '../testing/in-memory-customer-store';
import { CustomersUseCase } from './customers.use-case';

const CTX: RequestContext = { traceId: '0'.repeat(32), spanId: '0'.repeat(16) };
const NOW = new Date('2026-03-10T04:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS);
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const TEMPLATE = '0193a000-0000-7000-8000-000000000001';

const buyer = (n: number, over: Partial<FakeBuyer> = {}): FakeBuyer => ({
  accountId: id(n),
  firstPaidAt: ago(5),
  lastPaidAt: ago(5),
  previousPaidAt: null,
  paidOrders: 1,
  spentMinor: 1000,
  paidMonths: ['2026-03'],
  ...over,
});

/** Retention, life cycle, RFM and audience export against the in-memory store. */
describe('customers use case', () => {
  const setup = (buyers: FakeBuyer[] = []) => {
    const store = new InMemoryCustomerStore();
    store.buyers = buyers;
    let next = 0;
    const useCase = new CustomersUseCase(
      store,
      { now: () => NOW },
      { newId: () => `0193b000-0000-7000-8000-${String(++next).padStart(12, '0')}` },
      { timeZone: 'Asia/Shanghai' },
      { newDays: 30, dormantDays: 90 },
    );
    return { store, useCase };
  };

  it('repurchase rate and cohorts up to the current month; deleted accounts leave', async () => {
    const { useCase } = setup([
      buyer(1, { paidOrders: 3, paidMonths: ['2026-01', '2026-03'] }),
      buyer(2, { paidOrders: 1, paidMonths: ['2026-01'] }),
      buyer(3, { paidOrders: 2, paidMonths: ['2026-02', '2026-03'] }),
      buyer(4, { paidOrders: 5, paidMonths: ['2026-02'], deleted: true }),
    ]);
    const r = await useCase.retention(CTX, '', '');
    expect(r).toEqual({
      repurchaseRate: 2 / 3,
      buyers: 3,
      repeatBuyers: 2,
      cohorts: [
        { month: '2026-01', buyers: 2, retained: [2, 0, 1] },
        { month: '2026-02', buyers: 1, retained: [1, 1] },
      ],
    });
    expect((await useCase.retention(CTX, '2026-02', '2026-02')).cohorts).toHaveLength(1);
  });

  it('refuses malformed months and a reversed range, naming the field', async () => {
    const { useCase } = setup();
    await expect(useCase.retention(CTX, '2026-1', '')).rejects.toMatchObject({
      code: 'MONTH_INVALID',
      details: { field: 'from_month' },
    });
    await expect(useCase.retention(CTX, '2026-03', '2026-01')).rejects.toMatchObject({
      code: 'MONTH_RANGE_INVALID',
      details: { field: 'to_month' },
    });
  });

  it('counts every life-cycle stage, zeros included', async () => {
    const { useCase } = setup([
      buyer(1),
      buyer(2, { firstPaidAt: ago(200), lastPaidAt: ago(100) }),
      buyer(3, { firstPaidAt: ago(300), previousPaidAt: ago(200), lastPaidAt: ago(3) }),
    ]);
    const r = await useCase.lifecycle(CTX);
    expect(r.stages).toEqual([
      { stage: 'new', accounts: 1 },
      { stage: 'active', accounts: 0 },
      { stage: 'dormant', accounts: 1 },
      { stage: 'woken_up', accounts: 1 },
    ]);
    expect(r.asOf).toEqual(NOW);
  });

  it('RFM: every segment shown, one segment with its accounts, inputs checked', async () => {
    const { useCase } = setup([1, 2, 3, 4, 5].map((n) => buyer(n, { spentMinor: n * 100 })));
    const all = await useCase.rfm(CTX, '', 0);
    expect(all.segments).toHaveLength(8);
    expect(all.segments.reduce((s, x) => s + x.accounts, 0)).toBe(5);
    expect(all.segments.reduce((s, x) => s + x.monetaryMinor, 0)).toBe(1500);
    expect(all.accounts).toEqual([]);
    const lost = all.segments.find((s) => s.segment === 'lost')!;
    const one = await useCase.rfm(CTX, 'lost', 1);
    expect(one.segments).toEqual([lost]);
    expect(one.accounts.length).toBe(Math.min(1, lost.accounts));
    await expect(useCase.rfm(CTX, 'vip', 0)).rejects.toMatchObject({
      code: 'SEGMENT_UNKNOWN',
      details: { field: 'segment' },
    });
    for (const limit of [-1, 1001, 1.5])
      await expect(useCase.rfm(CTX, '', limit)).rejects.toMatchObject({
        code: 'LIMIT_INVALID',
        details: { field: 'limit' },
      });
  });

  it('exports an audience in parts of 1000; the same key is the same audience', async () => {
    const buyers = Array.from({ length: 2500 }, (_, i) => buyer(i + 1));
    const { useCase, store } = setup(buyers);
    const req = {
      segment: 'new',
      couponTemplateId: TEMPLATE.toUpperCase(),
      requestedBy: 'ops@example.com',
      idempotencyKey: 'k-1',
    };
    const first = await useCase.exportAudience(CTX, req);
    expect(first.accounts).toBe(2500);
    expect(store.audiences).toHaveLength(1);
    expect(store.audiences[0].couponTemplateId).toBe(TEMPLATE);
    expect(store.audiences[0].parts.map((p) => [p.part, p.partCount, p.accountIds.length])).toEqual(
      [
        [1, 3, 1000],
        [2, 3, 1000],
        [3, 3, 500],
      ],
    );
    expect(await useCase.exportAudience(CTX, req)).toEqual(first);
    expect(store.audiences).toHaveLength(1);
    await expect(useCase.exportAudience(CTX, { ...req, segment: 'dormant' })).rejects.toMatchObject(
      { code: 'IDEMPOTENCY_KEY_REUSED' },
    );
  });

  it('an empty segment is AUDIENCE_EMPTY; bad input names its field', async () => {
    const { useCase, store } = setup([buyer(1)]);
    const req = {
      segment: 'dormant',
      couponTemplateId: TEMPLATE,
      requestedBy: 'ops',
      idempotencyKey: 'k-2',
    };
    await expect(useCase.exportAudience(CTX, req)).rejects.toMatchObject({
      kind: 'FAILED_PRECONDITION',
      code: 'AUDIENCE_EMPTY',
    });
    expect(store.audiences).toEqual([]);
    const bad: [Partial<typeof req>, string, string][] = [
      [{ segment: 'vip' }, 'SEGMENT_UNKNOWN', 'segment'],
      [{ couponTemplateId: 'nope' }, 'ID_INVALID', 'coupon_template_id'],
      [{ requestedBy: ' ' }, 'FIELD_REQUIRED', 'requested_by'],
      [{ idempotencyKey: '' }, 'FIELD_REQUIRED', 'idempotency_key'],
    ];
    for (const [over, code, field] of bad)
      await expect(useCase.exportAudience(CTX, { ...req, ...over })).rejects.toMatchObject({
        kind: 'INVALID_ARGUMENT',
        code,
        details: { field },
      });
  });
});
