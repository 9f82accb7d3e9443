import type { RunningService } from '@emporia/platform';
import { testLogger } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import { startFakeAnalytics } from './support/fake-analytics';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor } from './support/token-signer';

jest.setTimeout(60_000);

const CUSTOMER = '0190a000-0000-7000-8000-0000000000c1';
const OPERATOR = '0190a000-0000-7000-8000-0000000000e1';
const SUGGESTION = '0190a000-0000-7000-8000-0000000000f1';

/**
 * The analytics routes through the real gateway (Redis for idempotency and rate limits, the real
 * token verifier) against a test double of the analytics service at its gRPC boundary: what the
 * gateway sends (account from the token, receive time, idempotency key, decided_by) and how it
 * answers (202, INVALID_EVENTS, 413, 429, 404, 503). The lead's end-to-end tests run the real one.
 */
describe('gateway analytics routes', () => {
  let gateway: RunningService;
  let analytics: Awaited<ReturnType<typeof startFakeAnalytics>>;
  let customer: string;
  let operator: string;

  beforeAll(async () => {
    const keys = await signer();
    customer = await keys.sign(['customer'], { sub: CUSTOMER });
    operator = await keys.sign(['customer', 'operator'], { sub: OPERATOR });
    analytics = await startFakeAnalytics();
    const config = await testGatewayConfig('analytics', {
      ANALYTICS_GRPC_URL: analytics.url,
      EVENTS_RATE_LIMIT_PER_VISITOR: '30',
      EVENTS_RATE_LIMIT_PER_IP: '5000',
    });
    const verifier = verifierFor(keys.jwks);
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
  });

  afterAll(async () => {
    await gateway?.close();
    await analytics?.stop();
  });

  const call = async (method: string, path: string, body?: unknown, headers = {}) => {
    const res = await fetch(`${gateway.httpUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes
      body: (text ? JSON.parse(text) : {}) as any,
    };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  // a visitor per test: each has its own events budget (EVENTS_RATE_LIMIT_PER_VISITOR)
  let visitor = '';
  let visitors = 0;
  beforeEach(() => {
    visitor = `v-${++visitors}`;
  });
  const event = (over: Record<string, unknown> = {}) => ({
    eventId: '0b6f8a52-2f0e-4f4b-9a57-1f2f8f3c9d11',
    type: 'page_view',
    anonymousId: visitor,
    occurredAt: '2026-11-11T10:00:00+08:00',
    utm: { source: 'newsletter' },
    ...over,
  });
  const ingested = () =>
    (analytics.calls.get('ingestBehaviourEvents') ?? []) as {
      events: { type: string; accountId: string; utm: { source: string } }[];
      receivedAt: string;
      accountId: string;
    }[];

  it('accepts a batch with 202; the account comes from the token, the receive time from the gateway', async () => {
    const before = Date.now();
    const anonymous = await call('POST', '/v1/events', { events: [event(), event()] });
    expect(anonymous).toMatchObject({ status: 202, body: { accepted: 2, rejected: [] } });
    const signedIn = await call('POST', '/v1/events', { events: [event()] }, bearer(customer));
    expect(signedIn.status).toBe(202);
    const [first, second] = ingested().slice(-2);
    expect(first).toMatchObject({ accountId: '', events: [{ utm: { source: 'newsletter' } }, {}] });
    expect(second.accountId).toBe(CUSTOMER);
    expect(Date.parse(first.receivedAt)).toBeGreaterThanOrEqual(before - 1000);
    // the body cannot name an account
    const forged = await call('POST', '/v1/events', { events: [event({ accountId: OPERATOR })] });
    expect(forged).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses invalid events by name with problem+json, keeping the valid ones', async () => {
    const res = await call('POST', '/v1/events', {
      events: [event(), event({ type: 'bogus', eventId: 'e-2' }), event()],
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'INVALID_EVENTS',
      accepted: 2,
      errors: [{ index: 1, eventId: 'e-2', field: 'type', code: 'TYPE_UNKNOWN' }],
    });
  });

  it('refuses structural errors whole, oversized batches and bodies, before analytics', async () => {
    const calls = ingested().length;
    expect((await call('POST', '/v1/events', { events: 'x' })).status).toBe(400);
    expect((await call('POST', '/v1/events', { events: [] })).status).toBe(400);
    const many = await call('POST', '/v1/events', {
      events: Array.from({ length: 101 }, (_, i) => event({ anonymousId: `${visitor}-${i}` })),
    });
    expect(many).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    const big = await call('POST', '/v1/events', {
      events: [event({ page: 'x'.repeat(300 * 1024) })],
    });
    expect(big).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(ingested().length).toBe(calls);
  });

  it('limits events per visitor, in events', async () => {
    const batch = { events: Array(10).fill(event({ anonymousId: 'v-busy' })) };
    for (let i = 0; i < 3; i++) expect((await call('POST', '/v1/events', batch)).status).toBe(202);
    const over = await call('POST', '/v1/events', batch);
    expect(over).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // another visitor from the same address goes on
    expect((await call('POST', '/v1/events', { events: [event()] })).status).toBe(202);
  });

  it('serves assignments and cacheable recommendations', async () => {
    const bad = await call('GET', '/v1/experiments/assignments?anonymousId=a%20b');
    expect(bad).toMatchObject({ status: 400, body: { errors: [{ field: 'anonymousId' }] } });
    const mine = await call(
      'GET',
      '/v1/experiments/assignments?anonymousId=v-1',
      undefined,
      bearer(customer),
    );
    expect(mine.body).toEqual({ items: [{ experimentKey: 'button', variant: 'account' }] });
    const recs = await call(
      'GET',
      '/v1/products/0190a000-0000-7000-8000-000000000001/recommendations?kind=viewed_together&limit=5',
    );
    expect(recs.status).toBe(200);
    expect(recs.headers.get('cache-control')).toBe('public, max-age=60');
    expect(recs.body.items[0]).toMatchObject({ together: 7 });
    expect(analytics.calls.get('getRecommendations')!.at(-1)).toMatchObject({
      kind: 'viewed_together',
      limit: 5,
    });
  });

  it('checks operator queries, maps figures and backend errors', async () => {
    expect(
      (await call('GET', '/v1/admin/analytics/kpis?from=2026-11-01&to=2026-11-30')).status,
    ).toBe(401);
    expect(
      (
        await call(
          'GET',
          '/v1/admin/analytics/kpis?from=2026-11-01&to=2026-11-30',
          undefined,
          bearer(customer),
        )
      ).status,
    ).toBe(403);
    const badDay = await call(
      'GET',
      '/v1/admin/analytics/kpis?from=2026-02-30&to=2026-03-01',
      undefined,
      bearer(operator),
    );
    expect(badDay).toMatchObject({ status: 400, body: { errors: [{ field: 'from' }] } });
    const kpis = await call(
      'GET',
      '/v1/admin/analytics/kpis?from=2026-11-01&to=2026-11-30&channel=all',
      undefined,
      bearer(operator),
    );
    expect(kpis.body.rows[0]).toMatchObject({
      day: '2026-11-01',
      gmv: { amountMinor: 30000, currency: 'CNY' },
      paidOrders: 3,
    });
    expect(analytics.calls.get('getKpis')!.at(-1)).toEqual({
      range: { fromDay: '2026-11-01', toDay: '2026-11-30' },
      channel: 'all',
    });
    const missing = await call(
      'GET',
      '/v1/admin/analytics/experiments/missing/results',
      undefined,
      bearer(operator),
    );
    expect(missing).toMatchObject({ status: 404, body: { code: 'EXPERIMENT_NOT_FOUND' } });
  });

  it('exports an audience under the Idempotency-Key, and decides suggestions as the operator', async () => {
    const body = { segment: 'at_risk', couponTemplateId: '0190a000-0000-7000-8000-000000000009' };
    const keyless = await call('POST', '/v1/admin/analytics/audiences', body, bearer(operator));
    expect(keyless).toMatchObject({ status: 400, body: { code: 'IDEMPOTENCY_KEY_REQUIRED' } });
    const key = `aud-${Date.now()}`;
    const headers = { ...bearer(operator), 'idempotency-key': key };
    const first = await call('POST', '/v1/admin/analytics/audiences', body, headers);
    expect(first).toMatchObject({ status: 201, body: { audienceId: 'aud-at_risk', accounts: 12 } });
    const again = await call('POST', '/v1/admin/analytics/audiences', body, headers);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(analytics.calls.get('exportAudience')).toEqual([
      { ...body, requestedBy: OPERATOR, idempotencyKey: `${OPERATOR}:${key}` },
    ]);
    const approved = await call(
      'POST',
      `/v1/admin/analytics/price-suggestions/${SUGGESTION}/approve`,
      undefined,
      bearer(operator),
    );
    expect(approved).toMatchObject({
      status: 200,
      body: { status: 'APPROVED', decidedBy: OPERATOR },
    });
    expect(analytics.calls.get('decidePriceSuggestion')!.at(-1)).toEqual({
      id: SUGGESTION,
      decision: 'approve',
      decidedBy: OPERATOR,
    });
  });

  it('answers 503 with Retry-After on its routes while analytics is down', async () => {
    await analytics.stop();
    const res = await call('POST', '/v1/events', { events: [event()] });
    expect(res).toMatchObject({ status: 503, body: { code: 'BACKEND_UNAVAILABLE' } });
    expect(res.headers.get('retry-after')).toBe('2');
  });
});
