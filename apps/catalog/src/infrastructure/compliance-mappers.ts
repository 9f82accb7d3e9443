import { catalogV1 } from '@emporia/contracts';
import type {
  ComplianceAuditEntry,
  ComplianceReview,
  ComplianceStatus,
  ReviewStatus,
} from '../domain/compliance';
import type { TagRule, TagRuleKind } from '../domain/tag';

/** Issue 18 (catalog-merch): tag rules and compliance review to and from contract messages. */

const CS = catalogV1.ComplianceStatus;

export const COMPLIANCE_TO_PROTO: Record<ComplianceStatus, catalogV1.ComplianceStatus> = {
  NOT_REQUIRED: CS.COMPLIANCE_STATUS_NOT_REQUIRED,
  REQUIRED: CS.COMPLIANCE_STATUS_REQUIRED,
  PENDING: CS.COMPLIANCE_STATUS_PENDING,
  APPROVED: CS.COMPLIANCE_STATUS_APPROVED,
  REJECTED: CS.COMPLIANCE_STATUS_REJECTED,
};

/** A review status filter: UNSPECIFIED (or unset) is every status; a product-only status matches no review. */
export function reviewStatusFromProto(
  s: catalogV1.ComplianceStatus | string | undefined,
): ReviewStatus | 'NONE' | undefined {
  switch (s) {
    case CS.COMPLIANCE_STATUS_PENDING:
      return 'PENDING';
    case CS.COMPLIANCE_STATUS_APPROVED:
      return 'APPROVED';
    case CS.COMPLIANCE_STATUS_REJECTED:
      return 'REJECTED';
    case undefined:
    case '':
    case CS.COMPLIANCE_STATUS_UNSPECIFIED:
      return undefined;
    default:
      return 'NONE';
  }
}

export const reviewToProto = (r: ComplianceReview): catalogV1.ComplianceReview => ({
  id: r.id,
  productId: r.productId,
  productVersion: r.productVersion,
  qualityReportRef: r.qualityReportRef,
  status: COMPLIANCE_TO_PROTO[r.status],
  submittedBy: r.submittedBy,
  submittedAt: r.submittedAt.toISOString(),
  decidedBy: r.decidedBy,
  decidedAt: r.decidedAt ? r.decidedAt.toISOString() : '',
  reason: r.reason,
});

export const auditToProto = (e: ComplianceAuditEntry): catalogV1.ComplianceAuditEntry => ({
  id: e.id,
  productId: e.productId,
  reviewId: e.reviewId ?? '',
  action: e.action,
  actorId: e.actorId,
  detail: e.detail,
  occurredAt: e.occurredAt.toISOString(),
});

const KIND_TO_PROTO: Record<TagRuleKind, catalogV1.TagRuleKind> = {
  NEW_ARRIVAL: catalogV1.TagRuleKind.TAG_RULE_KIND_NEW_ARRIVAL,
  BEST_SELLER: catalogV1.TagRuleKind.TAG_RULE_KIND_BEST_SELLER,
};

export const tagRuleToProto = (r: TagRule): catalogV1.TagRule => ({
  tag: r.tag,
  kind: KIND_TO_PROTO[r.kind],
  days: r.days,
  top: r.top,
  minUnits: r.minUnits,
});

/** An unknown kind passes through as itself, for the domain to refuse (TAG_RULES_INVALID). */
export const tagRuleFromProto = (r: catalogV1.TagRule): TagRule => ({
  tag: r.tag ?? '',
  kind:
    r.kind === catalogV1.TagRuleKind.TAG_RULE_KIND_NEW_ARRIVAL
      ? 'NEW_ARRIVAL'
      : r.kind === catalogV1.TagRuleKind.TAG_RULE_KIND_BEST_SELLER
        ? 'BEST_SELLER'
        : (String(r.kind) as TagRuleKind),
  days: Number(r.days ?? 0),
  top: Number(r.top ?? 0),
  minUnits: Number(r.minUnits ?? 0),
});
