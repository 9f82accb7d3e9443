import type { DataSource } from 'typeorm';
import { createTestDatabase, oneConnectionDataSource, withRoundTrips } from '@emporia/testing';
import { FraudScoring } from '../src/application/fraud-scoring';
import type { OrderLookups, ReturnFactStore, RiskStore } from '../src/application/ports';
import { RiskUseCase, type ScoreOrderInput } from '../src/application/risk.use-case';
import type { ReturnFact } from '../src/domain/return-facts';
import type { Rule } from '../src/domain/rules';
import { RISK_MIGRATIONS } from '../src/infrastructure/migrations';
import { SqlOrderLookups } from '../src/infrastructure/sql-order-lookups';
import { SqlReturnFactStore } from '../src/infrastructure/sql-return-facts.store';
import { SqlRiskStore } from '../src/infrastructure/sql-risk.store';
import {
  anOrder,
  FakeClock,
  FakeFraudModel,
  InMemoryReturnFactStore,
  InMemoryRiskStore,
  InMemorySignalStore,
  SequentialIds,
} from '../src/testing';

jest.setTimeout(120_000);

const DAY = 86_400_000;

/**
 * Round trips to Postgres of ScoreOrder (issue 19), counted as calls of pg's own `Client.query`
 * on one pooled connection, warmed up first so every statement is named and parsed as in steady
 * state. The seeded rules (RETURN_ABUSE among them) are read once, as the use case's one-second
 * cache does, not per order; the velocity counters are in memory (Redis is not Postgres).
 * Before: the list lookup, the return history and the decision's insert, a round trip each.
 * After: the list hits and the return history in one statement (`SqlOrderLookups`), the insert.
 */
