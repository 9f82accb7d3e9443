import {
  collectBatch,
  collectEvent,
  parseRfc3339,
  type RawBehaviourEvent,
} from './behaviour-validation';

const RECEIVED = new Date('2026-12-02T12:00:00Z');
const opts = { receivedAt: RECEIVED, accountId: '', skewMs: 300_000, maxLateMs: 7 * 86_400_000 };
const PRODUCT = '7d3f0a52-62f5-4a5c-9d6e-0f2d1c7d9e11';

const event = (over: Partial<RawBehaviourEvent> = {}): RawBehaviourEvent => ({
  eventId: 'A1B2C3D4-62F5-4A5C-9D6E-0F2D1C7D9E11',
  type: 'page_view',
  anonymousId: 'anon_1-x',
  accountId: '',
  sessionId: 's1',
  occurredAt: '2026-12-02T11:59:00Z',
  receivedAt: '',
  channel: 'web',
  utm: { source: 'google', medium: 'cpc', campaign: 'w', term: '', content: '' },
  referrer: '',
  device: { type: 'mobile', os: 'ios', browser: 'safari' },
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

const problems = (e: RawBehaviourEvent, o = opts) => {
  const r = collectEvent(e, 3, o);
  return 'problems' in r ? r.problems.map((p) => `${p.field}:${p.code}`) : [];
};

describe('collectEvent', () => {
  it('accepts a valid event, lower-cases its ids and stamps the receive time', () => {
    const r = collectEvent(
      event({ type: 'product_view', productId: PRODUCT.toUpperCase() }),
      0,
      opts,
    );
    expect(r).toMatchObject({
      event: {
        eventId: 'a1b2c3d4-62f5-4a5c-9d6e-0f2d1c7d9e11',
        productId: PRODUCT,
        occurredAt: '2026-12-02T11:59:00.000Z',
        receivedAt: RECEIVED.toISOString(),
        utm: { source: 'google' },
      },
    });
  });

  it('names every problem of an event with its index and id', () => {
    const r = collectEvent(
      event({ eventId: 'nope', type: 'teleport', anonymousId: 'a b', occurredAt: 'yesterday' }),
      3,
      opts,
    );
    expect(r).toEqual({
      problems: [
        expect.objectContaining({
          index: 3,
          eventId: 'nope',
          field: 'event_id',
          code: 'INVALID_UUID',
        }),
        expect.objectContaining({ field: 'type', code: 'UNKNOWN_VALUE' }),
        expect.objectContaining({ field: 'anonymous_id', code: 'INVALID_FORMAT' }),
        expect.objectContaining({ field: 'occurred_at', code: 'INVALID_TIME' }),
      ],
    });
  });

  it('checks required fields and lengths', () => {
    expect(problems(event({ eventId: '', type: '', anonymousId: '', occurredAt: '' }))).toEqual([
      'event_id:REQUIRED',
      'type:REQUIRED',
      'anonymous_id:REQUIRED',
      'occurred_at:REQUIRED',
    ]);
    expect(problems(event({ anonymousId: 'x'.repeat(65) }))).toEqual([
      'anonymous_id:INVALID_FORMAT',
    ]);
    expect(problems(event({ anonymousId: 'x'.repeat(64) }))).toEqual([]);
    expect(problems(event({ sessionId: 's'.repeat(65) }))).toEqual(['session_id:TOO_LONG']);
    expect(
      problems(
        event({
          utm: {
            source: 'x'.repeat(201),
            medium: '',
            campaign: 'c'.repeat(201),
            term: '',
            content: '',
          },
          referrer: 'r'.repeat(2049),
          page: 'p'.repeat(2048),
        }),
      ),
    ).toEqual(['utm.source:TOO_LONG', 'utm.campaign:TOO_LONG', 'referrer:TOO_LONG']);
  });

  it('accepts the known channels and device types, or none', () => {
    expect(problems(event({ channel: 'mini_program' }))).toEqual([]);
    expect(problems(event({ channel: '' }))).toEqual([]);
    expect(problems(event({ channel: 'tv' }))).toEqual(['channel:UNKNOWN_VALUE']);
    expect(problems(event({ device: { type: 'watch', os: '', browser: '' } }))).toEqual([
      'device.type:UNKNOWN_VALUE',
    ]);
    expect(problems(event({ device: undefined, utm: undefined }))).toEqual([]);
  });

  it('checks the fields each type needs', () => {
    expect(problems(event({ type: 'product_view' }))).toEqual(['product_id:REQUIRED']);
    expect(problems(event({ type: 'product_view', productId: PRODUCT, skuId: 'x' }))).toEqual([
      'sku_id:INVALID_UUID',
    ]);
    expect(problems(event({ type: 'add_to_cart', productId: PRODUCT, quantity: 0 }))).toEqual([
      'quantity:OUT_OF_RANGE',
    ]);
    expect(
      problems(event({ type: 'remove_from_cart', productId: PRODUCT, quantity: 1000 })),
    ).toEqual(['quantity:OUT_OF_RANGE']);
    expect(problems(event({ type: 'add_to_cart', productId: PRODUCT, quantity: 999 }))).toEqual([]);
    expect(problems(event({ type: 'search', query: ' ' }))).toEqual(['query:REQUIRED']);
    expect(problems(event({ type: 'search', query: 'q'.repeat(201) }))).toEqual(['query:TOO_LONG']);
    expect(problems(event({ type: 'banner_click' }))).toEqual(['banner_id:REQUIRED']);
    expect(problems(event({ type: 'banner_click', bannerId: 'b'.repeat(65) }))).toEqual([
      'banner_id:TOO_LONG',
    ]);
    expect(problems(event({ type: 'experiment_exposure', experimentKey: 'k' }))).toEqual([
      'variant:REQUIRED',
    ]);
    expect(
      problems(event({ type: 'experiment_exposure', experimentKey: 'k', variant: 'b' })),
    ).toEqual([]);
  });

  it("takes the request's account over the event's, and checks the event's own", () => {
    const acc = '11111111-2222-4333-8444-555555555555';
    const r = collectEvent(event({ accountId: 'bogus' }), 0, { ...opts, accountId: acc });
    expect(r).toMatchObject({ event: { accountId: acc } });
    expect(problems(event({ accountId: 'bogus' }))).toEqual(['account_id:INVALID_UUID']);
    expect(collectEvent(event({ accountId: acc.toUpperCase() }), 0, opts)).toMatchObject({
      event: { accountId: acc },
    });
  });

  it('fixes an implausible client time to the receive time; a late one keeps its own', () => {
    const at = (occurredAt: string) => {
      const r = collectEvent(event({ occurredAt }), 0, opts);
      return 'event' in r ? r.event.occurredAt : null;
    };
    expect(at('2026-12-03T00:00:00Z')).toBe(RECEIVED.toISOString());
    expect(at('2026-11-28T08:00:00+08:00')).toBe('2026-11-28T00:00:00.000Z');
    expect(at('2026-10-01T00:00:00Z')).toBe(RECEIVED.toISOString());
  });

  it('keeps only the fields of its type', () => {
    const r = collectEvent(event({ type: 'page_view', productId: PRODUCT, quantity: 5 }), 0, opts);
    expect(r).toMatchObject({ event: { productId: '', quantity: 0 } });
  });
});

describe('collectBatch', () => {
  it('keeps the good events in order and names the bad ones', () => {
    const good2 = event({ eventId: '0b9d3c52-62f5-4a5c-9d6e-0f2d1c7d9e12' });
    const r = collectBatch([event(), event({ type: 'x' }), good2], opts);
    expect(r.accepted.map((e) => e.eventId)).toEqual([
      'a1b2c3d4-62f5-4a5c-9d6e-0f2d1c7d9e11',
      '0b9d3c52-62f5-4a5c-9d6e-0f2d1c7d9e12',
    ]);
    expect(r.rejected).toEqual([expect.objectContaining({ index: 1, field: 'type' })]);
  });
});

describe('parseRfc3339', () => {
  it('takes RFC 3339 times only', () => {
    expect(parseRfc3339('2026-12-02T11:59:00.123+08:00')?.toISOString()).toBe(
      '2026-12-02T03:59:00.123Z',
    );
    expect(parseRfc3339('2026-12-02')).toBeNull();
    expect(parseRfc3339('2026-12-02T11:59:00')).toBeNull();
    expect(parseRfc3339('Tue, 01 Dec 2026 10:00:00 GMT')).toBeNull();
  });
});
