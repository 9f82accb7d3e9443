import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import type { Logger } from 'pino';
import { toGrpcError } from './errors';
import { HandlerErrorReporter } from './raw-grpc';

/**
 * The one place domain and application errors become gRPC status codes. A dependency that did
 * not answer (the database down, say) is UNAVAILABLE and logged as one warning per 10 s, not a
 * stack per request; any other uncoded error is INTERNAL and logged. Raw handlers
 * (raw-grpc.ts) map and log the same way.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly reporter: HandlerErrorReporter;

  constructor(logger: Logger) {
    this.reporter = new HandlerErrorReporter(logger);
  }

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    this.reporter.report(exception);
    return throwError(() => toGrpcError(exception));
  }
}
