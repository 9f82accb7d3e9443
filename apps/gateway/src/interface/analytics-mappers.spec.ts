import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import {
  eventToProto,
  ingestRequest,
  ingestResult,
  jsonField,
  kpisView,
  priceSuggestionView,
  weighEvents,
} from './analytics-mappers';
import {
  AssignmentsQuery,
  FunnelQuery,
  KpisQuery,
  RetentionQuery,
  UpsertExperimentDto,
  UpsertPricingPolicyDto,
} from './dto/analytics.dto';
import { IngestEventsDto } from './dto/events.dto';
import { ProblemError, toProblem } from './problem';
import { derivedUuid } from './sku-prices.http-controller';

const errorsOf = async <T extends object>(cls: new () => T, body: unknown) =>
  (
    await validate(plainToInstance(cls, body) as object, {
      whitelist: true,
      forbidNonWhitelisted: true,
    })
  ).map((e) => e.property);

const event = {
  eventId: '0b6f8a52-2f0e-4f4b-9a57-1f2f8f3c9d11',
  type: 'product_view',
  anonymousId: 'v-1',
  occurredAt: '2026-11-11T10:00:00+08:00',
  utm: { source: 'newsletter' },
  device: { type: 'mobile' },
  productId: '0190a000-0000-7000-8000-000000000001',
};

