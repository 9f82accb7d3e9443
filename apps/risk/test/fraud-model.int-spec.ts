import './support/node-typed-arrays';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Money } from '@emporia/money';
import { PROTO_FILES, riskV1 } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { DEFAULT_FRAUD_MODEL_PATH, riskConfigSchema } from '../src/config';
import {
  FRAUD_FEATURES,
  fraudFeatures,
  NO_HISTORY,
  type FraudFacts,
} from '../src/domain/fraud-features';
import { NO_RETURNS } from '../src/domain/return-facts';
import { signalKey } from '../src/domain/rules';
import { seededRules } from '../src/infrastructure/migrations/seeded-rules';
import { cardPathOf, OnnxFraudModel } from '../src/infrastructure/onnx-fraud.model';
import { startRisk } from '../src/risk.app';

jest.setTimeout(120_000);

const NOW = new Date();
const DAY = 86_400_000;
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

/** An honest customer's 6th order: a two-year-old account, its usual device, IP and address. */
const honest = (over: Partial<FraudFacts> = {}): number[] =>
  fraudFeatures({
    now: NOW,
    accountCreatedAt: new Date(NOW.getTime() - 700 * DAY),
    total: Money.of(15_000, 'CNY'),
    lineCount: 2,
    couponCount: 0,
    addressIssueCount: 0,
    listHits: 0,
    counts: {
      [signalKey({ metric: 'orders', dimension: 'ACCOUNT', windowSeconds: 86_400 })]: 1,
      [signalKey({ metric: 'addressAccounts', windowSeconds: 604_800 })]: 2,
    },
    history: {
      priorOrders: [12_000, 18_000, 9_000, 16_000, 14_000].map((amountMinor) => ({
        amountMinor,
        currency: 'CNY',
      })),
      firstOrderAt: new Date(NOW.getTime() - 650 * DAY),
      deviceSeen: true,
      ipSeen: true,
      addressSeen: true,
    },
    returns: { ...NO_RETURNS, deliveredLines: 9, returnedLines: 1 },
    has: { device: true, ip: true, address: true },
    ...over,
  });

/** The same account taken over: twelve times its average, a new device, IP and address. */
const stolen = () =>
  honest({
    total: Money.of(168_000, 'CNY'),
    lineCount: 1,
    history: {
      priorOrders: [12_000, 18_000, 9_000, 16_000, 14_000].map((amountMinor) => ({
        amountMinor,
        currency: 'CNY',
      })),
      firstOrderAt: new Date(NOW.getTime() - 650 * DAY),
      deviceSeen: false,
      ipSeen: false,
      addressSeen: false,
    },
    counts: {
      [signalKey({ metric: 'loginAnomalies', windowSeconds: 86_400 })]: 1,
      [signalKey({ metric: 'orders', dimension: 'ACCOUNT', windowSeconds: 3600 })]: 2,
    },
  });

/** A coupon hunter's account: made four minutes ago, its first order, a farm's device. */
const couponHunter = () =>
  honest({
    accountCreatedAt: new Date(NOW.getTime() - 4 * 60_000),
    total: Money.of(5_900, 'CNY'),
    lineCount: 1,
    couponCount: 1,
    history: { ...NO_HISTORY, firstOrderAt: NOW },
    returns: undefined,
    counts: Object.fromEntries(
      (
        [
          [{ metric: 'deviceAccounts', windowSeconds: 86_400 }, 6],
          [{ metric: 'deviceAccounts', windowSeconds: 604_800 }, 6],
          [{ metric: 'couponAccounts', dimension: 'DEVICE', windowSeconds: 86_400 }, 6],
          [{ metric: 'orders', dimension: 'DEVICE', windowSeconds: 86_400 }, 6],
          [{ metric: 'orders', dimension: 'IP', windowSeconds: 3600 }, 5],
        ] as const
      ).map(([s, n]) => [signalKey(s), n]),
    ),
  });

