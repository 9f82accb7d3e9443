import { randomBytes } from 'node:crypto';
import {
  anHttpCheckout,
  startOwnJaeger,
  startPlatform,
  type JaegerSpan,
  type JaegerTrace,
  type OwnJaeger,
  type Platform,
} from '@emporia/testing';

jest.setTimeout(240_000);

const PASSWORD = 'a long enough password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ADDRESS = {
  recipient: '王五',
  phone: '+8613700002222',
  country: 'CN',
  province: '浙江省',
  city: '杭州市',
  district: '西湖区',
  line1: '西湖路 2 号',
};

/** The trace id of an answer's `traceparent` header (the gateway's span of the request). */
const traceOf = (headers: Headers) => {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(headers.get('traceparent') ?? '');
  if (!m) throw new Error(`no traceparent in the answer: ${headers.get('traceparent')}`);
  return { traceId: m[1], spanId: m[2] };
};

/** The calls of the checkout saga, each a gRPC span pair (order's client, the service's server). */
const SAGA_CALLS = [
  ['catalog', 'GetSkus'],
  ['marketing', 'PriceCart'],
  ['risk', 'ScoreOrder'],
  ['catalog', 'ReserveStock'],
] as const;
const sagaServer = (service: string, method: string) =>
  new RegExp(`^grpc\\.emporia\\.${service}\\.v1\\.\\w+/${method}$`);

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const kind = (span: JaegerSpan) => tag(span, 'span.kind');
const isError = (span: JaegerSpan) => tag(span, 'error') === true;
const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF');

/** A trace read back from Jaeger, with each span's service and parent. */
class Trace {
  constructor(readonly raw: JaegerTrace) {}
  service(span: JaegerSpan): string {
    return this.raw.processes[span.processID].serviceName;
  }
  byId(spanId: string): JaegerSpan | undefined {
    return this.raw.spans.find((s) => s.spanID === spanId);
  }
  parent(span: JaegerSpan): JaegerSpan | undefined {
    const ref = parentOf(span);
    return ref ? this.byId(ref.spanID) : undefined;
  }
  /** The spans of `service` named `name` (a string or a pattern). */
  find(service: string, name: string | RegExp): JaegerSpan[] {
    return this.raw.spans.filter(
      (s) =>
        this.service(s) === service &&
        (typeof name === 'string' ? s.operationName === name : name.test(s.operationName)),
    );
  }
  one(service: string, name: string | RegExp): JaegerSpan {
    const found = this.find(service, name);
    if (found.length !== 1)
      throw new Error(
        `expected one ${service} span ${name}, found ${found.length}; the trace has:\n${this.outline()}`,
      );
    return found[0];
  }
  /** The path from `span` up to the root, as `service: name` lines (for failure messages). */
  outline(): string {
    return this.raw.spans
      .map((s) => `${this.service(s)}: ${s.operationName}${isError(s) ? ' (error)' : ''}`)
      .sort()
      .join('\n');
  }
  services(): string[] {
    return [...new Set(this.raw.spans.map((s) => this.service(s)))].sort();
  }
}

/**
 * OpenTelemetry tracing across the platform: every service started with OTEL_EXPORTER_OTLP_ENDPOINT
 * sends its spans to a real Jaeger (v2, built from its Go module, memory storage), and the spans
 * of one request are one trace: the gateway's HTTP span, gRPC client and server spans between
 * services, Postgres and Redis spans inside them, the outbox publish of the request's event and
 * its handling by the consumers.
 */
