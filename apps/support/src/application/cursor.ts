import { UUID_RE } from '@emporia/domain';
import { decodeCursor, encodeCursor, pageSize } from '@emporia/platform';
import type { PagePosition } from './ports';

/** Opaque cursors (the platform's): the last row's sort key and id; malformed: INVALID_CURSOR. */
export function encodePosition(p: PagePosition): string {
  return encodeCursor([p.key, p.id]);
}

const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
/** The sort keys of the listings: a creation time; a priority and a hand-off time. */
export const CREATED_KEY = new RegExp(`^${ISO}$`);
export const QUEUE_KEY = new RegExp(`^P[1-4]\\|${ISO}$`);

export function decodePosition(cursor: string, key: RegExp): PagePosition | undefined {
  if (!cursor) return undefined;
  const [k, id] = decodeCursor(
    cursor,
    (v): v is [string, string] =>
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string' &&
      key.test(v[0]) &&
      UUID_RE.test(v[1]),
  );
  return { key: k, id };
}

/** limit: default 20, at most 100. */
export const limitOf = (requested: number) => pageSize(requested, 20, 100);

/** One page: `limit + 1` rows asked, the extra one says there is a next page. */
export function page<T>(rows: T[], limit: number, position: (last: T) => PagePosition) {
  const items = rows.slice(0, limit);
  const next = rows.length > limit ? encodePosition(position(items[items.length - 1])) : '';
  return { items, nextCursor: next };
}
