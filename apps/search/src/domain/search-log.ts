import { normalizeQuery } from './search-criteria';
import { SearchError } from './search-error';

/** One logged search: the normalised text and how many products it found. */
export interface LoggedSearch {
  query: string;
  raw: string;
  results: number;
  /** A filter (category, brand, price, attribute, stock) narrowed the search. */
  filtered: boolean;
  sort: string;
  at: string;
  /** The same search made this many times, `at` the last (a caller's repeats); 1 if absent. */
  searches?: number;
}

/** Searches with text are logged; browsing without text and later pages are not. */
export function logEntry(
  raw: string,
  results: number,
  filtered: boolean,
  sort: string,
  at: Date,
): LoggedSearch | undefined {
  const query = normalizeQuery(raw);
  if (!query) return undefined;
  return { query, raw: raw.trim(), results, filtered, sort, at: at.toISOString() };
}

/**
 * Logged searches as the log stores them: the same search (text, result count, filtered, sort)
 * made `searches` times within one second, `at` the last of them.
 */
export interface GatheredSearches extends LoggedSearch {
  searches: number;
}

/**
 * Gathers entries into one record per search and second (the log's writes: one document for
 * the repeated searches of a second, not one per search). Counts are kept exactly; a search's
 * time moves to the last of its second's searches, so a window edge may count it up to a second
 * off. The first record of each group keeps the order of the entries.
 */
export function gatherSearches(entries: readonly LoggedSearch[]): GatheredSearches[] {
  const groups = new Map<string, GatheredSearches>();
  for (const e of entries) {
    const key = JSON.stringify([e.query, e.raw, e.results, e.filtered, e.sort, e.at.slice(0, 19)]);
    const g = groups.get(key);
    if (!g) groups.set(key, { ...e, searches: e.searches ?? 1 });
    else {
      g.searches += e.searches ?? 1;
      if (e.at > g.at) g.at = e.at;
    }
  }
  return [...groups.values()];
}

export interface TopQueriesWindow {
  since: Date;
  until: Date;
  zeroResultsOnly: boolean;
  limit: number;
}

const DAY = 86_400_000;

/** Window defaults: the last 7 days; at most 90 days; limit 20 by default, at most 200. */
export function topQueriesWindow(
  input: { since?: string; until?: string; zeroResultsOnly?: boolean; limit?: number },
  now: Date,
): TopQueriesWindow {
  const parse = (v: string | undefined, name: string, def: Date) => {
    if (!v) return def;
    const d = new Date(v);
    if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(v))
      throw new SearchError(
        'INVALID_ARGUMENT',
        'SEARCH_WINDOW_INVALID',
        `${name} must be an RFC 3339 time`,
      );
    return d;
  };
  const until = parse(input.until, 'until', now);
  const since = parse(input.since, 'since', new Date(until.getTime() - 7 * DAY));
  if (since >= until)
    throw new SearchError(
      'INVALID_ARGUMENT',
      'SEARCH_WINDOW_INVALID',
      'since must be before until',
    );
  if (until.getTime() - since.getTime() > 90 * DAY)
    throw new SearchError(
      'INVALID_ARGUMENT',
      'SEARCH_WINDOW_INVALID',
      'the window is at most 90 days',
    );
  const limit = input.limit ?? 0;
  if (limit < 0 || !Number.isInteger(limit))
    throw new SearchError('INVALID_ARGUMENT', 'SEARCH_LIMIT_INVALID', 'limit must not be negative');
  return {
    since,
    until,
    zeroResultsOnly: input.zeroResultsOnly ?? false,
    limit: limit === 0 ? 20 : Math.min(limit, 200),
  };
}
