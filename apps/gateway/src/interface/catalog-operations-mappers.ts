import { catalogV1 } from '@emporia/contracts';
import type {
  ComplianceAuditEntryView,
  ComplianceReviewView,
  LowStockItemView,
  StockThresholdView,
  TagRuleDto,
  TagRuleView,
} from './dto/catalog-operations.dto';
import { complianceStatusName } from './mappers';

/** Explicit mapping between the catalog's operations routes and `emporia.catalog.v1`. */

const orNull = (s: string): string | null => s || null;

export const stockThresholdView = (t: catalogV1.StockThreshold): StockThresholdView => ({
  skuId: t.skuId,
  warehouseCode: t.warehouseCode,
  threshold: t.threshold,
  low: t.low,
  lowSince: orNull(t.lowSince),
  updatedAt: orNull(t.updatedAt),
});

export const lowStockItemView = (i: catalogV1.LowStockItem): LowStockItemView => ({
  skuId: i.skuId,
  skuCode: i.skuCode,
  productId: i.productId,
  productTitle: i.productTitle,
  warehouseCode: i.warehouseCode,
  onHand: i.onHand,
  reserved: i.reserved,
  available: i.available,
  threshold: i.threshold,
  lowSince: i.lowSince,
});

const KIND_PREFIX = 'TAG_RULE_KIND_';

export const tagRuleView = (r: catalogV1.TagRule): TagRuleView => {
  const bestSeller = r.kind === catalogV1.TagRuleKind.TAG_RULE_KIND_BEST_SELLER;
  return {
    tag: r.tag,
    kind: r.kind.startsWith(KIND_PREFIX) ? r.kind.slice(KIND_PREFIX.length) : r.kind,
    days: r.days,
    top: bestSeller ? r.top : null,
    minUnits: bestSeller ? r.minUnits : null,
  };
};

export const tagRuleToProto = (r: TagRuleDto): catalogV1.TagRule => ({
  tag: r.tag,
  kind: `${KIND_PREFIX}${r.kind}` as catalogV1.TagRuleKind,
  days: r.days,
  top: r.top ?? 0,
  minUnits: r.minUnits ?? 0,
});

export const complianceStatusToProto = (s: string | undefined): catalogV1.ComplianceStatus =>
  s
    ? (`COMPLIANCE_STATUS_${s}` as catalogV1.ComplianceStatus)
    : catalogV1.ComplianceStatus.COMPLIANCE_STATUS_UNSPECIFIED;

export const complianceReviewView = (r: catalogV1.ComplianceReview): ComplianceReviewView => ({
  id: r.id,
  productId: r.productId,
  productVersion: r.productVersion,
  qualityReportRef: r.qualityReportRef,
  status: complianceStatusName(r.status),
  submittedBy: r.submittedBy,
  submittedAt: r.submittedAt,
  decidedBy: orNull(r.decidedBy),
  decidedAt: orNull(r.decidedAt),
  reason: orNull(r.reason),
});

export const complianceAuditView = (
  e: catalogV1.ComplianceAuditEntry,
): ComplianceAuditEntryView => ({
  id: e.id,
  productId: e.productId,
  reviewId: orNull(e.reviewId),
  action: e.action,
  actorId: orNull(e.actorId),
  detail: e.detail,
  occurredAt: e.occurredAt,
});
