import { status } from '@grpc/grpc-js';
import { fromGrpcError, RemoteCallError } from '@emporia/platform';
import { OrderError } from '../domain/order-error';

/**
 * Another service's failure in order's terms: a business refusal keeps its code (and so reaches
 * the customer as the same clear error); an outage becomes UNAVAILABLE `<BACKEND>_UNAVAILABLE`.
 */
export function rethrowRemote(backend: 'catalog' | 'marketing' | 'user'): (e: unknown) => never {
  return (e) => {
    const remote = e instanceof RemoteCallError ? e.remote : fromGrpcError(e);
    if (
      remote.status === status.UNAVAILABLE ||
      remote.status === status.DEADLINE_EXCEEDED ||
      remote.status === status.UNKNOWN ||
      remote.status === status.INTERNAL
    )
      throw new OrderError(
        'UNAVAILABLE',
        `${backend.toUpperCase()}_UNAVAILABLE`,
        `the ${backend} service did not answer; try again`,
      );
    const kind =
      remote.status === status.NOT_FOUND
        ? 'NOT_FOUND'
        : remote.status === status.INVALID_ARGUMENT
          ? 'INVALID_ARGUMENT'
          : 'FAILED_PRECONDITION';
    throw new OrderError(kind, remote.code, remote.message, remote.details);
  };
}
