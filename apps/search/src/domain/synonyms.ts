import { normalizeQuery } from './search-criteria';
import { SearchError } from './search-error';

/** Terms that mean the same thing, managed by operators as data. */
export interface SynonymSet {
  id: string;
  terms: string[];
  updatedAt: string;
}

export const MAX_SYNONYM_TERMS = 20;
/** A query is searched as itself and at most this many rewritten variants. */
export const MAX_QUERY_VARIANTS = 8;

const bad = (message: string) =>
  new SearchError('INVALID_ARGUMENT', 'SYNONYM_SET_INVALID', message);

/** Validates and normalises a set: an id, 2 to 20 distinct terms of 1 to 50 characters. */
export function validateSynonymSet(
  id: string,
  terms: readonly string[],
): { id: string; terms: string[] } {
  if (!/^[a-z0-9_-]{1,64}$/.test(id ?? ''))
    throw bad('id must be 1 to 64 lower-case letters, digits, "-" or "_"');
  const normalized = [...new Set((terms ?? []).map(normalizeQuery))];
  if (normalized.some((t) => !t || t.length > 50))
    throw bad('each term must be 1 to 50 characters');
  if (normalized.length < 2 || normalized.length > MAX_SYNONYM_TERMS)
    throw bad(`a set needs 2 to ${MAX_SYNONYM_TERMS} distinct terms`);
  return { id, terms: normalized };
}

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]/;

/**
 * Where `term` occurs in `query` (both normalised): anywhere for CJK terms, which have no word
 * boundaries, and as whole words otherwise ("tv" is not in "tvstand").
 */
function occurrence(query: string, term: string): number {
  if (CJK.test(term)) return query.indexOf(term);
  let from = 0;
  for (;;) {
    const at = query.indexOf(term, from);
    if (at < 0) return -1;
    const before = at === 0 ? '' : query[at - 1];
    const after = query[at + term.length] ?? '';
    const boundary = (c: string) => c === '' || !/[\p{L}\p{N}]/u.test(c) || CJK.test(c);
    if (boundary(before) && boundary(after)) return at;
    from = at + 1;
  }
}

/**
 * Synonym sets prepared for expansion: every term with its alternatives, longest first, sorted
 * once when the sets change rather than on every search.
 */
export class SynonymIndex {
  private readonly candidates: { term: string; others: string[] }[];

  constructor(sets: readonly { terms: readonly string[] }[]) {
    this.candidates = sets
      .flatMap((s) => s.terms.map((term) => ({ term, others: s.terms.filter((t) => t !== term) })))
      .sort((a, b) => b.term.length - a.term.length || a.term.localeCompare(b.term));
  }

  /**
   * The query rewritten with synonyms: for every set with a term in the query, each other term
   * in its place. Longer terms win over terms they contain ("手机壳" before "手机"). The query
   * itself is not among the variants; at most MAX_QUERY_VARIANTS are returned, in a stable order.
   */
  expand(query: string): string[] {
    const q = normalizeQuery(query);
    if (!q) return [];
    const variants: string[] = [];
    const covered: [number, number][] = [];
    for (const { term, others } of this.candidates) {
      const at = occurrence(q, term);
      if (at < 0) continue;
      const end = at + term.length;
      if (covered.some(([s, e]) => at < e && end > s)) continue;
      covered.push([at, end]);
      for (const other of others) {
        const v = q.slice(0, at) + other + q.slice(end);
        if (v !== q && !variants.includes(v)) variants.push(v);
        if (variants.length >= MAX_QUERY_VARIANTS) return variants;
      }
    }
    return variants;
  }
}

/** One-off expansion with unprepared sets (see SynonymIndex). */
export function expandQuery(
  query: string,
  sets: readonly { terms: readonly string[] }[],
): string[] {
  return new SynonymIndex(sets).expand(query);
}
