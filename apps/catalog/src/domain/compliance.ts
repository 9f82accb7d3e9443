import { publicUrlProblem } from '@emporia/domain';
import { CatalogError, invalid } from './catalog-error';

/**
 * Compliance review before publishing in regulated categories (food, mother and baby, ...).
 *
 * A product carries the state of its content's review (`ComplianceState`); what callers see is
 * `complianceStatus`: NOT_REQUIRED outside regulated categories, else that state. Publishing
 * (status → ACTIVE) in a regulated category needs APPROVED; an edit of the reviewed content
 * (title, description, brand, category) takes an approval (or a pending review) back to REQUIRED.
 */
export type ComplianceState = 'REQUIRED' | 'PENDING' | 'APPROVED' | 'REJECTED';
export type ComplianceStatus = 'NOT_REQUIRED' | ComplianceState;
export type ReviewStatus = 'PENDING' | 'APPROVED' | 'REJECTED';
export type AuditAction = 'submitted' | 'approved' | 'rejected' | 'invalidated' | 'refused_publish';

export interface ComplianceReview {
  id: string;
  productId: string;
  /** The product version whose content was submitted. */
  productVersion: number;
  qualityReportRef: string;
  status: ReviewStatus;
  submittedBy: string;
  submittedAt: Date;
  decidedBy: string;
  decidedAt: Date | null;
  reason: string;
}

export interface ComplianceAuditEntry {
  id: string;
  productId: string;
  reviewId: string | null;
  action: AuditAction;
  actorId: string;
  detail: string;
  occurredAt: Date;
}

/** Banned words (in title, description, SKU attributes) and blacklisted brands, normalised. */
export interface ComplianceRules {
  bannedWords: string[];
  blacklistedBrands: string[];
}

export const complianceStatus = (regulated: boolean, state: ComplianceState): ComplianceStatus =>
  regulated ? state : 'NOT_REQUIRED';

/** The fields whose edit needs a new review (the content a reviewer approved). */
export const REVIEWED_FIELDS = ['title', 'description', 'brand', 'category_id'] as const;

/** Whether an edit of `changed` fields takes a product in `state` back to REQUIRED. */
export const invalidatedByEdit = (state: ComplianceState, changed: readonly string[]): boolean =>
  (state === 'APPROVED' || state === 'PENDING') &&
  changed.some((f) => (REVIEWED_FIELDS as readonly string[]).includes(f));

/**
 * Case- and width-insensitive form used for every comparison: NFKC (full-width ＡＢＣ → ABC,
 * compatibility characters folded), lower case, runs of white space as one space, trimmed.
 */
export const normaliseTerm = (s: string): string =>
  s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

export const RULE_LIMITS = { terms: 500, termLength: 50 } as const;

function terms(field: string, values: readonly string[]): string[] {
  if (values.length > RULE_LIMITS.terms)
    throw rulesInvalid(`${field}: at most ${RULE_LIMITS.terms} entries`, field);
  const out = new Set<string>();
  for (const raw of values) {
    const term = normaliseTerm(typeof raw === 'string' ? raw : '');
    if (term.length === 0 || [...term].length > RULE_LIMITS.termLength)
      throw rulesInvalid(
        `${field}: '${raw}' must be 1..${RULE_LIMITS.termLength} characters`,
        field,
      );
    if (out.has(term)) throw rulesInvalid(`${field}: '${raw}' appears twice`, field);
    out.add(term);
  }
  return [...out].sort();
}

const rulesInvalid = (message: string, field: string) =>
  invalid('COMPLIANCE_RULES_INVALID', message, { field });

/** Validates and normalises a replacement rule set (duplicates after normalisation refused). */
export function complianceRules(input: {
  bannedWords: readonly string[];
  blacklistedBrands: readonly string[];
}): ComplianceRules {
  return {
    bannedWords: terms('banned_words', input.bannedWords ?? []),
    blacklistedBrands: terms('blacklisted_brands', input.blacklistedBrands ?? []),
  };
}

/** The banned words found in `texts` (substring match on normalised text: Chinese has no spaces). */
export function bannedWordsIn(texts: readonly string[], rules: ComplianceRules): string[] {
  const haystack = texts.map(normaliseTerm);
  return rules.bannedWords.filter((w) => haystack.some((t) => t.includes(w)));
}

export const brandBlacklisted = (brand: string, rules: ComplianceRules): boolean =>
  brand.trim().length > 0 && rules.blacklistedBrands.includes(normaliseTerm(brand));

const DOC_REF_RE = /^doc:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A quality-report reference: an https URL (public host) or a document-store id `doc:<id>`. */
export function qualityReportRef(raw: string): string {
  const ref = (raw ?? '').trim();
  if (ref.length === 0)
    throw invalid('QUALITY_REPORT_REQUIRED', 'a quality-report reference is required', {
      field: 'quality_report_ref',
    });
  if (DOC_REF_RE.test(ref)) return ref;
  const problem = publicUrlProblem(ref);
  if (problem)
    throw invalid(
      'QUALITY_REPORT_REQUIRED',
      `quality_report_ref must be an https URL or doc:<id>; the URL ${problem}`,
      { field: 'quality_report_ref' },
    );
  return ref;
}

