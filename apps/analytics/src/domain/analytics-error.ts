import { DomainError } from '@emporia/domain';

/** An analytics error with a stable code, mapped to a gRPC status by the platform's filter. */
export class AnalyticsError extends DomainError {}
