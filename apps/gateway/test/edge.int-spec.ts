import { connect } from 'node:net';
import pino from 'pino';
import type { RunningService } from '@emporia/platform';
import { startGateway } from '../src/gateway.app';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor } from './support/token-signer';

jest.setTimeout(60_000);

/**
 * The gateway's edge (issue 13): what it refuses before any backend is called — control
 * characters, bidirectional overrides and lone surrogates in text, JSON nested too deep, URIs
 * and headers too long, unsupported methods, currencies the platform does not take, IPs that are
 * not IPs — the headers it adds, and its operations endpoints on a port of their own. Backends
 * are down here (nothing listens on their ports): a request the edge lets through ends in 503.
 */
describe('gateway edge (backends unreachable)', () => {
  let gateway: RunningService;
  /** The same gateway configured for production: HSTS, no /docs, two currencies. */
  let hardened: RunningService;
  let operator: string;
  const logs: string[] = [];

  const configFor = (over: Record<string, string> = {}) => testGatewayConfig('edge', over);

  beforeAll(async () => {
    const keys = await signer();
    operator = await keys.sign(['customer', 'operator']);
    const verifier = verifierFor(keys.jwks);
    // Every line the gateway logs, to prove what it does not log.
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
    gateway = await startGateway(await configFor(), logger, { verifier });
    hardened = await startGateway(
      await configFor({
        NODE_ENV: 'production',
        HSTS_MAX_AGE_SECONDS: '31536000',
        CURRENCIES: 'CNY,HKD',
      }),
      logger,
      { verifier },
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await hardened?.close();
  });

  const send = (
    path: string,
    method = 'GET',
    body?: unknown,
    headers: Record<string, string> = {},
    base = gateway.httpUrl,
  ) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined
        ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
    });
  const asOperator = (path: string, method = 'GET', body?: unknown, base = gateway.httpUrl) =>
    send(path, method, body, { authorization: `Bearer ${operator}` }, base);
  const problem = async (res: Response) => {
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await res.json()) as {
      status: number;
      code: string;
      detail: string;
      instance?: string;
      errors?: { field: string; message: string }[];
    };
  };
  /** A 400 VALIDATION_FAILED naming `field`, and nothing passed on to a backend. */
  const refusedNaming = async (res: Response, field: string) => {
    const body = await problem(res);
    expect({
      status: res.status,
      code: body.code,
      fields: body.errors?.map((e) => e.field),
    }).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: [field] });
    return body;
  };
  /** Raw HTTP/1.1 over a socket, for what fetch refuses to send. */
  const raw = (request: Buffer | string): Promise<{ head: string; body: string }> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(gateway.httpUrl);
      const socket = connect(Number(port), hostname, () => socket.write(request));
      let data = '';
      socket.on('data', (b: Buffer) => (data += b.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => {
        const at = data.indexOf('\r\n\r\n');
        resolve({ head: data.slice(0, at), body: data.slice(at + 4) });
      });
    });

  const product = (over: Record<string, unknown> = {}, sku: Record<string, unknown> = {}) => ({
    title: 'Aramid phone case',
    categoryId: '0190a000-0000-7000-8000-000000000001',
    skus: [{ code: 'CASE-BLK', price: { amountMinor: 12900, currency: 'CNY' }, ...sku }],
    ...over,
  });

  describe('text: control characters, bidirectional overrides, lone surrogates', () => {
    it('refuses a NUL in the e-mail at sign-up and sign-in, no sign-in needed (was 502)', async () => {
      await refusedNaming(
        await send('/v1/auth/register', 'POST', {
          email: 'a\u0000b@example.com',
          password: 'a long password 1',
        }),
        'email',
      );
      const login = await refusedNaming(
        await send('/v1/auth/login', 'POST', {
          identifier: 'a\u0000b@example.com',
          password: 'a long password 1',
        }),
        'identifier',
      );
      expect(login.errors![0]!.message).toMatch(/U\+0000/);
    });

    it('names a nested field (skus.0.attributes.color), at any depth', async () => {
      await refusedNaming(
        await asOperator(
          '/v1/products',
          'POST',
          product({}, { attributes: { color: 'bl\u0007ack' } }),
        ),
        'skus.0.attributes.color',
      );
      // a key is text too
      const key = await asOperator(
        '/v1/products',
        'POST',
        product({}, { attributes: { 'co\u0000lor': 'black' } }),
      );
      expect(key.status).toBe(400);
      expect((await problem(key)).errors?.[0]?.field).toMatch(/^skus\.0\.attributes\./);
    });

    it('refuses DEL and C1 controls; keeps TAB and line breaks only in free text', async () => {
      await refusedNaming(
        await asOperator('/v1/products', 'POST', product({ title: 'case\u007f' })),
        'title',
      );
      await refusedNaming(
        await asOperator('/v1/products', 'POST', product({ title: 'case\u0085' })),
        'title',
      );
      await refusedNaming(
        await asOperator('/v1/products', 'POST', product({ title: 'two\nlines' })),
        'title',
      );
      // a description may have lines and tabs: it passes the edge (catalog is down: 503)
      const multiLine = await asOperator(
        '/v1/products',
        'POST',
        product({ description: 'Fits:\n\t- model A\r\n\t- model B' }),
      );
      expect(multiLine.status).toBe(503);
    });

    it('refuses a bidirectional override or isolate in a name', async () => {
      for (const c of ['\u202e', '\u2066', '\u2069']) {
        const res = await asOperator('/v1/categories', 'POST', {
          name: `invoice${c}fdp.exe`,
          slug: 'invoices',
        });
        const body = await refusedNaming(res, 'name');
        expect(body.errors![0]!.message).toMatch(/bidirectional/);
      }
    });

    it('refuses a lone surrogate rather than replacing it', async () => {
      const res = await send(
        '/v1/auth/register',
        'POST',
        '{"email":"\\ud800@example.com","password":"a long password 1"}',
      );
      const body = await refusedNaming(res, 'email');
      expect(body.errors![0]!.message).toMatch(/surrogate/);
      // and a body that is not UTF-8 is not decoded with replacement characters either
      const bytes = Buffer.concat([
        Buffer.from('{"email":"a'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('@example.com","password":"a long password 1"}'),
      ]);
      const notUtf8 = await raw(
        Buffer.concat([
          Buffer.from(
            `POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`,
          ),
          bytes,
        ]),
      );
      expect(notUtf8.head).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(notUtf8.body)).toMatchObject({ code: 'MALFORMED_JSON' });
    });

    it('checks query parameters and path parameters', async () => {
      await refusedNaming(await send('/v1/search/products?q=case%00'), 'q');
      await refusedNaming(await send('/v1/search/products?q=a&brand=x&brand=%E2%80%AE'), 'brand.1');
      await refusedNaming(
        await send('/v1/payments/callbacks/sand%01box', 'POST', {
          providerTxnId: 't1',
          orderId: '0190a000-0000-7000-8000-000000000001',
          amountMinor: 100,
          currency: 'CNY',
          status: 'SUCCEEDED',
          timestamp: 1,
          signature: 'ab',
        }),
        'provider',
      );
    });

    it('checks the text headers it passes on (X-Device-Id, Idempotency-Key, X-Guest-Token)', async () => {
      // Node's parser already refuses C0 controls and DEL in a header: still a problem+json
      const nul = await raw(
        'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nX-Device-Id: a\x00b\r\nConnection: close\r\n\r\n',
      );
      expect(nul.head).toMatch(/^HTTP\/1\.1 400 /);
      expect(nul.head).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(nul.body)).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      // what it lets through (TAB, C1 and other bytes outside ASCII) the gateway refuses
      const body = '{"identifier":"a@example.com","password":"a long password 1"}';
      for (const [header, value] of [
        ['X-Device-Id', Buffer.from('phone\x85', 'latin1')],
        ['X-Device-Id', Buffer.from('phone\t1', 'latin1')],
        ['X-Device-Id', Buffer.from('phone\u202e', 'utf8')],
      ] as const) {
        const res = await raw(
          Buffer.concat([
            Buffer.from(
              `POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n${header}: `,
            ),
            value,
            Buffer.from(`\r\n\r\n${body}`),
          ]),
        );
        expect(res.head).toMatch(/^HTTP\/1\.1 400 /);
        expect(JSON.parse(res.body)).toMatchObject({
          code: 'VALIDATION_FAILED',
          errors: [{ field: header }],
        });
      }
      const guest = await raw(
        Buffer.concat([
          Buffer.from('GET /v1/cart HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Guest-Token: '),
          Buffer.from('guest-token-0123456789\x9b', 'latin1'),
          Buffer.from('\r\n\r\n'),
        ]),
      );
      expect(JSON.parse(guest.body)).toMatchObject({ errors: [{ field: 'X-Guest-Token' }] });
    });
  });

  describe('JSON nesting', () => {
    it('answers 2,000 nested arrays with 400 JSON_TOO_DEEP and logs no stack', async () => {
      const before = logs.length;
      const deep = '['.repeat(2000) + ']'.repeat(2000);
      const res = await send('/v1/auth/register', 'POST', deep);
      expect(res.status).toBe(400);
      expect(await problem(res)).toMatchObject({ code: 'JSON_TOO_DEEP' });
      // the same nesting as the value of a field
      const nested = await send(
        '/v1/auth/register',
        'POST',
        `{"email":${'{"a":'.repeat(1500)}1${'}'.repeat(1500)},"password":"x"}`,
      );
      expect([nested.status, (await problem(nested)).code]).toEqual([400, 'JSON_TOO_DEEP']);
      const logged = logs.slice(before).join('');
      expect(logged).not.toMatch(/stack|RangeError|Maximum call stack/);
    });

    it('still parses bodies nested as deep as a DTO goes, and brackets inside strings', async () => {
      const res = await send('/v1/auth/register', 'POST', {
        email: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[@example.com',
        password: 'a long password 1',
      });
      expect(res.status).toBe(503);
      const twenty = await send(
        '/v1/auth/register',
        'POST',
        `{"email":${'['.repeat(20)}${']'.repeat(20)}}`,
      );
      expect([twenty.status, (await problem(twenty)).code]).toEqual([400, 'VALIDATION_FAILED']);
    });
  });

  describe('operations endpoints', () => {
    it('serves /healthz, /readyz and /metrics on the ops port only', async () => {
      expect(gateway.opsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(gateway.opsUrl).not.toBe(gateway.httpUrl);
      expect((await fetch(`${gateway.opsUrl}/healthz`)).status).toBe(200);
      const ready = await fetch(`${gateway.opsUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: object }).checks).toHaveProperty('catalog');
      const metrics = await fetch(`${gateway.opsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/emporia_http_request_duration_seconds/);
      expect((await fetch(`${gateway.opsUrl}/v1/products`)).status).toBe(404);
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const res = await send(path);
        expect([path, res.status, (await problem(res)).code]).toEqual([path, 404, 'NOT_FOUND']);
      }
    });
  });

  describe('request metrics', () => {
    /** `emporia_http_request_duration_seconds_count` by series, from the ops port's /metrics. */
    const durations = async () => {
      const text = await (await fetch(`${gateway.opsUrl}/metrics`)).text();
      const counts = new Map<string, number>();
      for (const l of text.split('\n'))
        if (l.startsWith('emporia_http_request_duration_seconds_count{')) {
          const labels = /\{(.*)\}/.exec(l)![1];
          counts.set(labels, Number(l.split(' ').pop()));
        }
      return counts;
    };
    const series = (method: string, route: string, status: number) =>
      `method="${method}",route="${route}",status="${status}"`;

    it('counts every answer once in the duration histogram, by route pattern (never an id), unmatched ones together', async () => {
      const id = '0190a000-0000-7000-8000-00000000e001';
      const before = await durations();
      const answers = [
        // a fast route (its backend down), a Nest route (the same), a hook's refusal, a 404, a
        // 405, the router's refusals (a path parameter too long, a path that is not UTF-8); the
        // flash-sale shortcut's answers: test/flash-attempt-shortcut.int-spec.ts
        [await send(`/v1/products/${id}`), series('GET', '/v1/products/:id', 503)],
        [
          await send('/v1/auth/register', 'POST', {
            email: 'a@example.com',
            password: 'a long password 1',
          }),
          series('POST', '/v1/auth/register', 503),
        ],
        [
          await send('/v1/auth/register', 'POST', 'x', { 'content-type': 'text/plain' }),
          series('POST', '/v1/auth/register', 415),
        ],
        [await send(`/v1/nope/${id}`), series('GET', 'unmatched', 404)],
        [await send('/v1/products', 'DELETE'), series('DELETE', 'unmatched', 405)],
        [
          await send(`/v1/payments/callbacks/${'x'.repeat(300)}`, 'POST', {}),
          series('POST', 'unmatched', 414),
        ],
        [await send('/v1/products/%E0%A4%A'), series('GET', 'unmatched', 400)],
      ] as const;
      const after = await durations();
      for (const [res, labels] of answers) {
        expect([labels, res.status]).toEqual([labels, Number(/status="(\d+)"/.exec(labels)![1])]);
        expect([labels, (after.get(labels) ?? 0) - (before.get(labels) ?? 0)]).toEqual([labels, 1]);
      }
      // nothing else was counted, and no series names an id
      const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      expect(total(after) - total(before)).toBe(answers.length);
      expect([...after.keys()].filter((k) => k.includes(id) || k.includes('xxxx'))).toEqual([]);
    });
  });

  describe('HTTP hygiene', () => {
    it('marks token answers Cache-Control: no-store and Pragma: no-cache', async () => {
      for (const [path, body] of [
        ['/v1/auth/login', { identifier: 'a@example.com', password: 'a long password 1' }],
        ['/v1/auth/login/mfa', { challenge: 'c', code: '123456' }],
        ['/v1/auth/refresh', { refreshToken: 'r' }],
        ['/v1/auth/register', { email: 'a@example.com', password: 'a long password 1' }],
      ] as const) {
        const res = await send(path, 'POST', body);
        expect([path, res.headers.get('cache-control'), res.headers.get('pragma')]).toEqual([
          path,
          'no-store',
          'no-cache',
        ]);
      }
      // the key set stays cacheable
      expect((await send('/v1/auth/jwks')).headers.get('cache-control')).not.toBe('no-store');
    });

    it('sends the standard security headers on answers and problems; HSTS only when configured', async () => {
      for (const res of [await send('/v1/products/42'), await send('/v1/nope')]) {
        expect({
          nosniff: res.headers.get('x-content-type-options'),
          frame: res.headers.get('x-frame-options'),
          referrer: res.headers.get('referrer-policy'),
          csp: res.headers.get('content-security-policy'),
          corp: res.headers.get('cross-origin-resource-policy'),
          coop: res.headers.get('cross-origin-opener-policy'),
          hsts: res.headers.get('strict-transport-security'),
        }).toEqual({
          nosniff: 'nosniff',
          frame: 'DENY',
          referrer: 'no-referrer',
          csp: expect.stringMatching(/^default-src 'none';.*frame-ancestors 'none'$/),
          corp: 'same-origin',
          coop: 'same-origin',
          hsts: null,
        });
      }
      const hsts = await send('/v1/products/42', 'GET', undefined, {}, hardened.httpUrl);
      expect(hsts.headers.get('strict-transport-security')).toBe(
        'max-age=31536000; includeSubDomains',
      );
    });

    it('answers a path parameter too long with 414 problem+json, without echoing the path', async () => {
      const long = 'x'.repeat(300);
      const res = await send(`/v1/payments/callbacks/${long}`, 'POST', {});
      expect(res.status).toBe(414);
      const body = await problem(res);
      expect(body).toMatchObject({ status: 414, code: 'URI_TOO_LONG' });
      expect(JSON.stringify(body)).not.toContain(long);
      const query = await send(`/v1/search/products?q=${'y'.repeat(9000)}`);
      expect([query.status, (await problem(query)).code]).toEqual([414, 'URI_TOO_LONG']);
    });

    it('answers headers too large with 431 problem+json', async () => {
      const res = await send('/v1/products', 'GET', undefined, { 'x-big': 'z'.repeat(20_000) });
      expect(res.status).toBe(431);
      const body = await problem(res);
      expect(body).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
      expect(JSON.stringify(body)).not.toContain('zzzz');
    });

    it('answers 405 with Allow for a known path with an unsupported method', async () => {
      const del = await send('/v1/products', 'DELETE');
      expect(del.status).toBe(405);
      expect(del.headers.get('allow')).toBe('GET, HEAD, POST');
      expect(await problem(del)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
      const put = await send('/v1/auth/login', 'PUT', {});
      expect([put.status, put.headers.get('allow')]).toEqual([405, 'POST']);
      const withId = await send('/v1/orders/0190a000-0000-7000-8000-000000000001/cancel', 'GET');
      expect([withId.status, withId.headers.get('allow')]).toEqual([405, 'POST']);
      // other methods too, QUERY without a content type included (Fastify refuses it first with 400)
      for (const method of ['QUERY', 'PROPFIND']) {
        const res = await send('/v1/categories', method);
        expect([method, res.status, res.headers.get('allow')]).toEqual([
          method,
          405,
          'GET, HEAD, POST',
        ]);
      }
      // an unknown path stays 404
      expect((await send('/v1/nope', 'DELETE')).status).toBe(404);
    });

    it('serves /docs in development; DOCS_ENABLED (off in production) turns it off', async () => {
      expect((await send('/docs')).status).toBe(200);
      expect((await send('/docs/openapi.json')).status).toBe(200);
      for (const path of ['/docs', '/docs/openapi.json']) {
        const res = await send(path, 'GET', undefined, {}, hardened.httpUrl);
        expect([path, res.status]).toEqual([path, 404]);
      }
    });
  });

  describe('currencies', () => {
    it('refuses codes that are not ISO 4217 currencies (BTC, XXX), naming the field', async () => {
      for (const currency of ['BTC', 'XXX', 'XTS', 'XAU']) {
        await refusedNaming(
          await asOperator(
            '/v1/products',
            'POST',
            product({}, { price: { amountMinor: 100, currency } }),
          ),
          'skus.0.price.currency',
        );
      }
      await refusedNaming(
        await send('/v1/search/products?q=a&minPrice=1&currency=BTC'),
        'currency',
      );
      await refusedNaming(
        await asOperator('/v1/admin/risk/rules/00000000-0000-4000-8000-000000000008', 'PUT', {
          name: 'big orders',
          kind: 'AMOUNT',
          appliesTo: 'ORDER',
          action: 'REVIEW',
          score: 10,
          active: true,
          amount: { amountMinor: 100, currency: 'XXX' },
        }),
        'amount.currency',
      );
      // a real currency of the default list passes the edge (catalog is down: 503)
      const hkd = await asOperator(
        '/v1/products',
        'POST',
        product({}, { price: { amountMinor: 100, currency: 'HKD' } }),
      );
      expect(hkd.status).toBe(503);
    });

    it('takes only the currencies the platform is configured for (CURRENCIES)', async () => {
      const usd = await asOperator(
        '/v1/products',
        'POST',
        product({}, { price: { amountMinor: 100, currency: 'USD' } }),
        hardened.httpUrl,
      );
      const body = await refusedNaming(usd, 'skus.0.price.currency');
      expect(body.errors![0]!.message).toMatch(/CNY, HKD/);
      const hkd = await asOperator(
        '/v1/products',
        'POST',
        product({}, { price: { amountMinor: 100, currency: 'HKD' } }),
        hardened.httpUrl,
      );
      expect(hkd.status).toBe(503);
    });
  });

  describe('IP block-list entries', () => {
    it('refuses an entry of the IP list that is not an IPv4 or IPv6 address, naming it', async () => {
      const entries = ['203.0.113.7', '2001:db8::1', '::ffff:192.0.2.1', '999.1.1.1'].map(
        (value) => ({ value }),
      );
      const res = await asOperator('/v1/admin/risk/lists/IP/entries', 'POST', { entries });
      const body = await refusedNaming(res, 'entries.3.value');
      expect(body.errors![0]!.message).toMatch(/999\.1\.1\.1/);
      // valid addresses pass the edge (risk is down: 503); other lists take any value
      const ok = await asOperator('/v1/admin/risk/lists/ip/entries', 'POST', {
        entries: entries.slice(0, 3),
      });
      expect(ok.status).toBe(503);
      const device = await asOperator('/v1/admin/risk/lists/DEVICE/entries', 'POST', {
        entries: [{ value: '999.1.1.1' }],
      });
      expect(device.status).toBe(503);
    });
  });
});
