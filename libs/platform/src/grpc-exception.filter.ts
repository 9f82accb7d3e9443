import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import type { Logger } from 'pino';
import { isCodedError, isUnavailableFailure, toGrpcError } from './errors';
import { ThrottledWarning } from './fail-open';

/**
 * The one place domain and application errors become gRPC status codes. A dependency that did
 * not answer (the database down, say) is UNAVAILABLE and logged as one warning per 10 s, not a
 * stack per request; any other uncoded error is INTERNAL and logged.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly unavailable: ThrottledWarning;

  constructor(private readonly logger: Logger) {
    this.unavailable = new ThrottledWarning(logger, 10_000);
  }

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (!isCodedError(exception)) {
      if (isUnavailableFailure(exception))
        this.unavailable.warn(
          { err: exception },
          'gRPC handler failed: a dependency is unavailable (answered UNAVAILABLE)',
        );
      else this.logger.error({ err: exception }, 'unhandled error in gRPC handler');
    }
    return throwError(() => toGrpcError(exception));
  }
}
