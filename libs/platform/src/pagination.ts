import { AppError } from './errors';

/** Opaque cursor: base64url JSON. Malformed cursors are INVALID_ARGUMENT, never a crash. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, isValid: (v: unknown) => v is T): T {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw new AppError('INVALID_ARGUMENT', 'INVALID_CURSOR', 'page token is malformed or expired');
}

/** Clamps a requested page size to [1, max], with a default for 0/unset. */
export function pageSize(requested: number | undefined, def = 20, max = 100): number {
  if (!requested || requested <= 0) return def;
  return Math.min(Math.floor(requested), max);
}
