import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { riskV1 } from '@emporia/contracts';
import { Money } from '@emporia/money';
import { withGrpcContext } from '@emporia/platform';
import { UUID_RE } from '@emporia/domain';
import type { StoredDecision } from '../application/ports';
import { RiskUseCase } from '../application/risk.use-case';
import { RiskError } from '../domain/risk-error';
import { parseListKind, type ReturnDimension, type Rule } from '../domain/rules';

const bad = (code: string, message: string) => new RiskError('INVALID_ARGUMENT', code, message);
const uuid = (field: string, v: string) => {
  if (!UUID_RE.test(v ?? '')) throw bad('ID_INVALID', `${field} must be a UUID`);
  return v.toLowerCase();
};

const DECISION: Record<StoredDecision['decision'], riskV1.Decision> = {
  ALLOW: riskV1.Decision.DECISION_ALLOW,
  REVIEW: riskV1.Decision.DECISION_REVIEW,
  REJECT: riskV1.Decision.DECISION_REJECT,
};

function ruleIn(r: riskV1.Rule | undefined): Rule {
  if (!r) throw bad('RULE_INVALID', 'rule is required');
  const amount = () => {
    try {
      return Money.of(Number(r.amount?.amountMinor), r.amount?.currency ?? '');
    } catch (e) {
      throw bad('RULE_INVALID', `amount: ${(e as Error).message}`);
    }
  };
  const common = {
    id: uuid('rule.id', r.id),
    name: r.name ?? '',
    appliesTo: r.appliesTo as Rule['appliesTo'],
    action: r.action as Rule['action'],
    score: r.score,
    active: r.active,
  };
  const w = { windowSeconds: r.windowSeconds, threshold: r.threshold };
  switch (r.kind) {
    case 'LIST_MATCH':
      return { ...common, kind: r.kind, listKind: parseListKind(r.listKind) };
    case 'VELOCITY':
      return { ...common, kind: r.kind, dimension: r.dimension as 'ACCOUNT', ...w };
    case 'AMOUNT':
      return { ...common, kind: r.kind, amount: amount() };
    case 'BRUSHING':
      return { ...common, kind: r.kind, amount: amount(), ...w };
    case 'COUPON_ABUSE':
      return { ...common, kind: r.kind, dimension: r.dimension as 'DEVICE', ...w };
    case 'LOGIN_ANOMALY':
      return { ...common, kind: r.kind, windowSeconds: r.windowSeconds };
    case 'LOGIN_VELOCITY':
      return { ...common, kind: r.kind, dimension: r.dimension as 'IP', ...w };
    case 'NEW_ACCOUNT':
      return { ...common, kind: r.kind, windowSeconds: r.windowSeconds };
    case 'BULK_AFTER_DELIVERY':
      return {
        ...common,
        kind: r.kind,
        ...w,
        deliveryWindowSeconds: r.deliveryWindowSeconds ?? 0,
      };
    case 'ADDRESS_QUALITY':
      return { ...common, kind: r.kind, dimension: r.dimension };
    case 'ADDRESS_SPREAD':
      return { ...common, kind: r.kind, dimension: r.dimension as 'ADDRESS', ...w };
    case 'MODEL_SCORE':
      return { ...common, kind: r.kind, threshold: r.threshold };
    case 'RETURN_ABUSE':
      // min_sample 0 or absent: the default (1 delivered line) for RETURN_RATE
      return {
        ...common,
        kind: r.kind,
        dimension: r.dimension as ReturnDimension,
        ...w,
        ...(r.minSample ? { minSample: r.minSample } : {}),
      };
    default:
      throw bad('RULE_INVALID', `unknown rule kind '${r.kind}'`);
  }
}

const DIMENSIONS: Record<string, string[]> = {
  VELOCITY: ['ACCOUNT', 'IP', 'ADDRESS', 'DEVICE'],
  COUPON_ABUSE: ['DEVICE', 'ADDRESS'],
  LOGIN_VELOCITY: ['IP', 'ACCOUNT'],
};

function checkDimension(r: Rule): Rule {
  const allowed = DIMENSIONS[r.kind];
  if (allowed && 'dimension' in r && !allowed.includes(r.dimension))
    throw bad('RULE_INVALID', `a ${r.kind} rule counts by ${allowed.join(', ')}`);
  return r;
}

const ruleOut = (r: Rule): riskV1.Rule => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  appliesTo: r.appliesTo,
  action: r.action,
  score: r.score,
  active: r.active,
  listKind: r.kind === 'LIST_MATCH' ? r.listKind : '',
  dimension: 'dimension' in r ? r.dimension : '',
  windowSeconds: 'windowSeconds' in r ? r.windowSeconds : 0,
  threshold: 'threshold' in r ? r.threshold : 0,
  amount:
    'amount' in r ? { amountMinor: r.amount.amountMinor, currency: r.amount.currency } : undefined,
  deliveryWindowSeconds: r.kind === 'BULK_AFTER_DELIVERY' ? r.deliveryWindowSeconds : undefined,
  minSample:
    r.kind === 'RETURN_ABUSE' && r.dimension === 'RETURN_RATE' ? (r.minSample ?? 1) : undefined,
});

/** An RFC 3339 instant, or null for "" (unknown). */
const instant = (field: string, v: string): Date | null => {
  if (!v) return null;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t))
    throw bad('TIMESTAMP_INVALID', `${field} must be an RFC 3339 time or empty`);
  return new Date(t);
};

