import { supportHarness, uid } from '../testing/harness';

const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'NO ERROR',
    (e: { code?: string }) => e.code,
  );

const C1 = uid(0xc1);
const C2 = uid(0xc2);
const A1 = uid(0xa1);
const A2 = uid(0xa2);
const S1 = uid(0x51);
const ORDER = uid(0x0d);
const SKU = uid(0x5c);
const MIN = 60_000;

describe('opening a ticket and the bot', () => {
  it('the bot answers first: status BOT, customer then bot message, no clock running', async () => {
    const h = supportHarness();
    const { ticket, messages } = await h.open(C1);
    expect(ticket).toMatchObject({ status: 'BOT', priority: 'P3', handedOffAt: null });
    expect(messages.map((m) => m.authorKind)).toEqual(['CUSTOMER', 'BOT']);
    expect(h.bot.questions[0]).toMatchObject({
      accountId: C1,
      text: 'It has not arrived',
      locale: 'zh-CN',
    });
    expect(h.events().map((e) => e.event.type)).toEqual(['TicketOpened', 'TicketReplied']);
  });

  it('PRODUCT_QUALITY goes straight to a person (reason CATEGORY), the tier makes it P1', async () => {
    const h = supportHarness();
    h.customers.tiers.set(C1, 'GOLD');
    await h.agent(A1);
    const { ticket, messages } = await h.open(C1, { category: 'PRODUCT_QUALITY' });
    expect(h.bot.questions).toHaveLength(0);
    expect(messages).toHaveLength(1);
    expect(ticket).toMatchObject({
      status: 'ASSIGNED',
      assigneeId: A1,
      priority: 'P1',
      tierCode: 'GOLD',
      handoffReason: 'CATEGORY',
      firstResponseDueAt: new Date(h.clock.now().getTime() + 15 * MIN),
    });
  });

  it('a failing bot is a hand-off BOT_CANNOT_ANSWER, never an error to the customer', async () => {
    const h = supportHarness();
    h.bot.fail = true;
    const { ticket } = await h.open(C1);
    expect(ticket).toMatchObject({
      status: 'OPEN',
      handoffReason: 'BOT_CANNOT_ANSWER',
      queue: 'general',
    });
    expect(h.events('TicketHandedOff')).toHaveLength(1);
  });

  it('a bot hand-off keeps its text; the customer asking for a person keeps the same conversation', async () => {
    const h = supportHarness();
    await h.agent(A1);
    const { ticket } = await h.open(C1);
    const again = await h.customer.post(h.ctx, ticket.id, C1, 'and the tracking?', []);
    expect(again.messages.map((m) => m.authorKind)).toEqual(['CUSTOMER', 'BOT']);
    expect(h.bot.questions).toHaveLength(2);
    const handed = await h.customer.requestHandoff(h.ctx, ticket.id, C1);
    expect(handed.ticket).toMatchObject({
      id: ticket.id,
      status: 'ASSIGNED',
      assigneeId: A1,
      handoffReason: 'CUSTOMER_ASKED',
    });
    const seen = await h.desk.get(h.ctx, ticket.id);
    expect(seen.messages.map((m) => m.authorKind)).toEqual(['CUSTOMER', 'BOT', 'CUSTOMER', 'BOT']);
    h.bot.reply = () => ({
      kind: 'handoff',
      reason: 'CUSTOMER_ASKED',
      text: 'A colleague will answer.',
    });
    const other = await h.open(C2);
    expect(other.ticket.status).toBe('ASSIGNED');
    expect(other.messages.map((m) => [m.authorKind, m.body])).toEqual([
      ['CUSTOMER', 'It has not arrived'],
      ['BOT', 'A colleague will answer.'],
    ]);
  });

  it('the same request id is the same ticket', async () => {
    const h = supportHarness();
    const first = await h.open(C1, { requestId: 'r-1' });
    const again = await h.open(C1, { requestId: 'r-1' });
    const otherAccount = await h.open(C2, { requestId: 'r-1' });
    expect(again.ticket.id).toBe(first.ticket.id);
    expect(again.messages).toHaveLength(2);
    expect(otherAccount.ticket.id).not.toBe(first.ticket.id);
    expect(h.events('TicketOpened')).toHaveLength(2);
  });

  it('checks the order and its line, keeps the warehouses; opens without them when order is down', async () => {
    const h = supportHarness();
    h.orders.add(C1, ORDER, [SKU], ['WH-SH', 'WH-BJ', 'WH-SH']);
    expect(await code(h.open(C2, { orderId: ORDER }))).toBe('ORDER_NOT_FOUND');
    expect(await code(h.open(C1, { orderId: ORDER, skuId: uid(0x99) }))).toBe('LINE_NOT_FOUND');
    const { ticket } = await h.open(C1, { orderId: ORDER, skuId: SKU });
    expect(ticket.warehouseCodes).toEqual(['WH-BJ', 'WH-SH']);
    h.orders.down = true;
    const down = await h.open(C1, { orderId: ORDER, skuId: SKU });
    expect(down.ticket).toMatchObject({ orderId: ORDER, warehouseCodes: [] });
  });

  it('refuses bad attachments and bodies with their codes, writing nothing', async () => {
    const h = supportHarness();
    expect(await code(h.open(C1, { attachmentUrls: ['http://x.example.com/a.png'] }))).toBe(
      'ATTACHMENT_URL_INVALID',
    );
    expect(await code(h.open(C1, { body: '  ' }))).toBe('BODY_INVALID');
    expect(await code(h.open(C1, { subject: 'x'.repeat(201) }))).toBe('SUBJECT_INVALID');
    expect(h.store.tickets.size).toBe(0);
    const untitled = await h.open(C1, { subject: '' });
    expect(untitled.ticket.subject).toBe('It has not arrived');
  });
});

