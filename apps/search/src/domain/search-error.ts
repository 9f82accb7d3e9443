import { DomainError } from '@emporia/domain';

export type SearchErrorKind =
  'INVALID_ARGUMENT' | 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'UNAVAILABLE';

export class SearchError extends DomainError<SearchErrorKind> {}