describe('risk: round trips of ScoreOrder (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let rules: Rule[];
  const clock = new FakeClock();
  const at = (daysAgo: number) => new Date(clock.now().getTime() - daysAgo * DAY);
  const ids = new SequentialIds();
  let orders = 0;

  /** A returning account: 5 lines delivered, 3 returned in 90 days (RETURN_RATE 60 %). */
  const RETURNER = 'acc-returner';
  const facts: ReturnFact[] = [
    { id: 'DELIVERED:s-1', accountId: RETURNER, kind: 'DELIVERED', lines: 5, occurredAt: at(40) },
    { id: 'RETURNED:r-1', accountId: RETURNER, kind: 'RETURNED', lines: 3, occurredAt: at(20) },
    { id: 'EXCHANGE:r-1', accountId: RETURNER, kind: 'EXCHANGE', lines: 1, occurredAt: at(20) },
    {
      id: 'ITEMS_MISMATCH:r-0',
      accountId: RETURNER,
      kind: 'ITEMS_MISMATCH',
      lines: 1,
      occurredAt: at(200),
    },
  ];
  /** Listed: a device and a phone (normalised as lists store them). */
  const entries = [
    { kind: 'DEVICE' as const, value: 'dev-listed', reason: 'it', addedAt: at(1) },
    { kind: 'PHONE' as const, value: '+8613800000000', reason: 'it', addedAt: at(1) },
  ];

  /** The service's stores on the one connection; the rules as the cache holds them. */
  const sqlStore = (only: Rule[] = rules): RiskStore =>
    Object.assign(new SqlRiskStore(ds), { rules: async () => only });
  /** ScoreOrder through one statement (`lookups`) or the two ports, with fresh counters. */
  const riskOf = (lookups: OrderLookups | undefined, only?: Rule[], fraud?: FraudScoring) =>
    new RiskUseCase(
      sqlStore(only),
      new InMemorySignalStore(),
      clock,
      ids,
      new SqlReturnFactStore(ds),
      fraud,
      lookups,
    );
  /** The returning account's order; nothing of it listed unless `over` says so. */
  const order = (over: Partial<ScoreOrderInput> = {}) =>
    anOrder({
      orderId: `order-${++orders}`,
      accountId: RETURNER,
      phone: '+86 139 0000 0001',
      ...over,
    });

  /** What `work` answers, and its round trips (pg calls). */
  const roundTrips = withRoundTrips;
  /** What a decision says, without its ids (list hits sorted: their order is not specified). */
  const said = (d: Awaited<ReturnType<RiskUseCase['scoreOrder']>>) => {
    const { id: _id, subjectId: _s, ...rest } = d;
    const signals = d.signals as { listed: string[] };
    return { ...rest, signals: { ...signals, listed: [...signals.listed].sort() } };
  };

  beforeAll(async () => {
    db = await createTestDatabase('risk_round_trips');
    ds = await oneConnectionDataSource(db.url, RISK_MIGRATIONS);
    const store = new SqlRiskStore(ds);
    rules = await store.rules();
    expect(rules.some((r) => r.kind === 'RETURN_ABUSE' && r.active)).toBe(true);
    await store.addEntries(entries);
    await new SqlReturnFactStore(ds).record(facts);
    // warm-up: every statement of both ways named and parsed on the one connection
    const lookups = new SqlOrderLookups(ds);
    const noReturns = rules.filter((r) => r.kind !== 'RETURN_ABUSE');
    for (let i = 0; i < 3; i++)
      for (const risk of [riskOf(lookups), riskOf(undefined), riskOf(lookups, noReturns)])
        await risk.scoreOrder(order());
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('an order under a RETURN_ABUSE rule: lists and history in one round trip, the decision’s insert a second (was three)', async () => {
    const input = order({ deviceId: 'dev-listed', phone: '+86 138 0000 0000' });
    const [one, after] = await roundTrips(() => riskOf(new SqlOrderLookups(ds)).scoreOrder(input));
    expect(after).toBe(2);
    const [two, before] = await roundTrips(() =>
      riskOf(undefined).scoreOrder({ ...input, orderId: `order-${++orders}` }),
    );
    expect(before).toBe(3);
    // the same decision either way: the list hits and the history per window as before
    expect(said(one)).toEqual(said(two));
    expect(one.decision).toBe('REJECT');
    expect(one.reasons).toEqual(
      expect.arrayContaining([
        'LISTED_DEVICE',
        'LISTED_PHONE',
        'RETURN_ABUSE_RETURN_RATE',
        'RETURN_ABUSE_ITEMS_MISMATCH',
      ]),
    );
    expect(one.signals.returns).toMatchObject({
      [90 * 86_400]: { deliveredLines: 5, returnedLines: 3, returnRate: 60, exchanges: 1 },
      [365 * 86_400]: { itemsMismatches: 1 },
    });
    // and what the in-memory ports (the use-case tests, the fraud model's generator) decide
    const memStore = new InMemoryRiskStore();
    for (const r of rules) await memStore.upsertRule(r, at(0));
    await memStore.addEntries(entries);
    const memFacts = new InMemoryReturnFactStore();
    await memFacts.record(facts);
    const inMemory = await new RiskUseCase(
      memStore,
      new InMemorySignalStore(),
      clock,
      ids,
      memFacts,
    ).scoreOrder({ ...input, orderId: `order-${++orders}` });
    expect(said(inMemory)).toEqual(said(one));
  });

  it('an account nothing is listed for, with no history: one lookup answering empty windows', async () => {
    const [d, trips] = await roundTrips(() =>
      riskOf(new SqlOrderLookups(ds)).scoreOrder(order({ accountId: 'acc-new' })),
    );
    expect(trips).toBe(2);
    expect(d.decision).toBe('ALLOW');
    expect(d.signals.listed).toEqual([]);
    expect(d.signals.returns).toMatchObject({
      [90 * 86_400]: { deliveredLines: 0, returnedLines: 0, returnRate: null },
    });
  });

  it('with the fraud model loaded (its 90-day window with the rules’): still one lookup', async () => {
    const model = new FakeFraudModel();
    const fraud = new FraudScoring(model, { deadlineMs: 60_000 });
    const [d, trips] = await roundTrips(() =>
      riskOf(new SqlOrderLookups(ds), rules, fraud).scoreOrder(order()),
    );
    expect(trips).toBe(2);
    expect(d.modelVersion).toBe(model.card.version);
    expect(model.lastFeatures()).toMatchObject({ delivered_lines_90d: 5 });
  });

  it('without a RETURN_ABUSE rule: the list lookup alone, and the insert (as before)', async () => {
    const noReturns = rules.filter((r) => r.kind !== 'RETURN_ABUSE');
    const [d, trips] = await roundTrips(() =>
      riskOf(new SqlOrderLookups(ds), noReturns).scoreOrder(order({ deviceId: 'dev-listed' })),
    );
    expect(trips).toBe(2);
    expect(d.signals.listed).toEqual(['DEVICE']);
    expect(d.signals).not.toHaveProperty('returns');
  });

  it('answers what the two ports answer, for each part alone and together', async () => {
    const lookups = new SqlOrderLookups(ds);
    const lists = new SqlRiskStore(ds);
    const history: ReturnFactStore = new SqlReturnFactStore(ds);
    const values = [
      { kind: 'ACCOUNT' as const, value: RETURNER },
      { kind: 'DEVICE' as const, value: 'dev-listed' },
      { kind: 'PHONE' as const, value: '+8613800000000' },
      { kind: 'IP' as const, value: '203.0.113.7' },
    ];
    const windows = [7 * 86_400, 90 * 86_400, 365 * 86_400];
    const asked = { accountId: RETURNER, windows, now: clock.now() };
    const both = await lookups.read(values, asked);
    expect([...both.listed].sort()).toEqual([...(await lists.listed(values))].sort());
    expect(both.returns).toEqual(await history.stats(RETURNER, windows, clock.now()));
    expect(await lookups.read(values)).toEqual({ listed: await lists.listed(values) });
    expect(await lookups.read([], asked)).toEqual({ listed: [], returns: both.returns });
    expect(await lookups.read([], { ...asked, windows: [] })).toEqual({ listed: [], returns: {} });
  });
});