/** What a submission is checked against: the product's reviewed content. */
export interface ReviewedContent {
  title: string;
  description: string;
  brand: string;
  skuAttributes: Record<string, string>[];
}

/** Refuses content with banned words (naming them) or a blacklisted brand. */
export function checkContent(content: ReviewedContent, rules: ComplianceRules): void {
  const texts = [
    content.title,
    content.description,
    ...content.skuAttributes.flatMap((a) => Object.entries(a).flat()),
  ];
  const found = bannedWordsIn(texts, rules);
  if (found.length > 0)
    // the words travel in the message only: error details go out as gRPC metadata, ASCII only
    throw invalid('BANNED_WORDS', `banned words: ${found.join(', ')}`, { count: found.length });
  if (brandBlacklisted(content.brand, rules))
    throw invalid('BRAND_BLACKLISTED', `brand '${content.brand}' is blacklisted`, {
      field: 'brand',
    });
}

/** Whether a product in `state` may get a new review. */
export function checkSubmittable(productId: string, regulated: boolean, state: ComplianceState) {
  if (!regulated)
    throw new CatalogError(
      'FAILED_PRECONDITION',
      'NOT_REGULATED',
      `product ${productId} is not in a regulated category: it needs no review`,
      { productId },
    );
  if (state === 'PENDING' || state === 'APPROVED')
    throw new CatalogError(
      'FAILED_PRECONDITION',
      state === 'PENDING' ? 'REVIEW_ALREADY_PENDING' : 'REVIEW_ALREADY_APPROVED',
      `product ${productId} is ${state}: ${state === 'PENDING' ? 'a review is waiting' : 'its content is approved'}`,
      { productId, status: state },
    );
}

const actorRequired = (field: string) =>
  invalid('ACTOR_REQUIRED', `${field} is required`, { field });

export function newReview(input: {
  id: string;
  productId: string;
  productVersion: number;
  qualityReportRef: string;
  submittedBy: string;
  now: Date;
}): ComplianceReview {
  const submittedBy = (input.submittedBy ?? '').trim();
  if (!submittedBy) throw actorRequired('submitted_by');
  return {
    id: input.id,
    productId: input.productId,
    productVersion: input.productVersion,
    qualityReportRef: qualityReportRef(input.qualityReportRef),
    status: 'PENDING',
    submittedBy,
    submittedAt: input.now,
    decidedBy: '',
    decidedAt: null,
    reason: '',
  };
}

/**
 * Decides a pending review, once. Four eyes: the decider is not the submitter (a merchant
 * operator submitting and approving their own product would make the review a formality;
 * the audit trail alone would only tell afterwards).
 */
export function decideReview(
  review: ComplianceReview,
  decision: { operatorId: string; approve: boolean; reason: string },
  now: Date,
): ComplianceReview {
  if (review.status !== 'PENDING')
    throw new CatalogError(
      'FAILED_PRECONDITION',
      'REVIEW_ALREADY_DECIDED',
      `review ${review.id} is already ${review.status}`,
      { reviewId: review.id, status: review.status },
    );
  const operatorId = (decision.operatorId ?? '').trim();
  if (!operatorId) throw actorRequired('operator_id');
  if (operatorId === review.submittedBy)
    throw new CatalogError(
      'PERMISSION_DENIED',
      'REVIEW_SELF_DECISION',
      'the submitter of a review cannot decide it',
      { reviewId: review.id },
    );
  const reason = (decision.reason ?? '').trim();
  if (!decision.approve && !reason)
    throw invalid('REASON_REQUIRED', 'a rejection needs a reason', { field: 'reason' });
  if (reason.length > 1000)
    throw invalid('REASON_REQUIRED', 'the reason must be at most 1000 characters', {
      field: 'reason',
    });
  return {
    ...review,
    status: decision.approve ? 'APPROVED' : 'REJECTED',
    decidedBy: operatorId,
    decidedAt: now,
    reason,
  };
}

/** A pending review closed because the product's reviewed content changed. */
export const invalidateReview = (
  review: ComplianceReview,
  changed: readonly string[],
  now: Date,
): ComplianceReview => ({
  ...review,
  status: 'REJECTED',
  decidedAt: now,
  reason: `invalidated: the product's ${changed.join(', ')} changed`,
});

/**
 * The publish guard: a product becoming ACTIVE in a regulated category needs its content
 * APPROVED, else FAILED_PRECONDITION COMPLIANCE_REVIEW_REQUIRED.
 */
export function checkPublishable(
  product: { id: string; compliance: ComplianceState },
  regulated: boolean,
): void {
  if (regulated && product.compliance !== 'APPROVED')
    throw new CatalogError(
      'FAILED_PRECONDITION',
      'COMPLIANCE_REVIEW_REQUIRED',
      `product ${product.id} is in a regulated category and its compliance review is ${product.compliance}: it needs an approved review before publishing`,
      { productId: product.id, complianceStatus: product.compliance },
    );
}