const decisionOut = (d: StoredDecision): riskV1.StoredDecision => ({
  id: d.id,
  kind: d.kind,
  subjectId: d.subjectId,
  accountId: d.accountId,
  decision: DECISION[d.decision],
  score: d.score,
  reasons: d.reasons,
  signalsJson: JSON.stringify(d.signals),
  decidedAt: d.decidedAt.toISOString(),
  modelVersion: d.modelVersion ?? '',
  modelScore: d.modelScore,
});

@Controller()
@riskV1.RiskServiceControllerMethods()
export class RiskGrpcController implements riskV1.RiskServiceController {
  constructor(private readonly risk: RiskUseCase) {}

  scoreReview(req: riskV1.ScoreReviewRequest, md?: Metadata): Promise<riskV1.ScoreReviewResponse> {
    return withGrpcContext(md, async () => {
      if (!req.accountId) throw bad('SUBJECT_REQUIRED', 'account_id is required');
      const d = await this.risk.scoreReview({
        reviewId: uuid('review_id', req.reviewId),
        accountId: req.accountId,
        deviceId: req.deviceId,
        ip: req.ip,
        addressFingerprint: req.addressFingerprint,
        productId: req.productId,
        deliveredAt: instant('delivered_at', req.deliveredAt),
        accountCreatedAt: instant('account_created_at', req.accountCreatedAt),
        rating: req.rating,
        photoCount: req.photoCount,
      });
      return { decision: DECISION[d.decision], score: d.score, reasons: d.reasons };
    });
  }

  scoreOrder(req: riskV1.ScoreOrderRequest, md?: Metadata): Promise<riskV1.ScoreOrderResponse> {
    return withGrpcContext(md, async () => {
      let total: Money;
      try {
        total = Money.of(Number(req.total?.amountMinor), req.total?.currency ?? '');
      } catch (e) {
        throw bad('MONEY_INVALID', `total: ${(e as Error).message}`);
      }
      const d = await this.risk.scoreOrder({
        orderId: uuid('order_id', req.orderId),
        accountId: req.accountId,
        ip: req.ip,
        deviceId: req.deviceId,
        addressFingerprint: req.addressFingerprint,
        phone: req.phone,
        total,
        couponCodes: req.couponCodes,
        addressIssues: req.addressIssues ?? [],
        lineCount: Math.max(0, req.lineCount ?? 0),
        accountCreatedAt: instant('account_created_at', req.accountCreatedAt ?? ''),
      });
      return {
        decision: DECISION[d.decision],
        score: d.score,
        reasons: d.reasons,
        modelScore: d.modelScore,
        modelVersion: d.modelVersion ?? '',
      };
    });
  }

  scoreLogin(req: riskV1.ScoreLoginRequest, md?: Metadata): Promise<riskV1.ScoreLoginResponse> {
    return withGrpcContext(md, async () => {
      if (!req.accountId && !req.ip) throw bad('SUBJECT_REQUIRED', 'account_id or ip is required');
      const d = await this.risk.scoreLogin(req);
      return { decision: DECISION[d.decision], score: d.score, reasons: d.reasons };
    });
  }

  upsertRule(req: riskV1.UpsertRuleRequest, md?: Metadata): Promise<riskV1.UpsertRuleResponse> {
    return withGrpcContext(md, async () => ({
      rule: ruleOut(await this.risk.upsertRule(checkDimension(ruleIn(req.rule)))),
    }));
  }

  listRules(_req: riskV1.ListRulesRequest, md?: Metadata): Promise<riskV1.ListRulesResponse> {
    return withGrpcContext(md, async () => ({ rules: (await this.risk.listRules()).map(ruleOut) }));
  }

  addListEntries(
    req: riskV1.AddListEntriesRequest,
    md?: Metadata,
  ): Promise<riskV1.AddListEntriesResponse> {
    return withGrpcContext(md, async () => ({
      added: await this.risk.addEntries(
        req.entries.map((e) => ({ kind: parseListKind(e.kind), value: e.value, reason: e.reason })),
      ),
    }));
  }

  removeListEntries(
    req: riskV1.RemoveListEntriesRequest,
    md?: Metadata,
  ): Promise<riskV1.RemoveListEntriesResponse> {
    return withGrpcContext(md, async () => ({
      removed: await this.risk.removeEntries(
        req.entries.map((e) => ({ kind: parseListKind(e.kind), value: e.value })),
      ),
    }));
  }

  exportList(req: riskV1.ExportListRequest, md?: Metadata): Promise<riskV1.ExportListResponse> {
    return withGrpcContext(md, async () => ({
      entries: (await this.risk.exportList(parseListKind(req.kind))).map((e) => ({
        kind: e.kind,
        value: e.value,
        reason: e.reason,
        addedAt: e.addedAt.toISOString(),
      })),
    }));
  }

  getFraudModel(
    _req: riskV1.GetFraudModelRequest,
    md?: Metadata,
  ): Promise<riskV1.GetFraudModelResponse> {
    return withGrpcContext(md, async () => {
      const s = this.risk.fraudModel();
      return {
        loaded: !!s.card,
        version: s.card?.version ?? '',
        trainedAt: s.card?.trainedAt ?? '',
        reportJson: s.card ? JSON.stringify(s.card.report) : '',
        deadlineMs: s.deadlineMs,
        scored: s.scored,
        pastDeadline: s.pastDeadline,
        failed: s.failed,
        features: s.card?.features ?? [],
      };
    });
  }

  listDecisions(
    req: riskV1.ListDecisionsRequest,
    md?: Metadata,
  ): Promise<riskV1.ListDecisionsResponse> {
    return withGrpcContext(md, async () => ({
      decisions: (
        await this.risk.decisions({
          subjectId: req.subjectId,
          accountId: req.accountId,
          limit: req.limit,
        })
      ).map(decisionOut),
    }));
  }
}