/** The committed fraud model run by onnxruntime-node, alone and inside the risk service. */
describe('fraud model (onnxruntime-node, the committed model)', () => {
  describe('the model file', () => {
    let model: OnnxFraudModel;
    beforeAll(async () => {
      model = await OnnxFraudModel.load(DEFAULT_FRAUD_MODEL_PATH);
    });
    afterAll(() => model?.close());

    it('loads with its card: a content version, the features this code computes', () => {
      expect(model.card.version).toMatch(/^fm-[0-9a-f]{12}$/);
      expect(model.card.features).toEqual([...FRAUD_FEATURES]);
      expect(model.card.thresholdPerMille).toBeGreaterThanOrEqual(1);
      expect(model.card.report).toMatchObject({ roc_auc: expect.any(Number) });
    });

    it('scores fraud-like orders higher than an honest one', async () => {
      const good = await model.predict(honest());
      const takeover = await model.predict(stolen());
      const hunter = await model.predict(couponHunter());
      for (const p of [good, takeover, hunter]) expect(p).toBeGreaterThanOrEqual(0);
      expect(good).toBeLessThan(0.05);
      expect(takeover).toBeGreaterThan(good);
      expect(hunter).toBeGreaterThan(good);
      // the committed threshold holds the stolen account's order
      expect(takeover).toBeGreaterThanOrEqual(model.card.thresholdPerMille / 1000);
    });

    it('refuses a model whose card is not its own or lists other features, naming the variable', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fraud-model-'));
      try {
        const path = join(dir, 'fraud-model.onnx');
        copyFileSync(DEFAULT_FRAUD_MODEL_PATH, path);
        const card = JSON.parse(readFileSync(cardPathOf(DEFAULT_FRAUD_MODEL_PATH), 'utf8'));
        writeFileSync(
          cardPathOf(path),
          JSON.stringify({ ...card, features: card.features.slice(1) }),
        );
        await expect(OnnxFraudModel.load(path)).rejects.toThrow(
          /FRAUD_MODEL_PATH .*this risk computes .*retrain/,
        );
        writeFileSync(cardPathOf(path), JSON.stringify({ ...card, onnx_sha256: '0'.repeat(64) }));
        await expect(OnnxFraudModel.load(path)).rejects.toThrow(/another model's/);
        rmSync(cardPathOf(path));
        await expect(OnnxFraudModel.load(path)).rejects.toThrow(/card .* cannot be read/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('in the risk service (real Postgres + Redis + Kafka)', () => {
    const suffix = uniqueSuffix();
    let db: { url: string; drop: () => Promise<void> };
    let service: RunningService;
    let client: ReturnType<typeof grpcTestClient>;
    const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
    const failure = grpcFailure;
    const config = async (over: Record<string, string> = {}) =>
      riskConfigSchema.parse({
        RISK_DATABASE_URL: db.url,
        REDIS_URL: testEnv.redisUrl(),
        REDIS_KEY_PREFIX: `risk:${suffix}:`,
        KAFKA_BROKERS: testEnv.kafkaBrokers(),
        KAFKA_TOPIC_PREFIX: `risk${suffix}.`,
        RISK_GRPC_PORT: String(await freePort()),
        RISK_HTTP_PORT: '0',
        BIND_HOST: '127.0.0.1',
        RISK_MIGRATE_ON_START: 'true',
        RISK_CONSUMER_GROUP: `risk-fm${suffix}`,
        ...over,
      });
    const order = (over: Partial<riskV1.ScoreOrderRequest> = {}) =>
      call<riskV1.ScoreOrderResponse>('scoreOrder', {
        orderId: randomUUID(),
        accountId: randomUUID(),
        ip: '203.0.113.9',
        deviceId: `dev-${randomUUID()}`,
        addressFingerprint: `cn|zj|hz|xh|${randomUUID()}|`,
        phone: '',
        total: cny(15_000),
        lineCount: 2,
        couponCodes: [],
        accountCreatedAt: new Date(Date.now() - 700 * DAY).toISOString(),
        ...over,
      });
    const audit = async (orderId: string) =>
      (await call<riskV1.ListDecisionsResponse>('listDecisions', { subjectId: orderId }))
        .decisions[0];

    beforeAll(async () => {
      db = await createTestDatabase('risk_fraud_model');
      service = await startRisk(await config(), testLogger('risk'));
      client = grpcTestClient(PROTO_FILES.risk, 'emporia.risk.v1.RiskService', service.grpcUrl!);
    });

    afterAll(async () => {
      client?.close();
      await service?.close();
      await db?.drop();
    });

    it('holds the rules the migrations seed, as the training replays them', async () => {
      const { rules } = await call<riskV1.ListRulesResponse>('listRules', {});
      const listed = rules.map((r) => [r.id, r.kind, r.appliesTo, r.action, r.score, r.threshold]);
      expect(listed).toEqual(
        seededRules().map((r) => [
          r.id,
          r.kind,
          r.appliesTo,
          r.action,
          r.score,
          'threshold' in r ? r.threshold : 0,
        ]),
      );
      expect(rules.find((r) => r.kind === 'MODEL_SCORE')).toMatchObject({
        id: '00000000-0000-4000-8000-000000000015',
        action: 'REVIEW',
        active: true,
      });
    });

    it('scores every order: the probability and version answered and kept in the audit trail', async () => {
      const orderId = randomUUID();
      const answer = await order({ orderId });
      expect(answer).toMatchObject({ decision: 'DECISION_ALLOW', reasons: [] });
      expect(answer.modelVersion).toMatch(/^fm-[0-9a-f]{12}$/);
      expect(answer.modelScore).toBeGreaterThanOrEqual(0);
      const d = await audit(orderId);
      expect(d).toMatchObject({ modelVersion: answer.modelVersion, modelScore: answer.modelScore });
      const signals = JSON.parse(d.signalsJson);
      expect(signals.model).toMatchObject({ status: 'SCORED', version: answer.modelVersion });
      // by name (jsonb keeps keys in its own order)
      expect(Object.keys(signals.model.features).sort()).toEqual([...FRAUD_FEATURES].sort());
      expect(signals.model.features).toMatchObject({ line_count: 2, order_total: 150 });
      expect(signals.model.features.account_age_days).toBeCloseTo(700, 0);
    });

    it('a stolen account: its history, then ten times its value from a new device and place', async () => {
      const accountId = randomUUID();
      const accountCreatedAt = new Date(Date.now() - 700 * DAY).toISOString();
      const usual = { accountId, accountCreatedAt, deviceId: `dev-${accountId}` };
      const addressFingerprint = `cn|zj|hz|xh|home ${accountId}|`;
      const before: number[] = [];
      for (const total of [12_000, 18_000, 9_000])
        before.push((await order({ ...usual, addressFingerprint, total: cny(total) })).modelScore!);
      const orderId = randomUUID();
      const taken = await order({
        orderId,
        accountId,
        accountCreatedAt,
        deviceId: `atk-${randomUUID()}`,
        ip: '185.220.101.4',
        addressFingerprint: `cn|fj|xm|drop ${randomUUID()}|`,
        total: cny(160_000),
        lineCount: 1,
      });
      const features = JSON.parse((await audit(orderId)).signalsJson).model.features;
      expect(features).toMatchObject({
        prior_orders_90d: 3,
        new_device_for_account: 1,
        new_address_for_account: 1,
      });
      // 1,600.00 against its average of 130.00 (audited to 4 decimals)
      expect(features.total_vs_account_mean).toBeCloseTo(1600 / 130, 3);
      expect(taken.modelScore).toBeGreaterThan(Math.max(...before));
      expect(taken).toMatchObject({ decision: 'DECISION_REVIEW' });
      expect(taken.reasons).toContain('MODEL_SCORE');
    });

    it('MODEL_SCORE is a rule as data: tuned with UpsertRule (per mille), bad thresholds refused', async () => {
      const { rules } = await call<riskV1.ListRulesResponse>('listRules', {});
      const rule = rules.find((r) => r.kind === 'MODEL_SCORE')!;
      await call('upsertRule', { rule: { ...rule, threshold: 1, action: 'REJECT' } });
      await new Promise((r) => setTimeout(r, 1100)); // the rule cache holds for a second
      const orderId = randomUUID();
      const answer = await order({ orderId });
      if (answer.modelScore! >= 0.001)
        expect(answer).toMatchObject({ decision: 'DECISION_REJECT', reasons: ['MODEL_SCORE'] });
      else expect(answer.decision).toBe('DECISION_ALLOW');
      await call('upsertRule', { rule });
      for (const threshold of [0, 1001])
        expect((await failure(call('upsertRule', { rule: { ...rule, threshold } }))).code).toBe(
          'RULE_INVALID',
        );
      expect(
        (await failure(call('upsertRule', { rule: { ...rule, appliesTo: 'LOGIN' } }))).message,
      ).toContain('applies to ORDER');
    });

    it('refuses an account_created_at that is no time', async () => {
      expect((await failure(order({ accountCreatedAt: 'last year' }))).code).toBe(
        'TIMESTAMP_INVALID',
      );
    });

    it('GetFraudModel: the model in force, its held-out figures, deadline and counters', async () => {
      const m = await call<riskV1.GetFraudModelResponse>('getFraudModel', {});
      expect(m).toMatchObject({
        loaded: true,
        version: expect.stringMatching(/^fm-/),
        deadlineMs: 15,
        pastDeadline: 0,
        failed: 0,
        features: [...FRAUD_FEATURES],
      });
      expect(m.scored).toBeGreaterThanOrEqual(6);
      expect(JSON.parse(m.reportJson)).toMatchObject({
        roc_auc: expect.any(Number),
        at_budget: { lift_fraud_caught: expect.any(Number) },
      });
    });

    it('with FRAUD_MODEL_PATH empty the rules decide alone; a model that cannot load stops the start', async () => {
      const rulesAlone = await startRisk(
        await config({ FRAUD_MODEL_PATH: '' }),
        testLogger('risk'),
      );
      const other = grpcTestClient(
        PROTO_FILES.risk,
        'emporia.risk.v1.RiskService',
        rulesAlone.grpcUrl!,
      );
      try {
        const answer = await other.call<riskV1.ScoreOrderResponse>('scoreOrder', {
          orderId: randomUUID(),
          accountId: randomUUID(),
          total: cny(100),
          couponCodes: [],
        });
        expect(answer).toMatchObject({ decision: 'DECISION_ALLOW', modelVersion: '' });
        expect(answer.modelScore).toBeUndefined();
        expect(await other.call('getFraudModel', {})).toMatchObject({
          loaded: false,
          version: '',
          features: [],
        });
      } finally {
        other.close();
        await rulesAlone.close();
      }
      await expect(
        startRisk(
          await config({ FRAUD_MODEL_PATH: '/nonexistent/model.onnx' }),
          testLogger('risk'),
        ),
      ).rejects.toThrow(/FRAUD_MODEL_PATH \/nonexistent\/model.onnx: cannot be read/);
    });
  });
});