describe('queues, round-robin and claims', () => {
  it('assigns round-robin over the on-shift agents of the queue, least recently assigned first', async () => {
    const h = supportHarness();
    h.bot.fail = true;
    await h.agent(A2);
    await h.agent(A1);
    await h.agent(uid(0xa3), ['general'], false);
    await h.agent(uid(0xa4), ['senior']);
    const assignees = [];
    for (let i = 0; i < 4; i++) assignees.push((await h.open(C1)).ticket.assigneeId);
    expect(assignees).toEqual([A1, A2, A1, A2]);
  });

  it('without agents on shift the ticket stays OPEN; claims check the queue and the race', async () => {
    const h = supportHarness();
    h.bot.fail = true;
    const { ticket } = await h.open(C1);
    expect(ticket).toMatchObject({ status: 'OPEN', assigneeId: null });
    await h.agent(A1, ['general'], false);
    await h.agent(A2, ['general'], false);
    await h.agent(S1, ['senior'], false);
    expect(await code(h.desk.claim(h.ctx, ticket.id, S1))).toBe('NOT_IN_QUEUE');
    // one after the other here (the race itself runs on Postgres: test/support.int-spec.ts)
    expect((await h.desk.claim(h.ctx, ticket.id, A1)).ticket.assigneeId).toBe(A1);
    const lost = h.desk.claim(h.ctx, ticket.id, A2);
    await expect(lost).rejects.toMatchObject({ code: 'ALREADY_CLAIMED', kind: 'ABORTED' });
    expect(await code(h.desk.listQueue(h.ctx, S1, 'general', undefined, false, '', 0))).toBe(
      'NOT_IN_QUEUE',
    );
    const page = await h.desk.listQueue(h.ctx, A2, 'general', undefined, false, '', 0);
    expect(page.items.map((t) => t.assigneeId)).toEqual([A1]);
    expect(await code(h.desk.listQueue(h.ctx, A2, 'general', undefined, false, 'nope', 0))).toBe(
      'INVALID_CURSOR',
    );
    const forged = Buffer.from(JSON.stringify(['P1|yesterday', 'x'])).toString('base64url');
    expect(await code(h.desk.listQueue(h.ctx, A2, 'general', undefined, false, forged, 0))).toBe(
      'INVALID_CURSOR',
    );
    expect(await code(h.customer.listMine(h.ctx, C1, undefined, forged, 0))).toBe('INVALID_CURSOR');
  });

  it('pages a queue by priority then hand-off time', async () => {
    const h = supportHarness({ autoAssign: false });
    h.bot.fail = true;
    await h.agent(A1);
    const ids = [];
    for (const category of ['OTHER', 'ACCOUNT', 'RETURN_REFUND'] as const) {
      ids.push((await h.open(C1, { category })).ticket.id);
      h.clock.advance(MIN);
    }
    const first = await h.desk.listQueue(h.ctx, A1, 'general', undefined, false, '', 2);
    const second = await h.desk.listQueue(
      h.ctx,
      A1,
      'general',
      undefined,
      false,
      first.nextCursor,
      2,
    );
    expect([...first.items, ...second.items].map((t) => t.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(second.nextCursor).toBe('');
  });
});

describe('conversation and visibility', () => {
  it('a customer never sees another account’s ticket nor internal notes', async () => {
    const h = supportHarness();
    h.bot.fail = true;
    await h.agent(A1);
    const { ticket } = await h.open(C1);
    await h.desk.post(h.ctx, {
      ticketId: ticket.id,
      agentId: A1,
      body: 'VIP, careful',
      attachmentUrls: [],
      internal: true,
      templateId: '',
    });
    expect((await h.customer.get(h.ctx, ticket.id, C1)).ticket.firstRespondedAt).toBeNull();
    await h.desk.post(h.ctx, {
      ticketId: ticket.id,
      agentId: A1,
      body: 'On its way',
      attachmentUrls: [],
      internal: false,
      templateId: '',
    });
    const mine = await h.customer.get(h.ctx, ticket.id, C1);
    expect(mine.messages.map((m) => m.body)).toEqual(['It has not arrived', 'On its way']);
    expect(mine.ticket.status).toBe('WAITING_CUSTOMER');
    expect((await h.desk.get(h.ctx, ticket.id)).messages).toHaveLength(3);
    for (const p of [
      h.customer.get(h.ctx, ticket.id, C2),
      h.customer.post(h.ctx, ticket.id, C2, 'hi', []),
      h.customer.submitSurvey(h.ctx, ticket.id, C2, 5, ''),
      h.customer.reopen(h.ctx, ticket.id, C2, ''),
      h.customer.requestHandoff(h.ctx, ticket.id, C2),
    ])
      expect(await code(p)).toBe('TICKET_NOT_FOUND');
    expect((await h.customer.listMine(h.ctx, C2, undefined, '', 0)).items).toEqual([]);
    expect(h.events('TicketReplied').map((e) => e.event)).toEqual([
      expect.objectContaining({ authorKind: 'AGENT' }),
    ]);
  });
});

describe('escalation by hand and who may write', () => {
  it('an agent escalates: senior queue, round-robin there, the reason as an internal note; once', async () => {
    const h = supportHarness();
    h.bot.fail = true;
    await h.agent(A1);
    await h.agent(S1, ['senior']);
    const { ticket } = await h.open(C1);
    const up = await h.desk.escalate(h.ctx, ticket.id, A1, 'angry customer');
    expect(up.ticket).toMatchObject({
      queue: 'senior',
      escalated: true,
      status: 'ASSIGNED',
      assigneeId: S1,
    });
    expect(h.events('TicketEscalated').map((e) => e.event)).toEqual([
      expect.objectContaining({ reason: 'AGENT' }),
    ]);
    expect((await h.customer.get(h.ctx, ticket.id, C1)).messages).toHaveLength(1);
    expect((await h.desk.get(h.ctx, ticket.id)).messages.map((m) => m.internal)).toEqual([
      false,
      true,
    ]);
    expect(await code(h.desk.escalate(h.ctx, ticket.id, S1, ''))).toBe('ALREADY_ESCALATED');
  });

  it('only agents of the ticket’s queue (or its holder) write; nobody replies to a BOT ticket', async () => {
    const h = supportHarness();
    await h.agent(A1);
    await h.agent(S1, ['senior']);
    const { ticket } = await h.open(C1);
    const msg = { ticketId: ticket.id, body: 'hi', attachmentUrls: [], templateId: '' };
    expect(await code(h.desk.post(h.ctx, { ...msg, agentId: A1, internal: false }))).toBe(
      'TICKET_STATE_INVALID',
    );
    expect(await code(h.desk.post(h.ctx, { ...msg, agentId: S1, internal: true }))).toBe(
      'NOT_IN_QUEUE',
    );
    expect(await code(h.desk.post(h.ctx, { ...msg, agentId: uid(0x77), internal: true }))).toBe(
      'NOT_IN_QUEUE',
    );
    await h.desk.post(h.ctx, { ...msg, agentId: A1, internal: true });
    expect(await code(h.desk.resolve(h.ctx, ticket.id, A1, ''))).toBe('TICKET_STATE_INVALID');
  });
});

describe('resolution, survey, reopen', () => {
  async function resolved(h: ReturnType<typeof supportHarness>) {
    h.bot.fail = true;
    await h.agent(A1);
    await h.agent(A2);
    const { ticket } = await h.open(C1);
    await h.desk.post(h.ctx, {
      ticketId: ticket.id,
      agentId: A1,
      body: 'Done',
      attachmentUrls: [],
      internal: false,
      templateId: '',
    });
    return (await h.desk.resolve(h.ctx, ticket.id, A1, 'reshipped')).ticket;
  }

  it('survey once; reopen goes back to the same agent on shift, else round-robin', async () => {
    const h = supportHarness();
    const t = await resolved(h);
    await h.customer.submitSurvey(h.ctx, t.id, C1, 5, 'thanks');
    expect(await code(h.customer.submitSurvey(h.ctx, t.id, C1, 4, ''))).toBe(
      'SURVEY_ALREADY_SUBMITTED',
    );
    const back = await h.customer.reopen(h.ctx, t.id, C1, 'broken again');
    expect(back.ticket).toMatchObject({ status: 'ASSIGNED', assigneeId: A1, reopenCount: 1 });
    expect(back.messages.map((m) => m.body)).toEqual(['broken again']);
    await h.desk.resolve(h.ctx, t.id, A1, '');
    await h.agent(A1, ['general'], false);
    const next = await h.customer.reopen(h.ctx, t.id, C1, '');
    expect(next.ticket).toMatchObject({ status: 'ASSIGNED', assigneeId: A2, reopenCount: 2 });
  });

  it('after the window: REOPEN_WINDOW_CLOSED, and the sweep closes it', async () => {
    const h = supportHarness();
    const t = await resolved(h);
    h.clock.advance(7 * 24 * 60 * MIN);
    expect(await code(h.customer.reopen(h.ctx, t.id, C1, ''))).toBe('REOPEN_WINDOW_CLOSED');
    expect((await h.sweep.run(h.ctx)).closed).toBe(1);
    expect(h.store.tickets.get(t.id)!.status).toBe('CLOSED');
  });
});

describe('the sweep', () => {
  it('breach: SlaBreached once per clock, escalated to senior and assigned there round-robin', async () => {
    const h = supportHarness();
    h.bot.fail = true;
    await h.agent(S1, ['senior']);
    const { ticket } = await h.open(C1); // P3: 4 h first response, nobody in general
    h.clock.advance(4 * 60 * MIN - 1);
    expect((await h.sweep.run(h.ctx)).breaches).toBe(0);
    h.clock.advance(1);
    expect((await h.sweep.run(h.ctx)).breaches).toBe(1);
    expect(h.store.tickets.get(ticket.id)).toMatchObject({
      queue: 'senior',
      escalated: true,
      status: 'ASSIGNED',
      assigneeId: S1,
      firstResponseBreached: true,
    });
    expect(h.events('SlaBreached').map((e) => e.event)).toEqual([
      expect.objectContaining({ clock: 'FIRST_RESPONSE' }),
    ]);
    expect(h.events('TicketEscalated').map((e) => e.event)).toEqual([
      expect.objectContaining({ reason: 'SLA_BREACH' }),
    ]);
    expect((await h.sweep.run(h.ctx)).breaches).toBe(0);
    h.clock.advance(48 * 60 * MIN);
    expect((await h.sweep.run(h.ctx)).breaches).toBe(1);
    expect(h.events('SlaBreached')).toHaveLength(2);
    expect(h.events('TicketEscalated')).toHaveLength(1);
  });

  it('follow-up once after SUPPORT_FOLLOW_UP_DAYS; low satisfaction escalated once; idle bot tickets resolved', async () => {
    const h = supportHarness();
    await h.agent(A1);
    const botTicket = (await h.open(C2)).ticket;
    h.bot.fail = true;
    const { ticket } = await h.open(C1);
    await h.desk.post(h.ctx, {
      ticketId: ticket.id,
      agentId: A1,
      body: 'ok',
      attachmentUrls: [],
      internal: false,
      templateId: '',
    });
    await h.desk.resolve(h.ctx, ticket.id, A1, '');
    await h.customer.submitSurvey(h.ctx, ticket.id, C1, 2, 'slow');
    const first = await h.sweep.run(h.ctx);
    expect(first).toMatchObject({ lowSatisfaction: 1, followUps: 0, botResolved: 0 });
    expect(h.store.tickets.get(ticket.id)).toMatchObject({ queue: 'senior', status: 'RESOLVED' });
    h.clock.advance(3 * 24 * 60 * MIN);
    expect(await h.sweep.run(h.ctx)).toMatchObject({
      lowSatisfaction: 0,
      followUps: 1,
      botResolved: 1,
    });
    expect(await h.sweep.run(h.ctx)).toMatchObject({ followUps: 0, botResolved: 0 });
    const visible = await h.customer.get(h.ctx, ticket.id, C1);
    expect(visible.messages.map((m) => m.authorKind)).toEqual(['CUSTOMER', 'AGENT', 'SYSTEM']);
    expect(h.store.tickets.get(botTicket.id)!.status).toBe('RESOLVED');
  });
});

describe('templates, SLA targets, KPIs', () => {
  it('refuses unknown variables; suggests the ticket’s templates rendered, missing ones named', async () => {
    const h = supportHarness();
    expect(
      await code(
        h.ops.upsertTemplate(
          h.ctx,
          { id: '', name: 'x', categories: [], locale: 'en', body: '{{coupon_code}}' },
          'op',
        ),
      ),
    ).toBe('TEMPLATE_INVALID');
    await h.ops.upsertTemplate(
      h.ctx,
      {
        id: '',
        name: 'tracking',
        categories: ['LOGISTICS_DELAY'],
        locale: 'en',
        body: 'Hi {{customer_name}}, {{carrier}} {{tracking_number}} ({{return_id}})',
      },
      'op',
    );
    await h.ops.upsertTemplate(
      h.ctx,
      { id: '', name: 'other', categories: ['ACCOUNT'], locale: 'en', body: 'x' },
      'op',
    );
    h.orders.add(C1, ORDER, [SKU], ['WH-SH']);
    h.customers.names.set(C1, 'Li Lei');
    await h.agent(A1);
    const { ticket } = await h.open(C1, { orderId: ORDER, locale: 'en' });
    const [reply, ...rest] = await h.desk.suggest(h.ctx, ticket.id, A1);
    expect(rest).toEqual([]);
    expect(reply).toMatchObject({
      rendered: 'Hi Li Lei, SF SF000123 ({{return_id}})',
      missingVariables: ['return_id'],
    });
  });

  it('SLA targets are replaced whole and used at the next hand-off', async () => {
    const h = supportHarness();
    h.bot.fail = true;
    expect(
      await code(
        h.ops.setSlaTargets(
          h.ctx,
          [{ priority: 'P1', firstResponseMinutes: 5, resolutionMinutes: 60 }],
          'op',
        ),
      ),
    ).toBe('SLA_TARGETS_INVALID');
    await h.ops.setSlaTargets(
      h.ctx,
      ['P1', 'P2', 'P3', 'P4'].map((p, i) => ({
        priority: p as 'P1',
        firstResponseMinutes: 10 * (i + 1),
        resolutionMinutes: 100 * (i + 1),
      })),
      'op',
    );
    const { ticket } = await h.open(C1);
    expect(ticket.firstResponseDueAt!.getTime() - ticket.handedOffAt!.getTime()).toBe(30 * MIN);
  });

  it('KPIs validate the range', async () => {
    const h = supportHarness();
    expect(await code(h.ops.kpis(h.ctx, '2026-01-01T00:00:00Z', '2027-01-03T00:00:00Z'))).toBe(
      'RANGE_INVALID',
    );
    expect(await code(h.ops.kpis(h.ctx, '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'))).toBe(
      'RANGE_INVALID',
    );
    expect(await code(h.ops.kpis(h.ctx, 'yesterday', '2026-01-01T00:00:00Z'))).toBe(
      'RANGE_INVALID',
    );
    expect(await code(h.ops.insights(h.ctx, '2026-W54'))).toBe('WEEK_INVALID');
  });
});