describe('tracing: one trace per request, across HTTP, gRPC, Postgres, Redis and Kafka', () => {
  let jaeger: OwnJaeger;
  let platform: Platform;
  let operator: Record<string, string>;

  /** The trace, once Jaeger holds every span `complete` asks for (spans arrive in batches). */
  const traceWhen = async (traceId: string, complete: (t: Trace) => boolean): Promise<Trace> => {
    const end = Date.now() + 30_000;
    let last: Trace | undefined;
    for (;;) {
      const raw = await jaeger.trace(traceId);
      if (raw) {
        last = new Trace(raw);
        if (complete(last)) return last;
      }
      if (Date.now() > end)
        throw new Error(
          `trace ${traceId} incomplete after 30 s:\n${last ? last.outline() : '(no spans)'}`,
        );
      await sleep(250);
    }
  };

  beforeAll(async () => {
    jaeger = await startOwnJaeger();
    platform = await startPlatform({
      catalog: true,
      user: true,
      order: true,
      marketing: true,
      risk: true,
      search: true,
      // every service sends its spans, at once (the batch processor waits 5 s by default)
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
    operator = (
      await platform.signIn(`ops.${platform.suffix}@example.cn`, PASSWORD, 'customer,operator')
    ).auth;
  });

  afterAll(async () => {
    await platform?.stop();
    await jaeger?.close();
  });

  it('a flash-sale win, then its checkout: the gateway, order, marketing, risk and catalog in one trace, with the event published and handled in it', async () => {
    const { api } = platform;
    const skuId = await platform.stockedSku(operator, {
      stock: 5,
      priceMinor: 19900,
      warehouseCode: 'HZ-1',
      title: 'Traced tea set',
    });
    const saleId = await platform.flashSale(operator, {
      skuId,
      priceMinor: 9900,
      stock: 1,
      perUserLimit: 1,
    });
    const buyer = await platform.signIn(`buyer.${platform.suffix}@example.cn`, PASSWORD);

    // the attempt: the gateway's span (named by its route) → the decision the gateway makes in
    // the sale's pool (FLASH_DECISIONS=edge) → its Redis call
    const won = await api(
      'POST',
      `/v1/flash-sales/${saleId}/attempts`,
      { quantity: 1 },
      buyer.auth,
    );
    expect(won.status).toBe(201);
    const attemptIds = traceOf(won.headers);
    // every process exports its spans on its own schedule: wait for the gateway's root too
    const attempt = await traceWhen(
      attemptIds.traceId,
      (t) =>
        t.find('gateway', 'POST /v1/flash-sales/:id/attempts').length > 0 &&
        t.find('gateway', 'flash attempts decided at the edge').length > 0 &&
        t.find('gateway', /^evalsha/i).length > 0,
    );
    const attemptRoot = attempt.one('gateway', 'POST /v1/flash-sales/:id/attempts');
    expect(kind(attemptRoot)).toBe('server');
    expect(attemptRoot.spanID).toBe(attemptIds.spanId);
    expect(parentOf(attemptRoot)).toBeUndefined();
    const decision = attempt.one('gateway', 'flash attempts decided at the edge');
    // the batch's span, shared by the attempts of one turn: linked to each attempt's request
    expect(decision.references.map((r) => r.spanID)).toContain(attemptRoot.spanID);
    // the decision's script call, under it (the sale rate limit's own call is the root's)
    expect(
      attempt
        .find('gateway', /^evalsha/i)
        .filter((s) => attempt.parent(s)?.spanID === decision.spanID),
    ).toHaveLength(1);
    // marketing is not asked
    expect(attempt.find('marketing', /AttemptFlashPurchase|TryFlashPurchases/)).toEqual([]);
    expect(attempt.raw.spans.filter(isError)).toEqual([]);

    // the checkout with the token
    const placed = await anHttpCheckout(api, buyer.auth)
      .of(skuId, 1)
      .to(ADDRESS)
      .with({ flashToken: won.body.token })
      .send();
    expect([placed.status, placed.body?.detail]).toEqual([201, undefined]);
    const checkoutIds = traceOf(placed.headers);
    const checkout = await traceWhen(
      checkoutIds.traceId,
      (t) =>
        t.raw.spans.some((s) => kind(s) === 'consumer' && t.service(s) === 'marketing') &&
        t.find('gateway', 'POST /v1/checkout').length > 0 &&
        t.find('order', /^send e2e.*\.order\.order$/).length > 0 &&
        SAGA_CALLS.every(
          ([service, method]) =>
            t.find(service, sagaServer(service, method)).length > 0 &&
            t.find('order', sagaServer(service, method)).length > 0,
        ),
    );
    // user: order asks whether the account is frozen
    expect(checkout.services()).toEqual([
      'catalog',
      'gateway',
      'marketing',
      'order',
      'risk',
      'user',
    ]);
    const root = checkout.one('gateway', 'POST /v1/checkout');
    expect([kind(root), tag(root, 'http.route'), tag(root, 'http.response.status_code')]).toEqual([
      'server',
      '/v1/checkout',
      201,
    ]);
    expect(root.spanID).toBe(checkoutIds.spanId);
    const placeOrder = checkout.one('order', /^grpc\.emporia\.order\.v1\.\w+\/Checkout$/);
    expect(checkout.parent(checkout.parent(placeOrder)!)?.spanID).toBe(root.spanID);
    // the saga's calls, each a client span under order's server span, answered by its service
    for (const [service, method] of SAGA_CALLS) {
      const server = checkout.one(service, sagaServer(service, method));
      const client = checkout.parent(server)!;
      expect([checkout.service(client), kind(client), checkout.parent(client)?.spanID]).toEqual([
        'order',
        'client',
        placeOrder.spanID,
      ]);
    }
    // Postgres statements inside the services' spans (order's checkout writes through CTEs: WITH)
    expect(checkout.find('order', /^pg\.query:(INSERT|UPDATE|SELECT|WITH)/).length).toBeGreaterThan(
      0,
    );
    // the outbox: OrderPlaced's publish under the request that wrote it, its handling under that
    const sends = checkout
      .find('order', /^send e2e.*\.order\.order$/)
      .filter((s) => String(tag(s, 'emporia.event.type')).endsWith('.OrderPlaced'));
    expect(sends).toHaveLength(1);
    const send = sends[0];
    expect(kind(send)).toBe('producer');
    expect(checkout.parent(send)?.spanID).toBe(placeOrder.spanID);
    const handled = checkout.raw.spans.filter(
      (s) => kind(s) === 'consumer' && checkout.parent(s)?.spanID === send.spanID,
    );
    expect(handled.map((s) => checkout.service(s))).toContain('marketing');
    for (const h of handled) {
      expect(h.operationName).toBe(`process ${tag(send, 'messaging.destination.name')}`);
      expect(tag(h, 'messaging.message.id')).toBe(tag(send, 'messaging.message.id'));
    }
    expect(checkout.raw.spans.filter(isError)).toEqual([]);
  });

  it('a refused request: the span of the call that failed is an error, the gateway answer (4xx) is not a server error', async () => {
    const { api } = platform;
    const buyer = await platform.signIn(`refused.${platform.suffix}@example.cn`, PASSWORD);
    const skuId = await platform.stockedSku(operator, {
      stock: 5,
      priceMinor: 5000,
      warehouseCode: 'HZ-1',
      title: 'Refused tea',
    });
    // a flash token that is nobody's: marketing refuses the pricing, the saga undoes its steps
    const refused = await anHttpCheckout(api, buyer.auth)
      .of(skuId, 1)
      .to(ADDRESS)
      .with({ flashToken: 'not-a-token-of-anyone' })
      .send();
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    const ids = traceOf(refused.headers);
    const t = await traceWhen(
      ids.traceId,
      (x) =>
        x.find('marketing', /PriceCart$/).length > 0 &&
        x.find('gateway', 'POST /v1/checkout').length > 0 &&
        x.find('order', /PriceCart$/).length > 0,
    );
    const root = t.one('gateway', 'POST /v1/checkout');
    expect([isError(root), tag(root, 'http.response.status_code')]).toEqual([
      false,
      refused.status,
    ]);
    const price = t.one('marketing', /PriceCart$/);
    const call = t.parent(price)!;
    // the caller's span of a call that failed is an error, with the gRPC status it got
    expect([t.service(call), kind(call), isError(call)]).toEqual(['order', 'client', true]);
    expect(Number(tag(call, 'rpc.grpc.status_code'))).toBeGreaterThan(0);
  });
  it("a search: the gateway, the search service and its Elasticsearch request (sent with undici: the platform's own client span) in one trace", async () => {
    const q = `traced${randomBytes(4).toString('hex')}`;
    const res = await platform.api('GET', `/v1/search/products?q=${q}&facets=true`);
    expect(res.status).toBe(200);
    const ids = traceOf(res.headers);
    const t = await traceWhen(
      ids.traceId,
      (t) =>
        t.find('gateway', /\/v1\/search\/products$/).length > 0 &&
        t.find('search', 'search').length > 0,
    );
    const es = t.one('search', 'search');
    expect([kind(es), tag(es, 'db.system'), tag(es, 'db.operation')]).toEqual([
      'client',
      'elasticsearch',
      'search',
    ]);
    // under search's server span of the call, itself under the gateway's client span
    const server = t.parent(es)!;
    expect([t.service(server), kind(server)]).toEqual(['search', 'server']);
    expect(server.operationName).toMatch(/SearchProductsPage$/);
    expect(t.service(t.parent(server)!)).toBe('gateway');
    expect(t.raw.spans.filter(isError)).toEqual([]);
  });

  it("a caller's unsampled traceparent: nothing of its request is recorded, nor of the events it raised", async () => {
    const { api } = platform;
    const buyer = await platform.signIn(`unsampled.${platform.suffix}@example.cn`, PASSWORD);
    const skuId = await platform.stockedSku(operator, {
      stock: 5,
      priceMinor: 3000,
      warehouseCode: 'HZ-1',
      title: 'Untraced tea',
    });
    const traceId = randomBytes(16).toString('hex');
    const unsampled = await anHttpCheckout(api, {
      ...buyer.auth,
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-00`,
    })
      .of(skuId, 1)
      .to(ADDRESS)
      .send();
    expect(unsampled.status).toBe(201);
    // the answer continues the caller's trace, and says it is not recorded
    expect(unsampled.headers.get('traceparent')).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`),
    );
    // a recorded checkout after it: once its event's handling is in Jaeger, the first one's
    // spans (sent as early or earlier, by the same processes) would be there too
    const sampled = await anHttpCheckout(api, buyer.auth).of(skuId, 1).to(ADDRESS).send();
    expect(sampled.status).toBe(201);
    await traceWhen(traceOf(sampled.headers).traceId, (t) =>
      t.raw.spans.some((s) => kind(s) === 'consumer' && t.service(s) === 'marketing'),
    );
    expect(await jaeger.trace(traceId)).toBeUndefined();
  });
});
