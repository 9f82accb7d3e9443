import { invalid } from './catalog-error';
import type { Product } from './product';

/**
 * Product tags (新品, 促销, 爆款, ...): manual tags set by operators, and rule tags that tag rules
 * give and a sweep re-evaluates. A product's `tags` are the sorted union of both.
 */
export type TagRuleKind = 'NEW_ARRIVAL' | 'BEST_SELLER';

export interface TagRule {
  tag: string;
  kind: TagRuleKind;
  /** NEW_ARRIVAL: first published within `days`; BEST_SELLER: units committed in the last `days`. */
  days: number;
  /** BEST_SELLER: the best `top` products (0 for NEW_ARRIVAL). */
  top: number;
  /** BEST_SELLER: at least this many units (0 for NEW_ARRIVAL). */
  minUnits: number;
}

export const TAG_LIMITS = {
  tagLength: 20,
  manualTags: 10,
  rules: 20,
  days: 365,
  top: 1000,
  minUnits: 1_000_000,
} as const;

/** The rules a new catalog starts with (migration 1767000000200 seeds them). */
export const DEFAULT_TAG_RULES: readonly TagRule[] = [
  { tag: '新品', kind: 'NEW_ARRIVAL', days: 30, top: 0, minUnits: 0 },
  { tag: '爆款', kind: 'BEST_SELLER', days: 7, top: 20, minUnits: 1 },
];

/** Tags are compared and stored NFKC-normalised and trimmed (full-width and half-width alike). */
export const normaliseTag = (raw: string): string => (raw ?? '').normalize('NFKC').trim();

/** Why a tag is not acceptable, or undefined: 1..20 characters, no control characters. */
function tagProblem(tag: string): string | undefined {
  const length = [...tag].length;
  if (length === 0 || length > TAG_LIMITS.tagLength)
    return `must be 1..${TAG_LIMITS.tagLength} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(tag)) return 'must not contain control characters';
  return undefined;
}

/** Validates manual tags (TAGS_INVALID): at most 10, each 1..20 characters, no duplicates. */
export function manualTags(input: readonly string[]): string[] {
  if (input.length > TAG_LIMITS.manualTags)
    throw invalid('TAGS_INVALID', `a product has at most ${TAG_LIMITS.manualTags} manual tags`);
  const out: string[] = [];
  // details name the tag by index: they go out as gRPC metadata, ASCII only
  for (const [index, raw] of input.entries()) {
    const tag = normaliseTag(raw);
    const problem = tagProblem(tag);
    if (problem) throw invalid('TAGS_INVALID', `tag '${raw}' ${problem}`, { index });
    if (out.includes(tag)) throw invalid('TAGS_INVALID', `tag '${tag}' appears twice`, { index });
    out.push(tag);
  }
  return out.sort();
}

const ruleInvalid = (message: string, index: number) =>
  invalid('TAG_RULES_INVALID', message, { index });

function intIn(v: number, min: number, max: number): boolean {
  return Number.isInteger(v) && v >= min && v <= max;
}

/** Validates a replacement rule set (TAG_RULES_INVALID, naming the rule's index). */
export function tagRules(input: readonly TagRule[]): TagRule[] {
  if (input.length > TAG_LIMITS.rules)
    throw ruleInvalid(`at most ${TAG_LIMITS.rules} tag rules`, TAG_LIMITS.rules);
  const seen = new Set<string>();
  return input.map((r, i) => {
    const tag = normaliseTag(r.tag);
    const problem = tagProblem(tag);
    if (problem) throw ruleInvalid(`rule ${i}: tag '${r.tag}' ${problem}`, i);
    if (seen.has(tag)) throw ruleInvalid(`rule ${i}: tag '${tag}' has another rule`, i);
    seen.add(tag);
    if (!intIn(r.days, 1, TAG_LIMITS.days))
      throw ruleInvalid(`rule ${i}: days must be 1..${TAG_LIMITS.days}`, i);
    if (r.kind === 'NEW_ARRIVAL') return { tag, kind: r.kind, days: r.days, top: 0, minUnits: 0 };
    if (r.kind !== 'BEST_SELLER') throw ruleInvalid(`rule ${i}: unknown kind`, i);
    if (!intIn(r.top, 1, TAG_LIMITS.top))
      throw ruleInvalid(`rule ${i}: top must be 1..${TAG_LIMITS.top}`, i);
    if (!intIn(r.minUnits, 1, TAG_LIMITS.minUnits))
      throw ruleInvalid(`rule ${i}: min_units must be 1..${TAG_LIMITS.minUnits}`, i);
    return { tag, kind: r.kind, days: r.days, top: r.top, minUnits: r.minUnits };
  });
}

/** What the shopper sees: manual and rule tags together, each once, sorted. */
export const productTags = (p: Pick<Product, 'manualTags' | 'ruleTags'>): string[] =>
  [...new Set([...p.manualTags, ...p.ruleTags])].sort();

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The rule tags each product should have: `selected` maps each rule's tag to the products the
 * rule selects now; `current` the products holding rule tags now. Returns the products whose
 * rule tags differ (sorted tags), including those that lose every rule tag.
 */
export function planRuleTags(
  selected: ReadonlyMap<string, readonly string[]>,
  current: ReadonlyMap<string, readonly string[]>,
): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const [tag, ids] of selected)
    for (const id of ids) wanted.set(id, [...(wanted.get(id) ?? []), tag]);
  const plan = new Map<string, string[]>();
  for (const id of new Set([...wanted.keys(), ...current.keys()])) {
    const next = [...new Set(wanted.get(id) ?? [])].sort();
    if (!sameList(next, [...(current.get(id) ?? [])].sort())) plan.set(id, next);
  }
  return plan;
}

/**
 * Gives a product new manual or rule tags. A new version (and an event) only when what the
 * snapshot shows changes (the union, or the manual tags); rule tags that change without changing
 * the union (a manual tag already gave it) are kept at the same version.
 */
export function retag(
  product: Product,
  parts: { manualTags?: string[]; ruleTags?: string[] },
  now: Date,
): { product: Product; changed: boolean } {
  const next = {
    ...product,
    manualTags: parts.manualTags ?? product.manualTags,
    ruleTags: parts.ruleTags ?? product.ruleTags,
  };
  const changed =
    !sameList(productTags(product), productTags(next)) ||
    !sameList(product.manualTags, next.manualTags);
  return changed
    ? { product: { ...next, version: product.version + 1, updatedAt: now }, changed }
    : { product: next, changed };
}
