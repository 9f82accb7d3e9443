export type SearchErrorKind = 'INVALID_ARGUMENT' | 'UNAVAILABLE';

export class SearchError extends Error {
  constructor(
    readonly kind: SearchErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'SearchError';
  }
}
