import { DomainError, UUID_RE } from '@emporia/domain';

/** Kinds understood by the platform's gRPC exception filter (shape only: no import needed). */
export type CatalogErrorKind =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'PERMISSION_DENIED';

/** A catalog rule was broken; `code` is stable and documented for API users. */
export class CatalogError extends DomainError<CatalogErrorKind> {}

export const invalid = (code: string, message: string, details?: Record<string, unknown>) =>
  new CatalogError('INVALID_ARGUMENT', code, message, details);

export const notFound = (what: 'Category' | 'Product' | 'Sku', id: string, code?: string) =>
  new CatalogError(
    'NOT_FOUND',
    code ?? `${what.toUpperCase()}_NOT_FOUND`,
    `${what} ${id} does not exist`,
    { id },
  );

/** Ids are UUIDs; anything else is a bad argument, not a lookup miss. */
export function assertId(field: string, value: string): string {
  if (!UUID_RE.test(value ?? ''))
    throw invalid('ID_INVALID', `${field} must be a UUID, got '${value}'`, { field });
  return value.toLowerCase();
}
