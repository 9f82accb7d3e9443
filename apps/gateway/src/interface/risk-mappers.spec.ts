import { riskV1 } from '@emporia/contracts';
import type { UpsertRuleDto } from './dto/risk-admin.dto';
import {
  decisionsRequest,
  decisionView,
  fraudModelView,
  listEntriesToProto,
  listExportView,
  parseListKind,
  removalToProto,
  ruleToProto,
  ruleView,
} from './risk-mappers';

const ID = '00000000-0000-4000-8000-000000000008';
const ORDER = '0190a000-0000-7000-8000-0000000000a1';

describe('risk mapping', () => {
  describe('rules', () => {
    it('keeps a MODEL_SCORE rule (threshold per mille) through GET and PUT', () => {
      const stored: riskV1.Rule = {
        id: ID,
        name: 'fraud model score at or above the review threshold',
        kind: 'MODEL_SCORE',
        appliesTo: 'ORDER',
        action: 'REVIEW',
        score: 50,
        active: true,
        listKind: '',
        dimension: '',
        windowSeconds: 0,
        threshold: 297,
        amount: undefined,
      };
      const view = ruleView(stored);
      expect(view).toMatchObject({ kind: 'MODEL_SCORE', threshold: 297, windowSeconds: null });
      const { id, ...body } = view;
      expect(ruleToProto(id, body)).toEqual(stored);
    });

    it('sends the proto defaults for the fields a kind does not use', () => {
      const dto: UpsertRuleDto = {
        name: 'blacklisted device signing in',
        kind: 'LIST_MATCH',
        appliesTo: 'LOGIN',
        action: 'REJECT',
        score: 100,
        active: true,
        listKind: 'DEVICE',
      };
      expect(ruleToProto(ID, dto)).toEqual({
        id: ID,
        name: 'blacklisted device signing in',
        kind: 'LIST_MATCH',
        appliesTo: 'LOGIN',
        action: 'REJECT',
        score: 100,
        active: true,
        listKind: 'DEVICE',
        dimension: '',
        windowSeconds: 0,
        threshold: 0,
        amount: undefined,
      });
    });

    it('shows unused fields as null, and what GET shows (minus id) goes back unchanged', () => {
      const stored: riskV1.Rule = {
        id: ID,
        name: 'brushing',
        kind: 'BRUSHING',
        appliesTo: 'ORDER',
        action: 'REVIEW',
        score: 60,
        active: true,
        listKind: '',
        dimension: '',
        windowSeconds: 3600,
        threshold: 5,
        amount: { amountMinor: 1000, currency: 'CNY' },
      };
      const view = ruleView(stored);
      expect(view).toMatchObject({ listKind: null, dimension: null, threshold: 5 });
      const { id, ...body } = view;
      // a rule as GET shows it (nulls for fields its kind does not use) posts back unchanged
      const back = ruleToProto(id, body);
      expect(back).toEqual(stored);
    });

    it("keeps a review rule's delivery window through GET and PUT", () => {
      const stored: riskV1.Rule = {
        id: ID,
        name: '5 reviews within an hour, each within 2 hours of its delivery',
        kind: 'BULK_AFTER_DELIVERY',
        appliesTo: 'REVIEW',
        action: 'REVIEW',
        score: 50,
        active: true,
        listKind: '',
        dimension: '',
        windowSeconds: 3600,
        threshold: 5,
        deliveryWindowSeconds: 7200,
        amount: undefined,
      };
      const { id, ...body } = ruleView(stored);
      expect(body.deliveryWindowSeconds).toBe(7200);
      expect(ruleToProto(id, { ...body, active: false })).toEqual({ ...stored, active: false });
    });

    it("keeps a return-abuse rule's minimum sample through GET and PUT; other kinds show null", () => {
      const stored: riskV1.Rule = {
        id: ID,
        name: 'returns 40% of the delivered lines over a year',
        kind: 'RETURN_ABUSE',
        appliesTo: 'ORDER',
        action: 'REVIEW',
        score: 30,
        active: true,
        listKind: '',
        dimension: 'RETURN_RATE',
        windowSeconds: 365 * 86_400,
        threshold: 40,
        minSample: 10,
        amount: undefined,
      };
      const { id, ...body } = ruleView(stored);
      expect(body).toMatchObject({ dimension: 'RETURN_RATE', threshold: 40, minSample: 10 });
      expect(ruleToProto(id, body)).toEqual(stored);
      expect(
        ruleView({ ...stored, kind: 'ADDRESS_QUALITY', dimension: 'ANY', minSample: 0 }),
      ).toMatchObject({ kind: 'ADDRESS_QUALITY', dimension: 'ANY', minSample: null });
      expect(ruleView({ ...stored, minSample: undefined }).minSample).toBeNull();
      expect(ruleToProto(id, { ...body, minSample: null }).minSample).toBeUndefined();
    });
  });

  describe('lists', () => {
    it.each([
      ['ADDRESS', 'ADDRESS'],
      ['ip', 'IP'],
      ['Phone', 'PHONE'],
    ])('takes the list kind %p in any case', (raw, kind) => {
      expect(parseListKind(raw)).toBe(kind);
    });

    it.each(['EMAIL', '', 'IPS', 'ADDRESS '])('refuses the list kind %p with a 400', (raw) => {
      expect(() => parseListKind(raw)).toThrow(
        expect.objectContaining({ status: 400, code: 'LIST_KIND_INVALID' }),
      );
    });

    it("puts the path's kind on every entry, the reason defaulting to ''", () => {
      expect(
        listEntriesToProto('IP', {
          entries: [{ value: '203.0.113.7', reason: 'bot' }, { value: '198.51.100.1' }],
        }),
      ).toEqual([
        { kind: 'IP', value: '203.0.113.7', reason: 'bot', addedAt: '' },
        { kind: 'IP', value: '198.51.100.1', reason: '', addedAt: '' },
      ]);
      expect(removalToProto('PHONE', { values: ['+86 136 0000 3333'] })).toEqual([
        { kind: 'PHONE', value: '+86 136 0000 3333', reason: '', addedAt: '' },
      ]);
    });

    it('imports an export as it is, and refuses one of another list', () => {
      const exported = listExportView('DEVICE', {
        entries: [
          {
            kind: 'DEVICE',
            value: 'dev-1',
            reason: 'emulator farm',
            addedAt: '2026-01-01T00:00:00.000Z',
          },
        ],
      });
      expect(exported).toEqual({
        kind: 'DEVICE',
        entries: [{ value: 'dev-1', reason: 'emulator farm', addedAt: '2026-01-01T00:00:00.000Z' }],
      });
      expect(listEntriesToProto('DEVICE', exported)).toEqual([
        { kind: 'DEVICE', value: 'dev-1', reason: 'emulator farm', addedAt: '' },
      ]);
      expect(() => listEntriesToProto('IP', exported)).toThrow(
        expect.objectContaining({ status: 400, code: 'LIST_KIND_MISMATCH' }),
      );
    });
  });

  describe('decisions', () => {
    const stored: riskV1.StoredDecision = {
      id: '0190a000-0000-7000-8000-0000000000d1',
      kind: 'ORDER',
      subjectId: ORDER,
      accountId: '0190a000-0000-7000-8000-0000000000b1',
      decision: riskV1.Decision.DECISION_REVIEW,
      score: 60,
      reasons: ['BRUSHING'],
      signalsJson: '{"listed":[],"counts":{"smallOrders:1000CNY:3600":5}}',
      decidedAt: '2026-01-01T00:00:00.000Z',
      modelVersion: '',
    };

    it('drops the enum prefix and parses the signals into an object', () => {
      expect(decisionView(stored)).toEqual({
        id: stored.id,
        kind: 'ORDER',
        subjectId: ORDER,
        accountId: stored.accountId,
        decision: 'REVIEW',
        score: 60,
        reasons: ['BRUSHING'],
        signals: { listed: [], counts: { 'smallOrders:1000CNY:3600': 5 } },
        decidedAt: '2026-01-01T00:00:00.000Z',
        modelVersion: null,
        modelScore: null,
      });
    });

    it('shows the fraud model that scored an order and its probability (issue 23)', () => {
      expect(
        decisionView({ ...stored, modelVersion: 'fm-4cf60ea244b5', modelScore: 0.8125 }),
      ).toMatchObject({ modelVersion: 'fm-4cf60ea244b5', modelScore: 0.8125 });
    });

    it.each(['', 'not json', '[1,2]', 'null', '"text"'])(
      'shows signals %p that are not a JSON object as null, not a failure',
      (signalsJson) => {
        expect(decisionView({ ...stored, signalsJson }).signals).toBeNull();
      },
    );

    it('filters by subject, orderId being the same filter, and by account', () => {
      expect(decisionsRequest({ orderId: ORDER.toUpperCase() })).toEqual({
        subjectId: ORDER,
        accountId: '',
        limit: 0,
      });
      expect(decisionsRequest({ subjectId: ORDER, orderId: ORDER, limit: 5 })).toEqual({
        subjectId: ORDER,
        accountId: '',
        limit: 5,
      });
      expect(decisionsRequest({ accountId: ORDER })).toEqual({
        subjectId: '',
        accountId: ORDER,
        limit: 0,
      });
      expect(() =>
        decisionsRequest({ subjectId: ORDER, orderId: '0190a000-0000-7000-8000-0000000000a2' }),
      ).toThrow(expect.objectContaining({ status: 400, code: 'FILTER_CONFLICT' }));
    });
  });

  describe('fraud model', () => {
    it('shows the report as an object and what is unset as null', () => {
      expect(
        fraudModelView({
          loaded: true,
          version: 'fm-4cf60ea244b5',
          trainedAt: '2026-12-05T22:30:00Z',
          reportJson: '{"roc_auc":0.9974,"at_budget":{"lift_fraud_caught":3.06}}',
          deadlineMs: 15,
          scored: 12,
          pastDeadline: 1,
          failed: 0,
          features: ['account_age_days', 'order_total'],
        }),
      ).toEqual({
        loaded: true,
        version: 'fm-4cf60ea244b5',
        trainedAt: '2026-12-05T22:30:00Z',
        report: { roc_auc: 0.9974, at_budget: { lift_fraud_caught: 3.06 } },
        deadlineMs: 15,
        scored: 12,
        pastDeadline: 1,
        failed: 0,
        features: ['account_age_days', 'order_total'],
      });
      expect(
        fraudModelView({
          loaded: false,
          version: '',
          trainedAt: '',
          reportJson: '',
          deadlineMs: 15,
          scored: 0,
          pastDeadline: 0,
          failed: 0,
          features: [],
        }),
      ).toMatchObject({ loaded: false, version: null, trainedAt: null, report: null });
    });
  });
});
