import type { RunningService } from '@emporia/platform';
import { testLogger } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import type { FakeService } from '@emporia/testing';
import { BAD_WEEK, startFakeSupport } from './support/fake-support';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor } from './support/token-signer';

jest.setTimeout(60_000);

const ALICE = '0190a000-0000-7000-8000-0000000000c1';
const BOB = '0190a000-0000-7000-8000-0000000000c2';
const FLOODER = '0190a000-0000-7000-8000-0000000000c3';
const AGENT = '0190a000-0000-7000-8000-0000000000a1';
const AGENT_2 = '0190a000-0000-7000-8000-0000000000a2';
const OPERATOR = '0190a000-0000-7000-8000-0000000000e1';
const ORDER = '0190a000-0000-7000-8000-0000000000d1';
const SUPPORT_LIMIT = 40;

/**
 * The support routes through the real gateway (Redis for idempotency and rate limits, the real
 * token verifier) against a test double of the support service at its gRPC boundary
 * (`support/fake-support.ts`): what the gateway sends (the account, agent or operator from the
 * token, never the body; request_id from the Idempotency-Key) and how it answers (status codes,
 * the service's codes as problem+json, 401/403 by role, the CSV export, 429, 503). The end-to-end
 * suite (e2e/support.int-spec.ts) runs the real service.
 */
