import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Consumer } from 'kafkajs';
import { Client } from 'pg';
import { PROTO_FILES, supportV1 } from '@emporia/contracts';
import { FakeClock } from '@emporia/domain/testing';
import { createKafka, HEADER } from '@emporia/messaging';
import { fromGrpcError, newContext, type RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { SupportSweepUseCase } from '../src/application/support-sweep.use-case';
import { supportConfigSchema } from '../src/config';
import { startSupport } from '../src/support.app';
import { FakeBot, FakeOrders } from '../src/testing/in-memory';

jest.setTimeout(120_000);

type Ticket = supportV1.Ticket;
type View = { ticket: Ticket; messages: supportV1.TicketMessage[] };

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/**
 * The support service on real Postgres and Kafka, driven over gRPC with a clock the test moves
 * (the sweep uses it), a scripted bot and scripted orders; the user service is absent (no tier).
 */
describe('support service (real Postgres + Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `sup${suffix}.`;
  const clock = new FakeClock(new Date('2030-03-04T01:00:00Z')); // a Monday, 09:00 in Shanghai
  const bot = new FakeBot();
  const orders = new FakeOrders();
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  let consumer: Consumer;
  const events: { type: string; key: string; eventId: string; value: Buffer }[] = [];
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'support-it',
    logger: testLogger('kafka'),
  });

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;
  const sweep = () => service.app.get(SupportSweepUseCase).run(newContext());
  const of = (ticketId: string, type: string) =>
    events.filter((e) => e.key === ticketId && e.type === `emporia.support.v1.${type}`);

  const open = (accountId: string, over: Record<string, unknown> = {}) =>
    call<View>('openTicket', {
      accountId,
      category: 'LOGISTICS_DELAY',
      subject: 'Where is my parcel?',
      body: 'It has not arrived',
      locale: 'en',
      ...over,
    });
  const agent = (agentId: string, queues: string[], onShift = true) =>
    call('setAgentShift', {
      agentId,
      displayName: `agent ${agentId.slice(0, 4)}`,
      onShift,
      queues,
    });
  /** Every agent registered so far off shift: the next test's agents are the only ones assigned. */
  const everyoneOff = async () => {
    const { agents } = await call<{ agents: supportV1.Agent[] }>('listAgents', {});
    for (const a of agents) await agent(a.agentId, a.queues, false);
  };
  const reply = (ticketId: string, agentId: string, body: string, internal = false) =>
    call<View>('postAgentMessage', { ticketId, agentId, body, internal });
  const agentView = (ticketId: string, agentId: string) =>
    call<View>('getTicket', { ticketId, agentId });

  beforeAll(async () => {
    db = await createTestDatabase('support_it');
    const config = supportConfigSchema.parse({
      SUPPORT_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      SUPPORT_GRPC_PORT: String(await freePort()),
      SUPPORT_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      SUPPORT_MIGRATE_ON_START: 'true',
      // the test runs the sweep itself, at the moments it chooses
      SUPPORT_SWEEP_INTERVAL_MS: String(3_600_000),
      USER_GRPC_URL: `127.0.0.1:${await freePort()}`,
      GRPC_DEADLINE_MS: '300',
      OUTBOX_POLL_MS: '100',
    });
    service = await startSupport(config, testLogger('support'), { clock, bot, orders });
    client = grpcTestClient(
      PROTO_FILES.support,
      'emporia.support.v1.SupportService',
      service.grpcUrl!,
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    consumer = kafka.consumer({ groupId: `support-it-${suffix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}support.ticket`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        events.push({
          type: message.headers?.[HEADER.eventType]?.toString() ?? '',
          key: message.key?.toString() ?? '',
          eventId: message.headers?.[HEADER.eventId]?.toString() ?? '',
          value: message.value!,
        });
      },
    });
  });

  afterAll(async () => {
    client?.close();
    await consumer?.disconnect();
    await pg?.end();
    await service?.close();
    await db?.drop();
  });

  beforeEach(() => {
    bot.fail = false;
    bot.reply = (q) =>
      /person/i.test(q.text)
        ? { kind: 'handoff', reason: 'CUSTOMER_ASKED', text: '' }
        : { kind: 'answer', topic: 'TRACKING', text: 'Your parcel left the warehouse today.' };
  });

  it('SLA breach: one SlaBreached on Kafka, the ticket escalated to senior and assigned there; a second sweep adds nothing', async () => {
    const senior = randomUUID();
    await agent(senior, ['senior']);
    bot.fail = true; // hand-off BOT_CANNOT_ANSWER, into general where nobody is on shift
    const { ticket } = await open(randomUUID(), { category: 'OTHER' }); // P4: 8 h first response
    // user is absent: no tier, no boost, the ticket opens all the same
    expect(ticket).toMatchObject({
      status: 'OPEN',
      queue: 'general',
      handoffReason: 'BOT_CANNOT_ANSWER',
      priority: 'P4',
      tierCode: '',
    });
    clock.advance(8 * 60 * MIN + 1000);
    expect((await sweep()).breaches).toBe(1);
    const breached = await eventually(async () => {
      const e = of(ticket.id, 'SlaBreached');
      return e.length ? e : undefined;
    });
    expect(supportV1.SlaBreached.decode(breached[0].value)).toMatchObject({
      ticketId: ticket.id,
      clock: 'FIRST_RESPONSE',
      priority: 'P4',
      dueAt: ticket.firstResponseDueAt,
    });
    const { ticket: now } = await agentView(ticket.id, senior);
    expect(now).toMatchObject({
      queue: 'senior',
      escalated: true,
      status: 'ASSIGNED',
      assigneeId: senior,
      firstResponseBreached: true,
    });
    await eventually(async () => (of(ticket.id, 'TicketEscalated').length ? true : undefined));
    expect(supportV1.TicketEscalated.decode(of(ticket.id, 'TicketEscalated')[0].value).reason).toBe(
      'SLA_BREACH',
    );

    expect((await sweep()).breaches).toBe(0);
    const { rows } = await pg.query(
      `SELECT count(*)::int AS n FROM outbox WHERE message_key = $1 AND event_type LIKE '%SlaBreached'`,
      [ticket.id],
    );
    expect(rows[0].n).toBe(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(of(ticket.id, 'SlaBreached')).toHaveLength(1);
    expect(of(ticket.id, 'TicketEscalated')).toHaveLength(1);
  });

  it('the bot hand-off keeps the conversation: same ticket, customer/bot/customer, then the agent', async () => {
    await everyoneOff();
    const general = randomUUID();
    await agent(general, ['general']);
    const customer = randomUUID();
    const opened = await open(customer);
    expect(opened.ticket.status).toBe('BOT');
    expect(opened.messages.map((m) => m.authorKind)).toEqual(['CUSTOMER', 'BOT']);
    const asked = await call<View>('postCustomerMessage', {
      ticketId: opened.ticket.id,
      accountId: customer,
      body: 'I want a person please',
    });
    expect(asked.ticket).toMatchObject({
      id: opened.ticket.id,
      status: 'ASSIGNED',
      assigneeId: general,
      handoffReason: 'CUSTOMER_ASKED',
    });
    const seen = await agentView(opened.ticket.id, general);
    expect(seen.messages.map((m) => [m.authorKind, m.body])).toEqual([
      ['CUSTOMER', 'It has not arrived'],
      ['BOT', 'Your parcel left the warehouse today.'],
      ['CUSTOMER', 'I want a person please'],
    ]);
    await reply(opened.ticket.id, general, 'I am on it: it arrives tomorrow.');
    const mine = await call<View>('getTicket', { ticketId: opened.ticket.id, accountId: customer });
    expect(mine.ticket.status).toBe('WAITING_CUSTOMER');
    expect(mine.messages.map((m) => m.authorKind)).toEqual([
      'CUSTOMER',
      'BOT',
      'CUSTOMER',
      'AGENT',
    ]);
    expect(mine.messages[3].body).toBe('I am on it: it arrives tomorrow.');
    await eventually(async () =>
      of(opened.ticket.id, 'TicketReplied').length === 2 ? true : undefined,
    );
    expect(
      of(opened.ticket.id, 'TicketReplied').map(
        (e) => supportV1.TicketReplied.decode(e.value).authorKind,
      ),
    ).toEqual(['BOT', 'AGENT']);
    expect(of(opened.ticket.id, 'TicketHandedOff')).toHaveLength(1);
  });

  it('one customer never sees another’s tickets, nor internal notes', async () => {
    const [c1, c2, g] = [randomUUID(), randomUUID(), randomUUID()];
    await everyoneOff();
    await agent(g, ['general']);
    bot.fail = true;
    const { ticket } = await open(c1);
    await reply(ticket.id, g, 'internal: the customer sounds upset', true);
    const posted = await call<View>('postCustomerMessage', {
      ticketId: ticket.id,
      accountId: c1,
      body: 'hello?',
    });
    expect(posted.messages.map((m) => m.body)).toEqual(['hello?']);
    const mine = await call<View>('getTicket', { ticketId: ticket.id, accountId: c1 });
    expect(mine.messages.every((m) => !m.internal)).toBe(true);
    expect(mine.messages).toHaveLength(2);
    expect((await agentView(ticket.id, g)).messages).toHaveLength(3);
    for (const [method, req] of [
      ['getTicket', { ticketId: ticket.id, accountId: c2 }],
      ['postCustomerMessage', { ticketId: ticket.id, accountId: c2, body: 'x' }],
      ['submitSurvey', { ticketId: ticket.id, accountId: c2, rating: 5 }],
      ['reopenTicket', { ticketId: ticket.id, accountId: c2 }],
      ['requestHandoff', { ticketId: ticket.id, accountId: c2 }],
    ] as const)
      expect(await failure(call(method, req))).toMatchObject({
        status: status.NOT_FOUND,
        code: 'TICKET_NOT_FOUND',
      });
    const listed = await call<{ tickets: Ticket[] }>('listMyTickets', { accountId: c2 });
    expect(listed.tickets).toEqual([]);
    const own = await call<{ tickets: Ticket[] }>('listMyTickets', { accountId: c1 });
    expect(own.tickets.map((t) => t.id)).toEqual([ticket.id]);
  });

  it('round-robin over two on-shift agents, under concurrency; a claim race has one winner', async () => {
    await everyoneOff();
    const [r1, r2] = [randomUUID(), randomUUID()].sort();
    await agent(r1, ['general']);
    await agent(r2, ['general']);
    bot.fail = true;
    const serial = [];
    for (let i = 0; i < 2; i++) serial.push((await open(randomUUID())).ticket.assigneeId);
    expect(serial).toEqual([r1, r2]);
    const together = await Promise.all([1, 2, 3, 4].map(() => open(randomUUID())));
    const count = (id: string) => together.filter((v) => v.ticket.assigneeId === id).length;
    expect([count(r1), count(r2)]).toEqual([2, 2]);

    await everyoneOff();
    const { ticket } = await open(randomUUID());
    expect(ticket.status).toBe('OPEN');
    const results = await Promise.allSettled([
      call<View>('claimTicket', { ticketId: ticket.id, agentId: r1 }),
      call<View>('claimTicket', { ticketId: ticket.id, agentId: r2 }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => fromGrpcError(r.reason))).toEqual([
      expect.objectContaining({ status: status.ABORTED, code: 'ALREADY_CLAIMED' }),
    ]);
    const senior = randomUUID();
    await agent(senior, ['senior'], false);
    const other = await open(randomUUID());
    expect(
      await failure(call('claimTicket', { ticketId: other.ticket.id, agentId: senior })),
    ).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'NOT_IN_QUEUE',
    });
    expect(await failure(call('listQueue', { agentId: senior, queue: 'general' }))).toMatchObject({
      status: status.PERMISSION_DENIED,
      code: 'NOT_IN_QUEUE',
    });
  });

  it('survey once; reopen inside the window goes back to the agent, outside it is refused', async () => {
    await everyoneOff();
    const [c, g] = [randomUUID(), randomUUID()];
    await agent(g, ['general']);
    bot.fail = true;
    const { ticket } = await open(c);
    await reply(ticket.id, g, 'Reshipped.');
    await call('resolveTicket', { ticketId: ticket.id, agentId: g, resolutionNote: 'reshipped' });
    const surveyed = await call<View>('submitSurvey', {
      ticketId: ticket.id,
      accountId: c,
      rating: 5,
      comment: 'fast',
    });
    expect(surveyed.ticket.survey).toMatchObject({ rating: 5, comment: 'fast' });
    expect(
      await failure(call('submitSurvey', { ticketId: ticket.id, accountId: c, rating: 4 })),
    ).toMatchObject({
      status: status.ALREADY_EXISTS,
      code: 'SURVEY_ALREADY_SUBMITTED',
    });
    clock.advance(6 * DAY);
    const back = await call<View>('reopenTicket', {
      ticketId: ticket.id,
      accountId: c,
      body: 'it broke again',
    });
    expect(back.ticket).toMatchObject({ status: 'ASSIGNED', assigneeId: g, reopenCount: 1 });
    await call('resolveTicket', { ticketId: ticket.id, agentId: g });
    clock.advance(7 * DAY + 1000);
    expect(
      await failure(call('reopenTicket', { ticketId: ticket.id, accountId: c })),
    ).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'REOPEN_WINDOW_CLOSED',
    });
    await sweep();
    expect((await agentView(ticket.id, g)).ticket.status).toBe('CLOSED');
  });

  it('KPIs for a scripted set: exact figures per agent and team', async () => {
    clock.advance(30 * DAY);
    await everyoneOff();
    const [k1, k2] = [randomUUID(), randomUUID()].sort();
    await agent(k1, ['general']);
    await agent(k2, ['general']);
    bot.fail = true;
    const from = clock.now();
    const c = randomUUID();
    const t1 = (await open(c)).ticket;
    const t2 = (await open(randomUUID())).ticket;
    expect([t1.assigneeId, t2.assigneeId]).toEqual([k1, k2]);
    clock.advance(10 * MIN);
    await reply(t1.id, k1, 'Looking.');
    await reply(t2.id, k2, 'internal only', true); // notes do not stop the clock
    clock.advance(10 * MIN);
    await reply(t2.id, k2, 'Looking too.');
    clock.advance(40 * MIN);
    await call('resolveTicket', { ticketId: t1.id, agentId: k1 });
    await call('submitSurvey', { ticketId: t1.id, accountId: c, rating: 4 });
    const kpis = await call<supportV1.GetSupportKpisResponse>('getSupportKpis', {
      from: from.toISOString(),
      to: new Date(from.getTime() + 60 * MIN).toISOString(),
    });
    const base = { reopenRate: 0, slaBreaches: 0 };
    expect(kpis.agents).toEqual([
      {
        ...base,
        agentId: k1,
        ticketsAssigned: 1,
        ticketsResolved: 1,
        resolutionRate: 1,
        firstResponseSecondsAvg: 600,
        firstResponseSecondsP50: 600,
        resolutionSecondsAvg: 3600,
        resolutionSecondsP50: 3600,
        satisfactionAvg: 4,
        surveys: 1,
      },
      {
        ...base,
        agentId: k2,
        ticketsAssigned: 1,
        ticketsResolved: 0,
        resolutionRate: 0,
        firstResponseSecondsAvg: 1200,
        firstResponseSecondsP50: 1200,
        resolutionSecondsAvg: 0,
        resolutionSecondsP50: 0,
        satisfactionAvg: 0,
        surveys: 0,
      },
    ]);
    expect(kpis.team).toEqual({
      ...base,
      agentId: '',
      ticketsAssigned: 2,
      ticketsResolved: 1,
      resolutionRate: 0.5,
      firstResponseSecondsAvg: 900,
      firstResponseSecondsP50: 900,
      resolutionSecondsAvg: 3600,
      resolutionSecondsP50: 3600,
      satisfactionAvg: 4,
      surveys: 1,
    });
    expect(
      await failure(
        call('getSupportKpis', { from: '2030-01-01T00:00:00Z', to: '2031-01-03T00:00:00Z' }),
      ),
    ).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'RANGE_INVALID',
    });
  });

  it('the weekly insight export: exact rows and CSV; OpenTicket retried is one ticket, its events once', async () => {
    clock.advance(60 * DAY); // a week of its own
    const week = '2030-W27';
    while (clock.now() < new Date('2030-07-01T02:00:00Z')) clock.advance(DAY);
    await everyoneOff();
    const c = randomUUID();
    const [orderId, sku] = [randomUUID(), randomUUID()];
    orders.add(c, orderId, [sku], ['WH-SH', 'WH-BJ']);
    bot.fail = true;
    await open(c, { category: 'PRODUCT_QUALITY', orderId, skuId: sku, requestId: 'q-1' });
    const retried = await open(c, {
      category: 'PRODUCT_QUALITY',
      orderId,
      skuId: sku,
      requestId: 'q-1',
    });
    await open(c, { category: 'PRODUCT_QUALITY', orderId, skuId: sku });
    await open(c, { category: 'LOGISTICS_DELAY' });
    await open(c, { category: 'ACCOUNT' });
    expect(retried.ticket.warehouseCodes).toEqual(['WH-BJ', 'WH-SH']);
    expect(await failure(open(c, { orderId: randomUUID() }))).toMatchObject({
      status: status.NOT_FOUND,
      code: 'ORDER_NOT_FOUND',
    });
    expect(await failure(open(c, { orderId, skuId: randomUUID() }))).toMatchObject({
      status: status.NOT_FOUND,
      code: 'LINE_NOT_FOUND',
    });
    const out = await call<supportV1.ExportComplaintInsightsResponse>('exportComplaintInsights', {
      week,
    });
    expect(out.rows).toEqual([
      { category: 'PRODUCT_QUALITY', skuId: sku, warehouseCode: 'WH-BJ', tickets: 2 },
      { category: 'PRODUCT_QUALITY', skuId: sku, warehouseCode: 'WH-SH', tickets: 2 },
      { category: 'LOGISTICS_DELAY', skuId: '', warehouseCode: '', tickets: 1 },
    ]);
    expect(out.csv).toBe(
      `category,sku_id,warehouse_code,tickets\r\nPRODUCT_QUALITY,${sku},WH-BJ,2\r\nPRODUCT_QUALITY,${sku},WH-SH,2\r\nLOGISTICS_DELAY,,,1\r\n`,
    );
    const mine = await call<{ tickets: Ticket[]; nextCursor: string }>('listMyTickets', {
      accountId: c,
      limit: 2,
    });
    expect(mine.tickets).toHaveLength(2);
    const rest = await call<{ tickets: Ticket[]; nextCursor: string }>('listMyTickets', {
      accountId: c,
      limit: 10,
      cursor: mine.nextCursor,
    });
    expect(rest.tickets).toHaveLength(2); // 4 tickets: the retried one counted once
    expect(await failure(call('listMyTickets', { accountId: c, cursor: '!!' }))).toMatchObject({
      code: 'INVALID_CURSOR',
    });

    await eventually(async () =>
      of(retried.ticket.id, 'TicketHandedOff').length ? true : undefined,
    );
    expect(of(retried.ticket.id, 'TicketOpened')).toHaveLength(1);
    const ids = events.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
