import { pageSize } from '@emporia/platform';
import type { PagePosition } from './ports';
import { invalid } from '../domain/support-error';

/** Opaque cursors (base64url JSON of the last row's sort key and id); malformed: CURSOR_INVALID. */
export function encodePosition(p: PagePosition): string {
  return Buffer.from(JSON.stringify([p.key, p.id]), 'utf8').toString('base64url');
}

export function decodePosition(cursor: string): PagePosition | undefined {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string')
      return { key: v[0], id: v[1] };
  } catch {
    // refused below
  }
  throw invalid('CURSOR_INVALID', 'cursor is malformed', 'cursor');
}

/** limit: default 20, at most 100. */
export const limitOf = (requested: number) => pageSize(requested, 20, 100);

/** One page: `limit + 1` rows asked, the extra one says there is a next page. */
export function page<T>(rows: T[], limit: number, position: (last: T) => PagePosition) {
  const items = rows.slice(0, limit);
  const next = rows.length > limit ? encodePosition(position(items[items.length - 1])) : '';
  return { items, nextCursor: next };
}