describe('events: structure at the gateway, meaning at analytics', () => {
  it('takes 1 to 100 events of the right JSON types, whatever they mean', async () => {
    expect(await errorsOf(IngestEventsDto, { events: [event] })).toEqual([]);
    // an unknown type is analytics' to refuse (per event), not a structural error
    expect(await errorsOf(IngestEventsDto, { events: [{ type: 'nonsense' }] })).toEqual([]);
    expect(await errorsOf(IngestEventsDto, { events: [] })).toEqual(['events']);
    expect(await errorsOf(IngestEventsDto, { events: Array(101).fill(event) })).toEqual(['events']);
    expect(await errorsOf(IngestEventsDto, { events: 'x' })).toEqual(['events']);
    expect(await errorsOf(IngestEventsDto, { events: [{ quantity: '2' }] })).toEqual(['events']);
    expect(await errorsOf(IngestEventsDto, { events: [{ utm: 'x' }] })).toEqual(['events']);
    expect(await errorsOf(IngestEventsDto, { events: [{ accountId: 'a' }] })).toEqual(['events']);
  });

  it('sends camelCase JSON as the proto event; the account and time come from the gateway', () => {
    const now = new Date('2026-11-11T02:00:01.000Z');
    const r = ingestRequest([event], 'acc-1', now);
    expect(r).toMatchObject({ receivedAt: '2026-11-11T02:00:01.000Z', accountId: 'acc-1' });
    expect(r.events[0]).toMatchObject({
      eventId: event.eventId,
      type: 'product_view',
      anonymousId: 'v-1',
      accountId: '',
      utm: { source: 'newsletter', medium: '', campaign: '', term: '', content: '' },
      device: { type: 'mobile', os: '', browser: '' },
      quantity: 0,
    });
    expect(ingestRequest([event], undefined, now).accountId).toBe('');
    expect(eventToProto({}).type).toBe('');
  });

  it('answers the accepted count when all are valid, else INVALID_EVENTS naming each', () => {
    expect(ingestResult({ accepted: 3, rejected: [] })).toEqual({ accepted: 3, rejected: [] });
    let thrown: unknown;
    try {
      ingestResult({
        accepted: 1,
        rejected: [
          { index: 1, eventId: 'e2', field: 'occurred_at', code: 'TIME_INVALID', detail: 'bad' },
          { index: 2, eventId: '', field: 'utm.source', code: 'TOO_LONG', detail: 'long' },
        ],
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ProblemError);
    const { problem } = toProblem(thrown);
    expect(problem).toMatchObject({
      status: 400,
      code: 'INVALID_EVENTS',
      accepted: 1,
      errors: [
        { index: 1, eventId: 'e2', field: 'occurredAt', code: 'TIME_INVALID', detail: 'bad' },
        { index: 2, eventId: '', field: 'utm.source', code: 'TOO_LONG', detail: 'long' },
      ],
    });
    expect(problem.detail).toContain('events.1.occurredAt TIME_INVALID');
  });

  it('names proto fields as the JSON does', () => {
    expect(jsonField('anonymous_id')).toBe('anonymousId');
    expect(jsonField('device.type')).toBe('device.type');
    expect(jsonField('result_count')).toBe('resultCount');
  });

  it('weighs a batch in events, per visitor, bounded by the batch limit', () => {
    const w = weighEvents({ events: [event, event, { ...event, anonymousId: 'v-2' }, {}] }, 100);
    expect(w.cost).toBe(4);
    expect([...w.visitors]).toEqual([
      ['v-1', 2],
      ['v-2', 1],
    ]);
    expect(weighEvents({ events: Array(500).fill(event) }, 100).cost).toBe(100);
    expect(weighEvents({ events: Array(500).fill(event) }, 100).visitors.get('v-1')).toBe(100);
    expect(weighEvents(null, 100)).toEqual({ cost: 1, visitors: new Map() });
    expect(weighEvents({ events: [] }, 100).cost).toBe(1);
    expect(weighEvents({ events: [{ anonymousId: 'bad id!' }] }, 100).visitors.size).toBe(0);
  });
});

describe('analytics queries and bodies', () => {
  it('takes real days and months, and the named enumerations', async () => {
    expect(await errorsOf(KpisQuery, { from: '2026-11-01', to: '2026-11-30' })).toEqual([]);
    expect(await errorsOf(KpisQuery, { from: '2026-02-30', to: '2026-11-30' })).toEqual(['from']);
    expect(await errorsOf(KpisQuery, { from: '2026-11-01', to: '11/30/2026' })).toEqual(['to']);
    expect(await errorsOf(KpisQuery, { to: '2026-11-30' })).toEqual(['from']);
    expect(
      await errorsOf(KpisQuery, { from: '2026-11-01', to: '2026-11-30', channel: 'W B' }),
    ).toEqual(['channel']);
    expect(await errorsOf(RetentionQuery, { fromMonth: '2026-13', toMonth: '2026-11' })).toEqual([
      'fromMonth',
    ]);
    expect(
      await errorsOf(FunnelQuery, { from: '2026-11-01', to: '2026-11-02', device: 'watch' }),
    ).toEqual(['device']);
    expect(await errorsOf(AssignmentsQuery, { anonymousId: 'v 1' })).toEqual(['anonymousId']);
    expect(await errorsOf(AssignmentsQuery, {})).toEqual(['anonymousId']);
  });

  it('checks experiments and pricing policies', async () => {
    const experiment = {
      name: 'Button',
      variants: [
        { key: 'control', weight: 1 },
        { key: 'big', weight: 1 },
      ],
      startAt: '2026-11-01T00:00:00Z',
      stopAt: '2026-11-15T00:00:00Z',
      primaryMetric: 'paid_order',
    };
    expect(await errorsOf(UpsertExperimentDto, experiment)).toEqual([]);
    expect(
      await errorsOf(UpsertExperimentDto, { ...experiment, variants: [experiment.variants[0]] }),
    ).toEqual(['variants']);
    expect(await errorsOf(UpsertExperimentDto, { ...experiment, primaryMetric: 'gmv' })).toEqual([
      'primaryMetric',
    ]);
    const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
    const policy = {
      floor: cny(5000),
      ceiling: cny(9000),
      unitCost: cny(4000),
      minMarginBps: 1500,
      targetSellThrough: 0.6,
      targetDaysOfSupply: 30,
      enabled: true,
    };
    expect(await errorsOf(UpsertPricingPolicyDto, policy)).toEqual([]);
    expect(await errorsOf(UpsertPricingPolicyDto, { ...policy, targetSellThrough: 1.5 })).toEqual([
      'targetSellThrough',
    ]);
    expect(await errorsOf(UpsertPricingPolicyDto, { ...policy, floor: cny(1.5) })).toEqual([
      'floor',
    ]);
  });

  it('maps figures: money as integer minor units, a missing total as null', () => {
    const m = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
    const row = {
      day: '2026-11-11',
      channel: 'web',
      gmv: m(30000),
      orders: 4,
      paidOrders: 3,
      aov: m(10000),
      units: 5,
      refunds: m(0),
      newBuyers: 2,
      returningBuyers: 1,
    };
    expect(kpisView({ rows: [row], total: undefined })).toEqual({
      rows: [{ ...row, gmv: m(30000), aov: m(10000), refunds: m(0) }],
      total: null,
    });
    expect(
      priceSuggestionView({
        id: 's1',
        skuId: 'k',
        currentPrice: m(100),
        suggestedPrice: m(90),
        reasons: ['days of supply 90 > 30'],
        elasticity: -1.2,
        daysOfSupply: 90,
        sellThrough: 0.1,
        status: 'PENDING',
        createdAt: 't',
        decidedBy: '',
        decidedAt: '',
      }),
    ).toMatchObject({ suggestedPrice: m(90), decidedBy: null, decidedAt: null });
  });
});

describe('SKU price request ids', () => {
  it('derive the same UUID from the same caller, SKU and key, another from any other', () => {
    const a = derivedUuid('set-sku-price', 'acc', 'sku', 'key-12345');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedUuid('set-sku-price', 'acc', 'sku', 'key-12345')).toBe(a);
    expect(derivedUuid('set-sku-price', 'acc2', 'sku', 'key-12345')).not.toBe(a);
    expect(derivedUuid('set-sku-price', 'acc', 'sku2', 'key-12345')).not.toBe(a);
  });
});