describe('gateway support routes', () => {
  let gateway: RunningService;
  let support: FakeService;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const keys = await signer();
    tokens.alice = await keys.sign(['customer'], { sub: ALICE });
    tokens.bob = await keys.sign(['customer'], { sub: BOB });
    tokens.flooder = await keys.sign(['customer'], { sub: FLOODER });
    tokens.agent = await keys.sign(['customer', 'agent'], { sub: AGENT });
    tokens.agent2 = await keys.sign(['customer', 'agent'], { sub: AGENT_2 });
    tokens.operator = await keys.sign(['customer', 'operator'], { sub: OPERATOR });
    support = await startFakeSupport();
    const config = await testGatewayConfig('support', {
      SUPPORT_GRPC_URL: support.url,
      SUPPORT_RATE_LIMIT_PER_ACCOUNT: String(SUPPORT_LIMIT),
      SUPPORT_RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    const verifier = verifierFor(keys.jwks);
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
  });

  afterAll(async () => {
    await gateway?.close();
    await support?.stop();
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    who?: string,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${gateway.httpUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = /json/.test(res.headers.get('content-type') ?? '');
    return {
      status: res.status,
      headers: res.headers,
      text,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes
      body: (json && text ? JSON.parse(text) : {}) as any,
    };
  };
  const open = (who: string, over: Record<string, unknown> = {}, headers = {}) =>
    call(
      'POST',
      '/v1/support/tickets',
      {
        category: 'LOGISTICS_DELAY',
        subject: 'Where is my parcel?',
        body: 'It has not moved\nfor three days.',
        orderId: ORDER,
        ...over,
      },
      who,
      headers,
    );

  it('opens a ticket as the token account: 201, Location, the bot answer, request_id from the Idempotency-Key', async () => {
    const key = `open-${Date.now()}`;
    const first = await open('alice', {}, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/v1/support/tickets/${first.body.ticket.id}`);
    expect(first.body).toMatchObject({
      ticket: { status: 'BOT', category: 'LOGISTICS_DELAY', orderId: ORDER, skuId: null },
      messages: [{ authorKind: 'CUSTOMER' }, { authorKind: 'BOT', body: expect.any(String) }],
    });
    // a customer's view has no owner, assignee or SLA bookkeeping
    expect(first.body.ticket).not.toHaveProperty('accountId');
    expect(first.body.ticket).not.toHaveProperty('assigneeId');
    expect(first.body.messages[0]).not.toHaveProperty('internal');
    const sent = support.last('openTicket')!;
    expect(sent).toMatchObject({
      accountId: ALICE,
      orderId: ORDER,
      body: 'It has not moved\nfor three days.',
      locale: '',
    });
    expect(sent.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab]/);
    const again = await open('alice', {}, { 'idempotency-key': key });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.ticket.id).toBe(first.body.ticket.id);
    // Bob's equal key is another request
    await open('bob', {}, { 'idempotency-key': key });
    expect(support.last('openTicket')!.requestId).not.toBe(sent.requestId);
    // without a key there is no request id
    await open('alice');
    expect(support.last('openTicket')!.requestId).toBe('');
  });

  it('never takes an account from the body, and checks shapes before the service', async () => {
    const calls = support.calls.get('openTicket')!.length;
    const forged = await open('alice', { accountId: BOB });
    expect(forged).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    const shapes = [
      { category: 'COMPLAINT' },
      { subject: 'x'.repeat(201) },
      { body: 'x'.repeat(5001) },
      { attachmentUrls: ['http://img.example.com/a.jpg'] },
      { attachmentUrls: Array(10).fill('https://img.example.com/a.jpg') },
      { attachmentUrls: [`https://img.example.com/${'a'.repeat(2048)}`] },
      { orderId: 'order-1' },
      { locale: 'fr' },
    ];
    for (const over of shapes) {
      const res = await open('alice', over);
      expect({ over, status: res.status, code: res.body.code }).toEqual({
        over,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    expect(support.calls.get('openTicket')!.length).toBe(calls);
    expect((await open('')).status).toBe(401);
    // the service's own rule (a private host) comes back with its code
    const local = await open('alice', { attachmentUrls: ['https://localhost/a.png'] });
    expect(local).toMatchObject({ status: 400, body: { code: 'ATTACHMENT_URL_INVALID' } });
    expect(local.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it("lists and shows only the caller's tickets: another account's is 404 TICKET_NOT_FOUND", async () => {
    const { body } = await open('alice', { subject: 'mine' });
    const id = body.ticket.id;
    const mine = await call('GET', '/v1/support/tickets?status=BOT&limit=5', undefined, 'alice');
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((t: { id: string }) => t.id)).toContain(id);
    expect(mine.body.nextCursor).toBeNull();
    expect(support.last('listMyTickets')).toEqual({
      accountId: ALICE,
      status: 'BOT',
      cursor: '',
      limit: 5,
    });
    expect((await call('GET', `/v1/support/tickets/${id}`, undefined, 'alice')).status).toBe(200);
    const other = await call('GET', `/v1/support/tickets/${id}`, undefined, 'bob');
    expect(other).toMatchObject({ status: 404, body: { code: 'TICKET_NOT_FOUND' } });
    const bobPosts = await call(
      'POST',
      `/v1/support/tickets/${id}/messages`,
      { body: 'hi' },
      'bob',
    );
    expect(bobPosts).toMatchObject({ status: 404, body: { code: 'TICKET_NOT_FOUND' } });
    expect(
      (await call('GET', '/v1/support/tickets/not-a-uuid', undefined, 'alice')).body.code,
    ).toBe('ID_INVALID');
  });

  it('runs a conversation: hand-off, claim, an internal note the customer never sees, a reply, resolution, survey', async () => {
    const { body } = await open('alice');
    const id = body.ticket.id;
    const handoff = await call('POST', `/v1/support/tickets/${id}/handoff`, undefined, 'alice');
    expect(handoff).toMatchObject({
      status: 200,
      body: { ticket: { status: 'OPEN', handoffReason: 'CUSTOMER_ASKED' } },
    });
    // customers are not agents; agents are
    expect((await call('GET', '/v1/agent/queues/general/tickets', undefined, 'alice')).status).toBe(
      403,
    );
    const queue = await call(
      'GET',
      '/v1/agent/queues/general/tickets?status=OPEN',
      undefined,
      'agent',
    );
    expect(queue.status).toBe(200);
    expect(queue.body.items.find((t: { id: string }) => t.id === id)).toMatchObject({
      accountId: ALICE,
      assigneeId: null,
      warehouseCodes: ['SH-1'],
    });
    expect(support.last('listQueue')).toMatchObject({
      agentId: AGENT,
      queue: 'general',
      mine: false,
    });
    const claimed = await call('POST', `/v1/agent/tickets/${id}/claim`, undefined, 'agent');
    expect(claimed).toMatchObject({ status: 200, body: { ticket: { assigneeId: AGENT } } });
    const second = await call('POST', `/v1/agent/tickets/${id}/claim`, undefined, 'agent2');
    expect(second).toMatchObject({ status: 409, body: { code: 'ALREADY_CLAIMED' } });

    const note = await call(
      'POST',
      `/v1/agent/tickets/${id}/messages`,
      { body: 'VIP, be quick', internal: true, agentId: AGENT_2 },
      'agent',
    );
    expect(note).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(
      (
        await call(
          'POST',
          `/v1/agent/tickets/${id}/messages`,
          { body: 'VIP, be quick', internal: true },
          'agent',
        )
      ).status,
    ).toBe(201);
    const replied = await call(
      'POST',
      `/v1/agent/tickets/${id}/messages`,
      { body: 'It ships today: SF123.', templateId: 'tracking' },
      'agent',
    );
    expect(replied.status).toBe(201);
    expect(support.last('postAgentMessage')).toMatchObject({
      ticketId: id,
      agentId: AGENT,
      internal: false,
      templateId: 'tracking',
    });
    const agentView = await call('GET', `/v1/agent/tickets/${id}`, undefined, 'agent');
    expect(agentView.body.messages.filter((m: { internal: boolean }) => m.internal)).toHaveLength(
      1,
    );
    expect(support.last('getTicket')).toEqual({ ticketId: id, accountId: '', agentId: AGENT });
    const customerView = await call('GET', `/v1/support/tickets/${id}`, undefined, 'alice');
    const bodies = customerView.body.messages.map((m: { body: string }) => m.body);
    expect(bodies).toContain('It ships today: SF123.');
    expect(bodies).not.toContain('VIP, be quick');
    expect(support.last('getTicket')).toEqual({ ticketId: id, accountId: ALICE, agentId: '' });

    const early = await call('POST', `/v1/support/tickets/${id}/survey`, { rating: 5 }, 'alice');
    expect(early).toMatchObject({ status: 422, body: { code: 'TICKET_NOT_RESOLVED' } });
    const resolved = await call(
      'POST',
      `/v1/agent/tickets/${id}/resolve`,
      { resolutionNote: 'shipped' },
      'agent',
    );
    expect(resolved).toMatchObject({
      status: 200,
      body: { ticket: { status: 'RESOLVED', resolutionNote: 'shipped' } },
    });
    expect(
      (await call('POST', `/v1/support/tickets/${id}/survey`, { rating: 6 }, 'alice')).status,
    ).toBe(400);
    const survey = await call(
      'POST',
      `/v1/support/tickets/${id}/survey`,
      { rating: 5, comment: 'fast\nand kind' },
      'alice',
    );
    expect(survey).toMatchObject({
      status: 200,
      body: { ticket: { survey: { rating: 5, comment: 'fast\nand kind' } } },
    });
    const twice = await call('POST', `/v1/support/tickets/${id}/survey`, { rating: 4 }, 'alice');
    expect(twice).toMatchObject({ status: 409, body: { code: 'SURVEY_ALREADY_SUBMITTED' } });
    const reopened = await call(
      'POST',
      `/v1/support/tickets/${id}/reopen`,
      { body: 'It broke again' },
      'alice',
    );
    expect(reopened).toMatchObject({ status: 200, body: { ticket: { reopenCount: 1 } } });
  });

  it('serves agents their tools and maps a queue they do not work to 403 NOT_IN_QUEUE', async () => {
    const { body } = await open('alice');
    const id = body.ticket.id;
    const senior = await call('GET', '/v1/agent/queues/senior/tickets', undefined, 'agent');
    expect(senior).toMatchObject({ status: 403, body: { code: 'NOT_IN_QUEUE' } });
    const badQueue = await call('GET', '/v1/agent/queues/vip/tickets', undefined, 'agent');
    expect(badQueue).toMatchObject({ status: 400, body: { code: 'PATH_PARAMETER_INVALID' } });
    const suggestions = await call(
      'GET',
      `/v1/agent/tickets/${id}/suggested-replies`,
      undefined,
      'agent',
    );
    expect(suggestions.body.items[0]).toMatchObject({
      template: { id: 'tracking' },
      missingVariables: ['tracking_number'],
    });
    const escalated = await call(
      'POST',
      `/v1/agent/tickets/${id}/escalate`,
      { reason: 'angry' },
      'agent',
    );
    expect(escalated.body.ticket).toMatchObject({ queue: 'senior', escalated: true });
    const shift = await call(
      'PUT',
      '/v1/agent/shift',
      { displayName: 'Ann', onShift: true, queues: ['general'] },
      'agent',
    );
    expect(shift).toMatchObject({ status: 200, body: { agentId: AGENT, onShift: true } });
    expect(
      (
        await call(
          'PUT',
          '/v1/agent/shift',
          { displayName: 'Ann', onShift: true, queues: ['vip'] },
          'agent',
        )
      ).status,
    ).toBe(400);
    // an operator works tickets as an agent too
    const asOperator = await call('GET', '/v1/agent/agents', undefined, 'operator');
    expect(asOperator).toMatchObject({ status: 200, body: { items: [] } });
  });

  it('keeps operator routes to operators: templates, SLA targets, KPIs as the token operator', async () => {
    expect((await call('GET', '/v1/admin/support/sla', undefined, 'agent')).status).toBe(403);
    expect((await call('GET', '/v1/admin/support/sla', undefined, 'alice')).status).toBe(403);
    expect((await call('GET', '/v1/admin/support/sla')).status).toBe(401);
    const template = {
      name: 'Tracking',
      categories: ['LOGISTICS_DELAY'],
      locale: 'en',
      body: 'Order {{order_id}}\nships with {{carrier}}',
    };
    const created = await call('POST', '/v1/admin/support/templates', template, 'operator');
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/admin/support/templates/${created.body.id}`);
    expect(created.body).toMatchObject({ ...template, updatedBy: OPERATOR });
    // support gives a new template its id
    expect(support.last('upsertReplyTemplate')).toMatchObject({
      template: { id: '', name: 'Tracking' },
      operatorId: OPERATOR,
    });
    const put = await call('PUT', '/v1/admin/support/templates/tracking', template, 'operator');
    expect(put).toMatchObject({ status: 200, body: { id: 'tracking' } });
    expect(
      (
        await call(
          'PUT',
          '/v1/admin/support/templates/tracking',
          { ...template, locale: 'de' },
          'operator',
        )
      ).status,
    ).toBe(400);
    const absent = await call('PUT', '/v1/admin/support/templates/missing', template, 'operator');
    expect(absent).toMatchObject({ status: 404, body: { code: 'TEMPLATE_NOT_FOUND' } });
    const gone = await call(
      'DELETE',
      '/v1/admin/support/templates/tracking',
      undefined,
      'operator',
    );
    expect(gone.status).toBe(204);
    const missing = await call(
      'DELETE',
      '/v1/admin/support/templates/missing',
      undefined,
      'operator',
    );
    expect(missing).toMatchObject({ status: 404, body: { code: 'TEMPLATE_NOT_FOUND' } });

    const targets = [{ priority: 'P1', firstResponseMinutes: 15, resolutionMinutes: 120 }];
    const sla = await call('PUT', '/v1/admin/support/sla', { targets }, 'operator');
    expect(sla).toMatchObject({ status: 200, body: { targets } });
    expect(support.last('setSlaTargets')).toEqual({ targets, operatorId: OPERATOR });
    const badSla = await call(
      'PUT',
      '/v1/admin/support/sla',
      { targets: [{ ...targets[0], priority: 'P9' }] },
      'operator',
    );
    expect(badSla.status).toBe(400);

    const kpis = await call(
      'GET',
      '/v1/admin/support/kpis?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
      undefined,
      'operator',
    );
    expect(kpis).toMatchObject({
      status: 200,
      body: { agents: [{ agentId: AGENT, resolutionRate: 0.75 }], team: { agentId: null } },
    });
    expect(
      (await call('GET', '/v1/admin/support/kpis?from=yesterday&to=today', undefined, 'operator'))
        .status,
    ).toBe(400);
  });

  it('exports the weekly insights as JSON, or as a CSV download by format or Accept', async () => {
    const json = await call(
      'GET',
      '/v1/admin/support/insights?week=2026-W48',
      undefined,
      'operator',
    );
    expect(json).toMatchObject({
      status: 200,
      body: {
        week: '2026-W48',
        rows: [{ category: 'LOGISTICS_DELAY', skuId: null, warehouseCode: 'SH-1', tickets: 3 }],
      },
    });
    for (const [query, headers] of [
      ['&format=csv', {}],
      ['', { accept: 'text/csv' }],
    ] as const) {
      const csv = await call(
        'GET',
        `/v1/admin/support/insights?week=2026-W48${query}`,
        undefined,
        'operator',
        headers,
      );
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.headers.get('content-disposition')).toBe(
        'attachment; filename="complaints-2026-W48.csv"',
      );
      expect(csv.text.split('\n')[0]).toBe('category,sku_id,warehouse_code,tickets');
    }
    const badShape = await call(
      'GET',
      '/v1/admin/support/insights?week=2026-48',
      undefined,
      'operator',
    );
    expect(badShape).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    const noSuchWeek = await call(
      'GET',
      `/v1/admin/support/insights?week=${BAD_WEEK}`,
      undefined,
      'operator',
    );
    expect(noSuchWeek).toMatchObject({ status: 400, body: { code: 'WEEK_INVALID' } });
  });

  it('limits support writes per account with 429 and Retry-After; other accounts go on', async () => {
    for (let i = 0; i < SUPPORT_LIMIT; i++)
      expect((await open('flooder', { subject: 'x'.repeat(201) })).status).toBe(400);
    const over = await open('flooder');
    expect(over).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await open('bob')).status).toBe(201);
  });

  it('answers 503 BACKEND_UNAVAILABLE with Retry-After while support is down', async () => {
    await support.stop();
    const res = await call('GET', '/v1/support/tickets', undefined, 'alice');
    expect(res).toMatchObject({ status: 503, body: { code: 'BACKEND_UNAVAILABLE' } });
    expect(res.headers.get('retry-after')).toBe('2');
  });
});
