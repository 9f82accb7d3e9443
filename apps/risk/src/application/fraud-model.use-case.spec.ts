import { Money } from '@emporia/money';
import {
  aRule,
  anOrder,
  FakeClock,
  FakeFraudModel,
  InMemoryReturnFactStore,
  InMemoryRiskStore,
  InMemorySignalStore,
  SequentialIds,
} from '../testing';
import { FraudScoring } from './fraud-scoring';
import { RiskUseCase } from './risk.use-case';

const DAY = 86_400_000;

/** The fraud model as one more signal of ScoreOrder (issue 23), against in-memory ports. */
describe('risk use case with the fraud model', () => {
  const setup = (deadlineMs = 200) => {
    const store = new InMemoryRiskStore();
    const signals = new InMemorySignalStore();
    const clock = new FakeClock();
    const returns = new InMemoryReturnFactStore();
    const model = new FakeFraudModel();
    const fraud = new FraudScoring(model, { deadlineMs });
    const risk = new RiskUseCase(store, signals, clock, new SequentialIds(), returns, fraud);
    return { store, signals, clock, returns, model, fraud, risk };
  };
  const modelRule = (threshold = 200) =>
    aRule('MODEL_SCORE', { threshold, score: 50, id: '00000000-0000-4000-8000-000000000015' });
  const created = (clock: FakeClock, daysAgo: number) =>
    new Date(clock.now().getTime() - daysAgo * DAY);

  it('a score at the threshold or above holds the order: REVIEW, MODEL_SCORE, its version kept', async () => {
    const { risk, model, store } = setup();
    await risk.upsertRule(modelRule(200));
    model.score = 0.2;
    const d = await risk.scoreOrder(anOrder());
    expect(d).toMatchObject({
      decision: 'REVIEW',
      score: 50,
      reasons: ['MODEL_SCORE'],
      modelVersion: 'fm-test00000000',
      modelScore: 0.2,
    });
    expect(d.signals.model).toMatchObject({
      status: 'SCORED',
      version: 'fm-test00000000',
      score: 0.2,
      features: expect.objectContaining({ order_total: 50, account_age_days: -1 }),
    });
    expect(store.decisionRows[0]).toBe(d);
  });

  it('a score under the threshold allows the order, and the score is still audited', async () => {
    const { risk, model } = setup();
    await risk.upsertRule(modelRule(200));
    model.score = 0.1999;
    expect(await risk.scoreOrder(anOrder())).toMatchObject({
      decision: 'ALLOW',
      reasons: [],
      modelVersion: 'fm-test00000000',
      modelScore: 0.1999,
    });
  });

  it('past the deadline the rules decide alone, and the decision says so', async () => {
    const { risk, model, fraud } = setup(5);
    await risk.upsertRule(modelRule(200));
    await risk.upsertRule(aRule('AMOUNT', { id: 'big', amount: Money.of(4000, 'CNY'), score: 20 }));
    model.score = 0.99;
    model.delayMs = 60;
    const d = await risk.scoreOrder(anOrder());
    expect(d).toMatchObject({ decision: 'REVIEW', score: 20, reasons: ['LARGE_AMOUNT'] });
    expect(d.modelVersion).toBeUndefined();
    expect(d.modelScore).toBeUndefined();
    expect(d.signals.model).toMatchObject({ status: 'PAST_DEADLINE', version: 'fm-test00000000' });
    expect(fraud.status()).toMatchObject({ scored: 0, pastDeadline: 1, failed: 0, deadlineMs: 5 });
  });

  it('a model error falls back to the rules alone; so does an answer that is no probability', async () => {
    const { risk, model, fraud } = setup();
    await risk.upsertRule(modelRule(1));
    model.failure = new Error('onnxruntime: bad input');
    const failed = await risk.scoreOrder(anOrder({ orderId: 'o-1' }));
    expect(failed).toMatchObject({ decision: 'ALLOW', reasons: [] });
    expect(failed.signals.model).toMatchObject({
      status: 'FAILED',
      error: 'onnxruntime: bad input',
    });
    model.failure = undefined;
    model.score = Number.NaN;
    const nan = await risk.scoreOrder(anOrder({ orderId: 'o-2' }));
    expect(nan).toMatchObject({ decision: 'ALLOW' });
    expect(nan.signals.model).toMatchObject({ status: 'FAILED' });
    expect(fraud.status()).toMatchObject({ scored: 0, failed: 2 });
  });

  it('without a model nothing more is read or kept: no history, no model fields', async () => {
    const store = new InMemoryRiskStore();
    const signals = new InMemorySignalStore();
    const returns = new InMemoryReturnFactStore();
    const risk = new RiskUseCase(store, signals, new FakeClock(), new SequentialIds(), returns);
    await risk.upsertRule(modelRule(1));
    const d = await risk.scoreOrder(anOrder());
    expect(d).toMatchObject({ decision: 'ALLOW', reasons: [] });
    expect(d).not.toHaveProperty('modelVersion');
    expect(d.signals).not.toHaveProperty('model');
    expect(returns.statsCalls).toBe(0);
    expect([...signals.sets.keys()].some((k) => k.startsWith('oh:'))).toBe(false);
    expect(risk.fraudModel()).toMatchObject({ card: null, scored: 0 });
  });

  it("the model sees the account's own history: age, earlier orders, what is new to it", async () => {
    const { risk, model, clock, returns } = setup();
    const accountCreatedAt = created(clock, 400);
    await risk.scoreOrder(anOrder({ orderId: 'o-1', accountCreatedAt, lineCount: 2 }));
    expect(model.lastFeatures()).toMatchObject({
      account_age_days: 400,
      signup_to_first_order_hours: 400 * 24,
      prior_orders_90d: 0,
      line_count: 2,
      new_device_for_account: 1,
      new_address_for_account: 1,
    });
    await returns.record([
      {
        id: 'DELIVERED:s-1',
        accountId: 'acc-1',
        kind: 'DELIVERED',
        lines: 2,
        occurredAt: clock.now(),
      },
      {
        id: 'CANCELLED:o-0',
        accountId: 'acc-1',
        kind: 'CANCELLED',
        lines: 1,
        occurredAt: clock.now(),
      },
    ]);
    clock.advance(DAY);
    // ten times its average, from a new device to a new address
    await risk.scoreOrder(
      anOrder({
        orderId: 'o-2',
        accountCreatedAt,
        deviceId: 'dev-new',
        addressFingerprint: 'cn|fj|xm|drop|1|',
        total: Money.of(50_000, 'CNY'),
      }),
    );
    expect(model.lastFeatures()).toMatchObject({
      account_age_days: 401,
      signup_to_first_order_hours: 400 * 24,
      hours_since_first_order: 24,
      prior_orders_90d: 1,
      total_vs_account_mean: 10,
      new_device_for_account: 1,
      new_ip_for_account: 0,
      new_address_for_account: 1,
      // this one and the first, exactly a day before: a window includes its edge (as ZCOUNT)
      account_orders_24h: 2,
      account_addresses_7d: 2,
      delivered_lines_90d: 2,
      cancel_rate_90d: 1,
    });
    // the 90-day return history is read for the model, with no RETURN_ABUSE rule in force
    expect(returns.statsCalls).toBe(2);
  });

  it('counts accounts per device and per address for the model', async () => {
    const { risk, model } = setup();
    for (const n of [1, 2, 3])
      await risk.scoreOrder(
        anOrder({ orderId: `o-${n}`, accountId: `acc-${n}`, couponCodes: ['NEWUSER'] }),
      );
    expect(model.lastFeatures()).toMatchObject({
      device_accounts_24h: 3,
      device_accounts_7d: 3,
      address_accounts_24h: 3,
      coupon_accounts_device_24h: 3,
      coupon_accounts_address_24h: 3,
      device_orders_24h: 3,
      coupon_count: 1,
    });
  });

  it('a retried order answers its first decision, model fields and all', async () => {
    const { risk, model } = setup();
    await risk.upsertRule(modelRule(200));
    model.score = 0.5;
    const first = await risk.scoreOrder(anOrder());
    model.score = 0.01;
    expect(await risk.scoreOrder(anOrder())).toEqual(first);
  });

  it('reports the model in force, its deadline and what its scores did', async () => {
    const { risk, model } = setup(15);
    await risk.scoreOrder(anOrder({ orderId: 'o-1' }));
    model.failure = new Error('x');
    await risk.scoreOrder(anOrder({ orderId: 'o-2' }));
    expect(risk.fraudModel()).toEqual({
      card: model.card,
      deadlineMs: 15,
      scored: 1,
      pastDeadline: 0,
      failed: 1,
    });
  });
});
