import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@emporia/platform';
import { ProblemError, toProblem } from './problem';
import { requestContext } from './request-context';

/** The one place every HTTP error becomes `application/problem+json`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const ctx = requestContext(req);
    const { problem, unexpected } = toProblem(exception);
    if (unexpected)
      this.logger.error({ err: exception, trace_id: ctx.traceId, url: req.url }, 'request failed');
    if (exception instanceof ProblemError && exception.headers)
      void reply.headers(exception.headers);
    void reply
      .status(problem.status)
      .header('content-type', 'application/problem+json')
      .send({ ...problem, instance: req.url.split('?')[0], traceId: ctx.traceId });
  }
}
