import './support/node-typed-arrays';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { ORDER_ORDER, PROTO_FILES, riskV1, type EventType } from '@emporia/contracts';
import { createKafka, newEvent, toWireMessage } from '@emporia/messaging';
import type { RunningService } from '@emporia/platform';
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
import { riskConfigSchema } from '../src/config';
import { startRisk } from '../src/risk.app';

jest.setTimeout(120_000);

const DAY = 86_400;
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

/**
 * Issue 24 on real Postgres, Redis and Kafka with the seeded rules: doubtful addresses, address
 * spread both ways, and the return history kept from `order.order` events putting an account's
 * next order up for review.
 */
describe('risk: abnormal orders sent to review (real Postgres + Redis + Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `riskab${suffix}.`;
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'risk-abnormal-it',
    logger: testLogger('kafka'),
  });
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;
  const rand = () => Math.floor(Math.random() * 250);
  const order = (over: Partial<riskV1.ScoreOrderRequest> = {}) =>
    call<riskV1.ScoreOrderResponse>('scoreOrder', {
      orderId: randomUUID(),
      accountId: randomUUID(),
      ip: `10.${rand()}.${rand()}.${rand()}`,
      deviceId: `dev-${randomUUID()}`,
      addressFingerprint: `cn|上海市|上海市|浦东新区|${randomUUID()}|`,
      phone: '+8613800000000',
      total: cny(12_900),
      lineCount: 1,
      couponCodes: [],
      addressIssues: [],
      ...over,
    });
  const audit = async (orderId: string) => {
    const { decisions } = await call<riskV1.ListDecisionsResponse>('listDecisions', {
      subjectId: orderId,
      accountId: '',
      limit: 10,
    });
    expect(decisions).toHaveLength(1);
    return { ...decisions[0], signals: JSON.parse(decisions[0].signalsJson) };
  };
  /** Publishes order events as the order service's relay does (one key: one partition, in order). */
  const publish = (
    key: string,
    ...events: { type: EventType<unknown>; m: unknown; id?: string }[]
  ) =>
    producer.send({
      topic: `${prefix}${ORDER_ORDER.name}`,
      messages: events.map(({ type, m, id }) => {
        const wire = toWireMessage(newEvent(type, ORDER_ORDER.name, key, m, { eventId: id }));
        return { key: wire.key, value: wire.value, headers: wire.headers };
      }),
    });
  const facts = async (accountId: string) =>
    (
      await pg.query<{ fact_id: string; kind: string; lines: number }>(
        `SELECT fact_id, kind, lines FROM account_return_facts WHERE account_id = $1 ORDER BY fact_id`,
        [accountId],
      )
    ).rows;
  const tracked = (
    accountId: string,
    shipmentId: string,
    lineCount: number,
    replacement = false,
  ) => ({
    type: ORDER_ORDER.events.ShipmentTracked as EventType<unknown>,
    m: {
      orderId: randomUUID(),
      accountId,
      shipmentId,
      status: 'DELIVERED',
      description: 'signed for',
      occurredAt: new Date(Date.now() - 10 * DAY * 1000).toISOString(),
      lineCount,
      replacement,
    },
  });
  const settled = (accountId: string, returnId: string, kind: string, over: object = {}) => ({
    type: ORDER_ORDER.events.ReturnSettled as EventType<unknown>,
    m: {
      returnId,
      orderId: randomUUID(),
      accountId,
      kind,
      lineCount: 1,
      unitCount: 1,
      itemsMismatch: false,
      settledAt: new Date(Date.now() - DAY * 1000).toISOString(),
      ...over,
    },
  });

  beforeAll(async () => {
    db = await createTestDatabase('risk_abnormal_it');
    pg = new Client({ connectionString: db.url });
    const config = riskConfigSchema.parse({
      RISK_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `risk:${suffix}:`,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      RISK_GRPC_PORT: String(await freePort()),
      RISK_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      RISK_MIGRATE_ON_START: 'true',
      RISK_CONSUMER_GROUP: `risk-ab-it${suffix}`,
      // the prune sweep every second, so the test sees it
      RISK_SWEEP_INTERVAL_MS: '1000',
    });
    service = await startRisk(config, testLogger('risk'));
    await pg.connect();
    client = grpcTestClient(PROTO_FILES.risk, 'emporia.risk.v1.RiskService', service.grpcUrl!);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    client?.close();
    await producer?.disconnect();
    await service?.close();
    await pg?.end();
    await db?.drop();
  });

  it('seeds the address and return rules, all REVIEW, with their thresholds', async () => {
    const { rules } = await call<riskV1.ListRulesResponse>('listRules', {});
    const seeded = rules
      .filter((r) => ['ADDRESS_QUALITY', 'ADDRESS_SPREAD', 'RETURN_ABUSE'].includes(r.kind))
      .map((r) => [
        r.id.slice(-2),
        r.kind,
        r.dimension,
        r.windowSeconds,
        r.threshold,
        r.minSample ?? null,
        r.score,
      ]);
    expect(seeded).toEqual([
      ['0e', 'ADDRESS_QUALITY', 'ANY', 0, 0, null, 40],
      ['0f', 'ADDRESS_SPREAD', 'ACCOUNT', DAY, 4, null, 30],
      ['10', 'ADDRESS_SPREAD', 'ADDRESS', DAY, 10, null, 30],
      ['11', 'RETURN_ABUSE', 'RETURN_RATE', 90 * DAY, 60, 5, 40],
      ['12', 'RETURN_ABUSE', 'EXCHANGES', 90 * DAY, 4, null, 30],
      ['13', 'RETURN_ABUSE', 'REFUNDS_WITHOUT_RETURN', 90 * DAY, 3, null, 40],
      ['14', 'RETURN_ABUSE', 'ITEMS_MISMATCH', 365 * DAY, 1, null, 60],
    ]);
    const ours = rules.filter((r) => seeded.some(([id]) => r.id.endsWith(`0000000000${id}`)));
    expect(ours.every((r) => r.action === 'REVIEW' && r.appliesTo === 'ORDER' && r.active)).toBe(
      true,
    );
  });

  it('a clean order is allowed, its audit showing the empty return history of each window', async () => {
    const orderId = randomUUID();
    // the fraud model scores it too (the committed one, as deployed): far under its threshold
    expect(await order({ orderId })).toMatchObject({
      decision: 'DECISION_ALLOW',
      score: 0,
      reasons: [],
      modelVersion: expect.stringMatching(/^fm-[0-9a-f]{12}$/),
    });
    const { signals } = await audit(orderId);
    const none = {
      deliveredLines: 0,
      returnedLines: 0,
      returnRate: null,
      exchanges: 0,
      refundsWithoutReturn: 0,
      itemsMismatches: 0,
    };
    expect(signals).toMatchObject({
      addressIssues: [],
      counts: { 'accountAddresses:86400': 1, 'addressAccounts:86400': 1 },
      returns: { [90 * DAY]: none, [365 * DAY]: none },
    });
  });

  it('checkout’s doubts about the address hold the order, one reason per doubt, in the audit', async () => {
    const orderId = randomUUID();
    const verdict = await order({
      orderId,
      addressIssues: ['DETAIL_VAGUE', 'RECIPIENT_DOUBTFUL', 'not a code', 'DETAIL_VAGUE'],
    });
    expect(verdict).toMatchObject({
      decision: 'DECISION_REVIEW',
      score: 40,
      reasons: ['ADDRESS_DETAIL_VAGUE', 'ADDRESS_RECIPIENT_DOUBTFUL'],
    });
    expect((await audit(orderId)).signals.addressIssues).toEqual([
      'DETAIL_VAGUE',
      'RECIPIENT_DOUBTFUL',
    ]);
  });

  it('one account ordering to its 4th address in a day is held; an address used again does not count', async () => {
    const accountId = randomUUID();
    const address = (n: number) => `cn|上海市|上海市|浦东新区|spread-${suffix}-${n}|`;
    const decisions = [];
    for (const n of [1, 2, 1, 3])
      decisions.push((await order({ accountId, addressFingerprint: address(n) })).decision);
    expect(decisions).toEqual(Array(4).fill('DECISION_ALLOW'));
    const orderId = randomUUID();
    expect(await order({ orderId, accountId, addressFingerprint: address(4) })).toMatchObject({
      decision: 'DECISION_REVIEW',
      score: 30,
      reasons: ['ADDRESS_SPREAD_ACCOUNT'],
    });
    expect((await audit(orderId)).signals.counts).toMatchObject({ 'accountAddresses:86400': 4 });
  });

  it('the 10th account ordering to one address in a day is held for spread too (brushing from the 5th)', async () => {
    const addressFingerprint = `cn|上海市|上海市|浦东新区|世纪大道100号-${suffix}|`;
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await order({ addressFingerprint }));
    expect(answers.slice(0, 4).map((a) => a.reasons)).toEqual(Array(4).fill([]));
    expect(answers.slice(4, 9).map((a) => a.reasons)).toEqual(Array(5).fill(['BRUSHING']));
    expect(answers[9]).toMatchObject({
      decision: 'DECISION_REVIEW',
      score: 90,
      reasons: ['BRUSHING', 'ADDRESS_SPREAD_ADDRESS'],
    });
  });

  it('a returning account’s events put its next order up for review, each delivery and return counted once', async () => {
    const accountId = randomUUID();
    const redelivered = { ...tracked(accountId, randomUUID(), 3), id: randomUUID() };
    await publish(
      accountId,
      redelivered,
      redelivered, // the same event again
      { ...redelivered, id: randomUUID() }, // the carrier reported the delivery twice
      tracked(accountId, randomUUID(), 2),
      tracked(accountId, randomUUID(), 4, true), // an exchange's replacement: not counted
      settled(accountId, randomUUID(), 'REFUND', { lineCount: 2 }),
    );
    const firstId = randomUUID();
    await eventually(async () => ((await facts(accountId)).length === 3 ? true : undefined), {
      what: 'two deliveries and a return recorded',
    });
    // 2 of 5 delivered lines returned: 40 %
    expect((await order({ orderId: firstId, accountId })).decision).toBe('DECISION_ALLOW');
    const exchangeId = randomUUID();
    await publish(accountId, settled(accountId, exchangeId, 'EXCHANGE'));
    await eventually(async () => ((await facts(accountId)).length === 5 ? true : undefined), {
      what: 'the exchange recorded',
    });
    const orderId = randomUUID();
    expect(await order({ orderId, accountId })).toMatchObject({
      decision: 'DECISION_REVIEW',
      score: 40,
      reasons: ['RETURN_ABUSE_RETURN_RATE'],
    });
    const { signals, reasons } = await audit(orderId);
    expect(reasons).toEqual(['RETURN_ABUSE_RETURN_RATE']);
    expect(signals.returns[90 * DAY]).toEqual({
      deliveredLines: 5,
      returnedLines: 3,
      returnRate: 60,
      exchanges: 1,
      refundsWithoutReturn: 0,
      itemsMismatches: 0,
      cancellations: 0,
    });
    expect((await facts(accountId)).map((f) => f.kind).sort()).toEqual([
      'DELIVERED',
      'DELIVERED',
      'EXCHANGE',
      'RETURNED',
      'RETURNED',
    ]);
  });

  it('a return with other items than those sold holds the account’s next order for a year', async () => {
    const accountId = randomUUID();
    await publish(
      accountId,
      tracked(accountId, randomUUID(), 1),
      settled(accountId, randomUUID(), 'REFUND', { itemsMismatch: true, lineCount: 0 }),
    );
    await eventually(async () => ((await facts(accountId)).length === 2 ? true : undefined), {
      what: 'the delivery and the mismatch recorded',
    });
    const orderId = randomUUID();
    expect(await order({ orderId, accountId })).toMatchObject({
      decision: 'DECISION_REVIEW',
      score: 60,
      reasons: ['RETURN_ABUSE_ITEMS_MISMATCH'],
    });
    expect((await audit(orderId)).signals.returns[365 * DAY]).toMatchObject({
      deliveredLines: 1,
      itemsMismatches: 1,
    });
  });

  it('prunes facts older than 366 days on its sweep', async () => {
    const accountId = randomUUID();
    await pg.query(
      `INSERT INTO account_return_facts (fact_id, account_id, kind, lines, occurred_at)
       VALUES ($1, $2, 'DELIVERED', 3, now() - interval '367 days'),
              ($3, $2, 'DELIVERED', 3, now() - interval '365 days')`,
      [`DELIVERED:${randomUUID()}`, accountId, `DELIVERED:${randomUUID()}`],
    );
    await eventually(async () => ((await facts(accountId)).length === 1 ? true : undefined), {
      what: 'the old fact pruned',
    });
  });

  it('a RETURN_ABUSE rule is tuned with its min_sample; a bad one is refused saying why', async () => {
    const { rules } = await call<riskV1.ListRulesResponse>('listRules', {});
    const rate = rules.find((r) => r.kind === 'RETURN_ABUSE' && r.dimension === 'RETURN_RATE')!;
    const saved = await call<riskV1.UpsertRuleResponse>('upsertRule', {
      rule: { ...rate, minSample: 8 },
    });
    expect(saved.rule).toMatchObject({ minSample: 8, threshold: 60 });
    const again = (await call<riskV1.ListRulesResponse>('listRules', {})).rules.find(
      (r) => r.id === rate.id,
    );
    expect(again?.minSample).toBe(8);
    await call('upsertRule', { rule: rate });
    const refused = async (over: Partial<riskV1.Rule>) =>
      failure(call('upsertRule', { rule: { ...rate, ...over } }));
    expect(await refused({ threshold: 101 })).toMatchObject({
      code: 'RULE_INVALID',
      message: expect.stringContaining('percentage, 1 to 100'),
    });
    expect(await refused({ minSample: -1 })).toMatchObject({
      code: 'RULE_INVALID',
      message: expect.stringContaining('min_sample'),
    });
    expect(await refused({ windowSeconds: 366 * DAY })).toMatchObject({
      code: 'RULE_INVALID',
      message: expect.stringContaining('365 days'),
    });
    expect(await refused({ kind: 'ADDRESS_SPREAD', dimension: 'DEVICE' })).toMatchObject({
      code: 'RULE_INVALID',
    });
  });
});
