import { randomUUID } from 'node:crypto';
import { anHttpCheckout, eventually, startPlatform, type Platform } from '@emporia/testing';

jest.setTimeout(240_000);

const PASSWORD = 'a long enough password';

/** startPlatform's options with the support service (the deploy helper adds the flag). */
type Want = Parameters<typeof startPlatform>[0] & { support?: boolean; review?: boolean };

/**
 * Customer service end to end, every service a process on real Postgres, Redis and Kafka: a
 * customer's ticket about a shipped order is answered by the bot from that order (its tracking
 * number), handed to a person on request with the same conversation, claimed by an agent who
 * writes an internal note and a reply; the customer sees the reply and never the note, another
 * customer cannot see the ticket at all; resolution, the survey, the operators' figures.
 */
describe('support end to end: gateway → support → order, user', () => {
  let platform: Platform;
  let operator: Record<string, string>;
  const email = (name: string) => `${name}.${platform.suffix}@example.cn`;

  /** A paid order of one unit, handed to a carrier: its id and tracking number. */
  const shippedOrder = async (buyer: Record<string, string>) => {
    const { api } = platform;
    const skuId = await platform.stockedSku(operator, { stock: 5, warehouseCode: 'SH-1' });
    const order = await anHttpCheckout(api, buyer).of(skuId).send();
    expect(order.status).toBe(201);
    const orderId = order.body.id as string;
    const pay = await api('POST', `/v1/orders/${orderId}/payments`, {}, buyer);
    const paid = await api('POST', `/v1/payments/sandbox/pay/${pay.body.paymentId}`, {}, buyer);
    expect(paid.body.outcome).toBe('PAID');
    const shipments = await eventually(
      async () => {
        const items = (await api('GET', `/v1/orders/${orderId}/shipments`, undefined, buyer)).body
          .items as { id: string }[];
        return items.length ? items : undefined;
      },
      { what: 'a shipment of the paid order' },
    );
    const trackingNumber = `SF${Date.now()}`;
    const shipped = await api(
      'POST',
      `/v1/admin/shipments/${shipments[0].id}/ship`,
      { carrier: 'sf', trackingNumber },
      operator,
    );
    expect(shipped.status).toBe(200);
    return { orderId, skuId, trackingNumber };
  };

  beforeAll(async () => {
    const want: Want = { catalog: true, user: true, order: true, support: true };
    platform = await startPlatform(want);
    operator = (await platform.signIn(email('ops'), PASSWORD, 'customer,operator')).auth;
  });

  afterAll(async () => platform?.stop());

  it('bot answers from the real order, hands over, an agent answers; the customer never sees the note, another customer not the ticket', async () => {
    const { api } = platform;
    const alice = await platform.signIn(email('alice'), PASSWORD);
    const bob = await platform.signIn(email('bob'), PASSWORD);
    const agent = await platform.signIn(email('agent'), PASSWORD, 'customer,agent');
    const { orderId, trackingNumber } = await shippedOrder(alice.auth);

    // the agent works the general queue, off round-robin so that the claim below is theirs
    const shift = await api(
      'PUT',
      '/v1/agent/shift',
      { displayName: 'Ann', onShift: false, queues: ['general'] },
      agent.auth,
    );
    expect(shift).toMatchObject({ status: 200, body: { agentId: agent.accountId } });
    expect((await api('PUT', '/v1/agent/shift', shift.body, alice.auth)).status).toBe(403);

    const key = { 'idempotency-key': randomUUID() };
    const ticket = {
      category: 'LOGISTICS_DELAY',
      subject: '快递到哪了',
      body: 'Where is my parcel? 我的快递到哪了？',
      orderId,
      locale: 'en',
    };
    const opened = await api('POST', '/v1/support/tickets', ticket, { ...alice.auth, ...key });
    expect(opened.status).toBe(201);
    const id = opened.body.ticket.id as string;
    expect(opened.body.ticket).toMatchObject({ status: 'BOT', orderId });
    const bot = opened.body.messages.find((m: { authorKind: string }) => m.authorKind === 'BOT');
    expect(bot.body).toContain(trackingNumber);
    // a retry with the same key is the same ticket
    const again = await api('POST', '/v1/support/tickets', ticket, { ...alice.auth, ...key });
    expect(again.body.ticket.id).toBe(id);
    expect(
      (await api('GET', '/v1/support/tickets', undefined, alice.auth)).body.items,
    ).toHaveLength(1);

    // another customer: the ticket does not exist for them
    for (const [method, path, body] of [
      ['GET', `/v1/support/tickets/${id}`, undefined],
      ['POST', `/v1/support/tickets/${id}/messages`, { body: 'hello' }],
      ['POST', `/v1/support/tickets/${id}/handoff`, undefined],
    ] as const) {
      const res = await api(method, path, body, bob.auth);
      expect([method, path, res.status, res.body.code]).toEqual([
        method,
        path,
        404,
        'TICKET_NOT_FOUND',
      ]);
    }
    expect((await api('GET', '/v1/support/tickets', undefined, bob.auth)).body.items).toEqual([]);
    // a customer is not an agent
    expect((await api('GET', `/v1/agent/tickets/${id}`, undefined, alice.auth)).body.code).toBe(
      'ROLE_REQUIRED',
    );

    // hand-off keeps the conversation
    const handed = await api('POST', `/v1/support/tickets/${id}/handoff`, undefined, alice.auth);
    expect(handed.status).toBe(200);
    expect(handed.body.ticket).toMatchObject({ status: 'OPEN', handoffReason: 'CUSTOMER_ASKED' });
    const inQueue = await eventually(
      async () => {
        const q = await api('GET', '/v1/agent/queues/general/tickets', undefined, agent.auth);
        return q.body.items?.find((t: { id: string }) => t.id === id);
      },
      { what: 'the ticket in the general queue' },
    );
    expect(inQueue).toMatchObject({ accountId: alice.accountId, status: 'OPEN' });

    const claimed = await api('POST', `/v1/agent/tickets/${id}/claim`, undefined, agent.auth);
    expect(claimed).toMatchObject({
      status: 200,
      body: { ticket: { status: 'ASSIGNED', assigneeId: agent.accountId } },
    });
    const agentView = claimed.body.messages.map((m: { body: string }) => m.body);
    expect(agentView).toEqual(expect.arrayContaining([ticket.body, bot.body]));

    const suggestions = await api(
      'GET',
      `/v1/agent/tickets/${id}/suggested-replies`,
      undefined,
      agent.auth,
    );
    expect(suggestions.status).toBe(200);

    const note = await api(
      'POST',
      `/v1/agent/tickets/${id}/messages`,
      { body: 'Carrier hub delayed; offer a coupon if it slips again', internal: true },
      agent.auth,
    );
    expect(note.status).toBe(201);
    const reply = await api(
      'POST',
      `/v1/agent/tickets/${id}/messages`,
      { body: `It is on its way: ${trackingNumber}.` },
      agent.auth,
    );
    expect(reply.status).toBe(201);
    const full = await api('GET', `/v1/agent/tickets/${id}`, undefined, agent.auth);
    expect(full.body.messages.filter((m: { internal: boolean }) => m.internal)).toHaveLength(1);

    const seen = await api('GET', `/v1/support/tickets/${id}`, undefined, alice.auth);
    const bodies = seen.body.messages.map((m: { body: string }) => m.body);
    expect(bodies).toEqual(
      expect.arrayContaining([ticket.body, bot.body, `It is on its way: ${trackingNumber}.`]),
    );
    expect(bodies.join('\n')).not.toContain('Carrier hub delayed');
    expect(JSON.stringify(seen.body)).not.toContain('"internal"');
    expect(seen.body.ticket.status).toBe('WAITING_CUSTOMER');

    // resolution, then the survey, once
    const early = await api('POST', `/v1/support/tickets/${id}/survey`, { rating: 5 }, alice.auth);
    expect([early.status, early.body.code]).toEqual([422, 'TICKET_NOT_RESOLVED']);
    const resolved = await api(
      'POST',
      `/v1/agent/tickets/${id}/resolve`,
      { resolutionNote: 'tracking shared' },
      agent.auth,
    );
    expect(resolved.body.ticket).toMatchObject({ status: 'RESOLVED' });
    expect(resolved.body.ticket.reopenUntil).toEqual(expect.any(String));
    const survey = await api(
      'POST',
      `/v1/support/tickets/${id}/survey`,
      { rating: 5, comment: 'quick and clear' },
      alice.auth,
    );
    expect(survey).toMatchObject({ status: 200, body: { ticket: { survey: { rating: 5 } } } });
    const twice = await api('POST', `/v1/support/tickets/${id}/survey`, { rating: 1 }, alice.auth);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('SURVEY_ALREADY_SUBMITTED');

    // the supervisors' figures count it
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const kpis = await api(
      'GET',
      `/v1/admin/support/kpis?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      undefined,
      operator,
    );
    expect(kpis.status).toBe(200);
    expect(kpis.body.team).toMatchObject({ ticketsResolved: 1, surveys: 1, satisfactionAvg: 5 });
    expect(kpis.body.agents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ agentId: agent.accountId, ticketsResolved: 1 }),
      ]),
    );
    expect(
      (await api('GET', `/v1/admin/support/kpis?from=${from}&to=${to}`, undefined, agent.auth))
        .status,
    ).toBe(403);
  });

  it('keeps reply templates and SLA targets to operators, and exports the week as CSV', async () => {
    const { api } = platform;
    const agent = await platform.signIn(email('agent2'), PASSWORD, 'customer,agent');
    const template = {
      name: 'Tracking',
      categories: ['LOGISTICS_DELAY'],
      locale: 'en',
      body: 'Your order {{order_id}} travels with {{carrier}}: {{tracking_number}}.',
    };
    expect((await api('POST', '/v1/admin/support/templates', template, agent.auth)).status).toBe(
      403,
    );
    const created = await api('POST', '/v1/admin/support/templates', template, operator);
    expect(created.status).toBe(201);
    const listed = await api(
      'GET',
      '/v1/admin/support/templates?category=LOGISTICS_DELAY',
      undefined,
      operator,
    );
    expect(listed.body.items.map((t: { id: string }) => t.id)).toContain(created.body.id);
    expect(
      (await api('DELETE', `/v1/admin/support/templates/${created.body.id}`, undefined, operator))
        .status,
    ).toBe(204);

    const sla = await api('GET', '/v1/admin/support/sla', undefined, operator);
    expect(sla.body.targets.map((t: { priority: string }) => t.priority)).toEqual(
      expect.arrayContaining(['P1', 'P4']),
    );
    const put = await api('PUT', '/v1/admin/support/sla', { targets: sla.body.targets }, operator);
    expect(put).toMatchObject({ status: 200, body: { targets: sla.body.targets } });

    const week = isoWeek(new Date());
    const csv = await platform.api(
      'GET',
      `/v1/admin/support/insights?week=${week}&format=json`,
      undefined,
      operator,
    );
    expect(csv).toMatchObject({ status: 200, body: { week } });
    const download = await fetch(`${platform.gatewayUrl}/v1/admin/support/insights?week=${week}`, {
      headers: { ...operator, accept: 'text/csv' },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="complaints-${week}.csv"`,
    );
    expect((await download.text()).split('\n')[0]).toMatch(/category/);
  });
});

/** The ISO week of a day (UTC), as 2026-W48. */
function isoWeek(d: Date): string {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
