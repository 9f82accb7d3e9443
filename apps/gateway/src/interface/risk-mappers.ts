import { isIP } from 'node:net';
import type { riskV1 } from '@emporia/contracts';
import {
  LIST_KINDS,
  type AddListEntriesDto,
  type DecisionView,
  type FraudModelView,
  type ListDecisionsQuery,
  type ListExportView,
  type ListKind,
  type RemoveListEntriesDto,
  type RuleView,
  type UpsertRuleDto,
} from './dto/risk-admin.dto';
import { ProblemError } from './problem';

/**
 * Risk messages ↔ JSON: camelCase fields; what a rule kind does not use is null in responses
 * (the proto's '' and 0), so a rule read with GET can be PUT back; decisions drop the enum's
 * DECISION_ prefix and carry their signals as an object, not a JSON string.
 */

/** A list kind in a path: upper or lower case; anything else is 400 before risk is called. */
export function parseListKind(raw: string): ListKind {
  const kind = (raw ?? '').toUpperCase();
  if (!(LIST_KINDS as readonly string[]).includes(kind))
    throw new ProblemError(
      400,
      'LIST_KIND_INVALID',
      `a list is one of ${LIST_KINDS.join(', ')}, not '${raw}'`,
    );
  return kind as ListKind;
}

export const ruleToProto = (id: string, b: UpsertRuleDto): riskV1.Rule => ({
  id,
  name: b.name,
  kind: b.kind,
  appliesTo: b.appliesTo,
  action: b.action,
  score: b.score,
  active: b.active,
  listKind: b.listKind ?? '',
  dimension: b.dimension ?? '',
  windowSeconds: b.windowSeconds ?? 0,
  threshold: b.threshold ?? 0,
  deliveryWindowSeconds: b.deliveryWindowSeconds ?? undefined,
  minSample: b.minSample ?? undefined,
  amount: b.amount ? { amountMinor: b.amount.amountMinor, currency: b.amount.currency } : undefined,
});

export const ruleView = (r: riskV1.Rule): RuleView => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  appliesTo: r.appliesTo,
  action: r.action,
  score: r.score,
  active: r.active,
  listKind: r.listKind || null,
  dimension: r.dimension || null,
  windowSeconds: r.windowSeconds || null,
  threshold: r.threshold || null,
  deliveryWindowSeconds: r.deliveryWindowSeconds || null,
  minSample: r.minSample || null,
  amount: r.amount
    ? { amountMinor: Number(r.amount.amountMinor), currency: r.amount.currency }
    : null,
});

/** The entries of a POST, for the path's list; an export's `kind` must name the same list. */
export function listEntriesToProto(kind: ListKind, b: AddListEntriesDto): riskV1.ListEntry[] {
  if (b.kind !== undefined && b.kind !== null && b.kind !== kind)
    throw new ProblemError(
      400,
      'LIST_KIND_MISMATCH',
      `the body is a ${b.kind} list but the path names ${kind}`,
    );
  if (kind === 'IP') {
    // risk matches addresses exactly (no CIDR ranges): an entry that is no address never matches
    const errors = b.entries
      .map((e, i) => ({ field: `entries.${i}.value`, value: e.value }))
      .filter((e) => isIP(e.value.trim()) === 0)
      .slice(0, 20)
      .map(({ field, value }) => ({
        field,
        message: `${field} '${value}' is not an IPv4 or IPv6 address`,
      }));
    if (errors.length > 0)
      throw new ProblemError(
        400,
        'VALIDATION_FAILED',
        errors.map((e) => e.message).join('; '),
        errors,
      );
  }
  return b.entries.map((e) => ({ kind, value: e.value, reason: e.reason ?? '', addedAt: '' }));
}

export const removalToProto = (kind: ListKind, b: RemoveListEntriesDto): riskV1.ListEntry[] =>
  b.values.map((value) => ({ kind, value, reason: '', addedAt: '' }));

/** An export: what `POST /v1/admin/risk/lists/{kind}/entries` takes back as it is. */
export const listExportView = (kind: ListKind, r: riskV1.ExportListResponse): ListExportView => ({
  kind,
  entries: r.entries.map((e) => ({ value: e.value, reason: e.reason, addedAt: e.addedAt })),
});

export function decisionsRequest(q: ListDecisionsQuery): riskV1.ListDecisionsRequest {
  if (q.subjectId && q.orderId && q.subjectId.toLowerCase() !== q.orderId.toLowerCase())
    throw new ProblemError(
      400,
      'FILTER_CONFLICT',
      'subjectId and orderId name the same thing: give one, or the same id',
    );
  return {
    subjectId: (q.subjectId ?? q.orderId ?? '').toLowerCase(),
    accountId: (q.accountId ?? '').toLowerCase(),
    limit: q.limit ?? 0,
  };
}

function parseSignals(json: string): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export const decisionView = (d: riskV1.StoredDecision): DecisionView => ({
  id: d.id,
  kind: d.kind,
  subjectId: d.subjectId,
  accountId: d.accountId,
  decision: String(d.decision).replace(/^DECISION_/, ''),
  score: d.score,
  reasons: d.reasons,
  signals: parseSignals(d.signalsJson),
  decidedAt: d.decidedAt,
  modelVersion: d.modelVersion || null,
  modelScore: d.modelScore ?? null,
});

/** The fraud model: its report as an object, unset values as null. */
export const fraudModelView = (m: riskV1.GetFraudModelResponse): FraudModelView => ({
  loaded: m.loaded,
  version: m.version || null,
  trainedAt: m.trainedAt || null,
  report: parseSignals(m.reportJson),
  deadlineMs: m.deadlineMs,
  scored: Number(m.scored),
  pastDeadline: Number(m.pastDeadline),
  failed: Number(m.failed),
  features: m.features,
});
