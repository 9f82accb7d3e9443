/**
 * Recommendations: "bought together" (paid orders containing both products) and "viewed
 * together" (sessions with a product view of both), ranked by the cosine of the two
 * products' occurrence: together / sqrt(n(P) · n(Q)).
 */
import { UUID_RE } from '@emporia/domain';
import { AnalyticsError } from './analytics-error';

export const RECOMMENDATION_KINDS = ['bought_together', 'viewed_together'] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];

export const DEFAULT_RECOMMENDATIONS = 10;
export const MAX_RECOMMENDATIONS = 50;

export interface RecommendationQuery {
  productId: string;
  kind: RecommendationKind;
  limit: number;
}

export interface Recommendation {
  productId: string;
  together: number;
  score: number;
}

/** A product seen with P: how often together, and how often on its own count (orders or sessions). */
export interface PairCandidate {
  productId: string;
  together: number;
  occurrences: number;
}

const invalid = (field: string, code: string, message: string) =>
  new AnalyticsError('INVALID_ARGUMENT', code, message, { field });

/** Checks a request: product id a UUID (lower-cased), a known kind, limit 1..50 (0 = 10). */
export function recommendationQuery(input: {
  productId: string;
  kind: string;
  limit: number;
}): RecommendationQuery {
  if (!UUID_RE.test(input.productId ?? ''))
    throw invalid('product_id', 'PRODUCT_ID_INVALID', 'product_id must be a UUID');
  if (!(RECOMMENDATION_KINDS as readonly string[]).includes(input.kind))
    throw invalid(
      'kind',
      'RECOMMENDATION_KIND_INVALID',
      `kind is one of ${RECOMMENDATION_KINDS.join(', ')}`,
    );
  const limit = input.limit || DEFAULT_RECOMMENDATIONS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECOMMENDATIONS)
    throw invalid('limit', 'LIMIT_INVALID', `limit is 1 to ${MAX_RECOMMENDATIONS}`);
  return {
    productId: input.productId.toLowerCase(),
    kind: input.kind as RecommendationKind,
    limit,
  };
}

/** together / sqrt(n(P) · n(Q)); 0 when either was never seen. */
export function cosineScore(together: number, occurrencesP: number, occurrencesQ: number): number {
  if (occurrencesP <= 0 || occurrencesQ <= 0) return 0;
  return together / Math.sqrt(occurrencesP * occurrencesQ);
}

/** The candidates scored and sorted: score desc, then together desc, then product id; at most `limit`. */
export function rankRecommendations(
  occurrencesP: number,
  candidates: PairCandidate[],
  limit: number,
): Recommendation[] {
  return candidates
    .filter((c) => c.together > 0)
    .map((c) => ({
      productId: c.productId,
      together: c.together,
      score: cosineScore(c.together, occurrencesP, c.occurrences),
    }))
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.together - a.together ||
        (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0),
    )
    .slice(0, limit);
}

/** The distinct products of an order's lines (lower-cased UUIDs; lines without one are skipped). */
export function distinctProducts(lines: { productId: string }[]): string[] {
  return [
    ...new Set(lines.map((l) => (l.productId ?? '').toLowerCase()).filter((p) => UUID_RE.test(p))),
  ].sort();
}

/**
 * The session a product view belongs to for "viewed together": its session id, or the
 * visitor's day when the event has none.
 */
export function viewSessionKey(e: { sessionId: string; anonymousId: string; day: string }): string {
  return e.sessionId ? `s:${e.sessionId}` : `v:${e.anonymousId}:${e.day}`;
}

/** Every ordered pair (a, b), a ≠ b, of a set of products: both directions. */
export function orderedPairs(products: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const a of products) for (const b of products) if (a !== b) pairs.push([a, b]);
  return pairs;
}
