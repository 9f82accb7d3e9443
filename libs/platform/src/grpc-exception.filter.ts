import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import type { Logger } from 'pino';
import { isCodedError, toGrpcError } from './errors';

/** The one place domain and application errors become gRPC status codes. */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (!isCodedError(exception)) {
      this.logger.error({ err: exception }, 'unhandled error in gRPC handler');
    }
    return throwError(() => toGrpcError(exception));
  }
}
